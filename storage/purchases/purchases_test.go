package purchases

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

func project(t *testing.T, csv string, roles map[string]storage.Role) *storage.Project {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	p, err := storage.Create(filepath.Join(dir, "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	f := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(f, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Import(ctx, p, f, ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	if roles != nil {
		if err := p.SetRoles(ctx, "orders", roles, true); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// Returns, cancelled invoices and rows without a customer are counted and
// left out; customers, products and orders are numbered in sorted order.
func TestReadSkipsReturnsAndCancellations(t *testing.T) {
	p := project(t, "InvoiceNo,StockCode,Quantity,InvoiceDate,CustomerID\n"+
		"536365,B,6,2010-12-01 08:26:00,17850\n"+
		"536365,A,2,2010-12-01 08:26:00,17850\n"+
		"536366,A,1,2010-12-02 09:00:00,13047\n"+
		"C536379,A,-1,2010-12-03 09:41:00,17850\n"+
		"536380,B,-3,2010-12-03 10:00:00,13047\n"+
		"536381,C,4,2010-12-04 10:00:00,\n", map[string]storage.Role{
		"InvoiceNo": storage.OrderID, "StockCode": storage.ProductID, "Quantity": storage.Quantity,
		"InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID})
	s, err := Read(context.Background(), p, "orders", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Customers, ",") != "13047,17850" || strings.Join(s.Products, ",") != "A,B" || strings.Join(s.Orders, ",") != "536365,536366" {
		t.Errorf("names %v %v %v", s.Customers, s.Products, s.Orders)
	}
	if len(s.Purchases) != 3 {
		t.Fatalf("%d purchases: %+v", len(s.Purchases), s.Purchases)
	}
	if s.Skipped != (Skipped{Returns: 1, Cancelled: 1, NoCustomer: 1}) {
		t.Errorf("skipped %+v", s.Skipped)
	}
	first := s.Purchases[0] // 13047 buys A once
	if first.Customer != 0 || first.Product != 0 || first.Quantity != 1 || first.At.Day() != 2 {
		t.Errorf("first purchase %+v", first)
	}
	// A window: only December the 2nd onwards.
	s, err = Read(context.Background(), p, "orders", time.Date(2010, 12, 2, 0, 0, 0, 0, time.UTC), time.Time{})
	if err != nil || len(s.Purchases) != 1 {
		t.Fatalf("window: %v %+v", err, s)
	}
}

// Without a product column the error names the role to set, in the
// language in use.
func TestReadNamesMissingRole(t *testing.T) {
	p := project(t, "order_id,customer_id,order_date\n1,a,2024-01-01\n", map[string]storage.Role{
		"order_id": storage.OrderID, "customer_id": storage.CustomerID, "order_date": storage.OrderDate})
	_, err := Read(context.Background(), p, "orders", time.Time{}, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "product_id") {
		t.Fatalf("err %v", err)
	}
	i18n.Use(i18n.Chinese)
	defer i18n.Use(i18n.English)
	if !strings.Contains(i18n.Error(err), "角色") {
		t.Errorf("in Chinese: %s", i18n.Error(err))
	}
}

// For baskets, an invoice without a customer is a basket too; returns and
// cancelled invoices still are not.
func TestReadBasketsKeepsInvoicesWithoutCustomer(t *testing.T) {
	p := project(t, "InvoiceNo,StockCode,Quantity,InvoiceDate,CustomerID,UnitPrice\n"+
		"536365,B,6,2010-12-01 08:26:00,17850,2\n"+
		"536365,A,2,2010-12-01 08:26:00,17850,3\n"+
		"C536379,A,-1,2010-12-03 09:41:00,17850,3\n"+
		"536381,C,4,2010-12-04 10:00:00,,1.5\n"+
		"536381,A,1,2010-12-04 10:00:00,,3\n"+
		"536382,C,-4,2010-12-05 10:00:00,,1.5\n", map[string]storage.Role{
		"InvoiceNo": storage.OrderID, "StockCode": storage.ProductID, "Quantity": storage.Quantity,
		"InvoiceDate": storage.OrderDate, "CustomerID": storage.CustomerID, "UnitPrice": storage.UnitPrice})
	ctx := context.Background()
	s, err := ReadWith(ctx, p, "orders", Options{Baskets: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Orders, ",") != "536365,536381" || len(s.Purchases) != 4 || strings.Join(s.Customers, ",") != ",17850" {
		t.Errorf("orders %v, customers %q, %d purchases", s.Orders, s.Customers, len(s.Purchases))
	}
	if s.Skipped != (Skipped{Returns: 1, Cancelled: 1}) {
		t.Errorf("skipped %+v", s.Skipped)
	}
	// Per customer the guest invoice is left out.
	if s, err = Read(ctx, p, "orders", time.Time{}, time.Time{}); err != nil || len(s.Orders) != 1 || s.Skipped.NoCustomer != 3 {
		t.Errorf("per customer: %v, %+v", err, s)
	}
	// Best sellers: distinct buying customers, orders, quantity and
	// revenue (quantity × unit price) of purchases only.
	best, err := BestSellers(ctx, p, "orders", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(best) != 2 || best[0] != (Seller{Product: "A", Customers: 1, Orders: 1, Quantity: 2, Revenue: 6}) || best[1].Product != "B" || best[1].Revenue != 12 {
		t.Errorf("best sellers %+v", best)
	}
	if best, _ := BestSellers(ctx, p, "orders", 1, "SELECT 'nobody' AS customer_id"); len(best) != 0 {
		t.Errorf("best sellers of nobody: %+v", best)
	}
}
