package demodata

import (
	"crypto/sha256"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// table is a parsed CSV: rows keyed by header name.
type table []map[string]string

func readTable(t testing.TB, path string) table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out table
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

type dataset struct {
	files                                Files
	customers, products, orders, reviews table
	groups                               map[string]Group
	elapsed                              time.Duration
}

// cached generates a default-size data set once per test binary.
type cached struct {
	once sync.Once
	data dataset
	err  error
}

var defData, zhData cached

// defaultData is the default English data set.
func defaultData(t *testing.T) *dataset { return defData.get(t, English) }

// chineseData is the default data set in Chinese.
func chineseData(t *testing.T) *dataset { return zhData.get(t, Chinese) }

func (c *cached) get(t *testing.T, l Locale) *dataset {
	t.Helper()
	c.once.Do(func() {
		dir, err := os.MkdirTemp("", "demodata")
		if err != nil {
			c.err = err
			return
		}
		opt := Default()
		opt.Locale = l
		start := time.Now()
		c.data.files, c.err = Generate(dir, opt)
		c.data.elapsed = time.Since(start)
		if c.err != nil {
			return
		}
		c.data.groups, c.err = Groups(opt)
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	d := &c.data
	if d.customers == nil {
		d.customers = readTable(t, d.files.Customers)
		d.products = readTable(t, d.files.Products)
		d.orders = readTable(t, d.files.Orders)
		d.reviews = readTable(t, d.files.Reviews)
	}
	return d
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range []*cached{&defData, &zhData} {
		if c.data.files.Customers != "" {
			os.RemoveAll(filepath.Dir(c.data.files.Customers))
		}
	}
	os.Exit(code)
}

func hashFiles(t *testing.T, f Files) [4][32]byte {
	t.Helper()
	var out [4][32]byte
	for i, p := range []string{f.Customers, f.Orders, f.Products, f.Reviews} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = sha256.Sum256(b)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	opt := Options{Seed: 7, Customers: 3000, Orders: 30000, Products: 120}
	a, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if hashFiles(t, a) != hashFiles(t, b) {
		t.Fatal("same seed produced different files")
	}
	opt.Seed = 8
	c, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	ha, hc := hashFiles(t, a), hashFiles(t, c)
	for i := range ha {
		if ha[i] == hc[i] {
			t.Errorf("file %d identical for different seeds", i)
		}
	}
}

func TestDefaultSizeAndSpeed(t *testing.T) {
	d := defaultData(t)
	// Best of up to three runs so a busy CI machine does not flake.
	best := d.elapsed
	for i := 0; i < 2 && best > 2*time.Second && !testing.Short(); i++ {
		start := time.Now()
		if _, err := Generate(t.TempDir(), Default()); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	t.Logf("default generation took %v", best)
	if best > 2*time.Second && !testing.Short() {
		t.Errorf("default generation took %v, want < 2s", best)
	}
	if len(d.customers) != 20000 || len(d.products) != 500 || len(d.orders) != 200000 {
		t.Errorf("rows: customers %d products %d orders %d", len(d.customers), len(d.products), len(d.orders))
	}
	if n := len(d.reviews); n < 2000 || n > 8000 {
		t.Errorf("reviews = %d, want a few thousand", n)
	}
}

func parseCents(t *testing.T, s string) int64 {
	t.Helper()
	i := strings.IndexByte(s, '.')
	if i < 0 || len(s)-i != 3 {
		t.Fatalf("money %q not 2 decimals", s)
	}
	n, err := strconv.ParseInt(s[:i]+s[i+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrdersConsistent(t *testing.T) {
	d := defaultData(t)
	asOf := Default().AsOf
	first, end := asOf.AddDate(-2, 0, 1), asOf.AddDate(0, 0, 1)
	signup := map[string]time.Time{}
	for _, c := range d.customers {
		s, err := time.Parse(time.DateOnly, c["signup_date"])
		if err != nil {
			t.Fatal(err)
		}
		signup[c["customer_id"]] = s
	}
	price := map[string]string{}
	for _, p := range d.products {
		price[p["product_id"]] = p["unit_price"]
	}
	prev := ""
	for _, o := range d.orders {
		s, ok := signup[o["customer_id"]]
		if !ok {
			t.Fatalf("order %s: unknown customer %s", o["order_id"], o["customer_id"])
		}
		if price[o["product_id"]] != o["unit_price"] {
			t.Fatalf("order %s: unit_price %s != product price %s", o["order_id"], o["unit_price"], price[o["product_id"]])
		}
		q, err := strconv.Atoi(o["quantity"])
		if err != nil || q < 1 {
			t.Fatalf("order %s: bad quantity %q", o["order_id"], o["quantity"])
		}
		if int64(q)*parseCents(t, o["unit_price"]) != parseCents(t, o["amount"]) {
			t.Fatalf("order %s: amount %s != %d * %s", o["order_id"], o["amount"], q, o["unit_price"])
		}
		ts, err := time.Parse(time.DateTime, o["order_date"])
		if err != nil {
			t.Fatal(err)
		}
		if ts.Before(first) || !ts.Before(end) || ts.Before(s) {
			t.Fatalf("order %s at %v outside [%v, %v) or before signup %v", o["order_id"], ts, first, end, s)
		}
		if o["order_date"] < prev {
			t.Fatalf("orders not chronological at %s", o["order_id"])
		}
		prev = o["order_date"]
		switch o["channel"] {
		case "web", "app", "store":
		default:
			t.Fatalf("bad channel %q", o["channel"])
		}
	}
	for _, r := range d.reviews {
		if _, ok := signup[r["customer_id"]]; !ok {
			t.Fatalf("review %s: unknown customer", r["review_id"])
		}
		if _, ok := price[r["product_id"]]; !ok {
			t.Fatalf("review %s: unknown product", r["review_id"])
		}
		if n, err := strconv.Atoi(r["rating"]); err != nil || n < 1 || n > 5 {
			t.Fatalf("review %s: rating %q", r["review_id"], r["rating"])
		}
		if r["review_date"] > asOf.Format(time.DateOnly) || r["review_text"] == "" {
			t.Fatalf("review %s: date %s text %q", r["review_id"], r["review_date"], r["review_text"])
		}
	}
}

func TestCustomersUTF8AndNoise(t *testing.T) {
	d := defaultData(t)
	for _, p := range []string{d.files.Customers, d.files.Orders, d.files.Products, d.files.Reviews} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			t.Errorf("%s is not valid UTF-8", p)
		}
	}
	isHan := func(s string) bool {
		for _, r := range s {
			if !unicode.Is(unicode.Han, r) {
				return false
			}
		}
		return s != ""
	}
	var chinese, noisy, noPhone, noCity int
	for _, c := range d.customers {
		if c["country"] == "China" {
			chinese++
			if !isHan(c["first_name"]) || !isHan(c["last_name"]) || c["city"] != "" && !isHan(c["city"]) {
				t.Errorf("%s: Chinese customer with non-Han name/city %q %q %q", c["customer_id"], c["first_name"], c["last_name"], c["city"])
			}
		}
		e := c["email"]
		clean := strings.ToLower(strings.TrimSpace(e))
		if e != clean {
			noisy++
		}
		if strings.Count(clean, "@") != 1 || !strings.Contains(clean, "example.") {
			t.Errorf("bad email %q", e)
		}
		if c["phone"] == "" {
			noPhone++
		}
		if c["city"] == "" {
			noCity++
		}
	}
	n := float64(len(d.customers))
	if chinese < 500 {
		t.Errorf("only %d Chinese customers", chinese)
	}
	for name, v := range map[string]int{"noisy emails": noisy, "missing phones": noPhone, "missing cities": noCity} {
		if f := float64(v) / n; f < 0.01 || f > 0.06 {
			t.Errorf("%s = %.1f%%, want a few %%", name, 100*f)
		}
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// market names the locale-specific values the shared checks need.
type marketNames struct {
	region, app  string // customers' region column, the app channel
	rich, poor   string // regions with the highest and lowest order values
	toys, garden string // seasonal categories
	data         func(*testing.T) *dataset
}

var markets = map[string]marketNames{
	"en": {"country", "app", "United States", "China", "Toys", "Garden", defaultData},
	"zh": {"province", "App", "上海市", "甘肃省", "玩具", "园艺", chineseData},
}

// Both locales plant the same effects.
func TestPlantedEffects(t *testing.T) {
	for name, mk := range markets {
		t.Run(name, func(t *testing.T) { plantedEffects(t, mk) })
	}
}

func plantedEffects(t *testing.T, mk marketNames) {
	d := mk.data(t)
	asOf := Default().AsOf
	count := map[string]int{}
	last := map[string]string{}
	amount := map[Group][]float64{}
	appOrders := map[string]int{}
	byCountry := map[string][]float64{}
	country := map[string]string{}
	consent := map[string]bool{}
	for _, c := range d.customers {
		country[c["customer_id"]] = c[mk.region]
		consent[c["customer_id"]] = c["email_consent"] == "true"
	}
	monthly := map[time.Month]int{}
	weekday := map[time.Weekday]int{}
	for _, o := range d.orders {
		id := o["customer_id"]
		count[id]++
		last[id] = max(last[id], o["order_date"])
		a := float64(parseCents(t, o["amount"])) / 100
		g := d.groups[id]
		if g != GroupHighValue {
			g = "" // everyone else
		}
		amount[g] = append(amount[g], a)
		byCountry[country[id]] = append(byCountry[country[id]], a)
		if o["channel"] == mk.app {
			appOrders[id]++
		}
		ts, _ := time.Parse(time.DateTime, o["order_date"])
		monthly[ts.Month()]++
		weekday[ts.Weekday()]++
	}

	perGroup := map[Group][]float64{}
	for id, g := range d.groups {
		perGroup[g] = append(perGroup[g], float64(count[id]))
	}
	for _, g := range []Group{GroupLoyal, GroupRegular, GroupHighValue, GroupChurned, GroupNew, GroupOneTime, GroupNeverPurchased} {
		t.Logf("%-16s n=%5d mean orders %.2f", g, len(perGroup[g]), mean(perGroup[g]))
	}
	if l, o := mean(perGroup[GroupLoyal]), mean(perGroup[GroupOneTime]); l < 10*o {
		t.Errorf("loyal mean orders %.1f not clearly above one-time %.1f", l, o)
	}
	if l, r := mean(perGroup[GroupLoyal]), mean(perGroup[GroupRegular]); l < 3*r {
		t.Errorf("loyal mean orders %.1f not clearly above regular %.1f", l, r)
	}
	cutoff := asOf.AddDate(0, -6, 0).Format(time.DateOnly)
	recent := asOf.AddDate(0, 0, -90).Format(time.DateOnly)
	for _, c := range d.customers {
		id := c["customer_id"]
		switch d.groups[id] {
		case GroupOneTime:
			if count[id] != 1 {
				t.Fatalf("one-time %s has %d orders", id, count[id])
			}
		case GroupNeverPurchased:
			if count[id] != 0 {
				t.Fatalf("never-purchased %s has %d orders", id, count[id])
			}
		case GroupChurned:
			if count[id] < 2 || last[id] >= cutoff {
				t.Fatalf("churned %s: %d orders, last %s (cutoff %s)", id, count[id], last[id], cutoff)
			}
		case GroupNew:
			if count[id] < 1 || c["signup_date"] < recent {
				t.Fatalf("new %s: %d orders, signup %s", id, count[id], c["signup_date"])
			}
		}
	}
	if hv, rest := mean(amount[GroupHighValue]), mean(amount[""]); hv < 2*rest {
		t.Errorf("high-value mean amount %.2f not clearly above rest %.2f", hv, rest)
	}

	// Cross-group effects, measured among repeat-purchase groups.
	var withConsent, without, appFirst, webFirst []float64
	for id, g := range d.groups {
		if g != GroupLoyal && g != GroupRegular && g != GroupHighValue {
			continue
		}
		n := float64(count[id])
		if consent[id] {
			withConsent = append(withConsent, n)
		} else {
			without = append(without, n)
		}
		if count[id] >= 3 && 2*appOrders[id] > count[id] {
			appFirst = append(appFirst, n)
		} else if count[id] >= 3 {
			webFirst = append(webFirst, n)
		}
	}
	if a, b := mean(withConsent), mean(without); a < 1.2*b {
		t.Errorf("email consent mean orders %.1f vs %.1f: effect missing", a, b)
	}
	if a, b := mean(appFirst), mean(webFirst); a < 1.2*b {
		t.Errorf("app-first mean orders %.1f vs others %.1f: effect missing", a, b)
	}
	if rich, poor := mean(byCountry[mk.rich]), mean(byCountry[mk.poor]); rich < 1.2*poor {
		t.Errorf("%s AOV %.2f not clearly above %s %.2f", mk.rich, rich, mk.poor, poor)
	}
	if peak, dip := monthly[time.November]+monthly[time.December], monthly[time.July]+monthly[time.August]; float64(peak) < 1.4*float64(dip) {
		t.Errorf("Nov+Dec orders %d vs Jul+Aug %d: yearly seasonality missing", peak, dip)
	}
	if we, wed := weekday[time.Saturday]+weekday[time.Sunday], 2*weekday[time.Wednesday]; float64(we) < 1.2*float64(wed) {
		t.Errorf("weekend orders %d vs 2x Wednesday %d: weekly seasonality missing", we, wed)
	}
}

func TestCategorySeasonality(t *testing.T) {
	for name, mk := range markets {
		t.Run(name, func(t *testing.T) { categorySeasonality(t, mk) })
	}
}

func categorySeasonality(t *testing.T, mk marketNames) {
	d := mk.data(t)
	cat := map[string]string{}
	for _, p := range d.products {
		cat[p["product_id"]] = p["category"]
	}
	share := func(month, category string) float64 {
		var n, k int
		for _, o := range d.orders {
			if o["order_date"][5:7] == month {
				n++
				if cat[o["product_id"]] == category {
					k++
				}
			}
		}
		return float64(k) / float64(n)
	}
	if dec, jul := share("12", mk.toys), share("07", mk.toys); dec < 1.5*jul {
		t.Errorf("Toys share Dec %.3f vs Jul %.3f", dec, jul)
	}
	if may, jan := share("05", mk.garden), share("01", mk.garden); may < 2*jan {
		t.Errorf("Garden share May %.3f vs Jan %.3f", may, jan)
	}
}

func TestSmallAndEdgeOptions(t *testing.T) {
	for _, opt := range []Options{
		{Customers: 10, Orders: 3, Products: 3},
		{Customers: 1, Orders: 50, Products: 1},
		{Customers: 200, Orders: 50000, Products: 12, AsOf: time.Date(2025, 3, 15, 18, 30, 0, 0, time.FixedZone("X", 5*3600))},
	} {
		f, err := Generate(t.TempDir(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(readTable(t, f.Orders)); n != opt.Orders {
			t.Errorf("%+v: %d orders", opt, n)
		}
		if n := len(readTable(t, f.Customers)); n != opt.Customers {
			t.Errorf("%+v: %d customers", opt, n)
		}
		asOf := opt.AsOf
		if asOf.IsZero() {
			asOf = Default().AsOf
		}
		y, m, day := asOf.Date() // the caller's calendar day, not UTC's
		limit := time.Date(y, m, day+1, 0, 0, 0, 0, time.UTC).Format(time.DateTime)
		for _, o := range readTable(t, f.Orders) {
			if o["order_date"] >= limit {
				t.Fatalf("order after AsOf: %s", o["order_date"])
			}
		}
	}
	if _, err := Generate(t.TempDir(), Options{Customers: -1}); err == nil {
		t.Error("negative customers accepted")
	}
}

func BenchmarkGenerateDefault(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Generate(dir, Default()); err != nil {
			b.Fatal(err)
		}
	}
}
