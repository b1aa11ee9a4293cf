// Package value reads purchases for customer-lifetime-value models and
// keeps what they produce: the fitted model (a project setting) and the
// per-customer scores (the clv_scores table).
package value

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/marketbench/marketbench/analytics/clv"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// Read says what a read of an order table found.
type Read struct {
	Table string
	// Rows are the order rows read; Skipped those that are not
	// purchases: no customer or date, or a negative amount (returns and
	// cancellations). A zero or missing amount is still a purchase (a free
	// item; the BTYD literature counts CDNOW's zero-value orders).
	Rows, Skipped int64
}

// Transactions reads the purchases of an order table by role (customer id,
// order date, amount or quantity × unit price), already merged to one
// per customer and day, as the models count them.
func Transactions(ctx context.Context, p *storage.Project, table string) ([]clv.Transaction, Read, error) {
	o, err := segment.OrdersOf(ctx, p, table)
	if err != nil {
		return nil, Read{}, err
	}
	rd := Read{Table: table}
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT (`+o.Customer+` IS NOT NULL AND `+o.Date+
		` IS NOT NULL AND coalesce(`+o.Amount+`, 0) >= 0)) FROM `+o.Table).Scan(&rd.Rows, &rd.Skipped); err != nil {
		return nil, rd, i18n.Errorf("cannot read the orders of %s: %s", table, storage.FirstLine(err.Error()))
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT CAST(`+o.Customer+` AS VARCHAR), `+o.Date+`, coalesce(sum(`+o.Amount+`), 0) FROM `+o.Table+
		` WHERE `+o.Customer+` IS NOT NULL AND `+o.Date+` IS NOT NULL AND coalesce(`+o.Amount+`, 0) >= 0 GROUP BY 1, 2`)
	if err != nil {
		return nil, rd, i18n.Errorf("cannot read the orders of %s: %s", table, storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var tx []clv.Transaction
	for rows.Next() {
		var t clv.Transaction
		if err := rows.Scan(&t.Customer, &t.At, &t.Value); err != nil {
			return nil, rd, i18n.Errorf("cannot read the orders of %s: %s", table, storage.FirstLine(err.Error()))
		}
		tx = append(tx, t)
	}
	if err := rows.Err(); err != nil {
		return nil, rd, i18n.Errorf("cannot read the orders of %s: %s", table, storage.FirstLine(err.Error()))
	}
	return tx, rd, nil
}

// Saved is a fitted lifetime-value model as the project keeps it.
type Saved struct {
	Table          string     `json:"table"`
	Model          string     `json:"model"`  // "bgnbd" or "mbgnbd"
	Period         string     `json:"period"` // "day", "week" or "month"
	CalibrationEnd time.Time  `json:"calibration_end"`
	ObservationEnd time.Time  `json:"observation_end"`
	Params         clv.Params `json:"params"`
	LogLik         float64    `json:"loglik"`
	Customers      int        `json:"customers"`
	Spend          *clv.Spend `json:"spend,omitempty"`
	FittedAt       time.Time  `json:"fitted_at"`
}

// settingKey is where the fit lives: one model per project, replaced by
// every fit, so no table of its own is needed.
const settingKey = "clv.fit"

// Periods maps the period names to their length.
var Periods = map[string]clv.Period{"day": clv.Day, "week": clv.Week, "month": clv.Month}

// SaveFit keeps the fit, replacing the previous one (audited).
func SaveFit(ctx context.Context, p *storage.Project, s *Saved) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return p.SetSetting(ctx, settingKey, string(b))
}

// LoadFit returns the saved fit, nil when there is none. A project from
// someone else may carry anything in the setting: values that are not a
// usable model are an error that says to fit again.
func LoadFit(ctx context.Context, p *storage.Project) (*Saved, error) {
	v, ok, err := p.Setting(ctx, settingKey)
	if err != nil || !ok {
		return nil, err
	}
	damaged := i18n.Errorf("the saved lifetime-value model is damaged; fit it again (marketbench clv fit)")
	var s Saved
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, damaged
	}
	pos := func(xs ...float64) bool {
		for _, x := range xs {
			if !(x > 0) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	if _, ok := Periods[s.Period]; !ok || (s.Model != "bgnbd" && s.Model != "mbgnbd") ||
		!pos(s.Params.R, s.Params.Alpha, s.Params.A, s.Params.B) || s.Table == "" {
		return nil, damaged
	}
	if s.Spend != nil && !pos(s.Spend.P, s.Spend.Q, s.Spend.Gamma) {
		return nil, damaged
	}
	return &s, nil
}

// Fit turns the saved parameters back into a model.
func (s *Saved) Fit() *clv.Fit {
	m := clv.BGNBD
	if s.Model == "mbgnbd" {
		m = clv.MBGNBD
	}
	return &clv.Fit{Model: m, Params: s.Params, LogLik: s.LogLik, Customers: s.Customers}
}
