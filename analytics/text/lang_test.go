package text

import (
	"reflect"
	"strings"
	"testing"
)

func TestIsChinese(t *testing.T) {
	for s, want := range map[string]bool{
		"物流很快，质量不错":              true,
		"iPhone手机很好用":            true, // 5 Han of 11 letters
		"Great service from 张伟":  false,
		"Fast delivery, 5 stars": false,
		"12345 !!":               false,
		"":                       false,
	} {
		if got := IsChinese(s); got != want {
			t.Errorf("IsChinese(%q) = %v (Han share %.2f), want %v", s, got, HanShare(s), want)
		}
	}
}

// splitter is a test segmenter: it cuts a run into the words it knows,
// else into characters.
type splitter []string

func (d splitter) Cut(run string) []string {
	var out []string
	for run != "" {
		w := string([]rune(run)[:1])
		for _, k := range d {
			if strings.HasPrefix(run, k) && len(k) > len(w) {
				w = k
			}
		}
		out = append(out, w)
		run = run[len(w):]
	}
	return out
}

// TestWordsAndBilingual: Words cuts Han with the segmenter, word pairs span
// Chinese words, a model fitted with Words round-trips only with a
// segmenter, and Bilingual picks the model by language.
func TestWordsAndBilingual(t *testing.T) {
	seg := splitter{"物流", "质量", "不错", "很差"}
	tok := Tokenizer{NGram: 2, Words: true, Seg: seg}
	if got := tok.Tokens("物流不错ok"); !reflect.DeepEqual(got, []string{"物流", "不错", "ok", "物流 不错", "不错 ok"}) {
		t.Errorf("Tokens = %q", got)
	}
	zhT := []string{"物流不错", "质量不错", "物流很差", "质量很差"}
	y := []int{1, 1, 0, 0}
	zh, err := TrainSentiment(zhT, y, SentimentOptions{Tok: &tok, Blend: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := zh.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unmarshal(b); err == nil || !strings.Contains(err.Error(), "segmenter") {
		t.Errorf("Unmarshal without a segmenter: %v", err)
	}
	zh2, err := UnmarshalWith(b, seg)
	if err != nil {
		t.Fatal(err)
	}
	if a, c := zh.Score("物流不错"), zh2.Score("物流不错"); a != c || a <= 0.5 {
		t.Errorf("Score before %v, after a round trip %v", a, c)
	}
	en, err := TrainSentiment([]string{"good", "great", "bad", "awful"}, y, SentimentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bi := Bilingual{EN: en, ZH: zh2}
	for s, want := range map[string]string{"质量很差": "zh", "awful": "en"} {
		p, lang, known := bi.Score(s)
		if lang != want || !known || p >= 0.5 {
			t.Errorf("Score(%q) = %v, %s, %v", s, p, lang, known)
		}
	}
	if _, _, known := bi.Score("zzqx"); known {
		t.Error("an unknown word is known")
	}
}
