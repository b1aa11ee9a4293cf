package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// init --demo --locale zh-CN makes the Chinese demo; the marketer's next
// steps (roles, RFM with the Chinese schemes, segments, a churn model) run
// on it from the CLI.
func TestInitDemoChinese(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "zh.mbproj")
	ok(t, "init", proj, "--demo", "--locale", "zh-CN")

	out := ok(t, "-p", proj, "roles", "customers")
	for _, want := range []string{"province", "region", "city", "phone"} {
		if !strings.Contains(out, want) {
			t.Errorf("roles lack %q:\n%s", want, out)
		}
	}
	out = ok(t, "-p", proj, "segment", "list")
	for _, want := range []string{"重要价值客户", "一般挽留客户", "同意营销的重要价值客户", "流失的高消费客户", "近期App买家"} {
		if !strings.Contains(out, want) {
			t.Errorf("segment list lacks %q:\n%s", want, out)
		}
	}
	out = ok(t, "-p", proj, "segment", "rfm", "--scheme", "zh8-median")
	if !strings.Contains(out, "重要价值客户") || !strings.Contains(out, "median") {
		t.Errorf("zh8-median:\n%s", out)
	}
	c := jsonOf(t, ok(t, "-p", proj, "--json", "segment", "count", "--table", "customers", "--rule", "province = '广东省' AND city = '深圳市'"))
	if n, _ := c["count"].(float64); n < 100 {
		t.Errorf("customers in 深圳市: %v", c["count"])
	}
	m := jsonOf(t, ok(t, "-p", proj, "--json", "model", "train", "--outcome", "churn", "--days", "90", "--algo", "logreg"))
	if auc, _ := m["auc"].(float64); auc < 0.65 {
		t.Errorf("churn AUC on the Chinese demo %v", m["auc"])
	}
}

func TestDemoLocaleFlag(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := run(t, "init", filepath.Join(dir, "a.mbproj"), "--locale", "zh-CN"); code == 0 || !strings.Contains(errs, "--demo") {
		t.Errorf("--locale without --demo: %d %q", code, errs)
	}
	if _, errs, code := run(t, "init", filepath.Join(dir, "b.mbproj"), "--demo", "--locale", "fr"); code == 0 || !strings.Contains(errs, "zh-CN") {
		t.Errorf("--locale fr: %d %q", code, errs)
	}
	if _, errs, code := run(t, "demo", "--out", filepath.Join(dir, "out"), "--locale", "xx"); code == 0 || !strings.Contains(errs, "zh-CN") {
		t.Errorf("demo --locale xx: %d %q", code, errs)
	}
}
