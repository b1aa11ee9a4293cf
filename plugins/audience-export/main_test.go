package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// SHA-256 of the normalised values, computed outside Go with
// printf '%s' VALUE | sha256sum, so the test shares no code with the plugin.
const (
	hGoogleJohn = "9899f62d99e7d155e829cb5b52465aa399f5087e4e473a54931a6efd57d74903" // johndoe+ads@gmail.com
	hMetaJohn   = "b678c9794a2b91a080d1c7d114d8b08333ee3dfd616eb43f22ad24f642e2edb2" // john.doe+ads@gmail.com
	hPlusUK     = "f0bf0228144d9fe2bdf1da2d8ca698f17bf1410ee688b075c27062e47b6f0b6d" // +442079460958
	hDigitsUK   = "35e206e5dec4c89b9e8b71b8c32724a5bb518483ac5a20c6617d738375b3b823" // 442079460958
	hAda        = "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72" // ada@example.com
	hAB         = "69b1e95a1baa94735a71655d451f4ba7329dafa66d2dfbe2e0b479c7dd159e54" // a.b@example.org
	hUS         = "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4" // +14155550123
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestManifestMatchesPlugin(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The template's sha256 is filled by the release build; a stand-in
	// lets the rest of the manifest be validated.
	for k, bin := range m.Binaries {
		if bin.SHA256 != "" {
			t.Errorf("%s: the template should leave sha256 empty", k)
		}
		bin.SHA256 = strings.Repeat("0", 64)
		m.Binaries[k] = bin
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	spec := Plugin.Channels[0].Spec()
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) ||
		!slices.Equal(m.Fields, spec.Fields) || len(m.NetworkHosts) != 0 || m.Binaries["linux/amd64"].Path != "audience-export" {
		t.Errorf("manifest %+v does not match the plugin", m)
	}
}

func conformance(t *testing.T, conn *client.Conn) {
	out := filepath.Join(t.TempDir(), "audience.csv")
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "customer-match",
		Config: sdk.Config{"path": out, "default_country_code": "44"}, To: "Ada@Example.com ",
		Messages: 25, Bad: sdk.Config{"path": "relative.csv"}})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	// Two rounds of the same 25 messages: the resend wrote nothing.
	rows := readCSV(t, out)
	if len(rows) != 26 || !slices.Equal(rows[0], []string{"Email", "Phone"}) || !slices.Equal(rows[1], []string{hAda, ""}) {
		t.Errorf("%d rows, first %v", len(rows), rows[:min(2, len(rows))])
	}
	if errs, _ := conn.ValidateConfig(context.Background(), "customer-match", sdk.Config{"path": out, "default_country_code": "044"}); len(errs) != 1 {
		t.Errorf("a bad country code: %v", errs)
	}
	if errs, _ := conn.ValidateConfig(context.Background(), "customer-match", sdk.Config{"path": out, "format": "tiktok"}); len(errs) != 1 {
		t.Errorf("a bad format: %v", errs)
	}
}

func TestConformanceInProcess(t *testing.T) {
	conformance(t, plugintest.InProcess(t, Plugin))
}

func TestConformanceBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	// An absolute folder: plugintest.Build names the binary after
	// filepath.Base(dir), which for "." is the temporary folder itself.
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	conformance(t, plugintest.Launch(t, bin))
}

type sent struct {
	id, email, phone string
}

