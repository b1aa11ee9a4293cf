// Package secretstore keeps channel credentials (API keys, passwords,
// tokens) in the operating system's keyring: the Secret Service over D-Bus
// on Linux (GNOME Keyring, KWallet), the Keychain on macOS, the Credential
// Manager on Windows. A credential belongs to a project, a plugin, a
// channel of it (or all of its channels) and one of its secret fields.
//
// Values are never logged and never part of an error. The keyring has no
// way to list what one program stored, so the names a project saved (never
// their values) are kept in one more keyring entry, the project's index:
// the list then always says what this machine's keyring holds, whichever
// project file is open.
package secretstore

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Service is the keyring's service name for every Marketbench credential.
const Service = "Marketbench"

// Name names one saved credential of a project (never its value).
type Name struct {
	Plugin string `json:"plugin"`
	// Component is the plugin's channel; empty means every channel of
	// the plugin.
	Component string `json:"component,omitempty"`
	Field     string `json:"field"`
}

// EnvVar is the environment variable that gives a secret field's value
// instead of the keyring: MARKETBENCH_SECRET_<FIELD>.
func EnvVar(field string) string { return "MARKETBENCH_SECRET_" + strings.ToUpper(field) }

// ErrUnavailable is matched (errors.Is) by every error that means the
// keyring cannot be used here: no Secret Service running, no D-Bus
// session, a locked keyring, a keyring that does not answer.
var ErrUnavailable = errors.New(i18n.Mark("no system keyring is available here"))

// ErrNotSaved is returned by Delete for a credential that is not saved.
var ErrNotSaved = errors.New(i18n.Mark("no such credential is saved"))

// Timeout bounds one keyring call. Unlocking a keyring may ask the user
// for a password, so it is generous; a keyring that does not answer
// within it counts as unavailable. Reads remember such a timeout for a
// minute, so an unattended run does not wait once per message batch.
var Timeout = time.Minute

var (
	mu        sync.Mutex // one read-modify-write of an index at a time
	slowMu    sync.Mutex
	slowUntil time.Time
)

const sep = "|"

func account(project string, n Name) string {
	comp := n.Component
	if comp == "" {
		comp = "*"
	}
	return strings.Join([]string{project, n.Plugin, comp, n.Field}, sep)
}

func indexAccount(project string) string { return project + sep + "index" }

// check refuses names the account could not tell apart.
func check(project string, n Name) error {
	if project == "" {
		return i18n.Errorf("the project has no id for its saved credentials")
	}
	if strings.TrimSpace(n.Plugin) == "" || strings.TrimSpace(n.Field) == "" {
		return i18n.Errorf("name the plugin and the field of the credential")
	}
	for _, s := range []string{n.Plugin, n.Component, n.Field} {
		if strings.ContainsAny(s, sep+" \t\r\n") || s == "*" {
			return i18n.Errorf("%q cannot be part of a credential's name", s)
		}
	}
	return nil
}

// Set saves a credential's value, replacing any earlier one.
func Set(project string, n Name, value string) error {
	if err := check(project, n); err != nil {
		return err
	}
	if value == "" {
		return i18n.Errorf("the value is empty: nothing was saved")
	}
	mu.Lock()
	defer mu.Unlock()
	names, err := index(project)
	if err != nil {
		return unavailable(err, EnvVar(n.Field))
	}
	if err := call(func() error { return keyring.Set(Service, account(project, n), value) }); err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return i18n.Errorf("the value is too long for the system keyring")
		}
		return unavailable(err, EnvVar(n.Field))
	}
	if !slices.Contains(names, n) {
		if err := writeIndex(project, append(names, n)); err != nil {
			return unavailable(err, EnvVar(n.Field))
		}
	}
	return nil
}

