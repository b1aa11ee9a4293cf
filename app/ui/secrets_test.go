package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// The send step's secrets with "Remember in the system keyring" (a real,
// private GNOME Keyring): a test send saves the typed Authorization
// header, the field then shows it is saved (the value stays in the
// keyring), and the next send uses it with nothing typed. Settings lists
// it by name and deletes it.
func TestSendRemembersSecretsInKeyring(t *testing.T) {
	withBundled(t, "webhook")
	keyringtest.Start(t)
	const value = "Bearer ui-4c2d-remembered"
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			auth = append(auth, r.Header.Get("Authorization"))
			mu.Unlock()
		}
	}))
	defer srv.Close()
	seen := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := slices.Compact(slices.Sorted(slices.Values(auth)))
		auth = nil
		return out
	}
	ctx := context.Background()
	ws := shop(t)
	if _, err := ws.EnablePlugin(ctx, "marketbench.org/webhook"); err != nil {
		t.Fatal(err)
	}
	if err := ws.SaveCampaign(ctx, &campaign.Campaign{Name: "Hook", Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/webhook",
		Component: "webhook", Config: sdk.Config{"url": srv.URL},
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello."}}}, false); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Campaigns")
	idle(t, p)
	c := p.campaigns
	c.show("Hook")
	idle(t, p)
	v := c.send
	if v.secrets == nil || v.remember == nil {
		t.Fatal("the send step asks for no secrets")
	}
	authEntry := v.secrets.widgets["authorization"].(*widget.Entry)
	if !authEntry.Password || authEntry.PlaceHolder != "" {
		t.Fatalf("before saving: password %v, placeholder %q", authEntry.Password, authEntry.PlaceHolder)
	}
	v.mode.SetSelected(modeTest)
	v.testTo.SetText("me@example.com")
	v.secrets.setValue("authorization", value)
	test.Tap(v.remember)
	test.Tap(v.sendBtn)
	idle(t, p)
	noDialog(t, w, "the test send")
	if got := seen(); !slices.Equal(got, []string{value}) {
		t.Fatalf("the test send's Authorization: %q", got)
	}
	if saved, err := ws.SavedSecrets(ctx); err != nil || !slices.Equal(saved, []core.Credential{{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "authorization"}}) {
		t.Fatalf("saved: %v %v", saved, err)
	}
	if authEntry.Text != "" || !strings.Contains(authEntry.PlaceHolder, "saved in the system keyring") || v.remember.Checked {
		t.Errorf("after saving: text %q, placeholder %q, remember %v", authEntry.Text, authEntry.PlaceHolder, v.remember.Checked)
	}
	// Nothing typed: the keyring's value goes.
	test.Tap(v.sendBtn)
	idle(t, p)
	if got := seen(); !slices.Equal(got, []string{value}) {
		t.Fatalf("the second test send's Authorization: %q", got)
	}
	// Another campaign view of the same channel shows it saved.
	c.show("")
	c.show("Hook")
	idle(t, p)
	if e := v.secrets.widgets["authorization"].(*widget.Entry); !strings.Contains(e.PlaceHolder, "saved in the system keyring") {
		t.Errorf("reopened: placeholder %q", e.PlaceHolder)
	}

	p.goTo("Settings")
	idle(t, p)
	cp := p.settings.creds
	if !strings.Contains(texts(cp.content), "marketbench.org/webhook/webhook: authorization") || strings.Contains(texts(cp.content), "ui-4c2d") {
		t.Fatalf("Saved credentials: %q", texts(cp.content))
	}
	test.Tap(button(t, cp.content, "Delete"))
	idle(t, p)
	if saved, _ := ws.SavedSecrets(ctx); len(saved) != 0 || !strings.Contains(texts(cp.content), "None saved") {
		t.Errorf("after Delete: %v, %q", saved, texts(cp.content))
	}
}

// texts is the label text under o, one label a line.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	find(o, func(l *widget.Label) bool { b.WriteString(l.Text + "\n"); return false })
	return b.String()
}