// export sends msgs through a real session and returns the results by id;
// before closing it checks that nothing exists under the target name.
func export(t *testing.T, conn *client.Conn, cfg sdk.Config, msgs []sent) map[string]sdk.Result {
	t.Helper()
	ctx := context.Background()
	s, err := conn.Open(ctx, "customer-match", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ms []sdk.Message
	for _, m := range msgs {
		ms = append(ms, sdk.Message{ID: m.id, IdempotencyKey: "k-" + m.id, Fields: map[string]string{"email": m.email, "phone": m.phone}})
	}
	got := map[string]sdk.Result{}
	if err := s.Send(ctx, ms, func(id string, r sdk.Result) error { got[id] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	path := cfg["path"]
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s exists before Close: %v", path, err)
	}
	tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp"))
	if len(tmp) != 1 {
		t.Errorf("want one temporary file while the session is open, have %v", tmp)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(tmp) != 0 {
		t.Errorf("temporary files left after Close: %v", tmp)
	}
	return got
}

var tricky = []sent{
	{"john", "  John.Doe+ads@GMail.com ", "+44 (0)20 7946 0958"},
	{"national", "a.b@example.org", "020 7946 0958"},
	{"phone-only", "", "0044 20 7946 0958"},
	{"us", "not-an-email", "+1 (415) 555-0123"},
	{"nothing", "nobody@", "12ab"},
	{"empty", "", ""},
	{"short", "x@y", "+44 12"},
}

func TestHashesGoogle(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	out := filepath.Join(t.TempDir(), "google.csv")
	res := export(t, conn, sdk.Config{"path": out, "format": "google", "include_phone": "true", "default_country_code": "44"}, tricky)
	for _, id := range []string{"john", "national", "phone-only", "us"} {
		if res[id].Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, res[id])
		}
	}
	for id, want := range map[string][]string{
		"nothing": {`"nobody@" has no valid domain`, `"12ab" contains 'a'`},
		"empty":   {"no e-mail address", "no phone number"},
		"short":   {`"x@y" has no valid domain`, `"+44 12" is not a valid international number`},
	} {
		r := res[id]
		if r.Outcome != sdk.OutcomeRejected {
			t.Errorf("%s: %+v, want rejected", id, r)
		}
		for _, w := range want {
			if !strings.Contains(r.Reason, w) {
				t.Errorf("%s: reason %q lacks %q", id, r.Reason, w)
			}
		}
	}
	want := [][]string{
		{"Email", "Phone"},
		{hGoogleJohn, hPlusUK},
		{hAB, hPlusUK}, // national number + default country code: the same hash
		{"", hPlusUK},
		{"", hUS},
	}
	if got := readCSV(t, out); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("file\n%v\nwant\n%v", got, want)
	}
}

func TestHashesMeta(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	out := filepath.Join(t.TempDir(), "meta.csv")
	export(t, conn, sdk.Config{"path": out, "format": "meta", "default_country_code": "+44"}, tricky[:2])
	want := [][]string{{"email", "phone"}, {hMetaJohn, hDigitsUK}, {hAB, hDigitsUK}}
	if got := readCSV(t, out); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("file\n%v\nwant\n%v", got, want)
	}
}

func TestEmailOnly(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	out := filepath.Join(t.TempDir(), "emails.csv")
	res := export(t, conn, sdk.Config{"path": out, "include_phone": "false"}, []sent{
		{"john", "  John.Doe+ads@GMail.com ", "+44 20 7946 0958"},
		// Without phones in the export, a phone alone is no identifier.
		{"phone-only", "", "+44 20 7946 0958"},
	})
	if r := res["phone-only"]; r.Outcome != sdk.OutcomeRejected || !strings.Contains(r.Reason, "no e-mail address") {
		t.Errorf("phone-only: %+v", r)
	}
	want := [][]string{{"Email"}, {hGoogleJohn}}
	if got := readCSV(t, out); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("file\n%v\nwant\n%v", got, want)
	}
}

// A national number with no default country code cannot be put in E.164.
func TestNoCountryCode(t *testing.T) {
	if _, err := normalisePhone("020 7946 0958", ""); err == nil || !strings.Contains(err.Error(), "no default country code") {
		t.Errorf("national number without a country: %v", err)
	}
	if p, err := normalisePhone("+44 (0)20 7946 0958", ""); err != nil || p != "+442079460958" {
		t.Errorf("international number: %q %v", p, err)
	}
}
