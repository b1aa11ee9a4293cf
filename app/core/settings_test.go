package core

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
)

func TestCurrencyFollowsProjectThenLanguage(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "c.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	defer i18n.Use(i18n.English)
	i18n.Use(i18n.English)
	if w.Currency(ctx) != "USD" {
		t.Errorf("English default: %s", w.Currency(ctx))
	}
	i18n.Use(i18n.Chinese)
	if w.CurrencySymbol(ctx) != "¥" {
		t.Errorf("Chinese default: %s", w.CurrencySymbol(ctx))
	}
	if err := w.SetCurrency(ctx, "eur"); err != nil {
		t.Fatal(err)
	}
	if w.Currency(ctx) != "EUR" || w.CurrencySymbol(ctx) != "€" {
		t.Errorf("chosen: %s %s", w.Currency(ctx), w.CurrencySymbol(ctx))
	}
	if err := w.SetCurrency(ctx, "XYZ"); err == nil {
		t.Error("an unknown currency was accepted")
	}
}
