package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/models"
	"github.com/marketbench/marketbench/storage/privacy"
)

// ProcessingRecord says what a project does with personal data: which it
// holds, for which purposes, who receives it, how long it is kept, the
// consent behind it, who was erased (when, never who) and how it is
// protected. It is the basis of a GDPR Article 30 record of processing or
// a PIPL personal information protection impact assessment. It holds no
// personal values: names of tables, columns, campaigns and plugins, counts
// and dates only.
type ProcessingRecord struct {
	Project     string    `json:"project"` // the project file's name
	GeneratedAt time.Time `json:"generated_at"`
	Version     string    `json:"marketbench_version"`

	PersonalData []RecordTable `json:"personal_data"`

	Campaigns []RecordCampaign `json:"campaigns"`
	Journeys  []RecordJourney  `json:"journeys"`
	Models    []RecordModel    `json:"models"`

	Recipients []RecordRecipient `json:"recipients"`
	Exports    []RecordExport    `json:"exports"`

	Retention []RecordRetention `json:"retention"`
	Consent   []RecordConsent   `json:"consent"`
	Erasures  []RecordErasure   `json:"erasures"`

	Security RecordSecurity `json:"security"`
}

// RecordTable is one table holding personal data.
type RecordTable struct {
	Table   string         `json:"table"`
	Rows    int64          `json:"rows"`
	Columns []RecordColumn `json:"columns"`
}

// RecordColumn is one personal column: its role and the kinds of
// personal data found in it (privacy.Kind values).
type RecordColumn struct {
	Column string   `json:"column"`
	Role   string   `json:"role"`
	Kinds  []string `json:"kinds"`
}

// RecordCampaign is a campaign: a purpose, its audience and what its
// channel receives. The audience's rule is left out: it may name a person.
type RecordCampaign struct {
	Name      string     `json:"name"`
	Channel   string     `json:"channel"` // plugin/component
	Segment   string     `json:"segment"`
	Table     string     `json:"table"`
	Status    string     `json:"status"`
	Fields    []string   `json:"fields"` // customer fields the channel receives
	Messages  int64      `json:"messages"`
	CreatedAt time.Time  `json:"created_at"`
	StartedAt *time.Time `json:"started_at"`
}

// RecordJourney is an automated journey and the channels it sends through.
type RecordJourney struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	Table    string   `json:"table"`
	Trigger  string   `json:"trigger"`
	Channels []string `json:"channels"`
}

// RecordModel is a model trained on customer data: the columns it reads
// and which of them are personal data.
type RecordModel struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Algo     string    `json:"algo"`
	Table    string    `json:"table"`
	Segment  string    `json:"segment"`
	Features []string  `json:"features"`
	Personal []string  `json:"personal_features"`
	Trained  time.Time `json:"trained_at"`
}