// Get reads a credential. ok is false when it is not saved; err is
// ErrUnavailable (wrapped) when the keyring cannot be read.
func Get(project string, n Name) (value string, ok bool, err error) {
	if check(project, n) != nil {
		return "", false, nil
	}
	slowMu.Lock()
	slow := time.Now().Before(slowUntil)
	slowMu.Unlock()
	if slow {
		return "", false, unavailable(errTimeout, EnvVar(n.Field))
	}
	err = call(func() (err error) {
		value, err = keyring.Get(Service, account(project, n))
		return err
	})
	switch {
	case err == nil:
		return value, true, nil
	case errors.Is(err, keyring.ErrNotFound):
		return "", false, nil
	case errors.Is(err, errTimeout):
		slowMu.Lock()
		slowUntil = time.Now().Add(time.Minute)
		slowMu.Unlock()
	}
	return "", false, unavailable(err, EnvVar(n.Field))
}

// Delete removes a saved credential.
func Delete(project string, n Name) error {
	if err := check(project, n); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	names, err := index(project)
	if err != nil {
		return unavailable(err, EnvVar(n.Field))
	}
	err = call(func() error { return keyring.Delete(Service, account(project, n)) })
	gone := errors.Is(err, keyring.ErrNotFound)
	if err != nil && !gone {
		return unavailable(err, EnvVar(n.Field))
	}
	if i := slices.Index(names, n); i >= 0 {
		if err := writeIndex(project, slices.Delete(names, i, i+1)); err != nil {
			return unavailable(err, EnvVar(n.Field))
		}
	} else if gone {
		return ErrNotSaved
	}
	return nil
}

// List names the project's saved credentials, sorted.
func List(project string) ([]Name, error) {
	if project == "" {
		return nil, nil
	}
	names, err := index(project)
	if err != nil {
		return nil, unavailable(err, "MARKETBENCH_SECRET_<NAME>")
	}
	slices.SortFunc(names, func(a, b Name) int {
		return cmp.Or(strings.Compare(a.Plugin, b.Plugin), strings.Compare(a.Component, b.Component), strings.Compare(a.Field, b.Field))
	})
	return names, nil
}

func index(project string) ([]Name, error) {
	var raw string
	err := call(func() (err error) {
		raw, err = keyring.Get(Service, indexAccount(project))
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return []Name{}, nil
	}
	if err != nil {
		return nil, err
	}
	names := []Name{}
	if json.Unmarshal([]byte(raw), &names) != nil {
		// A damaged index lists nothing; the credentials themselves
		// still work and the next Set writes a good one.
		return []Name{}, nil
	}
	return names, nil
}

func writeIndex(project string, names []Name) error {
	if len(names) == 0 {
		err := call(func() error { return keyring.Delete(Service, indexAccount(project)) })
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	}
	b, _ := json.Marshal(names)
	return call(func() error { return keyring.Set(Service, indexAccount(project), string(b)) })
}

var errTimeout = errors.New("timeout")

// call runs f with the Timeout: the Secret Service client waits forever
// for an unlock prompt nobody answers.
func call(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(Timeout):
		return errTimeout
	}
}

// unavailable turns a keyring failure into the user's words, with the
// environment variable to use instead. The keyring's own error text is
// left out: it says nothing a person can act on (and never holds a value).
func unavailable(err error, env string) error {
	return i18n.Errorf("%w: %s; use %s instead", ErrUnavailable, reason(err), env)
}

func reason(err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, errTimeout):
		return i18n.T("the keyring did not answer")
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return i18n.T("this system has no keyring Marketbench can use")
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "dismissed"):
		return i18n.T("the keyring is locked")
	case strings.Contains(msg, "session bus") || strings.Contains(msg, "dbus") && (strings.Contains(msg, "connect") || strings.Contains(msg, "address")) ||
		strings.Contains(msg, "no such file") || strings.Contains(msg, "connection refused"):
		return i18n.T("there is no desktop session (D-Bus) to reach one")
	case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "serviceunknown") || strings.Contains(msg, "not provided"):
		return i18n.T("no keyring service (such as GNOME Keyring or KWallet) is running")
	}
	return i18n.T("the keyring refused the request")
}
