package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Import errors keep their English text and tell it in Chinese through
// i18n.Error, with the reason, its parts and a wrapper around them.
func TestErrorsInChinese(t *testing.T) {
	defer i18n.Use(i18n.English)
	e := &ParseError{File: "/x/orders.csv", Line: 7, Column: "amount"}
	e.why = rejectReason("TOO MANY COLUMNS", "Expected Number of Columns: 3 Found: 4", UTF8)
	e.Reason = e.why.Error()
	enc := &EncodingError{File: "/x/a.csv", Candidates: []EncodingCandidate{{Encoding: GB18030}, {Encoding: Big5}}}
	wrapped := fmt.Errorf("import: %w", e)
	en := []string{e.Error(), enc.Error(), wrapped.Error()}
	if en[0] != `orders.csv, line 7, column "amount": this row has 4 fields where the header has 3; a delimiter inside a value may need quotes` {
		t.Fatalf("English changed: %q", en[0])
	}
	i18n.Use(i18n.Chinese)
	for i, err := range []error{e, enc, wrapped} {
		if err.Error() != en[i] {
			t.Errorf("err.Error() changed with the language: %q", err.Error())
		}
	}
	if zh := i18n.Error(e); !strings.Contains(zh, "第 7 行") || !strings.Contains(zh, "4 个字段，而表头有 3 个") {
		t.Errorf("ParseError: %q", zh)
	}
	if zh := i18n.Error(wrapped); !strings.HasPrefix(zh, "import: orders.csv，第 7 行") {
		t.Errorf("wrapped: %q", zh)
	}
	if zh := i18n.Error(enc); !strings.Contains(zh, "无法确定文本编码") || !strings.Contains(zh, "也可以读作") {
		t.Errorf("EncodingError: %q", zh)
	}
	if zh := i18n.Error(newParseError("b.bin", 0, i18n.Errorf("this is %v, not a text (CSV) file", errors.New(binaryKind([]byte("%PDF-1.4")))))); !strings.Contains(zh, "这是PDF 文档") {
		t.Errorf("binary: %q", zh)
	}
}
