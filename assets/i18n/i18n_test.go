package i18n

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/msg"
)

func TestMatch(t *testing.T) {
	for pref, want := range map[string]string{
		"zh_CN.UTF-8": Chinese, "zh-Hans": Chinese, "zh": Chinese, "zh_SG": Chinese,
		"en_US.UTF-8": English, "en": English, "fr_FR.UTF-8": English, "garbage!": English,
	} {
		if got := Match(pref); got != want {
			t.Errorf("Match(%q) = %q, want %q", pref, got, want)
		}
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LANG", "C.UTF-8")
	if got := Match("system"); got != English {
		t.Errorf("LANG=C.UTF-8 → %q, want en", got)
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	if got := Match(""); got != Chinese {
		t.Errorf("LANG=zh_CN.UTF-8 → %q, want zh-Hans", got)
	}
}

// withLang runs f in a language and restores English.
func withLang(t *testing.T, lang string) {
	t.Helper()
	Use(lang)
	t.Cleanup(func() { Use(English) })
}

func TestTranslateAndErrors(t *testing.T) {
	zh, err := Catalogue(Chinese)
	if err != nil || len(zh) == 0 {
		t.Fatalf("catalogue: %v (%d entries)", err, len(zh))
	}
	withLang(t, Chinese)
	if got := T("Cancel"); got != zh["Cancel"] || got == "Cancel" {
		t.Errorf("T(Cancel) = %q", got)
	}
	if got := T("not in any catalogue %d", 3); got != "not in any catalogue 3" {
		t.Errorf("untranslated text: %q", got)
	}
	inner := Errorf("unknown currency %q; choose one of %s", "XYZ", "CNY, USD")
	outer := fmt.Errorf("opening: %w", inner)
	if !errors.Is(outer, inner) {
		t.Fatal("Errorf must keep the chain")
	}
	if inner.Error() != `unknown currency "XYZ"; choose one of CNY, USD` {
		t.Errorf("English text: %q", inner.Error())
	}
	want := fmt.Sprintf(zh["unknown currency %q; choose one of %s"], "XYZ", "CNY, USD")
	if got := Error(inner); got != want {
		t.Errorf("Error(inner) = %q, want %q", got, want)
	}
	if got := Error(outer); got != "opening: "+want {
		t.Errorf("Error(outer) = %q", got)
	}
	wrapped := Errorf("unknown currency %q; choose one of %s", "XYZ", errors.New("context canceled"))
	if got := Error(wrapped); got != fmt.Sprintf(zh["unknown currency %q; choose one of %s"], "XYZ", "已取消") {
		t.Errorf("Error(wrapped) = %q", got)
	}
}

func TestFormats(t *testing.T) {
	day := time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC)
	if Compact(12500) != "12.5K" || Compact(3.4e6) != "3.4M" || Compact(999) != "999" || Date(day) != "15 Mar 2024" {
		t.Errorf("English: %s %s %s %s", Compact(12500), Compact(3.4e6), Compact(999), Date(day))
	}
	withLang(t, Chinese)
	for v, want := range map[float64]string{12500: "1.25万", 125000: "12.5万", 1250000: "125万", 3.4e8: "3.4亿", -20000: "-2万", 9999: "9,999"} {
		if got := Compact(v); got != want {
			t.Errorf("Compact(%v) = %q, want %q", v, got, want)
		}
	}
	if Date(day) != "2024年3月15日" || Money("¥", 2, -1234.5) != "-¥1,234.50" {
		t.Errorf("Chinese: %s %s", Date(day), Money("¥", 2, -1234.5))
	}
}

// analytics' messages (format and arguments, nested) are told in the
// language in use by Say, T and Error; their English stays as it was.
func TestSaidMessages(t *testing.T) {
	what := msg.New("variant %q", "A")
	err := msg.Errorf("abtest: %s has no customers (n = 0); every group needs at least one customer", what)
	wantEN := `abtest: variant "A" has no customers (n = 0); every group needs at least one customer`
	if err.Error() != wantEN || Error(err) != wantEN {
		t.Errorf("English: %q / %q", err.Error(), Error(err))
	}
	withLang(t, Chinese)
	if got, want := Error(err), `版本 "A" 没有客户（n = 0）；每组至少需要一位客户`; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
	if got, want := Say(msg.Join("a", msg.New("%s missing", "b"))), "a、b 缺失"; got != want {
		t.Errorf("Say = %q, want %q", got, want)
	}
	if got, want := T("%s: %s", msg.New("less likely"), "x"), "较不可能：x"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	if err.Error() != wantEN {
		t.Errorf("Error() changed with the language: %q", err.Error())
	}
}
