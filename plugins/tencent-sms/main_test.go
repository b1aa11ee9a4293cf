package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/plugins/fakes/tencent"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// config points the plugin at a fake with its default account, sign and
// template; extra are name, value pairs.
func config(f *tencent.Server, extra ...string) sdk.Config {
	cfg := sdk.Config{"sdk_app_id": f.SdkAppID, "sign_name": tencent.DefaultSign, "template_id": tencent.DefaultTemplateID,
		"template_text": tencent.DefaultTemplate, "endpoint": f.URL}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(cfg, extra[i])
			continue
		}
		cfg[extra[i]] = extra[i+1]
	}
	return cfg
}

func secrets(f *tencent.Server) sdk.Secrets {
	return sdk.Secrets{"secret_id": f.SecretID, "secret_key": f.SecretKey}
}

// conformanceText is a message for the default template "Hello {1}, {2}".
const conformanceText = "1: Ada\n2: welcome to Marketbench"

func checkConformanceSends(t *testing.T, f *tencent.Server, res map[string]sdk.Result, n int) {
	t.Helper()
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || !strings.HasPrefix(r.ProviderID, "2433:") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	sent := f.Sent()
	if len(sent) != 2*n {
		t.Fatalf("the fake accepted %d messages, want %d (two rounds)", len(sent), 2*n)
	}
	keys := map[string]int{}
	for _, m := range sent {
		keys[m.SessionContext]++
		if m.Phone != "+8613800000000" || m.SignName != tencent.DefaultSign || m.TemplateID != tencent.DefaultTemplateID ||
			!slices.Equal(m.Params, []string{"Ada", "welcome to Marketbench"}) || m.Text != "【Marketbench】Hello Ada, welcome to Marketbench" {
			t.Errorf("sent %+v", m)
		}
	}
	for k, c := range keys {
		if !strings.HasPrefix(k, "conformance-") || c != 2 {
			t.Errorf("SessionContext %q sent %d times", k, c)
		}
	}
}

func TestConformanceInProcess(t *testing.T) {
	f := tencent.New(t)
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "tencent-sms", Config: config(f), Secrets: secrets(f),
		To: "138 0000 0000", Text: conformanceText, Fields: map[string]string{"phone": "138 0000 0000"},
		Bad: sdk.Config{"sdk_app_id": "app-one", "template_id": "1", "sign_name": "X"}})
	checkConformanceSends(t, f, res, 20)
	md, err := conn.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	caps := md.GetCapabilities()
	if !slices.Contains(caps, sdk.CapCheckMessages) || !slices.Contains(caps, sdk.CapReceipts) || slices.Contains(caps, sdk.CapIdempotencyKeys) {
		t.Errorf("capabilities %v: want check-messages and receipts, and no idempotency keys (Tencent echoes SessionContext, it does not de-duplicate)", caps)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	tempDirs  []string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// binary builds the plugin once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := filepath.Abs(".")
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.MkdirTemp("", "tencent-sms-bin")
		if err != nil {
			t.Fatal(err)
		}
		tempDirs = append(tempDirs, out)
		binPath = filepath.Join(out, "tencent-sms")
		bt := &buildT{TB: t}
		built := plugintest.Build(bt, dir)
		if err := os.Rename(built, binPath); err != nil {
			t.Fatal(err)
		}
	})
	if binPath == "" {
		t.Fatal("the plugin did not build")
	}
	return binPath
}

// buildT keeps Build's temporary folder past the first test.
type buildT struct{ testing.TB }

