package demodata

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestParseLocale(t *testing.T) {
	for in, want := range map[string]Locale{
		"": English, "en": English, "en-US": English, "en_GB.UTF-8": English, "C": English,
		"zh": Chinese, "zh-CN": Chinese, "zh_CN.UTF-8": Chinese, "zh-Hans": Chinese, " ZH-cn ": Chinese,
	} {
		if got, err := ParseLocale(in); err != nil || got != want {
			t.Errorf("ParseLocale(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"fr", "zh-TW", "de-DE", "english"} {
		if _, err := ParseLocale(bad); err == nil {
			t.Errorf("ParseLocale(%q) accepted", bad)
		}
	}
	if _, err := Generate(t.TempDir(), Options{Locale: "xx"}); err == nil {
		t.Error("Generate accepted an unknown locale")
	}
}

func TestChineseDeterministic(t *testing.T) {
	opt := Options{Seed: 7, Customers: 2000, Orders: 20000, Products: 100, Locale: Chinese}
	a, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if hashFiles(t, a) != hashFiles(t, b) {
		t.Fatal("same seed produced different Chinese files")
	}
	// The groups (ground truth) do not depend on the language.
	opt.Locale = English
	en, err := Groups(opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Locale = Chinese
	zh, err := Groups(opt)
	if err != nil {
		t.Fatal(err)
	}
	count := func(m map[string]Group) map[Group]int {
		out := map[Group]int{}
		for _, g := range m {
			out[g]++
		}
		return out
	}
	ce, cz := count(en), count(zh)
	for g, n := range ce {
		if cz[g] != n {
			t.Errorf("group %s: %d English, %d Chinese customers", g, n, cz[g])
		}
	}
}

// The Chinese demo is as big and as fast to make as the English one.
func TestChineseSizeAndSpeed(t *testing.T) {
	d := chineseData(t)
	best := d.elapsed
	for i := 0; i < 2 && best > 2*time.Second && !testing.Short(); i++ {
		opt := Default()
		opt.Locale = Chinese
		start := time.Now()
		if _, err := Generate(t.TempDir(), opt); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	t.Logf("Chinese default generation took %v (English %v)", best, defaultData(t).elapsed)
	if best > 2*time.Second && !testing.Short() {
		t.Errorf("Chinese default generation took %v, want < 2s", best)
	}
	if len(d.customers) != 20000 || len(d.products) != 500 || len(d.orders) != 200000 {
		t.Errorf("rows: customers %d products %d orders %d", len(d.customers), len(d.products), len(d.orders))
	}
	if n := len(d.reviews); n < 2000 || n > 8000 {
		t.Errorf("reviews = %d, want a few thousand", n)
	}
}

var mobile = regexp.MustCompile(`^(\+86 )?1[3-9][0-9]([ -]?[0-9]{4}){2}$`)

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

func TestChineseContent(t *testing.T) {
	d := chineseData(t)
	cities := map[string]map[string]bool{}
	for _, p := range provinces {
		cities[p.name] = map[string]bool{}
		for _, c := range p.cities {
			cities[p.name][c] = true
		}
	}
	surname := map[string]int{}
	perProvince := map[string]int{}
	for _, c := range d.customers {
		if !isHan(c["first_name"]) || !isHan(c["last_name"]) {
			t.Fatalf("%s: name %q %q", c["customer_id"], c["last_name"], c["first_name"])
		}
		surname[c["last_name"]]++
		p := c["province"]
		perProvince[p]++
		if cities[p] == nil {
			t.Fatalf("%s: unknown province %q", c["customer_id"], p)
		}
		if c["city"] != "" && !cities[p][c["city"]] {
			t.Fatalf("%s: city %q is not in %s", c["customer_id"], c["city"], p)
		}
		if c["phone"] != "" && !mobile.MatchString(c["phone"]) {
			t.Fatalf("%s: phone %q is no mainland mobile number", c["customer_id"], c["phone"])
		}
		e := strings.ToLower(strings.TrimSpace(c["email"]))
		host := e[strings.IndexByte(e, '@')+1:]
		if host != "example.com" && host != "example.net" && !strings.HasSuffix(host, ".example.com") {
			t.Fatalf("%s: email %q outside the reserved domains", c["customer_id"], c["email"])
		}
	}
	// Surnames follow their real frequencies: 王, 李, 张 lead.
	if surname["王"] < 3*surname["孙"] || surname["张"] < 3*surname["孙"] || surname["王"] < 800 {
		t.Errorf("surname counts 王 %d 张 %d 孙 %d", surname["王"], surname["张"], surname["孙"])
	}
	if perProvince["广东省"] < 10*perProvince["西藏自治区"] || perProvince["广东省"] < perProvince["北京市"] {
		t.Errorf("province counts %v", perProvince)
	}
	cats := map[string]bool{}
	for _, c := range zhCategories {
		cats[c.name] = true
	}
	for _, p := range d.products {
		han := strings.ContainsFunc(p["product_name"], func(r rune) bool { return unicode.Is(unicode.Han, r) })
		if !cats[p["category"]] || !strings.HasSuffix(p["unit_price"], ".00") || !han {
			t.Fatalf("product %v", p)
		}
	}
	for _, o := range d.orders {
		switch o["channel"] {
		case "官网", "App", "门店":
		default:
			t.Fatalf("channel %q", o["channel"])
		}
	}
}

// Reviews carry their rating in words: the positive and negative words a
// sentiment model or keyword list would use separate high and low ratings.
func TestChineseReviewsCarrySentiment(t *testing.T) {
	d := chineseData(t)
	posWords := []string{"好评", "满意", "喜欢", "推荐", "物超所值", "好用", "划算", "回购"}
	negWords := []string{"差评", "失望", "后悔", "太差", "退货", "不推荐", "坏了", "不值", "踩坑"}
	has := func(s string, words []string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	var high, low, highPos, lowNeg, highNeg int
	distinct := map[string]bool{}
	for _, r := range d.reviews {
		text := r["review_text"]
		distinct[text] = true
		if strings.ContainsAny(text, "{}") || !strings.ContainsAny(text, "。！") {
			t.Fatalf("review %s: %q", r["review_id"], text)
		}
		switch r["rating"] {
		case "5":
			high++
			if has(text, posWords) {
				highPos++
			}
			if strings.Contains(text, "差评") {
				highNeg++
			}
		case "1":
			low++
			if has(text, negWords) {
				lowNeg++
			}
		}
	}
	if float64(highPos) < 0.8*float64(high) || float64(lowNeg) < 0.8*float64(low) || highNeg > high/50 {
		t.Errorf("5 stars: %d of %d positive, %d say 差评; 1 star: %d of %d negative", highPos, high, highNeg, lowNeg, low)
	}
	if len(distinct) < len(d.reviews)/3 {
		t.Errorf("only %d distinct texts in %d reviews", len(distinct), len(d.reviews))
	}
}

// Singles' Day and 618 are peaks; the Spring Festival week is quiet.
func TestChineseFestivals(t *testing.T) {
	d := chineseData(t)
	perDay := map[string]int{}
	for _, o := range d.orders {
		perDay[o["order_date"][:10]]++
	}
	avg := func(from, to string) float64 {
		a, _ := time.Parse(time.DateOnly, from)
		b, _ := time.Parse(time.DateOnly, to)
		n, k := 0, 0
		for x := a; !x.After(b); x = x.AddDate(0, 0, 1) {
			n += perDay[x.Format(time.DateOnly)]
			k++
		}
		return float64(n) / float64(k)
	}
	if s11, nov := avg("2025-11-11", "2025-11-11"), avg("2025-11-13", "2025-11-30"); s11 < 2*nov {
		t.Errorf("11.11 orders %.0f vs rest of November %.0f a day", s11, nov)
	}
	if s618, jun := avg("2025-06-18", "2025-06-18"), avg("2025-06-01", "2025-06-15"); s618 < 1.6*jun {
		t.Errorf("618 orders %.0f vs early June %.0f a day", s618, jun)
	}
	if sf, before := avg("2026-02-17", "2026-02-23"), avg("2026-01-20", "2026-02-10"); sf > 0.5*before {
		t.Errorf("Spring Festival week %.0f vs January %.0f a day", sf, before)
	}
	if bf := avg("2025-11-28", "2025-11-28"); bf > 1.5*avg("2025-11-20", "2025-11-27") {
		t.Errorf("Black Friday is a peak in the Chinese demo (%.0f a day)", bf)
	}
}

func BenchmarkGenerateChinese(b *testing.B) {
	dir := b.TempDir()
	opt := Default()
	opt.Locale = Chinese
	for b.Loop() {
		if _, err := Generate(dir, opt); err != nil {
			b.Fatal(err)
		}
	}
}
