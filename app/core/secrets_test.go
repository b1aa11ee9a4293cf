package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// hookReceiver records the Authorization header of every request and
// whether its body was signed with signKey.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	auth   []string
	signed int
	check  string // the Authorization of the last connection check
}

func newHookReceiver(t *testing.T, signKey string) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.mu.Lock()
			h.check = r.Header.Get("Authorization") // the connection check
			h.mu.Unlock()
			return
		}
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(signKey))
		mac.Write(body)
		h.mu.Lock()
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		if r.Header.Get("X-Marketbench-Signature") == "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			h.signed++
		}
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) checked() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.check
}

// take returns the Authorization headers seen since the last take (sorted
// and de-duplicated) and how many requests were signed.
func (h *hookReceiver) take() ([]string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	a, n := slices.Compact(slices.Sorted(slices.Values(h.auth))), h.signed
	h.auth, h.signed = nil, 0
	return a, n
}

// A channel secret saved in the real system keyring (a private GNOME
// Keyring) is found by test sends, live sends, the connection check and
// the journey runner, with no value given: the webhook's Authorization
// header (saved for the channel) and its signing key (saved for every
// channel of the plugin) reach the receiver. A value given now beats the
// environment, which beats the keyring. The value is never in the audit
// log or the project file; deleting the credential stops its use.
func TestKeyringSecretsReachSendsAndJourneys(t *testing.T) {
	keyringtest.Start(t)
	ctx := context.Background()
	w := journeyProject(t, 10)
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	const auth, key = "Bearer kr-7f3a9c-from-the-keyring", "kr-signing-9d1e"
	hook := newHookReceiver(t, key)
	authCred := Credential{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "authorization"}
	keyCred := Credential{Plugin: "marketbench.org/webhook", Field: "secret"}
	if err := w.SaveSecret(ctx, authCred, auth); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveSecret(ctx, keyCred, key); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveSecret(ctx, Credential{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "url"}, "x"); err == nil ||
		err.Error() != `"url" is not a secret setting of marketbench.org/webhook; its secret settings are: secret, authorization` {
		t.Errorf("saving a plain setting: %v", err)
	}
	if saved, err := w.SavedSecrets(ctx); err != nil || !slices.Equal(saved, []Credential{keyCred, authCred}) {
		t.Errorf("saved: %v, %v", saved, err)
	}

	c := &campaign.Campaign{Name: "Hook", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": hook.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	testSend := func(given sdk.Secrets) []string {
		t.Helper()
		if _, err := w.SendCampaign(ctx, "Hook", SendOptions{Mode: campaign.TestSend, TestTo: "me@example.com", Secrets: given}, nil); err != nil {
			t.Fatal(err)
		}
		got, signed := hook.take()
		if signed != 1 {
			t.Errorf("%d of the test messages signed with the saved key", signed)
		}
		return got
	}
	if got := testSend(nil); !slices.Equal(got, []string{auth}) {
		t.Errorf("a test send with the keyring: Authorization %q", got)
	}
	if got := testSend(sdk.Secrets{"authorization": "Bearer typed-now"}); !slices.Equal(got, []string{"Bearer typed-now"}) {
		t.Errorf("a value given now: Authorization %q", got)
	}
	t.Setenv("MARKETBENCH_SECRET_AUTHORIZATION", "Bearer from-the-environment")
	if got := testSend(nil); !slices.Equal(got, []string{"Bearer from-the-environment"}) {
		t.Errorf("with the environment variable: Authorization %q", got)
	}
	os.Unsetenv("MARKETBENCH_SECRET_AUTHORIZATION")
	if err := w.CheckChannel(ctx, "marketbench.org/webhook", "webhook", sdk.Config{"url": hook.URL}, nil); err != nil || hook.checked() != auth {
		t.Errorf("the connection check: %v, Authorization %q", err, hook.checked())
	}
	if rep, err := w.SendCampaign(ctx, "Hook", SendOptions{Mode: campaign.Live}, nil); err != nil || rep.Sent == 0 {
		t.Fatalf("live: %v %+v", err, rep)
	}
	if got, signed := hook.take(); !slices.Equal(got, []string{auth}) || signed == 0 {
		t.Errorf("a live send: Authorization %q, %d signed", got, signed)
	}

	// The journey runner, unattended, finds them too.
	t0 := time.Date(2026, 10, 1, 10, 0, 0, 0, time.Local)
	if err := w.SaveJourney(ctx, welcomeJourney(hook.URL), false, t0); err != nil {
		t.Fatal(err)
	}
	mustRun(t, w, t0) // the baseline: September's buyers are not new
	appendOrders(t, w, "N1,C000,2026-10-01,5", "N2,C003,2026-10-01,5")
	if rep := mustRun(t, w, t0.Add(time.Hour)); rep.Sent != 2 {
		t.Fatalf("the journey sent %d, want 2", rep.Sent)
	}
	if got, signed := hook.take(); !slices.Equal(got, []string{auth}) || signed == 0 {
		t.Errorf("a journey send: Authorization %q, %d signed", got, signed)
	}

	// Deleted: sends go without it.
	if err := w.DeleteSecret(ctx, authCred); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteSecret(ctx, authCred); err == nil || !strings.Contains(err.Error(), "is not saved") {
		t.Errorf("deleting twice: %v", err)
	}
	if got := testSend(nil); !slices.Equal(got, []string{""}) {
		t.Errorf("after delete: Authorization %q", got)
	}

	// Names in the audit log, values nowhere in the project.
	log, err := w.AuditLog(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "secret") {
			actions = append(actions, e.Action+" "+e.Target)
		}
		for _, v := range []string{auth, key} {
			if strings.Contains(e.Target+e.Detail, v) {
				t.Errorf("the audit log holds the value: %+v", e)
			}
		}
	}
	if want := []string{"secret delete marketbench.org/webhook/webhook authorization", "secret set marketbench.org/webhook/* secret",
		"secret set marketbench.org/webhook/webhook authorization"}; !slices.Equal(actions, want) {
		t.Errorf("audit: %q, want %q", actions, want)
	}
	path := w.Path
	w.Close()
	// A copy of the file on this computer finds the same credentials.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "copy.mbproj")
	os.WriteFile(copied, b, 0o644)
	cw, err := Open(copied)
	if err != nil {
		t.Fatal(err)
	}
	if saved, err := cw.SavedSecrets(ctx); err != nil || !slices.Equal(saved, []Credential{keyCred}) {
		t.Errorf("the copy's saved credentials: %v %v", saved, err)
	}
	cw.Close()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, v := range []string{auth, key} {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds a secret value", f)
			}
		}
	}
}

