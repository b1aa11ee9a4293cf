package chart

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/assets/i18n"
)

// inLanguage runs f with the catalogue set to lang, and back to English
// after.
func inLanguage(t *testing.T, lang string, f func()) {
	t.Helper()
	if got := i18n.Use(lang); got != lang {
		t.Fatalf("i18n.Use(%q) = %q", lang, got)
	}
	defer i18n.Use(i18n.English)
	f()
}

// svgText returns the text p draws as SVG, its text elements run
// together: a label mixing Chinese and Latin ("模型（AUC 0.8）") is drawn in
// one element per font, one after the other.
func svgText(t *testing.T, p *plot.Plot) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(p, "svg", DefaultWidth, DefaultHeight, &buf); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(buf.String(), -1) {
		b.WriteString(html.UnescapeString(m[1]))
	}
	return b.String()
}

func tickLabels(a *plot.Axis) []string {
	var out []string
	for _, tk := range a.Tick.Marker.Ticks(a.Min, a.Max) {
		if tk.Label != "" {
			out = append(out, tk.Label)
		}
	}
	return out
}

// The texts a chart adds itself (axis names, legends, the cumulative
// chart's dates) follow the language in use: Chinese with i18n.Use("zh-Hans"),
// English otherwise.
func TestChartTextsFollowLanguage(t *testing.T) {
	day := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	build := func() map[string]*plot.Plot {
		must := func(p *plot.Plot, err error) *plot.Plot {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		return map[string]*plot.Plot{
			"histogram": must(Histogram("t", "x", orderBins)),
			"roc":       must(ROC("t", []Point{{0, 0}, {0.2, 0.6}, {1, 1}}, 0.812)),
			"confusion": must(Confusion("t", [2][2]int64{{50, 10}, {5, 35}}, [2]string{"no", "yes"})),
			"cumulative": must(Cumulative("t", []DaySeries{
				{Name: "A", Days: []time.Time{day, day.AddDate(0, 0, 1)}, Values: []float64{1, 3}},
				{Name: "holdout", Days: []time.Time{day, day.AddDate(0, 0, 1)}, Values: []float64{0, 1}},
			})),
		}
	}
	want := map[string]map[string][]string{
		i18n.English: {
			"histogram":  {"Count"},
			"roc":        {"False positive rate (share of negatives flagged)", "Model (AUC 0.812)", "Random guess"},
			"confusion":  {"Predicted", "Actual", "83.3% of actual no"},
			"cumulative": {"Day", "Customers converted (cumulative)", "holdout", "Mar 5"},
		},
		i18n.Chinese: {
			"histogram":  {"数量"},
			"roc":        {"假阳性率（被误判的负例占比）", "模型（AUC 0.812）", "随机猜测"},
			"confusion":  {"预测", "实际", "占实际为 no 的 83.3%"},
			"cumulative": {"日期", "已转化客户（累计）", "对照组", "3月5日"},
		},
	}
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		inLanguage(t, lang, func() {
			for name, p := range build() {
				text := svgText(t, p)
				for _, s := range want[lang][name] {
					if !strings.Contains(text, s) {
						t.Errorf("%s, %s: no text %q in the SVG", lang, name, s)
					}
				}
			}
			p, err := Histogram("t", "x", orderBins)
			if err != nil {
				t.Fatal(err)
			}
			if got, w := p.Y.Label.Text, want[lang]["histogram"][0]; got != w {
				t.Errorf("%s: histogram's count axis is %q, want %q", lang, got, w)
			}
		})
	}
}

// Large counts and amounts on a value axis are counted in 万 and 亿 in
// Chinese; English keeps whole numbers, and shares are never abbreviated.
func TestCompactTicks(t *testing.T) {
	ticks := func(lo, hi float64, vt valueTicks) string {
		var got []string
		for _, tk := range vt.Ticks(lo, hi) {
			got = append(got, tk.Label)
		}
		return strings.Join(got, " ")
	}
	money := valueTicks{format: Money("¥", 0), compact: true, symbol: "¥"}
	count := valueTicks{format: Number, whole: true, compact: true}
	tests := []struct {
		lo, hi float64
		vt     valueTicks
		en, zh string
	}{
		{0, 1_254_300, money, "¥0 ¥250,000 ¥500,000 ¥750,000 ¥1,000,000 ¥1,250,000", "0 ¥25万 ¥50万 ¥75万 ¥100万 ¥125万"},
		{-300_000, 200_000, money, "-¥300,000 -¥200,000 -¥100,000 ¥0 ¥100,000 ¥200,000", "-¥30万 -¥20万 -¥10万 0 ¥10万 ¥20万"},
		{0, 150_000_000, count, "0 25,000,000 50,000,000 75,000,000 100,000,000 125,000,000 150,000,000", "0 0.25亿 0.5亿 0.75亿 1亿 1.25亿 1.5亿"},
		// Below 10万 numbers stay as they are.
		{0, 12_500, count, "0 2,500 5,000 7,500 10,000 12,500", "0 2,500 5,000 7,500 10,000 12,500"},
		{0, 1, valueTicks{format: Percent(0)}, "0% 20% 40% 60% 80% 100%", "0% 20% 40% 60% 80% 100%"},
	}
	for _, tc := range tests {
		if got := ticks(tc.lo, tc.hi, tc.vt); got != tc.en {
			t.Errorf("English ticks %v..%v = %q, want %q", tc.lo, tc.hi, got, tc.en)
		}
		inLanguage(t, i18n.Chinese, func() {
			if got := ticks(tc.lo, tc.hi, tc.vt); got != tc.zh {
				t.Errorf("Chinese ticks %v..%v = %q, want %q", tc.lo, tc.hi, got, tc.zh)
			}
		})
	}
	// The options choose: WithMoney abbreviates amounts, WithFormat keeps
	// its format on the axis.
	inLanguage(t, i18n.Chinese, func() {
		p, err := Bars("t", "v", segmentBars, WithMoney("¥", 0))
		if err != nil {
			t.Fatal(err)
		}
		if got := tickLabels(&p.X); !slices.Contains(got, "¥50万") {
			t.Errorf("WithMoney axis: %q", got)
		}
		p, err = Bars("t", "v", segmentBars, WithFormat(Money("¥", 0)))
		if err != nil {
			t.Fatal(err)
		}
		if got := tickLabels(&p.X); !slices.Contains(got, "¥500,000") {
			t.Errorf("WithFormat axis: %q", got)
		}
	})
}
