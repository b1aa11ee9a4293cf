package demodata

// pname is a name in its display script plus an ASCII form for emails.
// ascii is empty for Latin-script names; fold derives it.
type pname struct{ text, ascii string }

func latin(names ...string) []pname {
	out := make([]pname, len(names))
	for i, n := range names {
		out[i] = pname{text: n}
	}
	return out
}

// han pairs Chinese characters with pinyin: "王:wang".
func han(pairs ...string) []pname {
	out := make([]pname, len(pairs))
	for i, p := range pairs {
		for j := 0; j < len(p); j++ {
			if p[j] == ':' {
				out[i] = pname{text: p[:j], ascii: p[j+1:]}
				break
			}
		}
	}
	return out
}

type country struct {
	name     string
	code     string // used for the regional email subdomain
	weight   float64
	aov      float64 // order value multiplier (planted effect)
	appShare float64 // share of customers preferring the app channel
	first    []pname
	last     []pname
	lastCum  []float64 // cumulative surname weights; nil picks uniformly
	cities   []string  // most populous first; picked Zipf-like
	phone    func(g *gen) string
}

var englishFirst = latin("Oliver", "George", "Harry", "Jack", "Charlie", "Thomas",
	"James", "William", "Noah", "Leo", "Amelia", "Olivia", "Isla", "Ava", "Emily",
	"Sophie", "Grace", "Lily", "Freya", "Ella", "Jessica", "Chloe", "Daniel",
	"Samuel", "Matthew", "Emma", "Hannah", "Lucy", "Sarah", "Michael")

