package core

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/marketbench/marketbench/storage/contact"
)

// ContactPolicy is the project's contact policy: frequency caps, quiet
// hours and the project's time zone (see storage/contact). A project that
// never set one has none.
func (w *Workspace) ContactPolicy(ctx context.Context) (*contact.Policy, error) {
	return contact.Load(ctx, w.Project)
}

// SetContactPolicy checks and stores the contact policy; every campaign
// and journey send from then on honours it.
func (w *Workspace) SetContactPolicy(ctx context.Context, pol *contact.Policy) error {
	return contact.Save(ctx, w.Project, pol)
}

// ChannelKeys lists the channels the project has used or set up
// ("<plugin id>/<component>"), sorted: the choices for a channel's cap.
func (w *Workspace) ChannelKeys(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	rows, err := w.Q().QueryContext(ctx, `SELECT spec_json FROM mb_campaigns`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var spec string
		var c struct{ Plugin, Component string }
		if rows.Scan(&spec) == nil && json.Unmarshal([]byte(spec), &c) == nil && c.Plugin != "" && c.Component != "" {
			seen[contact.ChannelKey(c.Plugin, c.Component)] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = w.Q().QueryContext(ctx, `SELECT plugin_id, component FROM mb_channel_settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, comp string
		if rows.Scan(&id, &comp) == nil {
			seen[contact.ChannelKey(id, comp)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, rows.Err()
}
