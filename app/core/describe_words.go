package core

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/privacy"
)

// personalInWords finds what in the user's words is personal data, so
// that it reaches the model only when the user allows it: an e-mail,
// phone, ID or card number (by the privacy scan's detectors, on runs of
// up to four words, as phones are written with spaces), or a customer id
// of the table. It returns a description of the first find, "" for none.
func (w *Workspace) personalInWords(ctx context.Context, table, words string) (string, error) {
	toks := strings.FieldsFunc(words, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;，；。、()（）\"'“”‘’", r)
	})
	now := time.Now()
	for i := range toks {
		for n := 1; n <= 4 && i+n <= len(toks); n++ {
			for _, m := range privacy.DetectValue("", strings.Join(toks[i:i+n], " "), now) {
				switch m.Kind {
				case privacy.KindEmail:
					return i18n.T("what looks like an e-mail address"), nil
				case privacy.KindPhone:
					return i18n.T("what looks like a phone number"), nil
				case privacy.KindNationalID, privacy.KindCard, privacy.KindIBAN:
					return i18n.T("what looks like an ID, card or account number"), nil
				}
			}
		}
	}
	cust, err := w.Project.ColumnFor(ctx, table, storage.CustomerID)
	if err != nil || cust == "" {
		return "", err
	}
	var ids []any
	for _, t := range toks {
		if len(t) >= 3 && strings.IndexFunc(t, unicode.IsDigit) >= 0 {
			ids = append(ids, strings.Trim(t, ".:!?"))
		}
	}
	if len(ids) == 0 {
		return "", nil
	}
	c := `CAST(` + storage.Quote(cust) + ` AS VARCHAR)`
	var found bool
	err = w.Q().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+storage.Quote(table)+` WHERE `+c+` IN (?`+strings.Repeat(", ?", len(ids)-1)+`))`, ids...).Scan(&found)
	if err != nil {
		return "", err
	}
	if found {
		return i18n.T("a customer id"), nil
	}
	return "", nil
}