var countries = []country{
	{
		name: "United Kingdom", code: "uk", weight: 0.30, aov: 1.0, appShare: 0.25,
		first: englishFirst,
		last: latin("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
			"Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White",
			"Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan",
			"Hughes", "Edwards", "Turner"),
		cities: []string{"London", "Manchester", "Birmingham", "Leeds", "Glasgow",
			"Bristol", "Edinburgh", "Liverpool", "Cardiff", "Newcastle upon Tyne"},
		phone: func(g *gen) string {
			a, b := g.digits(3), g.digits(6)
			return g.pick(
				"+44 7"+a+" "+b,
				"07"+a+" "+b,
				"07"+a+"-"+b[:3]+"-"+b[3:],
				"+447"+a+b)
		},
	},
	{
		name: "Germany", code: "de", weight: 0.16, aov: 1.15, appShare: 0.22,
		first: latin("Jürgen", "Björn", "Sören", "Jörg", "Uwe", "Lukas", "Felix",
			"Jonas", "Leon", "Paul", "Lea", "Hannah", "Anna", "Lena", "Marie",
			"Katharina", "Maximilian", "Sophie", "Günter", "Mia"),
		last: latin("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
			"Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer",
			"Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Krüger",
			"Weiß", "Hartmann", "Lange", "Zimmermann"),
		cities: []string{"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main",
			"Stuttgart", "Düsseldorf", "Leipzig", "Dresden", "Nürnberg"},
		phone: func(g *gen) string {
			p := g.pick("151", "152", "157", "160", "170", "171", "172", "175", "176", "177", "178", "179")
			n := g.digits(8)
			return g.pick(
				"+49 "+p+" "+n,
				"0"+p+" "+n,
				"0"+p+"/"+n,
				"+49 (0)"+p+" "+n)
		},
	},
	{
		name: "France", code: "fr", weight: 0.12, aov: 1.05, appShare: 0.25,
		first: latin("Jean", "Pierre", "Louis", "Gabriel", "Léa", "Chloé", "Manon",
			"Camille", "Inès", "Zoé", "Hélène", "François", "Théo", "Raphaël",
			"Noémie", "Élodie", "Clément", "Amélie", "Jérôme", "Céline"),
		last: latin("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
			"Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre",
			"Michel", "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
			"Fontaine", "Rousseau", "Chevalier", "Gauthier"),
		cities: []string{"Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes",
			"Montpellier", "Strasbourg", "Bordeaux", "Lille"},
		phone: func(g *gen) string {
			p := g.pick("6", "7")
			n := g.digits(8)
			pairs := n[:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:]
			return g.pick(
				"+33 "+p+" "+pairs,
				"0"+p+" "+pairs,
				"0"+p+"."+n[:2]+"."+n[2:4]+"."+n[4:6]+"."+n[6:],
				"0"+p+n)
		},
	},
	{
		name: "Netherlands", code: "nl", weight: 0.08, aov: 1.1, appShare: 0.28,
		first: latin("Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Emma",
			"Julia", "Sophie", "Tess", "Zoë", "Sanne", "Fenna", "Lotte", "Anouk",
			"Thijs", "Joost", "Mees", "Noor"),
		last: latin("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk",
			"Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
			"de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
			"Brouwer"),
		cities: []string{"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven",
			"Groningen", "Tilburg", "Almere", "Breda", "Nijmegen"},
		phone: func(g *gen) string {
			n := g.digits(8)
			return g.pick(
				"+31 6 "+n,
				"06-"+n,
				"06 "+n[:4]+" "+n[4:],
				"+31 (0)6 "+n)
		},
	},
	{
		name: "Spain", code: "es", weight: 0.08, aov: 0.8, appShare: 0.27,
		first: latin("José", "María", "Antonio", "Manuel", "Carmen", "Ana", "Lucía",
			"Sofía", "Javier", "Daniel", "Pablo", "Alejandro", "Marta", "Laura",
			"Elena", "Ángel", "Raúl", "Inés", "Jesús", "Nuria"),
		last: latin("García", "Rodríguez", "González", "Fernández", "López",
			"Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz",
			"Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
			"Gutiérrez", "Núñez", "Navarro", "Torres", "Domínguez"),
		cities: []string{"Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza",
			"Málaga", "Bilbao", "Alicante", "Córdoba", "Valladolid"},
		phone: func(g *gen) string {
			n := "6" + g.digits(8)
			return g.pick(
				"+34 "+n[:3]+" "+n[3:6]+" "+n[6:],
				n[:3]+" "+n[3:5]+" "+n[5:7]+" "+n[7:],
				n)
		},
	},
	{
		name: "Ireland", code: "ie", weight: 0.06, aov: 0.95, appShare: 0.25,
		first: latin("Seán", "Aoife", "Niamh", "Ciarán", "Siobhán", "Conor", "Liam",
			"Saoirse", "Oisín", "Róisín", "Patrick", "Emma", "Jack", "Sarah", "Cian",
			"Orla"),
		last: latin("Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien",
			"Byrne", "Ryan", "O'Connor", "O'Neill", "McCarthy", "Doyle", "Gallagher",
			"Kennedy", "Lynch", "Quinn"),
		cities: []string{"Dublin", "Cork", "Galway", "Limerick", "Waterford",
			"Drogheda", "Kilkenny"},
		phone: func(g *gen) string {
			p := g.pick("83", "85", "86", "87", "89")
			n := g.digits(7)
			return g.pick(
				"+353 "+p+" "+n[:3]+" "+n[3:],
				"0"+p+" "+n[:3]+" "+n[3:],
				"0"+p+"-"+n[:3]+"-"+n[3:])
		},
	},
	{
		name: "United States", code: "us", weight: 0.12, aov: 1.5, appShare: 0.30,
		first: latin("Liam", "Noah", "Ethan", "Mason", "Logan", "Aiden", "Olivia",
			"Emma", "Ava", "Sophia", "Madison", "Abigail", "Jacob", "Michael",
			"Ashley", "Tyler", "Brianna", "Jose", "Maria", "Kayla"),
		last: latin("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia",
			"Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez",
			"Wilson", "Anderson", "Thomas", "Moore", "Nguyen", "Kim", "Lee", "Clark"),
		cities: []string{"New York", "Los Angeles", "Chicago", "Houston", "Phoenix",
			"Philadelphia", "San Francisco", "Seattle", "Boston", "Austin"},
		phone: func(g *gen) string {
			a := g.pick("212", "213", "312", "415", "512", "617", "646", "713", "206", "602", "215")
			e := string(rune('2'+g.r.IntN(8))) + g.digits(2)
			n := g.digits(4)
			return g.pick(
				"("+a+") "+e+"-"+n,
				a+"-"+e+"-"+n,
				"+1 "+a+" "+e+" "+n,
				a+"."+e+"."+n)
		},
	},
	{
		name: "China", code: "cn", weight: 0.08, aov: 0.7, appShare: 0.50,
		first: han("伟:wei", "芳:fang", "娜:na", "秀英:xiuying", "敏:min", "静:jing",
			"丽:li", "强:qiang", "磊:lei", "军:jun", "洋:yang", "勇:yong", "艳:yan",
			"杰:jie", "娟:juan", "涛:tao", "明:ming", "超:chao", "秀兰:xiulan",
			"霞:xia", "子涵:zihan", "浩然:haoran", "欣怡:xinyi", "宇轩:yuxuan",
			"梓萱:zixuan"),
		last: han("王:wang", "李:li", "张:zhang", "刘:liu", "陈:chen", "杨:yang",
			"黄:huang", "赵:zhao", "吴:wu", "周:zhou", "徐:xu", "孙:sun", "马:ma",
			"朱:zhu", "胡:hu", "郭:guo", "何:he", "林:lin", "高:gao", "罗:luo"),
		cities: []string{"上海", "北京", "广州", "深圳", "成都", "杭州", "重庆",
			"武汉", "南京", "西安"},
		phone: func(g *gen) string {
			p := g.pick("138", "139", "135", "136", "137", "150", "151", "158", "186", "187", "188", "189")
			n := g.digits(8)
			return g.pick(
				"+86 "+p+" "+n[:4]+" "+n[4:],
				p+"-"+n[:4]+"-"+n[4:],
				p+n,
				"+86 "+p+n)
		},
	},
}

