package assets

import (
	"slices"
	"testing"

	"github.com/marketbench/marketbench/analytics/text"
)

// TestChineseKeywords: with the built-in segmenter, keywords of a group of
// Chinese reviews are dictionary words (物流, 质量), not character pairs
// that straddle two words (流很), and stop words (的, 非常) are gone.
func TestChineseKeywords(t *testing.T) {
	seg, err := Segmenter()
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{
		"物流很快，包装完好", "物流太慢了，等了一个星期", "快递物流非常给力", "物流速度很快，好评",
		"质量不错，做工精细", "质量很差，用了两天就坏了", "衣服质量非常好", "质量一般，对得起价格",
	}
	in := []bool{true, true, true, true, false, false, false, false}
	tok := text.Tokenizer{Stop: true, NGram: 2, Words: true, Seg: seg}
	v, err := text.Fit(docs, text.VecOptions{Tok: tok})
	if err != nil {
		t.Fatal(err)
	}
	X := v.TransformAll(docs)
	for g, want := range map[bool]string{true: "物流", false: "质量"} {
		grp := in
		if !g {
			grp = make([]bool, len(in))
			for i := range in {
				grp[i] = !in[i]
			}
		}
		kw := text.Keywords(X, grp, v.Terms, 5)
		if len(kw) == 0 || kw[0].Term != want {
			t.Errorf("top keyword %v, want %s first", kw, want)
		}
		for _, k := range kw {
			if k.Term == "流很" || k.Term == "量不" || k.Term == "非常" || k.Term == "的" || k.Term == "很" {
				t.Errorf("keyword %q is not a word worth showing: %v", k.Term, kw)
			}
		}
	}
	if got := tok.Tokens("物流很快质量不错"); !slices.Equal(got, []string{"物流", "很快", "质量", "不错", "物流 很快", "很快 质量", "质量 不错"}) {
		t.Errorf("Tokens = %q", got)
	}
}
