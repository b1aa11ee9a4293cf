package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"

	"github.com/marketbench/marketbench/app/core/secretstore"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
)

// projectIDKey names the project setting that identifies the project to
// the system keyring. It is made the first time a credential is saved
// and travels with the file: a copy on this computer finds the same
// credentials, while on another computer the keyring (this user's, on
// this machine) holds nothing under it.
const projectIDKey = "project_id"

// Credential names a channel secret saved in the system keyring for the
// project (never its value). An empty Component means every channel of
// the plugin.
type Credential = secretstore.Name

// ErrNoKeyring is matched (errors.Is) by errors that mean the system
// keyring cannot be used here.
var ErrNoKeyring = secretstore.ErrUnavailable

// projectID reads the project's id; with create, it makes one when there
// is none.
func (w *Workspace) projectID(ctx context.Context, create bool) (string, error) {
	id, ok, err := w.Setting(ctx, projectIDKey)
	if err != nil || ok || !create {
		return id, err
	}
	b := make([]byte, 16)
	rand.Read(b)
	id = hex.EncodeToString(b)
	return id, w.SetSetting(ctx, projectIDKey, id)
}

// secretFields lists the secret fields of a plugin's channel, or of all
// its channels when component is empty.
func (w *Workspace) secretFields(ctx context.Context, plugin, component string) ([]string, error) {
	md, err := w.PluginMetadata(ctx, plugin)
	if err != nil {
		return nil, err
	}
	var out []string
	found := false
	for _, c := range md.GetComponents() {
		if c.GetKind() != sdk.KindChannel || component != "" && c.GetName() != component {
			continue
		}
		found = true
		for _, f := range sdk.ComponentFromProto(c).Config {
			if f.Type == sdk.Secret {
				out = append(out, f.Name)
			}
		}
	}
	if !found {
		return nil, i18n.Errorf("plugin %s has no channel %q", plugin, component)
	}
	return out, nil
}

// SaveSecret keeps a channel secret in the system keyring for this
// project, so sends (and the automation runner) find it. The field must
// be a secret setting of the channel. The audit log records the name,
// never the value.
func (w *Workspace) SaveSecret(ctx context.Context, c Credential, value string) error {
	fields, err := w.secretFields(ctx, c.Plugin, c.Component)
	if err != nil {
		return err
	}
	if !slices.Contains(fields, c.Field) {
		if len(fields) == 0 {
			return i18n.Errorf("%s has no secret settings to save", c.Plugin)
		}
		return i18n.Errorf("%q is not a secret setting of %s; its secret settings are: %s", c.Field, c.Plugin, strings.Join(fields, ", "))
	}
	id, err := w.projectID(ctx, true)
	if err != nil {
		return err
	}
	if err := secretstore.Set(id, c, value); err != nil {
		return err
	}
	return w.auditSecret(ctx, "secret set", c)
}

// DeleteSecret removes a saved channel secret.
func (w *Workspace) DeleteSecret(ctx context.Context, c Credential) error {
	id, err := w.projectID(ctx, false)
	if err != nil {
		return err
	}
	if err := secretstore.Delete(id, c); err != nil {
		if errors.Is(err, secretstore.ErrNotSaved) || id == "" {
			return i18n.Errorf("%s is not saved in the system keyring for this project", credentialName(c))
		}
		return err
	}
	return w.auditSecret(ctx, "secret delete", c)
}

// SavedSecrets lists the channel secrets saved for this project (names
// only).
func (w *Workspace) SavedSecrets(ctx context.Context) ([]Credential, error) {
	id, err := w.projectID(ctx, false)
	if err != nil || id == "" {
		return []Credential{}, err
	}
	return secretstore.List(id)
}

func (w *Workspace) auditSecret(ctx context.Context, action string, c Credential) error {
	return w.Tx(ctx, func(tx *storage.Tx) error {
		return w.InTx(tx).Audit(ctx, tx, action, credentialName(c), -1, -1, "")
	})
}

// credentialName is how a credential is named to people: plugin/channel
// field (plugin/* for every channel).
func credentialName(c Credential) string {
	comp := c.Component
	if comp == "" {
		comp = "*"
	}
	return c.Plugin + "/" + comp + " " + c.Field
}

// ChannelSecrets gives a channel its secrets, each from the first place
// that has it: the value given now (--secret, the send dialog), then the
// environment variable MARKETBENCH_SECRET_<FIELD>, then the system keyring
// (saved for this channel, then for all channels of the plugin). A keyring
// that cannot be read is passed over, so environment variables keep
// working where there is none. This is the one place sends, checks and the
// automation runner find secrets.
func (w *Workspace) ChannelSecrets(ctx context.Context, plugin, component string, given sdk.Secrets) sdk.Secrets {
	out := sdk.Secrets{}
	for k, v := range given {
		if v != "" {
			out[k] = v
		}
	}
	// The plugin is asked for its secret fields only when the environment
	// has a secret to give, and the keyring only when this project ever
	// saved one: most sends need neither.
	var fields []string
	if secretEnvSet() {
		fields, _ = w.secretFields(ctx, plugin, component)
	}
	var saved []Credential
	id, _ := w.projectID(ctx, false)
	if id != "" {
		names, _ := secretstore.List(id)
		for _, n := range names {
			if n.Plugin == plugin && (n.Component == component || n.Component == "") {
				saved = append(saved, n)
				fields = append(fields, n.Field)
			}
		}
		// The channel's own credential before the plugin-wide one.
		slices.SortStableFunc(saved, func(a, b Credential) int { return strings.Compare(b.Component, a.Component) })
	}
	for _, f := range fields {
		if out[f] != "" {
			continue
		}
		if v := os.Getenv(secretstore.EnvVar(f)); v != "" {
			out[f] = v
			continue
		}
		for _, n := range saved {
			if n.Field != f {
				continue
			}
			if v, ok, _ := secretstore.Get(id, n); ok {
				out[f] = v
				break
			}
		}
	}
	return out
}

// secretEnvSet reports whether any MARKETBENCH_SECRET_ variable is set.
func secretEnvSet() bool {
	prefix := secretstore.EnvVar("")
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, prefix) {
			return true
		}
	}
	return false
}
