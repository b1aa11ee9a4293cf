package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/marketbench/marketbench/app/core/secretstore"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// PseudonymKeyName is the keyring entry that holds a project's
// pseudonymisation key (32 random bytes, hex). It is made on first use
// and never leaves the keyring: without it, pseudonyms cannot be
// recomputed or linked to people.
var PseudonymKeyName = secretstore.Name{Plugin: "marketbench", Component: "privacy", Field: "pseudonym-key"}

// PseudonymPrefix starts every pseudonym, so one is never mistaken for
// an original identifier.
const PseudonymPrefix = "p_"

// PrivateExport says how an export protects the people in it.
type PrivateExport struct {
	// Pseudonymise replaces identifier values with keyed pseudonyms;
	// Lookup, if set, is a CSV file for value → pseudonym (personal data).
	Pseudonymise bool
	Lookup       string
	// Anonymise drops identifiers, generalises the quasi-identifiers and
	// refuses to write unless every class has K rows (and L distinct
	// values of Sensitive); Suppress drops the rows of smaller classes.
	Anonymise bool
	K, L      int
	Quasi     []string
	Sensitive string
	Suppress  bool
}

// Audit actions of private exports.
var (
	auditPseudonymised = i18n.Mark("export pseudonymised")
	auditAnonymised    = i18n.Mark("export anonymised")
)

// ExportPrivate writes a pseudonymised or anonymised export of a source
// (as Export takes it: a table, segment:NAME or sql:QUERY). A refusal
// (k not met, no keyring) writes nothing.
func (w *Workspace) ExportPrivate(ctx context.Context, source, path string, o PrivateExport) (*storage.PrivateReport, error) {
	if o.Pseudonymise == o.Anonymise {
		if o.Pseudonymise {
			return nil, i18n.Errorf("choose --anonymise or --pseudonymise, not both: an anonymised export drops identifiers, a pseudonymised one keeps them as pseudonyms")
		}
		return nil, i18n.Errorf("choose --anonymise or --pseudonymise")
	}
	if o.Lookup != "" && !o.Pseudonymise {
		return nil, i18n.Errorf("--keep-lookup goes with --pseudonymise")
	}
	so := storage.PrivateOptions{Anonymise: o.Anonymise, K: o.K, L: o.L, Quasi: o.Quasi, Sensitive: o.Sensitive, Suppress: o.Suppress, Lookup: o.Lookup}
	selectSQL, err := w.privateSource(ctx, source, &so)
	if err != nil {
		return nil, err
	}
	if o.Pseudonymise {
		key, err := w.pseudonymKey(ctx)
		if err != nil {
			return nil, err
		}
		so.Pseudonym = func(r storage.Role, v string) string { return Pseudonym(key, r, v) }
	}
	rep, err := w.Project.ExportPrivate(ctx, selectSQL, path, so)
	if err != nil {
		return nil, err
	}
	action := auditAnonymised
	if o.Pseudonymise {
		action = auditPseudonymised
	}
	return rep, w.Tx(ctx, func(tx *storage.Tx) error {
		return w.InTx(tx).Audit(ctx, tx, action, source, -1, rep.Rows, path)
	})
}

// privateSource is the SELECT of a source and, for a table, its roles.
func (w *Workspace) privateSource(ctx context.Context, source string, so *storage.PrivateOptions) (string, error) {
	selectSQL, ok := strings.CutPrefix(source, "sql:")
	if ok {
		so.UserQuery, so.Timeout = true, ExportTimeout
		return selectSQL, nil
	}
	selectSQL, err := w.exportSQL(ctx, source)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(source, "segment:") {
		if so.Roles, err = w.ColumnRoles(ctx, source); err != nil {
			return "", err
		}
	}
	return selectSQL, nil
}

// PrivateColumns lists a source's columns as a private export treats them:
// which name a person and which are quasi-identifiers by default, so a
// screen can offer the same defaults as the CLI.
func (w *Workspace) PrivateColumns(ctx context.Context, source string) ([]storage.PrivateColumn, error) {
	var so storage.PrivateOptions
	selectSQL, err := w.privateSource(ctx, source, &so)
	if err != nil {
		return nil, err
	}
	return w.Project.PrivateColumns(ctx, selectSQL, so.Roles, so.UserQuery)
}

// Pseudonym is the pseudonym of a normalised identifier value of a role:
// "p_" and the first 32 hex digits of HMAC-SHA256 under the project's key.
// The role is part of the message, so an e-mail address and a customer
// id that happen to be equal get different pseudonyms.
func Pseudonym(key []byte, r storage.Role, normalised string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(string(r)))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	return PseudonymPrefix + hex.EncodeToString(m.Sum(nil))[:32]
}

// pseudonymKey reads the project's pseudonymisation key from the system
// keyring, making it on first use. Without a keyring it refuses: a key
// kept anywhere weaker (the project file, an environment variable) would
// let whoever has the export and that place reverse the pseudonyms.
func (w *Workspace) pseudonymKey(ctx context.Context) ([]byte, error) {
	id, err := w.projectID(ctx, true)
	if err != nil {
		return nil, err
	}
	v, ok, err := secretstore.Get(id, PseudonymKeyName)
	if err == nil && !ok {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		v = hex.EncodeToString(b)
		err = secretstore.Set(id, PseudonymKeyName, v)
	}
	if errors.Is(err, ErrNoKeyring) {
		return nil, i18n.Errorf("pseudonymisation keeps the project's key in the system keyring, and none can be used here; nothing was written (no weaker key is used instead): start the desktop's keyring (GNOME Keyring, KWallet, the macOS Keychain) and try again")
	}
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, i18n.Errorf("the pseudonym key in the system keyring is damaged; nothing was written")
	}
	return key, nil
}
