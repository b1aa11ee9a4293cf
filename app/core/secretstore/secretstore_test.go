package secretstore

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
)

// Through the real Secret Service (a private GNOME Keyring): a credential
// is saved, read, listed by name and deleted; projects do not see each
// other's; the index holds names, never values.
func TestKeyringSetGetListDelete(t *testing.T) {
	keyringtest.Start(t)
	hook := Name{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "authorization"}
	sms := Name{Plugin: "marketbench.org/aliyun-sms", Field: "access_key_secret"}
	if err := Set("p1", hook, "Bearer s3cret-value"); err != nil {
		t.Fatal(err)
	}
	if err := Set("p1", sms, "other-value"); err != nil {
		t.Fatal(err)
	}
	if err := Set("p1", hook, "Bearer new-value"); err != nil { // replaces
		t.Fatal(err)
	}
	if v, ok, err := Get("p1", hook); err != nil || !ok || v != "Bearer new-value" {
		t.Fatalf("Get = %q, %v, %v", v, ok, err)
	}
	// The entry is in the keyring under the service name, as any keyring
	// tool shows it.
	if v, err := keyring.Get(Service, "p1|marketbench.org/webhook|webhook|authorization"); err != nil || v != "Bearer new-value" {
		t.Errorf("the keyring entry: %q, %v", v, err)
	}
	if _, ok, err := Get("p2", hook); ok || err != nil {
		t.Errorf("another project reads p1's credential: %v %v", ok, err)
	}
	names, err := List("p1")
	if err != nil || !slices.Equal(names, []Name{sms, hook}) {
		t.Fatalf("List = %v, %v", names, err)
	}
	if idx, _ := keyring.Get(Service, "p1|index"); strings.Contains(idx, "value") || !strings.Contains(idx, "authorization") {
		t.Errorf("the index holds %q", idx)
	}
	if err := Delete("p1", hook); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Get("p1", hook); ok {
		t.Error("deleted, still read")
	}
	if err := Delete("p1", hook); !errors.Is(err, ErrNotSaved) {
		t.Errorf("deleting again: %v", err)
	}
	if names, _ := List("p1"); !slices.Equal(names, []Name{sms}) {
		t.Errorf("after delete: %v", names)
	}
	Delete("p1", sms)
	if _, err := keyring.Get(Service, "p1|index"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("an empty index is left behind: %v", err)
	}
	for _, bad := range []Name{{Plugin: "a|b", Field: "f"}, {Plugin: "p", Field: ""}, {Plugin: "p", Component: "*", Field: "f"}} {
		if err := Set("p1", bad, "v"); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// Without a keyring (no session bus), saving fails in words that say what
// to use instead, and reading finds nothing without an error a caller
// must stop for (errors.Is ErrUnavailable).
func TestNoKeyring(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	n := Name{Plugin: "marketbench.org/webhook", Component: "webhook", Field: "authorization"}
	err := Set("p1", n, "Bearer s3cret-value")
	if !errors.Is(err, ErrUnavailable) || err.Error() != "no system keyring is available here: there is no desktop session (D-Bus) to reach one; use MARKETBENCH_SECRET_AUTHORIZATION instead" {
		t.Errorf("Set without a keyring: %v", err)
	}
	if _, ok, err := Get("p1", n); ok || !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get without a keyring: %v %v", ok, err)
	}
	if _, err := List("p1"); !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("List without a keyring: %v", err)
	}
}

// Another computer (another user's keyring) holds nothing under the same
// project id: the credentials never travel with the project file.
func TestOtherKeyringHasNothing(t *testing.T) {
	n := Name{Plugin: "marketbench.org/webhook", Field: "secret"}
	t.Run("here", func(t *testing.T) {
		keyringtest.Start(t)
		if err := Set("p1", n, "v1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("elsewhere", func(t *testing.T) {
		keyringtest.Start(t)
		if names, err := List("p1"); err != nil || len(names) != 0 {
			t.Errorf("List = %v, %v", names, err)
		}
		if _, ok, err := Get("p1", n); ok || err != nil {
			t.Errorf("Get: %v %v", ok, err)
		}
	})
}

// A locked keyring (nothing can show the unlock prompt here) and a session
// with no keyring service: saving says which, at once; reading finds
// nothing and says it is unavailable, so callers fall through.
func TestLockedOrMissingKeyring(t *testing.T) {
	n := Name{Plugin: "marketbench.org/webhook", Field: "secret"}
	t.Run("locked", func(t *testing.T) {
		keyringtest.Start(t)
		if err := Set("p1", n, "v1"); err != nil {
			t.Fatal(err)
		}
		keyringtest.Lock(t)
		if _, ok, err := Get("p1", n); ok || !errors.Is(err, ErrUnavailable) {
			t.Errorf("Get from a locked keyring: %v %v", ok, err)
		}
		if err := Set("p1", n, "v2"); err == nil ||
			err.Error() != "no system keyring is available here: the keyring is locked; use MARKETBENCH_SECRET_SECRET instead" {
			t.Errorf("Set in a locked keyring: %v", err)
		}
	})
	t.Run("no service", func(t *testing.T) {
		keyringtest.StartBusOnly(t)
		if err := Set("p1", n, "v1"); err == nil ||
			err.Error() != "no system keyring is available here: no keyring service (such as GNOME Keyring or KWallet) is running; use MARKETBENCH_SECRET_SECRET instead" {
			t.Errorf("Set without a keyring service: %v", err)
		}
		if _, ok, err := Get("p1", n); ok || !errors.Is(err, ErrUnavailable) {
			t.Errorf("Get without a keyring service: %v %v", ok, err)
		}
	})
}