// category describes a product category. monthly scales demand by calendar
// month (index 0 = January) to plant category seasonality.
type category struct {
	name    string
	weight  float64
	median  float64 // typical unit price
	monthly [12]float64
	adj     []string
	nouns   []string
}

var flat = [12]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

var categories = []category{
	{"Home", 1.2, 24, flat,
		[]string{"Linen", "Velvet", "Cotton", "Rattan", "Ceramic", "Minimalist", "Nordic", "Boho", "Oak", "Marble-Effect"},
		[]string{"Cushion Cover", "Throw Blanket", "Scented Candle", "Photo Frame", "Table Lamp", "Wall Clock", "Storage Basket", "Doormat", "Vase", "Bath Towel Set", "Duvet Cover", "Curtain Panel"}},
	{"Kitchen", 1.2, 18, flat,
		[]string{"Bamboo", "Stainless Steel", "Non-Stick", "Cast Iron", "Enamel", "Glass", "Silicone", "Copper", "Acacia", "Professional"},
		[]string{"Chopping Board", "Chef's Knife", "Saucepan", "Frying Pan", "Mixing Bowl Set", "Whisk", "Tea Towel Set", "Coffee Grinder", "Cafetière", "Spice Rack", "Baking Tray", "Utensil Set"}},
	{"Garden", 0.8, 28, [12]float64{0.4, 0.5, 1.2, 2.0, 2.2, 2.0, 1.6, 1.2, 0.9, 0.6, 0.4, 0.4},
		[]string{"Galvanised", "Terracotta", "Heavy-Duty", "Weatherproof", "Recycled", "Ergonomic", "Solar", "Wooden"},
		[]string{"Watering Can", "Plant Pot", "Pruning Shears", "Garden Gloves", "Bird Feeder", "Lantern", "Hose Reel", "Kneeler", "Seed Tray", "Raised Bed", "Trowel", "Herb Planter"}},
	{"Toys", 0.9, 20, [12]float64{0.6, 0.6, 0.7, 0.8, 0.7, 0.7, 0.8, 0.8, 0.8, 1.0, 2.0, 2.8},
		[]string{"Classic", "Rainbow", "Deluxe", "Junior", "Magnetic", "Eco", "Musical", "Mini"},
		[]string{"Building Blocks", "Jigsaw Puzzle", "Plush Bear", "Wooden Train Set", "Board Game", "Craft Kit", "Remote Control Car", "Doll's House", "Stacking Rings", "Kite", "Science Kit"}},
	{"Stationery", 0.8, 7, [12]float64{1.1, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 1.3, 1.8, 1.0, 1.0, 1.1},
		[]string{"A5 Dotted", "Recycled", "Leather-Bound", "Pastel", "Refillable", "Kraft", "Premium", "Pocket"},
		[]string{"Notebook", "Ballpoint Pens", "Fountain Pen", "Desk Organiser", "Sticky Notes", "Planner", "Sketchbook", "Highlighters", "Pencil Case", "Greeting Cards", "Washi Tape"}},
	{"Beauty", 1.1, 14, [12]float64{1.0, 1.3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.4},
		[]string{"Vitamin C", "Shea Butter", "Rosehip", "Lavender", "Fragrance-Free", "Vegan", "Hydrating", "Charcoal"},
		[]string{"Face Serum", "Hand Cream", "Lip Balm", "Shampoo Bar", "Body Lotion", "Bath Bombs", "Face Mask", "Nail Polish Set", "Makeup Brush Set", "Perfume Oil"}},
	{"Electronics Accessories", 1.2, 22, [12]float64{1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.0, 1.2, 1.3},
		[]string{"Fast-Charge", "Braided", "Slim", "Rugged", "Magnetic", "Compact", "Ergonomic", "Noise-Cancelling"},
		[]string{"USB-C Cable", "Phone Case", "Wireless Charger", "Power Bank", "Earbuds", "Laptop Sleeve", "Bluetooth Speaker", "Screen Protector", "Wall Adapter", "Keyboard", "Mouse"}},
	{"Pet Supplies", 0.8, 15, flat,
		[]string{"Reflective", "Orthopaedic", "Stainless", "Durable", "Cosy", "Waterproof", "Natural"},
		[]string{"Dog Lead", "Cat Scratcher", "Pet Bed", "Chew Toy", "Food Bowl", "Grooming Brush", "Cat Tunnel", "Dog Coat", "Treat Pouch"}},
	{"Sports & Outdoors", 0.8, 32, [12]float64{1.6, 1.2, 1.0, 1.0, 1.1, 1.3, 1.3, 1.3, 1.0, 0.9, 0.8, 0.9},
		[]string{"Insulated", "Lightweight", "Non-Slip", "Foldable", "Adjustable", "Waterproof", "Trail"},
		[]string{"Yoga Mat", "Water Bottle", "Resistance Bands", "Running Belt", "Camping Chair", "Dry Bag", "Head Torch", "Foam Roller", "Skipping Rope", "Picnic Blanket"}},
	{"Fashion Accessories", 0.9, 26, [12]float64{1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3},
		[]string{"Merino", "Cashmere-Blend", "Vegan Leather", "Canvas", "Polarised", "Compact", "Striped", "Knitted"},
		[]string{"Scarf", "Beanie", "Wallet", "Tote Bag", "Sunglasses", "Umbrella", "Belt", "Gloves", "Watch Strap", "Socks Set"}},
}

var variants = []string{"Black", "White", "Grey", "Navy", "Sage", "Terracotta",
	"Mustard", "Blush", "Small", "Large", "Set of 2", "Set of 4"}

// fold maps Latin letters with diacritics to ASCII for email local parts.
// Spaces and apostrophes are dropped ("de Vries" -> "devries").
var fold = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'Ä': "ae", 'Ö': "oe", 'Ü': "ue",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "e", 'à': "a", 'â': "a", 'á': "a",
	'Á': "a", 'ç': "c", 'î': "i", 'ï': "i", 'í': "i", 'ô': "o", 'ó': "o", 'û': "u",
	'ù': "u", 'ú': "u", 'ñ': "n", 'Ñ': "n", 'œ': "oe",
}