func (b *buildT) TempDir() string {
	d, err := os.MkdirTemp("", "tencent-sms-build")
	if err != nil {
		b.Fatal(err)
	}
	tempDirs = append(tempDirs, d)
	return d
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	bin := binary(t)
	plugintest.Smoke(t, bin)
	var logs bytes.Buffer
	var mu sync.Mutex
	conn, err := client.Launch(client.Config{Path: bin, Logger: hclog.New(&hclog.LoggerOptions{Output: lockedWriter{&mu, &logs}, Level: hclog.Trace})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	f := tencent.New(t)
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "tencent-sms", Config: config(f), Secrets: secrets(f),
		To: "+86 138-0000-0000", Text: conformanceText, Messages: 30, Bad: sdk.Config{"endpoint": "https://sms.example.com/"}})
	checkConformanceSends(t, f, res, 30)
	// A wrong key through the binary: the error names the problem and
	// neither it nor the plugin's log holds a secret.
	bad := sdk.Secrets{"secret_id": f.SecretID, "secret_key": "wrong-" + f.SecretKey}
	err = conn.Check(context.Background(), "tencent-sms", config(f), bad)
	if err == nil || !strings.Contains(err.Error(), "AuthFailure.SignatureFailure") {
		t.Errorf("Check with a wrong key: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range []string{f.SecretKey, f.SecretID, bad["secret_key"]} {
		if strings.Contains(logs.String(), s) || (err != nil && strings.Contains(err.Error(), s)) {
			t.Errorf("a secret appears in the plugin's log or error")
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// plugin.json is a template the build fills in: everything but the binary
// hash must already be right, and agree with the code.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	p := plugin()
	if m.ID != p.ID || m.Version != p.Version || !slices.Equal(m.Kinds, p.Kinds()) || !slices.Equal(m.Fields, channel{}.Spec().Fields) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	if !slices.Equal(m.NetworkHosts, []string{apiHost}) {
		t.Errorf("network hosts %v", m.NetworkHosts)
	}
	if err := m.Validate(); err == nil || err.Error() != "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits" {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}

func TestValidate(t *testing.T) {
	good := sdk.Config{"sdk_app_id": "1400006666", "template_id": "100001", "sign_name": "腾讯云"}
	with := func(kv ...string) sdk.Config {
		c := sdk.Config{}
		for k, v := range good {
			c[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return channel{}.Spec().WithDefaults(c)
	}
	if errs := (channel{}).Validate(with()); len(errs) != 0 {
		t.Errorf("good config: %v", errs)
	}
	for _, c := range []struct {
		cfg          sdk.Config
		field, words string
	}{
		{with("sdk_app_id", "app"), "sdk_app_id", "numeric SdkAppId"},
		{with("template_id", "SMS_123"), "template_id", "numeric ID"},
		{with("sign_name", ""), "sign_name", "required to send to numbers in mainland China"},
		{with("sign_name", "【腾讯云】"), "sign_name", "without the 【】"},
		{with("sign_name", "a"), "sign_name", "2 to 12"},
		{with("region", "Atlantis"), "region", "not a country"},
		{with("template_text", "Hi {1}, {3}"), "template_text", "{2} is missing"},
		{with("template_text", "Hi {0}"), "template_text", "{0} is not one of"},
		{with("timeout", "-1s"), "timeout", "longer than zero"},
		{with("endpoint", "https://sms.tencentcloudapi.com.evil.example/"), "endpoint", "only a local test server may replace sms.tencentcloudapi.com"},
		{with("endpoint", "https://10.0.0.1:8443/"), "endpoint", "only a local test server"},
	} {
		errs := channel{}.Validate(c.cfg)
		if len(errs) != 1 || errs[0].Field != c.field || !strings.Contains(errs[0].Message, c.words) {
			t.Errorf("%v: %v", c.cfg, errs)
		}
	}
	// No sign is fine when the default country is not mainland China.
	if errs := (channel{}).Validate(with("sign_name", "", "region", "HK")); len(errs) != 0 {
		t.Errorf("HK without a sign: %v", errs)
	}
	for _, e := range []string{"http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9/"} {
		if errs := (channel{}).Validate(with("endpoint", e)); len(errs) != 0 {
			t.Errorf("endpoint %s: %v", e, errs)
		}
	}
	if _, err := (channel{}).Open(context.Background(), with("endpoint", "https://example.com/"), sdk.Secrets{"secret_id": "a", "secret_key": "b"}); err == nil ||
		!strings.Contains(err.Error(), "only a local test server") {
		t.Errorf("Open with a remote endpoint: %v", err)
	}
	if _, err := (channel{}).Open(context.Background(), with(), sdk.Secrets{"secret_id": "a"}); err == nil {
		t.Error("Open without a SecretKey")
	}
}

func TestCheck(t *testing.T) {
	f := tencent.New(t)
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	if err := conn.Check(ctx, "tencent-sms", config(f), secrets(f)); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if n := f.Requests("SmsPackagesStatistics"); n != 1 || len(f.Sent()) != 0 {
		t.Errorf("Check made %d SmsPackagesStatistics calls and sent %d messages", n, len(f.Sent()))
	}
	for _, c := range []struct {
		name    string
		cfg     sdk.Config
		secrets sdk.Secrets
		words   string
	}{
		{"wrong key", config(f), sdk.Secrets{"secret_id": f.SecretID, "secret_key": "nope"}, "AuthFailure.SignatureFailure"},
		{"unknown id", config(f), sdk.Secrets{"secret_id": "AKIDunknown", "secret_key": f.SecretKey}, "AuthFailure.SecretIdNotFound"},
		{"other app", config(f, "sdk_app_id", "1400000001"), secrets(f), "check sdk_app_id"},
	} {
		err := conn.Check(ctx, "tencent-sms", c.cfg, c.secrets)
		if err == nil || !strings.Contains(err.Error(), c.words) || strings.Contains(err.Error(), f.SecretKey) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
