package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/text/language"

	"github.com/marketbench/marketbench/assets/i18n"
)

// A flagRule refuses a bad flag value before the command runs. Core and
// analytics read a zero option as "the default" (stored specs rely on it),
// so without these a given --test-size 0 or --limit 0 would silently become
// 0.2 or 100: the CLI knows whether a value was given and says so instead.
type flagRule func(fs *pflag.FlagSet) error

// require adds rules to cmd's flags; the root checks them before RunE.
func (e *env) require(cmd *cobra.Command, r ...flagRule) {
	if e.rules == nil {
		e.rules = map[*cobra.Command][]flagRule{}
	}
	e.rules[cmd] = append(e.rules[cmd], r...)
}

func (e *env) checkFlags(cmd *cobra.Command) error {
	for _, r := range e.rules[cmd] {
		if err := r(cmd.Flags()); err != nil {
			return err
		}
	}
	return nil
}

// share: more than 0 and less than 1 (a test share, a significance level).
func share(name string) flagRule {
	return func(fs *pflag.FlagSet) error {
		if v, _ := fs.GetFloat64(name); fs.Changed(name) && !(v > 0 && v < 1) {
			return i18n.Errorf("--%s must be more than 0 and less than 1 (got %v)", name, v)
		}
		return nil
	}
}

// positive: a float more than 0.
func positive(name string) flagRule {
	return func(fs *pflag.FlagSet) error {
		if v, _ := fs.GetFloat64(name); fs.Changed(name) && !(v > 0) {
			return i18n.Errorf("--%s must be more than 0 (got %v)", name, v)
		}
		return nil
	}
}

// notNegative: a float of 0 or more.
func notNegative(name string) flagRule {
	return func(fs *pflag.FlagSet) error {
		if v, _ := fs.GetFloat64(name); fs.Changed(name) && !(v >= 0) {
			return i18n.Errorf("--%s cannot be negative (got %v)", name, v)
		}
		return nil
	}
}

// intRange: an integer from lo to hi (hi 0: no upper bound).
func intRange(name string, lo, hi int64) flagRule {
	return func(fs *pflag.FlagSet) error {
		if !fs.Changed(name) {
			return nil
		}
		var v int64
		if n, err := fs.GetInt(name); err == nil {
			v = int64(n)
		} else if v, err = fs.GetInt64(name); err != nil {
			return nil
		}
		switch {
		case hi == 0 && v < lo:
			return i18n.Errorf("--%s must be at least %d (got %d)", name, lo, v)
		case hi != 0 && (v < lo || v > hi):
			return i18n.Errorf("--%s must be from %d to %d (got %d)", name, lo, hi, v)
		}
		return nil
	}
}

// duration: more than zero.
func duration(name string) flagRule {
	return func(fs *pflag.FlagSet) error {
		if v, _ := fs.GetDuration(name); fs.Changed(name) && v <= 0 {
			return i18n.Errorf("--%s must be longer than 0 (got %s); write it like 30s, 5m or 1h", name, v)
		}
		return nil
	}
}

// checkLang refuses a --lang that is neither English nor Chinese instead of
// quietly falling back to English.
func checkLang(pref string) error {
	pref = strings.TrimSpace(pref)
	if pref == "" || strings.EqualFold(pref, "system") {
		return nil
	}
	tag, err := language.Parse(strings.ReplaceAll(strings.SplitN(pref, ".", 2)[0], "_", "-"))
	if base, _ := tag.Base(); err != nil || (base.String() != "en" && base.String() != "zh") {
		return i18n.Errorf("--lang %s: choose en, zh-Hans or system (the system locale)", pref)
	}
	return nil
}
