// Package campaign keeps campaigns and their exactly-once delivery log in
// the project: who is in the audience, who is excluded and why, which
// variant (or the holdout) each customer gets, and the state of every
// delivery. The sending itself (through a channel plugin) is app/core's.
//
// A delivery moves planned → sending → delivered | retry | rejected. A row
// is marked sending in its own committed transaction before the message
// goes to the plugin, and its result is recorded after the plugin answers;
// so after a crash the rows still marked sending are exactly those whose
// fate is unknown. They are sent again with the same idempotency key when
// the channel honours keys (the provider drops the duplicate), and set
// aside as "unknown" for the user otherwise.
package campaign

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Modes of a send.
const (
	DryRun   = "dry-run"
	TestSend = "test"
	Live     = "live"
)

// Delivery states.
const (
	Planned   = "planned"
	Sending   = "sending"
	Delivered = "delivered"
	Retry     = "retry"
	Rejected  = "rejected"
	Holdout   = "holdout"
	Excluded  = "excluded"
	Unknown   = "unknown"
)

// Variant is one version of the message.
type Variant struct {
	Name string `json:"name"`
	// Percent is this variant's share of the customers who are not in the
	// holdout; the variants' shares add up to 100.
	Percent float64 `json:"percent"`
	Subject string  `json:"subject"`
	Text    string  `json:"text"`
	HTML    string  `json:"html,omitempty"`
}

// Campaign is what the user set up.
type Campaign struct {
	Name string `json:"name"`
	// Segment is the audience: a saved rule segment or an RFM segment.
	Segment string `json:"segment"`
	// Rule narrows the audience further, over Table ("score_churn > 0.7").
	Rule string `json:"rule,omitempty"`
	// Table is the customer table: contact details, consent and
	// personalisation fields come from its columns, found by role.
	Table string `json:"table"`
	// Plugin and Component name the channel; Config is its plain settings
	// (secrets are asked for at send time and never stored).
	Plugin    string            `json:"plugin"`
	Component string            `json:"component"`
	Config    map[string]string `json:"config,omitempty"`
	// Fields are the customer fields the channel receives: those its
	// manifest declares, as approved when the plugin was enabled.
	Fields   []string  `json:"fields"`
	Variants []Variant `json:"variants"`
	// HoldoutPercent of the audience gets nothing: the control group.
	HoldoutPercent float64 `json:"holdout_percent"`
	// RatePerMinute caps the sending speed; 0 means no cap.
	RatePerMinute int `json:"rate_per_minute,omitempty"`
	// Idempotent says the channel honours idempotency keys, so a message
	// whose fate is unknown after a crash may be sent again.
	Idempotent bool `json:"idempotent"`
	// MaxAttempts is how often a message is tried before it is given up;
	// 0 means 5.
	MaxAttempts int `json:"max_attempts,omitempty"`
}

var nameRE = regexp.MustCompile(`^[\pL\pN][\pL\pN _.-]{0,79}$`)

// Validate checks the campaign's own settings.
func (c *Campaign) Validate() error {
	var errs []error
	if !nameRE.MatchString(c.Name) {
		errs = append(errs, i18n.Errorf("give the campaign a name (letters, digits, spaces, . _ -)"))
	}
	if c.Segment == "" {
		errs = append(errs, i18n.Errorf("choose the audience segment"))
	}
	if c.Plugin == "" || c.Component == "" {
		errs = append(errs, i18n.Errorf("choose the channel"))
	}
	if len(c.Variants) == 0 {
		errs = append(errs, i18n.Errorf("add at least one variant with its message"))
	}
	total := 0.0
	seen := map[string]bool{}
	for _, v := range c.Variants {
		switch {
		case v.Name == "" || strings.EqualFold(v.Name, Holdout):
			errs = append(errs, i18n.Errorf("variant name %q is not allowed", v.Name))
		case seen[strings.ToLower(v.Name)]:
			errs = append(errs, i18n.Errorf("two variants are named %q", v.Name))
		case v.Percent <= 0:
			errs = append(errs, i18n.Errorf("variant %q needs a share above 0%%", v.Name))
		case strings.TrimSpace(v.Text) == "" && strings.TrimSpace(v.HTML) == "":
			errs = append(errs, i18n.Errorf("variant %q has no message", v.Name))
		}
		seen[strings.ToLower(v.Name)] = true
		total += v.Percent
	}
	if len(c.Variants) > 0 && math.Abs(total-100) > 0.01 {
		errs = append(errs, i18n.Errorf("the variants' shares add up to %g%%, not 100%%", total))
	}
	if c.HoldoutPercent < 0 || c.HoldoutPercent >= 100 {
		errs = append(errs, i18n.Errorf("the holdout must be between 0%% and 99%%"))
	}
	if c.RatePerMinute < 0 {
		errs = append(errs, i18n.Errorf("the send rate cannot be negative"))
	}
	if len(errs) > 0 {
		return storage.JoinErrors("; ", errs...)
	}
	return nil
}

