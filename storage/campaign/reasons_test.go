package campaign

import (
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Reasons stay English in the project and read in the language in use.
func TestReasonWords(t *testing.T) {
	defer i18n.Use(i18n.English)
	reasons := []string{"no customer id", "not in the customer table customers", "no e-mail consent",
		"gave up after 3 attempts: the plugin stopped or did not answer while sending it", "gave up after N attempts",
		ReasonStopped, "HTTP 400 Bad Request"}
	i18n.Use(i18n.English)
	for _, r := range reasons {
		if got := ReasonWords(r); got != r {
			t.Errorf("English %q: %q", r, got)
		}
	}
	i18n.Use(i18n.Chinese)
	want := map[string]string{
		"not in the customer table customers": "不在客户表 customers 中",
		"gave up after N attempts":            "尝试 N 次后放弃",
		"no customer id":                      "没有客户 ID",
		"HTTP 400 Bad Request":                "HTTP 400 Bad Request",
	}
	for r, w := range want {
		if got := ReasonWords(r); got != w {
			t.Errorf("Chinese %q: %q, want %q", r, got, w)
		}
	}
	if got := ReasonWords(ReasonStopped); got == ReasonStopped {
		t.Errorf("%q is not translated", ReasonStopped)
	}
}

// Validate's error lists its problems in English; i18n.Error tells each.
func TestValidateErrorTranslates(t *testing.T) {
	defer i18n.Use(i18n.English)
	c := &Campaign{Name: "x", HoldoutPercent: 120}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "choose the audience segment; choose the channel") ||
		!strings.Contains(err.Error(), "the holdout must be between 0% and 99%") {
		t.Fatalf("English: %v", err)
	}
	i18n.Use(i18n.Chinese)
	zh := i18n.Error(err)
	for _, w := range []string{"请选择受众分群", "请选择渠道", "对照组比例必须在 0% 到 99% 之间"} {
		if !strings.Contains(zh, w) {
			t.Errorf("Chinese lacks %q: %s", w, zh)
		}
	}
}
