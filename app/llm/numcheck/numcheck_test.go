package numcheck

import (
	"math"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		text    string
		values  []float64
		percent []bool
	}{
		{"1,234 customers", []float64{1234}, []bool{false}},
		{"12.5% of them", []float64{12.5}, []bool{true}},
		{"revenue of $1,200.50", []float64{1200.5}, []bool{false}},
		{"¥3,400 and ￥5", []float64{3400, 5}, []bool{false, false}},
		{"3.4K orders, 2M in sales", []float64{3400, 2e6}, []bool{false, false}},
		{"1.2 million", []float64{1.2e6}, []bool{false}},
		{"共1.2万位客户", []float64{12000}, []bool{false}},
		{"收入3亿元", []float64{3e8}, []bool{false}},
		{"占百分之十二", []float64{12}, []bool{true}},
		{"占百分之十二点五", []float64{12.5}, []bool{true}},
		{"百分之12", []float64{12}, []bool{true}},
		{"提升了2.3个百分点", []float64{2.3}, []bool{true}},
		{"up 2.3 percentage points", []float64{2.3}, []bool{true}},
		{"fell by -4%", []float64{-4}, []bool{true}},
		{"１２％的客户", []float64{12}, []bool{true}},
		{"since 2026-11-10 at 09:30, variant A1 won", nil, nil},
		{"2026年11月10日", nil, nil},
		{"5‰", []float64{0.5}, []bool{true}},
		{"US$5 and RMB 1,000", []float64{5, 1000}, []bool{false, false}},
		{"down −4.5%", []float64{-4.5}, []bool{true}},
	}
	for _, c := range cases {
		got := Extract(c.text)
		if len(got) != len(c.values) {
			t.Errorf("%q: got %d numbers %+v, want %v", c.text, len(got), got, c.values)
			continue
		}
		for i, n := range got {
			if math.Abs(n.Value-c.values[i]) > 1e-9 || n.Percent != c.percent[i] {
				t.Errorf("%q: number %d = %v (percent %v), want %v (%v)", c.text, i, n.Value, n.Percent, c.values[i], c.percent[i])
			}
			if !strings.Contains(c.text, n.Text) || c.text[n.Start:n.End] != n.Text {
				t.Errorf("%q: text %q at %d..%d is not in the text", c.text, n.Text, n.Start, n.End)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	facts := []Fact{
		{Name: "customers", Value: 12345},
		{Name: "share", Value: 0.1234, Share: true},
		{Name: "aov", Value: 86.456},
		{Name: "uplift", Value: -0.0231, Share: true},
		{Name: "auc", Value: 0.8123},
		{Name: "points", Value: 2.31},
	}
	cases := []struct {
		text string
		ok   bool
	}{
		{"12,345 customers", true},
		{"about 12,300 customers", true},
		{"about 12,000 customers", true},
		{"about 1.2万位客户", true},
		{"about 12.3K customers", true},
		{"12,346 customers", false},
		{"13,000 customers", false},
		{"10,000 customers", false},
		{"12.3% of all customers", true},
		{"12% of all customers", true},
		{"占百分之十二", true},
		{"13% of all customers", false},
		{"0.12 of all", true},
		{"an order value of $86.46", true},
		{"an order value of ¥86.5", true},
		{"an order value of 86", true},
		{"an order value of 87.5", false},
		{"conversion fell 2.3 percentage points", true},
		{"转化率下降了2.3个百分点", true},
		{"an AUC of 0.81", true},
		{"an AUC of 0.82", false},
		{"an AUC of 81%", false}, // 0.8123 is no share
		{"2.31 points", true},
		{"the top 3 categories", false},
	}
	for _, c := range cases {
		nums := Check(c.text, facts)
		if len(nums) == 0 {
			t.Errorf("%q: no number found", c.text)
			continue
		}
		bad := Unverified(nums)
		if (len(bad) == 0) != c.ok {
			t.Errorf("%q: verified %v, want %v (%+v)", c.text, len(bad) == 0, c.ok, nums)
		}
	}
}

func TestMarked(t *testing.T) {
	facts := []Fact{{Name: "size", Value: 420}, {Name: "share", Value: 0.21, Share: true}}
	text := "420 customers (21%) spend 99 on average; 占客户的30%。"
	nums := Check(text, facts)
	got := Marked(text, nums)
	want := "420 customers (21%) spend 99⚠ on average; 占客户的30%⚠。"
	if got != want {
		t.Errorf("Marked = %q, want %q", got, want)
	}
	bad := Unverified(nums)
	if len(bad) != 2 || bad[0].Text != "99" || bad[1].Text != "30%" {
		t.Errorf("unverified = %+v", bad)
	}
}

func TestNamesWithDigitsAreNotNumbers(t *testing.T) {
	facts := []Fact{{Name: "size", Value: 50}}
	nums := Check(`The segment "VIP 2024" has 50 customers.`, facts, "VIP 2024")
	if len(nums) != 1 || !nums[0].Verified() {
		t.Errorf("got %+v, want only 50, verified", nums)
	}
}