// MaxAttemptsOrDefault is MaxAttempts, or 5 when unset.
func (c *Campaign) MaxAttemptsOrDefault() int { return c.maxAttempts() }

func (c *Campaign) maxAttempts() int {
	if c.MaxAttempts > 0 {
		return c.MaxAttempts
	}
	return 5
}

// Assign gives a customer their group: the holdout or a variant, decided
// by a hash of campaign and customer, so a re-run or resume assigns the
// same group and the split follows the percentages.
func (c *Campaign) Assign(customerID string) string {
	// SHA-256 rather than FNV: FNV's top bits barely change with the last
	// characters of an id, which would put C001…C009 in the same group.
	sum := sha256.Sum256([]byte(c.Name + "\x00" + customerID))
	u := float64(binary.BigEndian.Uint64(sum[:8])>>11) / float64(1<<53) * 100 // uniform in [0, 100)
	if u < c.HoldoutPercent {
		return Holdout
	}
	u = (u - c.HoldoutPercent) / (100 - c.HoldoutPercent) * 100
	acc := 0.0
	for _, v := range c.Variants {
		acc += v.Percent
		if u < acc {
			return v.Name
		}
	}
	return c.Variants[len(c.Variants)-1].Name
}

// IdempotencyKey is the delivery's stable key: the same for every attempt
// and every resume.
func IdempotencyKey(campaign, customerID string) string {
	sum := sha256.Sum256([]byte(campaign + "\x00" + customerID))
	return fmt.Sprintf("mb-%x", sum[:12])
}

// Save stores a campaign; a campaign that has started sending cannot be
// changed (its results would no longer mean anything).
func Save(ctx context.Context, p *storage.Project, c *Campaign, replace bool) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM mb_campaigns WHERE name = ?`, c.Name).Scan(&status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case !replace:
			return i18n.Errorf("a campaign named %q already exists", c.Name)
		case status != "draft":
			return i18n.Errorf("campaign %q has started sending and cannot be changed; copy it under a new name", c.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_campaigns WHERE name = ?`, c.Name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_campaigns (name, spec_json) VALUES (?, ?)`, c.Name, string(b)); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "campaign", c.Name, -1, -1, "saved")
	})
}

// Info is a stored campaign with its status.
type Info struct {
	Campaign
	Status    string
	CreatedAt time.Time
	StartedAt *time.Time
}

// Get returns a stored campaign.
func Get(ctx context.Context, p *storage.Project, name string) (*Info, error) {
	var spec string
	var in Info
	err := p.Q().QueryRowContext(ctx, `SELECT spec_json, status, created_at, started_at FROM mb_campaigns WHERE name = ?`, name).
		Scan(&spec, &in.Status, &in.CreatedAt, &in.StartedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, i18n.Errorf("no campaign named %q; see 'campaign list'", name)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(spec), &in.Campaign); err != nil {
		return nil, i18n.Errorf("campaign %q is damaged: %v", name, err)
	}
	return &in, nil
}

// List returns every campaign, newest first.
func List(ctx context.Context, p *storage.Project) ([]Info, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT name FROM mb_campaigns ORDER BY created_at DESC, name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	var out []Info
	for _, n := range names {
		in, err := Get(ctx, p, n)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, nil
}

// SetStatus records the campaign's state (draft, sending, paused, done).
func SetStatus(ctx context.Context, p *storage.Project, name, status string) error {
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_campaigns SET status = ?, started_at = coalesce(started_at, CASE WHEN ? <> 'draft' THEN current_timestamp END) WHERE name = ?`,
		status, status, name)
	return err
}