// RecordRecipient is a plugin the project enabled: the customer fields the
// project lets it receive and the hosts its manifest says it contacts.
type RecordRecipient struct {
	Plugin    string    `json:"plugin"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Kinds     []string  `json:"kinds"`
	Fields    []string  `json:"fields"`
	Hosts     []string  `json:"hosts"`
	Approved  bool      `json:"approved_here"` // approved on this computer
	EnabledAt time.Time `json:"enabled_at"`
}

// RecordExport is a file written out of the project. Only its file name is
// given, and a query's text is not: it may hold a person's details.
type RecordExport struct {
	At     time.Time `json:"exported_at"`
	File   string    `json:"file"`
	Source string    `json:"source"` // a table, segment:NAME or "query"
	Kind   string    `json:"kind"`   // plain, pseudonymised, anonymised
	Rows   int64     `json:"rows"`
}

// Export kinds.
const (
	ExportPlain         = "plain"
	ExportPseudonymised = "pseudonymised"
	ExportAnonymised    = "anonymised"
)

// RecordRetention is a retention rule.
type RecordRetention struct {
	Table     string     `json:"table"`
	Column    string     `json:"date_column"`
	Months    int        `json:"months"`
	Action    string     `json:"action"`
	CreatedAt *time.Time `json:"created_at"`
	LastRunAt *time.Time `json:"last_run_at"`
	LastRows  *int64     `json:"last_rows"`
}

// RecordConsent counts the consent changes recorded for one channel from
// one source.
type RecordConsent struct {
	Channel   string     `json:"channel"`
	Source    string     `json:"source"`
	Events    int64      `json:"events"`
	Granted   int64      `json:"granted"`
	Withdrawn int64      `json:"withdrawn"`
	First     *time.Time `json:"first_at"`
	Last      *time.Time `json:"last_at"`
}

// RecordErasure is one erasure: when, and how many customer ids and
// addresses it forgot (never whose).
type RecordErasure struct {
	At        time.Time `json:"erased_at"`
	Customers int64     `json:"customers"`
	Addresses int64     `json:"addresses"` // e-mail addresses and phone numbers
}

// RecordSecurity is how the project and its credentials are protected.
type RecordSecurity struct {
	Sealed bool `json:"sealed"`
	// Credentials are the names of the channel secrets saved in the
	// system keyring for this project (plugin/channel field), never
	// their values; KeyringProblem says why they could not be listed.
	Credentials    []string `json:"credentials"`
	KeyringProblem string   `json:"keyring_problem"`
}

// ProcessingRecord gathers the project's record of processing.
func (w *Workspace) ProcessingRecord(ctx context.Context) (*ProcessingRecord, error) {
	r := &ProcessingRecord{Project: filepath.Base(w.Path), GeneratedAt: time.Now(), Version: host.HostVersion}
	personal, err := w.recordPersonalData(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, step := range []func(context.Context, *ProcessingRecord) error{
		w.recordCampaigns, w.recordJourneys, func(ctx context.Context, r *ProcessingRecord) error { return w.recordModels(ctx, r, personal) },
		w.recordRecipients, w.recordExports, w.recordRetention, w.recordConsent, w.recordErasures,
	} {
		if err := step(ctx, r); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	r.Security.Sealed = w.Sealed()
	r.Security.Credentials = []string{}
	if saved, err := w.SavedSecrets(ctx); err != nil {
		r.Security.KeyringProblem = err.Error()
	} else {
		for _, c := range saved {
			r.Security.Credentials = append(r.Security.Credentials, credentialName(c))
		}
	}
	return r, nil
}

// recordPersonalData fills the personal data from a privacy scan and
// returns the personal columns per table (lower-cased) for the models.
func (w *Workspace) recordPersonalData(ctx context.Context, r *ProcessingRecord) (map[string]map[string]bool, error) {
	scan, err := w.PrivacyScan(ctx, "")
	if err != nil {
		return nil, err
	}
	personal := map[string]map[string]bool{}
	r.PersonalData = []RecordTable{}
	for _, t := range scan.Tables {
		if len(t.Columns) == 0 {
			continue
		}
		rt := RecordTable{Table: t.Table, Rows: t.Rows}
		personal[strings.ToLower(t.Table)] = map[string]bool{}
		for _, c := range t.Columns {
			rc := RecordColumn{Column: c.Column, Role: c.Role, Kinds: []string{}}
			for _, f := range c.Findings {
				rc.Kinds = append(rc.Kinds, string(f.Kind))
			}
			rt.Columns = append(rt.Columns, rc)
			personal[strings.ToLower(t.Table)][strings.ToLower(c.Column)] = true
		}
		r.PersonalData = append(r.PersonalData, rt)
	}
	return personal, nil
}

func (w *Workspace) recordCampaigns(ctx context.Context, r *ProcessingRecord) error {
	cs, err := w.Campaigns(ctx)
	if err != nil {
		return err
	}
	sent := map[string]int64{}
	rows, err := w.Q().QueryContext(ctx, `SELECT campaign, count(*) FROM mb_deliveries WHERE status = 'delivered' GROUP BY campaign`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		sent[name] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.Campaigns = []RecordCampaign{}
	for _, c := range cs {
		r.Campaigns = append(r.Campaigns, RecordCampaign{Name: c.Name, Channel: c.Plugin + "/" + c.Component, Segment: c.Segment, Table: c.Table,
			Status: c.Status, Fields: orEmpty(c.Fields), Messages: sent[c.Name], CreatedAt: c.CreatedAt, StartedAt: c.StartedAt})
	}
	return nil
}

func (w *Workspace) recordJourneys(ctx context.Context, r *ProcessingRecord) error {
	js, err := journey.List(ctx, w.Project)
	if err != nil {
		return err
	}
	r.Journeys = []RecordJourney{}
	for _, in := range js {
		rj := RecordJourney{Name: in.Name, Status: in.Status, Table: in.Table, Trigger: in.Trigger.Kind, Channels: []string{}}
		for i := range in.Steps {
			s := &in.Steps[i]
			if s.Kind != journey.Send {
				continue
			}
			ch := s.Plugin + "/" + s.Component
			if c, err := s.Resolve(ctx, w.Project, &in.Journey); err == nil {
				ch = c.Plugin + "/" + c.Component
			}
			if !slices.Contains(rj.Channels, ch) {
				rj.Channels = append(rj.Channels, ch)
			}
		}
		r.Journeys = append(r.Journeys, rj)
	}
	return nil
}

func (w *Workspace) recordModels(ctx context.Context, r *ProcessingRecord, personal map[string]map[string]bool) error {
	recs, err := models.List(ctx, w.Project, "")
	if err != nil {
		return err
	}
	r.Models = []RecordModel{}
	for _, m := range recs {
		rm := RecordModel{Name: m.Name, Kind: m.Kind, Algo: m.Algo, Table: m.Source.Table, Segment: m.Source.Segment, Trained: m.TrainedAt,
			Features: []string{}, Personal: []string{}}
		var spec struct{ Numeric, Categorical []string }
		json.Unmarshal(m.Spec, &spec) // a text model has neither
		rm.Features = append(append(rm.Features, spec.Numeric...), spec.Categorical...)
		if m.Source.Column != "" {
			rm.Features = append(rm.Features, m.Source.Column)
		}
		for _, f := range rm.Features {
			if personal[strings.ToLower(rm.Table)][strings.ToLower(f)] {
				rm.Personal = append(rm.Personal, f)
			}
		}
		r.Models = append(r.Models, rm)
	}
	// Recommenders learn from each customer's purchases.
	rows, err := w.Q().QueryContext(ctx, `SELECT name, method, orders_table, trained_at FROM mb_recommenders ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		rm := RecordModel{Kind: "recommender", Features: []string{}, Personal: []string{}}
		if err := rows.Scan(&rm.Name, &rm.Algo, &rm.Table, &rm.Trained); err != nil {
			return err
		}
		r.Models = append(r.Models, rm)
	}
	return rows.Err()
}

