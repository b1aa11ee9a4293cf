package host

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// Mismatch is one way a plugin's manifest and what its running program
// says about itself disagree. Check names what was compared: "id",
// "version", "kinds", "fields" or "hosts".
type Mismatch struct {
	Check string
	// Err is the explanation: Error() in English, i18n.Error for people.
	Err error
}

// Compare checks a manifest against the metadata its program answers
// with. The manifest is what the user approves and what the host acts on
// (a channel receives only the manifest's fields), so a difference is a
// plugin bug that shows up later as, say, a field arriving empty. What is
// comparable:
//   - id and version, which must be the same;
//   - kinds: each kind the manifest lists has a component, and each
//     component's kind is listed;
//   - fields: each field a channel's spec needs is in the manifest (else it
//     is never sent), and each manifest field is needed by some channel
//     (else the user approves a field for nothing);
//   - hosts, as far as the spec tells them: a URL setting means the user
//     enters the host, which the manifest says with "configured"; a secret
//     setting (an API key) in a plugin whose manifest says it works offline
//     suggests a service it contacts but does not name.
//
// The spec names no hosts, so hosts that differ cannot be detected.
func Compare(m *sdk.Manifest, md *pb.Metadata) []Mismatch {
	var out []Mismatch
	add := func(check string, err error) { out = append(out, Mismatch{Check: check, Err: err}) }
	if md.GetId() != m.ID {
		add("id", i18n.Errorf("the manifest's id is %s but the program says %s", m.ID, md.GetId()))
	}
	if md.GetVersion() != m.Version {
		add("version", i18n.Errorf("the manifest's version is %s but the program says %s; change both together", m.Version, md.GetVersion()))
	}
	kinds := map[string]bool{}
	for _, c := range md.GetComponents() {
		kinds[c.GetKind()] = true
	}
	for _, k := range md.GetKinds() {
		kinds[k] = true
	}
	for _, k := range m.Kinds {
		if !kinds[k] {
			add("kinds", i18n.Errorf("the manifest lists the kind %s but the program offers no %s", k, k))
		}
	}
	for _, k := range sortedKeys(kinds) {
		if !slices.Contains(m.Kinds, k) {
			add("kinds", i18n.Errorf("the program offers a %s but the manifest's kinds do not list %s", k, k))
		}
	}
	needed := map[string]bool{}
	var urls, secrets []string
	for _, c := range md.GetComponents() {
		comp := sdk.ComponentFromProto(c)
		for _, f := range comp.Fields {
			needed[f] = true
			if !slices.Contains(m.Fields, f) {
				add("fields", i18n.Errorf("the %s %s needs the customer field %s, which the manifest's fields do not list: it is never sent, so it arrives empty; add it to plugin.json", c.GetKind(), comp.Name, f))
			}
		}
		for _, f := range comp.Config {
			switch f.Type {
			case sdk.URL:
				urls = append(urls, comp.Name+"."+f.Name)
			case sdk.Secret:
				secrets = append(secrets, comp.Name+"."+f.Name)
			}
		}
	}
	for _, f := range m.Fields {
		if !needed[f] {
			add("fields", i18n.Errorf("the manifest asks for the customer field %s, which no channel of the program needs: users would approve it for nothing", f))
		}
	}
	if len(urls) > 0 && !slices.Contains(m.NetworkHosts, "configured") {
		add("hosts", i18n.Errorf("the settings %s are addresses the user enters, but the manifest's network_hosts does not list \"configured\"", strings.Join(urls, ", ")))
	}
	if len(secrets) > 0 && len(m.NetworkHosts) == 0 {
		add("hosts", i18n.Errorf("the settings %s are secrets (such as an API key), yet the manifest says the plugin works offline; list the hosts it contacts in network_hosts", strings.Join(secrets, ", ")))
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Probe starts f's program once, checked against its manifest's checksum,
// asks for its metadata and stops it: how an install compares the manifest
// with the program before any project uses it. Its output goes to logTo
// (nil: dropped).
func Probe(ctx context.Context, f Found, logTo func(line string)) (*pb.Metadata, error) {
	if err := f.Verify(); err != nil {
		return nil, err
	}
	sum, err := hexSHA(f.SHA256)
	if err != nil {
		return nil, err
	}
	cfg := client.Config{Path: f.Binary, Checksum: sum, Env: pluginEnv(), StartTimeout: 10 * time.Second}
	if logTo != nil {
		cfg.Logger = lineLogger(f.Manifest.ID, logTo)
	}
	conn, err := client.Launch(cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return conn.Metadata(ctx)
}
