package eval

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestGains(t *testing.T) {
	// 10 samples, 4 positives, 5 groups of 2. The tie at 0.8 is broken by
	// input order, so index 1 (a positive) ranks before index 2.
	y := []int{0, 1, 0, 1, 0, 0, 1, 0, 0, 1}
	s := []float64{0.1, 0.8, 0.8, 0.9, 0.3, 0.2, 0.7, 0.4, 0.05, 0.6}
	// Ranked: 3(1) 1(1) | 2(0) 6(1) | 9(1) 7(0) | 4(0) 5(0) | 0(0) 8(0)
	rate3, six := 4.0, 6.0 // variables, so 4/6/0.4 rounds at run time as in Gains
	rate3 /= six
	got, err := Gains(y, s, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{
		{Count: 2, Positives: 2, Rate: 1, Lift: 2.5, CumCount: 2, CumGains: 0.5, CumLift: 2.5},
		{Count: 2, Positives: 1, Rate: 0.5, Lift: 1.25, CumCount: 4, CumGains: 0.75, CumLift: 1.875},
		{Count: 2, Positives: 1, Rate: 0.5, Lift: 1.25, CumCount: 6, CumGains: 1, CumLift: rate3 / 0.4},
		{Count: 2, CumCount: 8, CumGains: 1, CumLift: 0.5 / 0.4},
		{Count: 2, CumCount: 10, CumGains: 1, CumLift: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	// Fewer samples than groups: sizes differ by at most one, some empty.
	got, err = Gains([]int{1, 0, 1}, []float64{3, 2, 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range got {
		if g.Count > 1 {
			t.Errorf("group of %d from 3 samples in 10 groups", g.Count)
		}
		n += g.Count
	}
	if n != 3 || got[9].CumGains != 1 || got[9].CumLift != 1 {
		t.Errorf("last group %+v, total %d", got[9], n)
	}

	// No positives: lifts are 0, not NaN.
	got, err = Gains([]int{0, 0}, []float64{1, 2}, 2)
	if err != nil || got[0].Lift != 0 || got[0].CumLift != 0 {
		t.Errorf("no positives: %+v %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	y := []int{0, 1, 1}
	p := []float64{0.2, 0.7, 0.9}
	cases := []struct {
		name string
		err  error
		want error // nil: any error will do
	}{
		{"AUC one class", second(ROCAUC([]int{1, 1}, []float64{0.1, 0.2})), ErrOneClass},
		{"ROC curve one class", second2(ROCCurve([]int{0, 0}, []float64{0.1, 0.2})), ErrOneClass},
		{"AP no positives", second(PRAUC([]int{0, 0}, []float64{0.1, 0.2})), ErrNoPositives},
		{"LogLoss one class", second(LogLoss([]int{1}, []float64{0.5})), ErrOneClass},
		{"AUC empty", second(ROCAUC(nil, nil)), ErrEmpty},
		{"RMSE empty", second(RMSE(nil, nil)), ErrEmpty},
		{"length mismatch", second(ROCAUC(y, p[:2])), nil},
		{"label 2", second(ROCAUC([]int{0, 2}, []float64{0, 1})), nil},
		{"NaN score", second(ROCAUC(y, []float64{0, math.NaN(), 1})), nil},
		{"probability > 1", second(LogLoss(y, []float64{0, 1.5, 1})), nil},
		{"Brier negative", second(Brier(y, []float64{0, -0.1, 1})), nil},
		{"Precision mismatch", second(Precision(y, []int{1})), nil},
		{"Confusion empty", second3(NewConfusion(nil, nil)), ErrEmpty},
		{"R2 one sample", second(R2([]float64{1}, []float64{1})), nil},
		{"MAE Inf", second(MAE([]float64{1, math.Inf(1)}, []float64{1, 2})), nil},
		{"calibration strategy", second4(Calibration(y, p, 5, "kmeans")), nil},
		{"calibration bins", second4(Calibration(y, p, 0, Uniform)), nil},
		{"gains groups", second4g(Gains(y, p, 0)), nil},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		} else if c.want != nil && !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

func second(_ float64, err error) error    { return err }
func second2(_ Curve, err error) error     { return err }
func second3(_ Confusion, err error) error { return err }
func second4(_ []CalBin, err error) error  { return err }
func second4g(_ []Group, err error) error  { return err }

func FuzzMetrics(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 255, 7})
	f.Add([]byte{1, 1, 1, 1})
	f.Add([]byte{})
	f.Fuzz(checkMetrics)
}

// checkMetrics runs every metric on b and checks the invariants.
func checkMetrics(t *testing.T, b []byte) {
	// Each byte is a sample: low bit the label, the rest a score with
	// plenty of ties.
	y := make([]int, len(b))
	s := make([]float64, len(b))
	yp := make([]int, len(b))
	for i, v := range b {
		y[i] = int(v & 1)
		s[i] = float64(v>>1) / 127
		yp[i] = int(v>>7) | int(v>>6)&1
	}
	if auc, err := ROCAUC(y, s); err == nil && !(auc >= 0 && auc <= 1) {
		t.Fatalf("AUC %v outside [0,1]", auc)
	}
	if ap, err := PRAUC(y, s); err == nil && !(ap >= 0 && ap <= 1+1e-12) {
		t.Fatalf("AP %v outside [0,1]", ap)
	}
	if ll, err := LogLoss(y, s); err == nil && (math.IsNaN(ll) || ll < 0 || ll > 37) {
		t.Fatalf("log loss %v", ll)
	}
	_, _ = Brier(y, s)
	_, _ = ROCCurve(y, s)
	_, _ = Classify(y, yp)
	_, _ = F1(y, yp)
	_, _ = Calibration(y, s, 1+len(b)%12, Quantile)
	_, _ = Calibration(y, s, 1+len(b)%7, Uniform)
	g, err := Gains(y, s, 1+len(b)%11)
	if err == nil {
		n := 0
		for _, r := range g {
			n += r.Count
		}
		if n != len(b) {
			t.Fatalf("gains cover %d of %d samples", n, len(b))
		}
	}
	_, _ = R2(s, s[:len(s)/2*2])
	_, _ = RMSE(s, s)
}

// FuzzScores feeds arbitrary float64 bit patterns (NaN, Inf, huge, -0) as
// scores and probabilities: every metric must return an error or a value,
// never panic, and AUC must stay in [0,1].
func FuzzScores(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 1}, uint64(5))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint64(0b10))
	f.Fuzz(func(t *testing.T, b []byte, labels uint64) {
		s := make([]float64, len(b)/8)
		y := make([]int, len(s))
		for i := range s {
			s[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			y[i] = int(labels >> (i % 64) & 1)
		}
		if auc, err := ROCAUC(y, s); err == nil && !(auc >= 0 && auc <= 1) {
			t.Fatalf("AUC %v outside [0,1] for %v %v", auc, y, s)
		}
		_, _ = PRAUC(y, s)
		_, _ = ROCCurve(y, s)
		_, _ = LogLoss(y, s)
		_, _ = Brier(y, s)
		_, _ = Calibration(y, s, 4, Quantile)
		_, _ = Gains(y, s, 10)
		_, _ = R2(s, s)
		_, _ = MAE(s, s)
	})
}
