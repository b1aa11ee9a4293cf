package bench

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
)

// Purchases is a generated purchase history: one (customer, product) pair
// per order line, with the raw little-endian int32 files holding the two
// columns (numpy dtype "<i4"), so a peer reads exactly the same lines.
type Purchases struct {
	Customers, Products       int
	Customer, Product         []int32 // one entry per order line
	CustomerPath, ProductPath string
}

// purchaseGroupSize is the number of products per taste group.
const purchaseGroupSize = 50

// PurchaseData returns lines order lines of customers customers over
// products products, generated once per size and cached. The same sizes give
// the same lines on every machine.
//
// The data has the structure item-to-item recommendation relies on, so that
// neighbours mean something and the work is realistic: products fall into
// taste groups of 50; each customer has 1–3 taste groups, drawn by group
// popularity, and buys 85 % of their lines from them, the rest anywhere by
// overall popularity. Within a group, popularity is Zipf-like (the i-th
// product weighs 1/(i+1)), groups weigh 1/(g+1)^0.6, and customer activity
// is log-normal (σ = 1; every customer has at least one line), so a few
// customers buy hundreds of lines and a few products sell most. Lines may
// repeat a (customer, product) pair, as repeat purchases do.
func PurchaseData(lines, customers, products int) (*Purchases, error) {
	if customers < 1 || products < 1 || lines < customers || lines > math.MaxInt32 {
		return nil, fmt.Errorf("PurchaseData(%d, %d, %d): want at least one customer and product and a line per customer", lines, customers, products)
	}
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	base := filepath.Join(dir, fmt.Sprintf("purchases-v%d-%d-%d-%d", genVersion, lines, customers, products))
	p := &Purchases{
		Customers: customers, Products: products,
		Customer: make([]int32, lines), Product: make([]int32, lines),
		CustomerPath: base + ".customer.i32", ProductPath: base + ".product.i32",
	}
	if readI32(p.CustomerPath, p.Customer) == nil && readI32(p.ProductPath, p.Product) == nil {
		return p, nil
	}
	genPurchases(p)
	if err := writeI32(p.CustomerPath, p.Customer); err != nil {
		return nil, err
	}
	return p, writeI32(p.ProductPath, p.Product)
}

func genPurchases(p *Purchases) {
	lines, customers, products := len(p.Customer), p.Customers, p.Products
	r := rand.New(rand.NewPCG(4, uint64(customers)<<20^uint64(products)))
	nGroups := max(1, products/purchaseGroupSize)
	members := make([][]int32, nGroups)
	for i, prod := range r.Perm(products) {
		members[i%nGroups] = append(members[i%nGroups], int32(prod))
	}
	within := make([][]float64, nGroups)
	for g, m := range members {
		within[g] = cumulative(len(m), func(i int) float64 { return 1 / float64(i+1) })
	}
	groups := cumulative(nGroups, func(g int) float64 { return math.Pow(float64(g+1), -0.6) })
	pick := func(cum []float64) int {
		return min(sort.SearchFloat64s(cum, r.Float64()*cum[len(cum)-1]), len(cum)-1)
	}

	// Lines per customer: one each, the rest shared out by log-normal weights.
	w := make([]float64, customers)
	sum := 0.0
	for c := range w {
		w[c] = math.Exp(r.NormFloat64())
		sum += w[c]
	}
	count := make([]int, customers)
	given := 0
	for c := range count {
		count[c] = 1 + int(float64(lines-customers)*w[c]/sum)
		given += count[c]
	}
	for c := 0; given < lines; c++ { // the rounding remainder, fewer than customers
		count[c]++
		given++
	}

	i := 0
	var taste [3]int
	for c, n := range count {
		t := 1 + r.IntN(3)
		for k := range t {
			taste[k] = pick(groups)
		}
		for range n {
			g := taste[r.IntN(t)]
			if r.Float64() >= 0.85 {
				g = pick(groups)
			}
			p.Customer[i] = int32(c)
			p.Product[i] = members[g][pick(within[g])]
			i++
		}
	}
}

// cumulative returns the running sums of weight(0..n-1).
func cumulative(n int, weight func(int) float64) []float64 {
	cum := make([]float64, n)
	s := 0.0
	for i := range cum {
		s += weight(i)
		cum[i] = s
	}
	return cum
}

func readI32(path string, v []int32) error {
	return readLE(path, len(v), 4, func(b []byte, i int) { v[i] = int32(binary.LittleEndian.Uint32(b)) })
}

func writeI32(path string, v []int32) error {
	return writeLE(path, len(v), 4, func(b []byte, i int) { binary.LittleEndian.PutUint32(b, uint32(v[i])) })
}