func (w *Workspace) recordRecipients(ctx context.Context, r *ProcessingRecord) error {
	rows, err := w.Q().QueryContext(ctx, `SELECT plugin_id, version, fields_json, hosts_json, enabled_at FROM mb_plugin_lock ORDER BY plugin_id`)
	if err != nil {
		return err
	}
	r.Recipients = []RecordRecipient{}
	for rows.Next() {
		var p RecordRecipient
		var fields, hosts string
		if err := rows.Scan(&p.Plugin, &p.Version, &fields, &hosts, &p.EnabledAt); err != nil {
			rows.Close()
			return err
		}
		json.Unmarshal([]byte(fields), &p.Fields)
		json.Unmarshal([]byte(hosts), &p.Hosts)
		p.Fields, p.Hosts, p.Kinds = orEmpty(p.Fields), orEmpty(p.Hosts), []string{}
		r.Recipients = append(r.Recipients, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The build on disk says what it is, and your approval what it may
	// get here: the fields it receives are those its manifest declares
	// too, the hosts those its manifest names.
	for i := range r.Recipients {
		p := &r.Recipients[i]
		f, err := w.find(p.Plugin, p.Version)
		if err != nil || f.Manifest == nil {
			continue
		}
		p.Name, p.Kinds = f.Manifest.Name, orEmpty(f.Manifest.Kinds)
		p.Fields, p.Hosts = orEmpty(intersect(f.Manifest.Fields, p.Fields)), orEmpty(f.Manifest.NetworkHosts)
		need, err := w.PluginApproval(ctx, p.Plugin)
		p.Approved = err == nil && need == nil
	}
	return nil
}

func (w *Workspace) recordExports(ctx context.Context, r *ProcessingRecord) error {
	r.Exports = []RecordExport{}
	rows, err := w.Q().QueryContext(ctx, `SELECT exported_at, path, source, rows, 'plain' FROM mb_exports
		UNION ALL SELECT changed_at, coalesce(detail, ''), target, coalesce(rows_after, 0),
			CASE action WHEN ? THEN 'pseudonymised' ELSE 'anonymised' END FROM mb_audit WHERE action IN (?, ?)
		ORDER BY 1`, auditPseudonymised, auditPseudonymised, auditAnonymised)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e RecordExport
		var path string
		if err := rows.Scan(&e.At, &path, &e.Source, &e.Rows, &e.Kind); err != nil {
			return err
		}
		e.File = filepath.Base(path)
		if strings.HasPrefix(e.Source, "sql:") {
			e.Source = "query"
		}
		r.Exports = append(r.Exports, e)
	}
	return rows.Err()
}

// recordRetention and recordConsent read tables that later project
// versions add: a project without them has no rules and no records.
func (w *Workspace) recordRetention(ctx context.Context, r *ProcessingRecord) error {
	r.Retention = []RecordRetention{}
	if ok, err := w.TableExists(ctx, "mb_retention_rules"); err != nil || !ok {
		return err
	}
	rows, err := w.Q().QueryContext(ctx, `SELECT table_name, date_column, months, action, created_at, last_run_at, last_rows
		FROM mb_retention_rules ORDER BY table_name, date_column`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e RecordRetention
		var created, last sql.NullTime
		var n sql.NullInt64
		if err := rows.Scan(&e.Table, &e.Column, &e.Months, &e.Action, &created, &last, &n); err != nil {
			return err
		}
		e.CreatedAt, e.LastRunAt = nullTime(created), nullTime(last)
		if n.Valid {
			e.LastRows = &n.Int64
		}
		r.Retention = append(r.Retention, e)
	}
	return rows.Err()
}

func (w *Workspace) recordConsent(ctx context.Context, r *ProcessingRecord) error {
	r.Consent = []RecordConsent{}
	if ok, err := w.TableExists(ctx, "mb_consent_events"); err != nil || !ok {
		return err
	}
	rows, err := w.Q().QueryContext(ctx, `SELECT channel, coalesce(source, ''), count(*), count(*) FILTER (WHERE granted),
		count(*) FILTER (WHERE NOT granted), min("at"), max("at") FROM mb_consent_events GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e RecordConsent
		var first, last sql.NullTime
		if err := rows.Scan(&e.Channel, &e.Source, &e.Events, &e.Granted, &e.Withdrawn, &first, &last); err != nil {
			return err
		}
		e.First, e.Last = nullTime(first), nullTime(last)
		r.Consent = append(r.Consent, e)
	}
	return rows.Err()
}

// recordErasures counts the tombstones each erasure left: one erasure's
// all carry its transaction's time.
func (w *Workspace) recordErasures(ctx context.Context, r *ProcessingRecord) error {
	r.Erasures = []RecordErasure{}
	rows, err := w.Q().QueryContext(ctx, `SELECT erased_at, count(*) FILTER (WHERE kind = ?), count(*) FILTER (WHERE kind <> ?)
		FROM mb_erasures GROUP BY erased_at ORDER BY erased_at`, storage.EraseCustomer, storage.EraseCustomer)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e RecordErasure
		if err := rows.Scan(&e.At, &e.Customers, &e.Addresses); err != nil {
			return err
		}
		r.Erasures = append(r.Erasures, e)
	}
	return rows.Err()
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// recordKinds are the kinds of personal data a record names, in the
// user's words, sorted.
func recordKinds(kinds []string) string {
	var out []string
	for _, k := range kinds {
		out = append(out, PrivacyKindName(privacy.Kind(k)))
	}
	sort.Strings(out)
	return strings.Join(slices.Compact(out), i18n.T(", "))
}
