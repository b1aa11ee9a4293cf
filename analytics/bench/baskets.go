package bench

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Baskets are market baskets as (basket, product) pairs, each pair once,
// sorted by basket then product, with the raw little-endian int32 files
// holding the two columns, so a peer reads exactly the same baskets.
type Baskets struct {
	Basket, Item         []int32
	Baskets, Products    int
	BasketPath, ItemPath string
}

// Lists returns the baskets as lists of products, as FP-growth takes them.
func (b *Baskets) Lists() [][]int32 {
	out := make([][]int32, b.Baskets)
	for i, k := range b.Basket {
		out[k] = append(out[k], b.Item[i])
	}
	return out
}

// RetailBaskets returns the baskets of the UCI Online Retail CSV (gzip) at
// path, extracted once and cached: one basket per invoice (InvoiceNo), its
// products the distinct StockCodes; cancelled invoices (InvoiceNo starting
// with C) and lines with a quantity of zero or less (returns) are left out,
// as storage/purchases leaves them out. Invoices without a CustomerID are
// kept: a basket needs no customer.
func RetailBaskets(path string) (*Baskets, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	base := filepath.Join(dir, fmt.Sprintf("retail-baskets-v%d-%d", genVersion, st.Size()))
	b := &Baskets{BasketPath: base + ".basket.i32", ItemPath: base + ".item.i32"}
	if b.Basket, err = readI32All(b.BasketPath); err == nil {
		if b.Item, err = readI32All(b.ItemPath); err == nil && len(b.Item) == len(b.Basket) && len(b.Item) > 0 {
			b.Baskets = int(b.Basket[len(b.Basket)-1]) + 1
			b.Products = int(slices.Max(b.Item)) + 1
			return b, nil
		}
	}
	if err := b.extract(path); err != nil {
		return nil, err
	}
	if err := writeI32(b.BasketPath, b.Basket); err != nil {
		return nil, err
	}
	return b, writeI32(b.ItemPath, b.Item)
}

func (b *Baskets) extract(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(z)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	inv, ok1 := col["InvoiceNo"]
	code, ok2 := col["StockCode"]
	qty, ok3 := col["Quantity"]
	if !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("%s: want the columns InvoiceNo, StockCode and Quantity, got %v", path, head)
	}
	baskets, products := map[string]int32{}, map[string]int32{}
	var pairs [][2]int32
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(rec[qty]), 64)
		if err != nil || q <= 0 || strings.HasPrefix(rec[inv], "C") || rec[code] == "" {
			continue
		}
		k, ok := baskets[rec[inv]]
		if !ok {
			k = int32(len(baskets))
			baskets[rec[inv]] = k
		}
		p, ok := products[rec[code]]
		if !ok {
			p = int32(len(products))
			products[rec[code]] = p
		}
		pairs = append(pairs, [2]int32{k, p})
	}
	if len(pairs) == 0 {
		return fmt.Errorf("%s: no purchases", path)
	}
	slices.SortFunc(pairs, func(a, b [2]int32) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		return int(a[1] - b[1])
	})
	pairs = slices.Compact(pairs)
	b.Basket, b.Item = make([]int32, len(pairs)), make([]int32, len(pairs))
	for i, p := range pairs {
		b.Basket[i], b.Item[i] = p[0], p[1]
	}
	b.Baskets, b.Products = len(baskets), len(products)
	return nil
}

// readI32All reads a whole raw little-endian int32 file.
func readI32All(path string) ([]int32, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	v := make([]int32, st.Size()/4)
	return v, readI32(path, v)
}
