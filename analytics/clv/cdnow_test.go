package clv

import (
	"bufio"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The CDNOW sample (testdata/real/cdnow, see testdata/README.md): 2,357
// customers, calibration of 39 weeks ending 1997-09-30, as in Fader,
// Hardie & Lee (2005), "Counting your customers the easy way".
const cdnowDir = "../../testdata/real/cdnow/"

var calEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)

func cdnowTransactions(t testing.TB) []Transaction {
	t.Helper()
	f, err := os.Open(cdnowDir + "CDNOW_sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tx []Transaction
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 {
			t.Fatalf("line %q", sc.Text())
		}
		at, err := time.Parse("20060102", fs[2])
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.ParseFloat(fs[4], 64)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := strconv.Atoi(fs[1])
		tx = append(tx, Transaction{Customer: strconv.Itoa(id), At: at, Value: v})
	}
	if len(tx) != 6919 {
		t.Fatalf("%d transactions, want 6919", len(tx))
	}
	return tx
}

func readCSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open(cdnowDir + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func num(t testing.TB, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func cdnowSummary(t testing.TB) []Summary {
	s, err := Summarize(cdnowTransactions(t), calEnd, time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC), Week)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCDNOWSummary builds the calibration summary from the event log and
// compares it with the published summary files (two decimals), customer
// by customer: frequency exactly, recency, T and mean repeat spend to
// the rounding.
func TestCDNOWSummary(t *testing.T) {
	s := cdnowSummary(t)
	by := map[string]Summary{}
	for _, c := range s {
		by[c.Customer] = c
	}
	want := readCSV(t, "cdnow_customers_summary.csv")
	money := readCSV(t, "cdnow_customers_summary_with_transactions.csv")
	if len(s) != 2357 || len(want) != 2357 || len(money) != 2357 {
		t.Fatalf("customers: ours %d, summary %d, with transactions %d", len(s), len(want), len(money))
	}
	for i, w := range want {
		c, ok := by[w[0]]
		if !ok {
			t.Fatalf("customer %s missing", w[0])
		}
		if strconv.Itoa(c.Frequency) != w[1] || math.Abs(c.Recency-num(t, w[2])) > 0.005+1e-9 || math.Abs(c.T-num(t, w[3])) > 0.005+1e-9 {
			t.Fatalf("customer %s: ours x=%d t_x=%.4f T=%.4f, published %v", w[0], c.Frequency, c.Recency, c.T, w[1:])
		}
		m := money[i]
		if m[0] != w[0] || m[1] != w[1] || math.Abs(c.Monetary-num(t, m[4])) > 0.005+1e-9 {
			t.Fatalf("customer %s: ours zbar=%.4f, published %v", w[0], c.Monetary, m)
		}
	}
}

func sig3(t *testing.T, name string, got, want float64) {
	t.Helper()
	// Three significant figures: equal when both are rounded to them.
	r := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	if r(got) != r(want) {
		t.Errorf("%s = %.5g, published %.4g", name, got, want)
	}
}

// TestCDNOWBGNBD reproduces FHL (2005), p. 279: r = 0.243, α = 4.414,
// a = 0.793, b = 2.426, LL = −9582.4; and the Gamma-Gamma estimates of
// Fader & Hardie's note on the same data: p = 6.25, q = 3.74, γ = 15.44.
func TestCDNOWBGNBD(t *testing.T) {
	s := cdnowSummary(t)
	fit, err := FitModel(BGNBD, DataOf(s))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD %+v", *fit)
	sig3(t, "r", fit.R, 0.243)
	sig3(t, "alpha", fit.Alpha, 4.414)
	sig3(t, "a", fit.A, 0.793)
	sig3(t, "b", fit.B, 2.426)
	if math.Abs(fit.LogLik-(-9582.43)) > 0.01 {
		t.Errorf("log-likelihood %.4f, want -9582.43 to 0.01", fit.LogLik)
	}
	sp, skipped, err := FitSpend(DataOf(s))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Gamma-Gamma %+v, skipped %d", *sp, skipped)
	sig3(t, "p", sp.P, 6.25)
	sig3(t, "q", sp.Q, 3.74)
	sig3(t, "gamma", sp.Gamma, 15.44)
	if sp.Customers != 946 {
		t.Errorf("Gamma-Gamma on %d customers, want the 946 repeat buyers", sp.Customers)
	}
}
