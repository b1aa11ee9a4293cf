package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/plugins/host"
)

// A campaign in the GUI through the bundled webhook plugin to a local HTTP
// server: enable and set up the channel on the Plugins screen, test the
// connection, create the campaign, dry run, send live; every consenting
// customer arrives once.
func TestCampaignWebhookGUI(t *testing.T) {
	withBundled(t, "webhook")
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			mu.Lock()
			got[r.Header.Get("Idempotency-Key")]++
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	w, p := open(t, shop(t))
	p.goTo("Plugins")
	idle(t, p)
	s := p.plugins
	i := slices.IndexFunc(s.list, func(pi core.PluginInfo) bool {
		return pi.Manifest != nil && pi.Manifest.ID == "marketbench.org/webhook"
	})
	if i < 0 {
		t.Fatalf("the bundled webhook is not listed: %v", s.grid.rows)
	}
	s.grid.table.Select(widget.TableCellID{Row: i})
	test.Tap(s.enableBtn)
	tapDialogButton(t, w, "Enable")
	idle(t, p)
	noDialog(t, w, "enabling")
	if s.form == nil {
		t.Fatalf("no channel form: %q", s.chanNote.Text)
	}
	s.form.setValue("url", srv.URL+"/hook")
	test.Tap(s.testBtn)
	idle(t, p)
	noDialog(t, w, "the connection test")
	if strings.Contains(strings.ToLower(s.testResult.Text), "fail") || s.testResult.Text == "" {
		t.Fatalf("connection test: %q", s.testResult.Text)
	}

	// Settings that pass the test are saved in the project.
	if cfg, _ := p.ws.ChannelSettings(context.Background(), "marketbench.org/webhook", "webhook"); cfg["url"] != srv.URL+"/hook" {
		t.Errorf("saved settings %v", cfg)
	}
	p.goTo("Campaigns")
	idle(t, p)
	c, e := p.campaigns, p.campaigns.editor
	fillCampaign(t, e, "Hook", "Take 20% off, {{.first_name}}.")
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "saving")
	c.tabs.SelectIndex(1)
	test.Tap(c.preview.btn)
	idle(t, p)
	sendable := contacted(c.preview.last)
	c.tabs.SelectIndex(2)
	test.Tap(c.send.sendBtn) // the default: a dry run
	idle(t, p)
	if len(got) != 0 {
		t.Fatal("the dry run sent messages")
	}
	c.send.mode.SetSelected(modeLive)
	test.Tap(c.send.sendBtn)
	idle(t, p)
	tapDialogButton(t, w, fmt.Sprintf("Send to %d customers", sendable))
	idle(t, p)
	noDialog(t, w, "the live send")
	mu.Lock()
	defer mu.Unlock()
	if sendable == 0 || len(got) != sendable {
		t.Fatalf("the server got %d customers, want %d", len(got), sendable)
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s arrived %d times", k, n)
		}
	}
}

// withBundled builds the named first-party plugins as the app bundles
// them and points the test's plugin folders (bundled, installed, logs) at
// temporary ones. It returns the temporary folder.
func withBundled(t *testing.T, names ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds plugins")
	}
	dir := t.TempDir()
	bundled := filepath.Join(dir, "bundled")
	if _, err := host.Bundle("../../plugins", bundled, names...); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, filepath.Join(dir, "user"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	return dir
}
