package demodata

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options controls the size and randomness of the generated data set.
// Zero values (except Seed) are replaced by the defaults from Default.
type Options struct {
	Seed      uint64
	Customers int       // default 20000
	Orders    int       // exact number of order rows; default 200000
	Products  int       // default 500
	AsOf      time.Time // last day of data, inclusive; default 2026-10-31
	Locale    Locale    // language and market; "" is English
}

// Files holds the paths of the generated CSV files.
type Files struct {
	Customers, Orders, Products, Reviews string
}

// Group is a hidden customer behaviour group; see the package comment.
type Group string

// Planted behaviour groups.
const (
	GroupLoyal          Group = "loyal"
	GroupRegular        Group = "regular"
	GroupOneTime        Group = "one_time"
	GroupChurned        Group = "churned"
	GroupNew            Group = "new"
	GroupHighValue      Group = "high_value"
	GroupNeverPurchased Group = "never_purchased"
)

// Channels; their CSV spelling depends on the locale.
const (
	chWeb = iota
	chApp
	chStore
)

// Default returns the documented default options.
func Default() Options {
	return Options{
		Seed:      1,
		Customers: 20000,
		Orders:    200000,
		Products:  500,
		AsOf:      time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
	}
}

func (o Options) normalize() (Options, error) {
	if o.Customers < 0 || o.Orders < 0 || o.Products < 0 {
		return o, errors.New("demodata: negative size in options")
	}
	l, err := ParseLocale(string(o.Locale))
	if err != nil {
		return o, err
	}
	o.Locale = l
	d := Default()
	if o.Customers == 0 {
		o.Customers = d.Customers
	}
	if o.Orders == 0 {
		o.Orders = d.Orders
	}
	if o.Products == 0 {
		o.Products = d.Products
	}
	if o.AsOf.IsZero() {
		o.AsOf = d.AsOf
	}
	// Only the calendar day matters; dropping the zone keeps output
	// independent of the caller's location.
	y, m, day := o.AsOf.Date()
	o.AsOf = time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return o, nil
}

// Generate writes customers.csv, products.csv, orders.csv and reviews.csv
// into dir (created if needed) and returns their paths.
func Generate(dir string, opt Options) (Files, error) {
	opt, err := opt.normalize()
	if err != nil {
		return Files{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, err
	}
	g := newGen(opt)
	g.products()
	g.customers()
	g.orders()
	g.reviews()

	f := Files{
		Customers: filepath.Join(dir, "customers.csv"),
		Orders:    filepath.Join(dir, "orders.csv"),
		Products:  filepath.Join(dir, "products.csv"),
		Reviews:   filepath.Join(dir, "reviews.csv"),
	}
	for _, w := range []struct {
		path string
		fn   func(*csv.Writer) error
	}{
		{f.Customers, g.writeCustomers},
		{f.Products, g.writeProducts},
		{f.Orders, g.writeOrders},
		{f.Reviews, g.writeReviews},
	} {
		if err := writeCSV(w.path, w.fn); err != nil {
			return Files{}, err
		}
	}
	return f, nil
}

// Groups returns the planted behaviour group of every customer_id that
// Generate would write for opt. It is meant for tests and documentation.
func Groups(opt Options) (map[string]Group, error) {
	opt, err := opt.normalize()
	if err != nil {
		return nil, err
	}
	g := newGen(opt)
	g.products()
	g.customers()
	out := make(map[string]Group, len(g.custs))
	for i := range g.custs {
		out[g.custs[i].id] = g.custs[i].group
	}
	return out, nil
}

// writeCSV writes via a temp file and rename so a failed run never leaves a
// truncated file that looks valid.
func writeCSV(path string, fn func(*csv.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	err = fn(w)
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demodata: write %s: %w", filepath.Base(path), err)
	}
	return nil
}
