package text

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	cases := map[string]struct {
		tok  Tokenizer
		in   string
		want []string
	}{
		"lower and punct":  {Tokenizer{}, "Hello, WORLD! 42x", []string{"hello", "world", "42x"}},
		"apostrophe":       {Tokenizer{}, "Don’t 'quote' rock'n'roll o'", []string{"don't", "quote", "rock'n'roll", "o"}},
		"accents":          {Tokenizer{}, "Crème BRÛLÉE", []string{"crème", "brûlée"}},
		"stop en":          {Tokenizer{Stop: true}, "This is NOT the best", []string{"not", "best"}},
		"han":              {Tokenizer{}, "手机很好", []string{"手", "手机", "机", "机很", "很", "很好", "好"}},
		"han stop":         {Tokenizer{Stop: true}, "我的手机", []string{"我的", "的手", "手", "手机", "机"}},
		"mixed":            {Tokenizer{}, "iPhone手机ok", []string{"iphone", "手", "手机", "机", "ok"}},
		"bigrams":          {Tokenizer{NGram: 2}, "very good, really", []string{"very", "good", "really", "very good", "good really"}},
		"ngram breaks han": {Tokenizer{NGram: 3}, "a b 好 c d", []string{"a", "b", "好", "c", "d", "a b", "c d"}},
		"empty":            {Tokenizer{NGram: 2}, " ,.!? ", nil},
	}
	for name, c := range cases {
		got := c.tok.Tokens(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Tokens(%q) = %q, want %q", name, c.in, got, c.want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"Don't stop", "我的手机很好", "a'b' 'c", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range (Tokenizer{Stop: true, NGram: 3}).Tokens(s) {
			if w == "" || !utf8.ValidString(w) {
				t.Fatalf("bad token %q from %q", w, s)
			}
			if strings.HasPrefix(w, "'") || strings.HasSuffix(w, "'") || strings.ContainsFunc(w, unicode.IsPunct) && !strings.Contains(w, "'") {
				t.Fatalf("punctuation leaked into %q from %q", w, s)
			}
		}
	})
}
