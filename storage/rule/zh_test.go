package rule

import (
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Rule errors keep their English text and tell it in Chinese through
// i18n.Error, token descriptions and column kinds included.
func TestErrorsInChinese(t *testing.T) {
	defer i18n.Use(i18n.English)
	_, err := Parse("country = ")
	if err == nil {
		t.Fatal("no error")
	}
	en := err.Error()
	i18n.Use(i18n.Chinese)
	if err.Error() != en {
		t.Fatalf("err.Error() changed with the language: %q, was %q", err.Error(), en)
	}
	if zh := i18n.Error(err); !strings.Contains(zh, "第 11 个字符处") || !strings.Contains(zh, "规则结尾") {
		t.Fatalf("%q → %q", en, zh)
	}
	n, _ := Parse("name BEFORE '2024-01-01'")
	_, _, err = Compile(n, func(string) (Column, bool) { return Column{SQL: "name", Kind: Text}, true }, Options{})
	if zh := i18n.Error(err); !strings.Contains(zh, "只适用于日期") || !strings.Contains(zh, "是文本列") {
		t.Fatalf("%q → %q", err, zh)
	}
}
