package segment

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

var eightTypes = []string{"重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
	"一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"}

// eightByHand names the type of one customer from its values and the three
// thresholds, written out from the published table without analytics/rfm:
// recent (fewer days than the threshold), frequent and big-spending each
// strictly; a value on the threshold is low.
func eightByHand(rec, freq, mon, tr, tf, tm float64) string {
	r, f, m := rec < tr, freq > tf, mon > tm
	switch {
	case r && f && m:
		return "重要价值客户"
	case !r && f && m:
		return "重要保持客户"
	case r && !f && m:
		return "重要发展客户"
	case !r && !f && m:
		return "重要挽留客户"
	case r && f && !m:
		return "一般价值客户"
	case !r && f && !m:
		return "一般保持客户"
	case r && !f && !m:
		return "一般发展客户"
	default:
		return "一般挽留客户"
	}
}

func meanOf(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

func medianOf(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestOnlineRetailEight runs both eight-type schemes on the real UCI Online
// Retail data: every customer lands in exactly one of the eight types, and
// the counts per type (and each customer's type) match a computation in Go
// over the stored recency, frequency and monetary values, and the
// analytics/rfm reference.
func TestOnlineRetailEight(t *testing.T) {
	p := newProject(t)
	if _, err := ingest.Import(ctx, p, "../../testdata/real/OnlineRetail.csv.gz", ingest.Options{Table: "retail"}); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"zh8", "zh8-median"} {
		run, err := RFM(ctx, p, RFMOptions{Scheme: scheme, AsOf: time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if run.Customers != 4372 || run.Scheme.Name != scheme {
			t.Fatalf("%s: %d customers, scheme %q", scheme, run.Customers, run.Scheme.Name)
		}
		rows, err := p.DB().Query(`SELECT customer_id, recency, frequency, monetary, rfm_segment FROM rfm_scores`)
		if err != nil {
			t.Fatal(err)
		}
		var cs []rfm.Customer
		var segs []string
		ids := map[string]bool{}
		for rows.Next() {
			var c rfm.Customer
			var seg string
			if err := rows.Scan(&c.ID, &c.Recency, &c.Frequency, &c.Monetary, &seg); err != nil {
				t.Fatal(err)
			}
			if ids[c.ID] {
				t.Fatalf("%s: customer %s has two rows", scheme, c.ID)
			}
			ids[c.ID] = true
			cs, segs = append(cs, c), append(segs, seg)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(cs) != 4372 {
			t.Fatalf("%s: %d rows", scheme, len(cs))
		}
		var rec, freq, mon []float64
		for _, c := range cs {
			if math.IsNaN(c.Monetary) {
				t.Fatalf("%s: customer %s has no monetary value", scheme, c.ID)
			}
			rec, freq, mon = append(rec, c.Recency), append(freq, c.Frequency), append(mon, c.Monetary)
		}
		thr := meanOf
		if scheme == "zh8-median" {
			thr = medianOf
		}
		tr, tf, tm := thr(rec), thr(freq), thr(mon)
		want, got := map[string]int64{}, map[string]int64{}
		ref := rfm.Segment(cs, run.Scheme)
		for i, c := range cs {
			w := eightByHand(c.Recency, c.Frequency, c.Monetary, tr, tf, tm)
			if segs[i] != w || ref[i].Segment != w {
				t.Fatalf("%s customer %s (%v, %v, %v; thresholds %v, %v, %v): SQL %s, reference %s, by hand %s",
					scheme, c.ID, c.Recency, c.Frequency, c.Monetary, tr, tf, tm, segs[i], ref[i].Segment, w)
			}
			want[w]++
			got[segs[i]]++
		}
		var total int64
		for _, s := range run.Segments {
			if s.Size != want[s.Name] {
				t.Errorf("%s: %s has %d customers, want %d", scheme, s.Name, s.Size, want[s.Name])
			}
			total += s.Size
		}
		for n := range got {
			found := false
			for _, e := range eightTypes {
				found = found || n == e
			}
			if !found {
				t.Errorf("%s: segment %q is not one of the eight types", scheme, n)
			}
		}
		if total != 4372 || len(run.Segments) != len(want) || len(want) < 6 {
			t.Fatalf("%s: segments %+v, by hand %v", scheme, run.Segments, want)
		}
		t.Logf("%s: thresholds R %.2f F %.2f M %.2f; %v", scheme, tr, tf, tm, want)
		last, err := LastRFM(ctx, p)
		if err != nil || last.Scheme.Name != scheme {
			t.Fatalf("last run %+v %v", last, err)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
		for _, th := range []*Thresholds{run.Thresholds, last.Thresholds} {
			if th == nil || !near(th.Recency, tr) || !near(th.Frequency, tf) || !near(th.Monetary, tm) {
				t.Fatalf("%s: thresholds %+v, want %v %v %v", scheme, th, tr, tf, tm)
			}
		}
		if q, err := IDsSQL(ctx, p, "重要价值客户"); err != nil {
			t.Fatal(err)
		} else {
			var n int64
			if err := p.DB().QueryRow(`SELECT count(*) FROM (` + q + `)`).Scan(&n); err != nil || n != want["重要价值客户"] {
				t.Fatalf("重要价值客户 members %d, want %d (%v)", n, want["重要价值客户"], err)
			}
		}
	}
}

// TestEightTiesAndNulls works a small table by hand: a value on the mean or
// median is low, and a customer without amounts is low on M and left out of
// the threshold.
func TestEightTiesAndNulls(t *testing.T) {
	p := newProject(t)
	mustExec(t, p, `CREATE TABLE o AS SELECT * FROM (VALUES ('a', DATE '2024-01-01', NULL::DOUBLE), ('b', DATE '2024-01-02', 5.0),
		('c', DATE '2024-01-03', 7.0), ('d', DATE '2024-01-04', 9.0), ('e', DATE '2024-01-05', 11.0)) t(cust, day, amount)`)
	if err := p.SetRoles(ctx, "o", map[string]storage.Role{"cust": storage.CustomerID, "day": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	// Recency 5,4,3,2,1 days (mean and median 3: c ties, low). Frequency
	// 0,1,1,1,1 (mean 0.8: b..e high; median 1: all tie, low). Monetary
	// NULL,5,7,9,11 (mean and median of the four 8: d, e high).
	for scheme, want := range map[string]map[string]string{
		"zh8":        {"a": "一般挽留客户", "b": "一般保持客户", "c": "一般保持客户", "d": "重要价值客户", "e": "重要价值客户"},
		"zh8-median": {"a": "一般挽留客户", "b": "一般挽留客户", "c": "一般挽留客户", "d": "重要发展客户", "e": "重要发展客户"},
	} {
		if _, err := RFM(ctx, p, RFMOptions{Table: "o", Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
		rows, err := p.DB().Query(`SELECT customer_id, rfm_segment FROM rfm_scores`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for rows.Next() {
			var id, seg string
			if err := rows.Scan(&id, &seg); err != nil {
				t.Fatal(err)
			}
			got[id] = seg
		}
		rows.Close()
		if len(got) != len(want) {
			t.Fatalf("%s: %v", scheme, got)
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%s %s: %s, want %s", scheme, id, got[id], w)
			}
		}
	}
}
