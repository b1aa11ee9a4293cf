package core

import (
	"context"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// currencyKey names the project setting that holds the currency code.
const currencyKey = "currency"

// Currency returns the project's currency as an ISO 4217 code: the one
// chosen for the project, else the default of the language in use (yuan in
// Chinese, dollars otherwise).
func (w *Workspace) Currency(ctx context.Context) string {
	if code, ok, err := w.Setting(ctx, currencyKey); err == nil && ok && i18n.Symbol(code) != "" {
		return code
	}
	return i18n.DefaultCurrency()
}

// CurrencySymbol is the symbol of the project's currency, for charts and
// tables.
func (w *Workspace) CurrencySymbol(ctx context.Context) string { return i18n.Symbol(w.Currency(ctx)) }

// SetCurrency chooses the project's currency by ISO code (CNY, USD, EUR…).
func (w *Workspace) SetCurrency(ctx context.Context, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	if i18n.Symbol(code) == "" {
		codes := make([]string, len(i18n.Currencies))
		for i, c := range i18n.Currencies {
			codes[i] = c.Code
		}
		return i18n.Errorf("unknown currency %q; choose one of %s", code, strings.Join(codes, ", "))
	}
	return w.SetSetting(ctx, currencyKey, code)
}
