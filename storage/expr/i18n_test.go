package expr

import (
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Expression errors keep English text and read in Chinese through i18n.Error.
func TestErrorsTranslate(t *testing.T) {
	defer i18n.Use(i18n.English)
	cols := func(name string) (Column, bool) {
		switch name {
		case "d":
			return Column{SQL: `"d"`, Kind: Date}, true
		case "n":
			return Column{SQL: `"n"`, Kind: Number}, true
		}
		return Column{}, false
	}
	for src, want := range map[string][2]string{
		"n +":   {"at position 4: expected a value, column, function or '(' after '+' but found end of expression", "第 4 个字符处：在'+'之后应为值、列、函数或 '('，但遇到了表达式结尾"},
		"d * 2": {"at position 3: '*' needs a number, but the left side is a date; for days between dates use date_diff_days(a, b)", "'*' 需要数字，但左边是日期；计算两个日期之间的天数请用 date_diff_days(a, b)"},
	} {
		_, _, err := Compile(src, cols)
		i18n.Use(i18n.English)
		if err == nil || err.Error() != want[0] {
			t.Errorf("%q: %v", src, err)
			continue
		}
		i18n.Use(i18n.Chinese)
		if got := i18n.Error(err); !strings.Contains(got, want[1]) {
			t.Errorf("%q in Chinese: %s", src, got)
		}
	}
}