// Where no keyring can be reached, saving says so and what to use
// instead, and sends read the environment variable as before.
func TestNoKeyringFallsBackToEnvironment(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	ctx := context.Background()
	w := journeyProject(t, 5)
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	hook := newHookReceiver(t, "")
	err := w.SaveSecret(ctx, Credential{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "authorization"}, "Bearer nowhere")
	if !errors.Is(err, ErrNoKeyring) || err.Error() != "no system keyring is available here: there is no desktop session (D-Bus) to reach one; use MARKETBENCH_SECRET_AUTHORIZATION instead" {
		t.Fatalf("saving without a keyring: %v", err)
	}
	if saved, err := w.SavedSecrets(ctx); len(saved) != 0 || !errors.Is(err, ErrNoKeyring) {
		t.Errorf("listing without a keyring: %v %v", saved, err)
	}
	c := &campaign.Campaign{Name: "Hook", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook", Component: "webhook",
		Config: sdk.Config{"url": hook.URL}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MARKETBENCH_SECRET_AUTHORIZATION", "Bearer from-the-environment")
	if _, err := w.SendCampaign(ctx, "Hook", SendOptions{Mode: campaign.TestSend, TestTo: "me@example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := hook.take(); !slices.Equal(got, []string{"Bearer from-the-environment"}) {
		t.Errorf("Authorization %q", got)
	}
}
