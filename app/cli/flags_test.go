package cli

import (
	"strings"
	"testing"
)

// A flag value the command cannot use is refused with a message naming the
// flag, before anything runs; it is never quietly replaced by the default
// (--test-size 0 used to train with 0.2, --limit 0 to show 100 rows).
func TestInvalidFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"model", "train", "--outcome", "churn", "--test-size", "0"}, "--test-size must be more than 0 and less than 1 (got 0)"},
		{[]string{"model", "train", "--outcome", "churn", "--test-size", "1"}, "--test-size must be more than 0 and less than 1 (got 1)"},
		{[]string{"model", "train", "--outcome", "churn", "--c", "0"}, "--c must be more than 0 (got 0)"},
		{[]string{"model", "train", "--outcome", "churn", "--alpha", "-1"}, "--alpha cannot be negative (got -1)"},
		{[]string{"model", "train", "--outcome", "churn", "--max-depth", "0"}, "--max-depth must be from 1 to 50 (got 0)"},
		{[]string{"model", "train", "--outcome", "churn", "--min-leaf", "0"}, "--min-leaf must be at least 1 (got 0)"},
		{[]string{"model", "train", "--outcome", "churn", "--trees", "0"}, "--trees must be from 1 to 5000 (got 0)"},
		{[]string{"model", "train", "--outcome", "churn", "--days", "0"}, "--days must be at least 1 (got 0)"},
		{[]string{"model", "target", "--outcome", "churn", "--days", "-5"}, "--days must be at least 1 (got -5)"},
		{[]string{"model", "explain", "m", "--customer", "c", "--top", "0"}, "--top must be at least 1 (got 0)"},
		{[]string{"rows", "orders", "--limit", "0"}, "--limit must be at least 1 (got 0)"},
		{[]string{"rows", "orders", "--offset", "-1"}, "--offset must be at least 0 (got -1)"},
		{[]string{"log", "-n", "0"}, "--n must be at least 1 (got 0)"},
		{[]string{"export", "orders", "x.csv", "--timeout", "0s"}, "--timeout must be longer than 0 (got 0s)"},
		{[]string{"text", "keywords", "--k", "0"}, "--k must be at least 1 (got 0)"},
		{[]string{"text", "train", "--test-size", "0"}, "--test-size must be more than 0 and less than 1 (got 0)"},
		{[]string{"chart", "segments", "--out", "x.png", "--width", "0"}, "--width must be more than 0 (got 0)"},
		{[]string{"chart", "histogram", "--out", "x.png", "--bins", "0"}, "--bins must be at least 1 (got 0)"},
		{[]string{"plugin", "logs", "x", "--tail", "0"}, "--tail must be at least 1 (got 0)"},
		{[]string{"campaign", "preview", "x", "--samples", "-1"}, "--samples must be at least 0 (got -1)"},
		{[]string{"campaign", "send", "x", "--timeout", "0s"}, "--timeout must be longer than 0 (got 0s)"},
		{[]string{"campaign", "results", "x", "--attribution-days", "-1"}, "--attribution-days must be at least 0 (got -1)"},
		{[]string{"abtest-plan", "--baseline", "0.05", "--mde", "0.01", "--alpha", "0"}, "--alpha must be more than 0 and less than 1 (got 0)"},
		{[]string{"abtest-plan", "--baseline", "0.05", "--mde", "0.01", "--power", "1.5"}, "--power must be more than 0 and less than 1 (got 1.5)"},
		{[]string{"copy", "generate", "--channel", "sms", "-n", "0"}, "--n must be from 1 to"},
		{[]string{"copy", "generate", "--channel", "sms", "--timeout", "-1s"}, "--timeout must be longer than 0 (got -1s)"},
		{[]string{"--lang", "fr", "tables"}, "--lang fr: choose en, zh-Hans or system"},
	} {
		_, errs, code := run(t, append([]string{"-p", "nowhere.mbproj"}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want the message %q", c.args, code, errs, c.want)
		}
	}
	// Valid values still pass the check (and fail later only for the
	// missing project).
	if _, errs, _ := run(t, "-p", "nowhere.mbproj", "rows", "orders", "--limit", "1", "--offset", "0"); strings.Contains(errs, "--limit") || strings.Contains(errs, "--offset") {
		t.Errorf("valid flags refused: %s", errs)
	}
	if _, errs, _ := run(t, "-p", "nowhere.mbproj", "--lang", "zh_CN.UTF-8", "tables"); strings.Contains(errs, "--lang") {
		t.Errorf("--lang zh_CN.UTF-8 refused: %s", errs)
	}
}
