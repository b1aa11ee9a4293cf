package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/fakes/tencent"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

func TestParseParams(t *testing.T) {
	for text, want := range map[string][]string{
		"":                                 {},
		"1: Ada":                           {"Ada"},
		"2: second\n1: first":              {"first", "second"},
		"1=张三\r\n\n  2 ： 10:30 到店 ":        {"张三", "10:30 到店"},
		"1: a: b\n2: https://x":            {"a: b", "https://x"},
		"1:\n2: empty first is allowed":    {"", "empty first is allowed"},
		"\n\n1: blank lines are ignored\n": {"blank lines are ignored"},
	} {
		got, err := parseParams(text)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %q %v", text, got, err)
		}
	}
	for text, words := range map[string]string{
		"Hello Ada":        `line 1 is not "name: value"`,
		"1: a\nname: Ada":  "must be named 1, 2, 3",
		"01: a":            "must be named 1, 2, 3",
		"0: a":             "must be named 1, 2, 3",
		"1: a\n3: c":       "template parameter 2 is missing",
		"2: b":             "template parameter 1 is missing",
		"1: a\n1: again":   "given twice",
		"1: a\n\nno colon": `line 3 is not "name: value"`,
	} {
		if _, err := parseParams(text); err == nil || !strings.Contains(err.Error(), words) {
			t.Errorf("%q: %v, want %q", text, err, words)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	base := sdk.Config{"sdk_app_id": "1400006666", "template_id": "100001", "sign_name": "腾讯云",
		"template_text": "您好{1}，您的订单{2}已发货。"}
	cfg := func(kv ...string) sdk.Config {
		c := channel{}.Spec().WithDefaults(base)
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return c
	}
	long := strings.Repeat("长", 60)
	for _, c := range []struct {
		name     string
		cfg      sdk.Config
		to, text string
		problems []string
		notes    []string
	}{
		{"good", cfg(), "13800138000", "1: 张三\n2: 20240501", nil, nil},
		{"bad number", cfg(), "12345", "1: a\n2: b", []string{"phone number: an international number has 8 to 15 digits with its country code"}, nil},
		{"landline", cfg(), "010 8888 8888", "1: a\n2: b", []string{"phone number: not a Chinese mobile number (11 digits starting 13 to 19)"}, nil},
		{"no number", cfg(), "", "1: a\n2: b", []string{"no phone number"}, nil},
		{"no sign", cfg("sign_name", "", "region", "HK"), "+8613800138000", "1: a\n2: b",
			[]string{"a signature (sign_name) is required for numbers in mainland China"}, nil},
		{"no separator", cfg(), "13800138000", "张三", []string{`line 1 is not "name: value"`}, nil},
		{"named", cfg(), "13800138000", "name: 张三\norder: 1", []string{"template parameters must be named 1, 2, 3… as in the template's {1}, {2}"}, nil},
		{"missing", cfg(), "13800138000", "1: 张三", []string{"template parameter 2 is missing (the template has 2)"}, nil},
		{"extra", cfg(), "13800138000", "1: a\n2: b\n3: c", []string{"template parameter 3 is not in the template (it has 2)"}, nil},
		{"verification", cfg("template_type", "verification", "template_text", "验证码{1}，5分钟内有效。"), "13800138000", "1: 12a456",
			[]string{"a verification-code parameter must be 0 to 6 digits"}, nil},
		{"verification ok", cfg("template_type", "verification", "template_text", "验证码{1}，5分钟内有效。"), "13800138000", "1: 123456", nil, nil},
		{"individual", cfg("account_type", "individual"), "13800138000", "1: 张三\n2: 1234567890123",
			[]string{"template parameter 2 is longer than 12 characters, the limit for individual accounts"}, nil},
		{"enterprise has no parameter limit", cfg(), "13800138000", "1: 张三\n2: 1234567890123", nil, nil},
		{"link", cfg(), "13800138000", "1: 张三\n2: see https://x.cn/a", []string{"template parameters cannot contain links (put a fixed link in the template)"}, nil},
		{"two parts", cfg(), "13800138000", "1: 张三\n2: " + long, nil, []string{"2 SMS parts (UCS-2, signature included)"}},
		{"too long", cfg(), "13800138000", "1: 张三\n2: " + strings.Repeat(long, 9), []string{"longer than Tencent's 500 characters with the signature (558)"}, nil},
		{"international GSM", cfg("template_text", "Hi {1}, {2}"), "+447911123456", "1: Ada\n2: " + strings.Repeat("x", 150),
			nil, nil},
		{"international long", cfg("template_text", "Hi {1}, {2}"), "+447911123456", "1: Ada\n2: " + strings.Repeat("x", 160),
			nil, []string{"2 SMS parts (GSM-7)"}},
		{"marketing", cfg("template_type", "marketing"), "13800138000", "1: a\n2: b", nil,
			[]string{"marketing SMS go out only between 8:00 and 22:00 China time"}},
		{"no template text", cfg("template_text", ""), "13800138000", "1: a\n2: b\n3: c", nil, nil},
	} {
		got := channel{}.CheckMessage(c.cfg, sdk.Message{To: c.to, Text: c.text})
		if !slices.Equal(got.Problems, c.problems) || !slices.Equal(got.Notes, c.notes) {
			t.Errorf("%s: problems %q notes %q\nwant problems %q notes %q", c.name, got.Problems, got.Notes, c.problems, c.notes)
		}
	}
}

// CheckMessages through the protocol, as the preview calls it.
func TestCheckMessagesOverProtocol(t *testing.T) {
	f := tencent.New(t)
	conn := plugintest.InProcess(t, plugin())
	checks, err := conn.CheckMessages(context.Background(), "tencent-sms", config(f), []sdk.Message{
		{ID: "a", To: "13800138000", Text: conformanceText},
		{ID: "b", To: "13800138000", Text: "Hello Ada"},
	})
	if err != nil || len(checks) != 2 || len(checks[0].Problems) != 0 || len(checks[1].Problems) != 1 {
		t.Fatalf("%+v %v", checks, err)
	}
	if len(f.Sent()) != 0 || f.Requests("SendSms") != 0 {
		t.Error("checking sent something")
	}
}
