package storage

import (
	"context"
	"math"
	"testing"
)

// TestRolesFromNamesAndContent: roles come from English and Chinese column
// names and, where the name says nothing, from the values; features then
// find the column by its role.
func TestRolesFromNamesAndContent(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	if _, err := p.DB().Exec(`CREATE TABLE 订单 AS SELECT * FROM (VALUES
		('C1', 'O1', DATE '2024-01-05', 12.5, 'a@x.com', '+44 7700 900123', 'The delivery was late and the box arrived damaged, so I returned it'),
		('C2', 'O2', DATE '2024-02-05', 8.0, 'b@y.org', '+44 7700 900456', 'Lovely shoes, they fit well and the colour is exactly as shown online')
	) t(客户编号, 订单号, 下单日期, 金额, contact, x2, notes_1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB().Exec(`CREATE TABLE people AS SELECT * FROM (VALUES
		('C1', 'Ann', 'ann@x.com', true, 'oAbC1', true, 'tok1', true), ('C2', 'Bob', 'bob@y.org', false, 'oAbC2', false, 'tok2', false)
	) t(CustomerID, "First Name", "E-mail", email_consent, OpenID, 是否关注, device_token, push_opt_in)`); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]map[string]Role{
		"订单": {"客户编号": CustomerID, "订单号": OrderID, "下单日期": OrderDate, "金额": Amount, "contact": Email, "x2": Phone, "notes_1": Text},
		"people": {"CustomerID": CustomerID, "First Name": FirstName, "E-mail": Email, "email_consent": EmailConsent,
			"OpenID": WeChatOpenID, "是否关注": WeChatFollower, "device_token": PushToken, "push_opt_in": PushOptIn},
	} {
		got, err := p.DetectRoles(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		for col, r := range want {
			if got[col] != r {
				t.Errorf("%s.%s: role %q, want %q (all: %v)", table, col, got[col], r, got)
			}
		}
		if err := p.SetRoles(ctx, table, got, true); err != nil {
			t.Fatal(err)
		}
	}
	// Changed by the user, then found by role.
	if err := p.SetRoles(ctx, "订单", map[string]Role{"contact": None, "x2": Email}, true); err != nil {
		t.Fatal(err)
	}
	for role, want := range map[Role]string{Amount: "金额", Email: "x2", OrderDate: "下单日期"} {
		if c, err := p.ColumnFor(ctx, "订单", role); err != nil || c != want {
			t.Errorf("ColumnFor(%s) = %q, %v; want %q", role, c, err, want)
		}
	}
}

// TestProfileValues checks every profile figure against values worked out
// by hand on a small table: type, missing, distinct, min/max/mean/std,
// quantiles, top values, date range and the histogram.
func TestProfileValues(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT * FROM (VALUES
		(1, 'UK', DATE '2024-03-01'), (2, 'UK', DATE '2024-01-15'), (3, 'FR', NULL),
		(4, ' ', DATE '2024-12-31'), (NULL, 'UK', DATE '2024-06-30'), (10, NULL, DATE '2024-02-29')
	) v(n, country, day)`); err != nil {
		t.Fatal(err)
	}
	prof, err := p.Profile(ctx, "t")
	if err != nil || len(prof) != 3 {
		t.Fatalf("%+v %v", prof, err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	n, c, d := prof[0], prof[1], prof[2]
	// n: 1, 2, 3, 4, 10 and one NULL. Mean 4, sample variance (9+4+1+0+36)/4 = 12.5.
	// Quantiles interpolate: p05 = 1 + 0.2·1, p25 = 2, p50 = 3, p75 = 4, p95 = 4 + 0.8·6.
	if n.Type != "INTEGER" || n.Count != 6 || n.Missing != 1 || n.Distinct != 5 || n.Min != 1 || n.Max != 10 || n.Mean != 4 || !near(n.Std, math.Sqrt(12.5)) {
		t.Errorf("n: %+v", n)
	}
	for q, want := range map[string]float64{"p05": 1.2, "p25": 2, "p50": 3, "p75": 4, "p95": 8.8} {
		if !near(n.Quantiles[q], want) {
			t.Errorf("n %s = %v, want %v", q, n.Quantiles[q], want)
		}
	}
	// country: a blank counts as missing; top values by count, then value.
	if c.Count != 6 || c.Missing != 2 || c.Distinct != 3 || len(c.Top) != 3 || c.Top[0] != (ValueCount{"UK", 3}) || c.Top[1] != (ValueCount{" ", 1}) || c.Top[2] != (ValueCount{"FR", 1}) {
		t.Errorf("country: %+v", c)
	}
	if d.Missing != 1 || d.MinText != "2024-01-15" || d.MaxText != "2024-12-31" {
		t.Errorf("day: %+v", d)
	}
	bins, err := p.Histogram(ctx, "t", "n", 3) // [1,4) [4,7) [7,10]
	if err != nil || len(bins) != 3 || bins[0].Count != 3 || bins[1].Count != 1 || bins[2].Count != 1 || bins[0].Lo != 1 || bins[2].Hi != 10 {
		t.Errorf("histogram %+v %v", bins, err)
	}
	days, err := p.Histogram(ctx, "t", "day", 2)
	if err != nil || len(days) != 2 || days[0].Count+days[1].Count != 5 || days[1].Count != 1 {
		t.Errorf("date histogram %+v %v", days, err)
	}
}
