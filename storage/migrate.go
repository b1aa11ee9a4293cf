package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// migrations are applied in order, each in its own transaction. Never edit a
// released migration: append a new one. len(migrations) is the format version.
var migrations = []string{
	// 1: the metadata tables.
	`CREATE TABLE mb_schema (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE SEQUENCE mb_seq;
	CREATE TABLE mb_imports (
		id BIGINT PRIMARY KEY DEFAULT nextval('mb_seq'),
		table_name VARCHAR NOT NULL, source_path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
		format VARCHAR NOT NULL, encoding VARCHAR, delimiter VARCHAR, mode VARCHAR NOT NULL,
		rows_imported BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, reject_table VARCHAR,
		options_json VARCHAR, imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_column_roles (
		table_name VARCHAR NOT NULL, column_name VARCHAR NOT NULL, role VARCHAR NOT NULL,
		confirmed BOOLEAN NOT NULL DEFAULT false, PRIMARY KEY (table_name, column_name));
	CREATE TABLE mb_recipes (
		name VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, steps_json VARCHAR NOT NULL,
		updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_segments (
		name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, base_table VARCHAR NOT NULL,
		rule_json VARCHAR, rule_text VARCHAR, size BIGINT, evaluated_at TIMESTAMP,
		created_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_segment_members (segment VARCHAR NOT NULL, customer_id VARCHAR NOT NULL);
	CREATE TABLE mb_rfm_runs (
		id BIGINT PRIMARY KEY DEFAULT nextval('mb_seq'), source_table VARCHAR NOT NULL,
		scheme VARCHAR NOT NULL, as_of DATE NOT NULL, customers BIGINT NOT NULL,
		ran_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_audit (
		id BIGINT PRIMARY KEY DEFAULT nextval('mb_seq'), changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
		who VARCHAR NOT NULL, action VARCHAR NOT NULL, target VARCHAR NOT NULL,
		rows_before BIGINT, rows_after BIGINT, detail VARCHAR);`,
	// 2: trained models (issue 4). artifact is model.Marshal's bytes; the
	// JSON columns let lists and screens show a model without decoding it.
	`CREATE TABLE mb_models (
		name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, algo VARCHAR NOT NULL, target VARCHAR NOT NULL,
		source_json VARCHAR NOT NULL, spec_json VARCHAR NOT NULL, eval_json VARCHAR NOT NULL,
		artifact BLOB NOT NULL, seconds DOUBLE, trained_at TIMESTAMP NOT NULL DEFAULT current_timestamp);`,
	// 3: plugins and campaigns (issue 3). mb_plugin_lock pins each enabled
	// plugin's program; mb_deliveries is the exactly-once delivery log.
	`CREATE TABLE mb_plugin_lock (
		plugin_id VARCHAR PRIMARY KEY, version VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
		fields_json VARCHAR NOT NULL, hosts_json VARCHAR NOT NULL, enabled_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_suppression (
		kind VARCHAR NOT NULL, value VARCHAR NOT NULL, reason VARCHAR NOT NULL,
		added_at TIMESTAMP NOT NULL DEFAULT current_timestamp, PRIMARY KEY (kind, value));
	CREATE TABLE mb_campaigns (
		name VARCHAR PRIMARY KEY, spec_json VARCHAR NOT NULL, status VARCHAR NOT NULL DEFAULT 'draft',
		created_at TIMESTAMP NOT NULL DEFAULT current_timestamp, started_at TIMESTAMP);
	CREATE TABLE mb_deliveries (
		campaign VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, variant VARCHAR NOT NULL,
		idempotency_key VARCHAR NOT NULL, status VARCHAR NOT NULL, reason VARCHAR,
		attempts INTEGER NOT NULL DEFAULT 0, provider_id VARCHAR, next_at TIMESTAMP,
		planned_at TIMESTAMP NOT NULL DEFAULT current_timestamp, sent_at TIMESTAMP, updated_at TIMESTAMP,
		PRIMARY KEY (campaign, customer_id));
	CREATE TABLE mb_campaign_events (
		campaign VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, event VARCHAR NOT NULL,
		value DOUBLE, event_at TIMESTAMP, source VARCHAR);`,
	// 4: where each source plugin stream has got to, committed with the
	// rows it describes.
	`CREATE TABLE mb_source_state (
		plugin_id VARCHAR NOT NULL, component VARCHAR NOT NULL, stream VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
		state BLOB, rows_imported BIGINT NOT NULL DEFAULT 0, updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
		PRIMARY KEY (plugin_id, component, stream, table_name));`,
	// 5: a channel's plain settings per project, reused by its campaigns
	// (secrets are never stored).
	`CREATE TABLE mb_channel_settings (
		plugin_id VARCHAR NOT NULL, component VARCHAR NOT NULL, config_json VARCHAR NOT NULL,
		updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp, PRIMARY KEY (plugin_id, component));`,
	// 6: project-wide settings a person chooses, such as the currency.
	`CREATE TABLE mb_settings (
		key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp);`,
	// 7: trained recommenders (issue 11). Item-kNN keeps each product's
	// neighbour lists (kind cosine or count); ALS keeps the product factors
	// (float64 little-endian), enough to fold in any customer's purchases.
	`CREATE TABLE mb_recommenders (
		name VARCHAR PRIMARY KEY, method VARCHAR NOT NULL, orders_table VARCHAR NOT NULL,
		customers BIGINT NOT NULL, products BIGINT NOT NULL, purchases BIGINT NOT NULL,
		options_json VARCHAR NOT NULL, trained_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_rec_neighbours (
		model VARCHAR NOT NULL, kind VARCHAR NOT NULL, product_id VARCHAR NOT NULL, rank INTEGER NOT NULL,
		neighbour_id VARCHAR NOT NULL, score DOUBLE NOT NULL, co_buyers BIGINT NOT NULL);
	CREATE TABLE mb_rec_factors (model VARCHAR NOT NULL, product_id VARCHAR NOT NULL, factors BLOB NOT NULL);`,
	// 8: journeys (issue 13). An entry is one customer's pass through a
	// journey: where they stand and when they are due; the log is what
	// happened at each step; seen is what a trigger has already taken in
	// (segment members, event rows); state is the runner's notes.
	`CREATE TABLE mb_journeys (
		name VARCHAR PRIMARY KEY, spec_json VARCHAR NOT NULL, status VARCHAR NOT NULL,
		created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL);
	CREATE TABLE mb_journey_entries (
		journey VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, entry INTEGER NOT NULL,
		step VARCHAR NOT NULL, due_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL, branch VARCHAR,
		entered_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
		PRIMARY KEY (journey, customer_id, entry));
	CREATE TABLE mb_journey_log (
		journey VARCHAR NOT NULL, customer_id VARCHAR NOT NULL, entry INTEGER NOT NULL,
		step VARCHAR NOT NULL, event VARCHAR NOT NULL, detail VARCHAR, logged_at TIMESTAMP NOT NULL);
	CREATE TABLE mb_journey_seen (journey VARCHAR NOT NULL, key VARCHAR NOT NULL, PRIMARY KEY (journey, key));
	CREATE TABLE mb_journey_state (journey VARCHAR NOT NULL, name VARCHAR NOT NULL, value VARCHAR, PRIMARY KEY (journey, name));`,
	// 9: the contact policy (issue 13). Each delivery names its channel
	// ("<plugin id>/<component>") so frequency caps can count per channel;
	// the rows already logged take their campaign's.
	`ALTER TABLE mb_deliveries ADD COLUMN channel VARCHAR;
	UPDATE mb_deliveries SET channel = c.channel FROM (SELECT name,
		json_extract_string(spec_json, '$.plugin') || '/' || json_extract_string(spec_json, '$.component') AS channel FROM mb_campaigns) c
		WHERE mb_deliveries.campaign = c.name`,
	// 10: model upkeep (issue 13). mb_model_reference keeps each model's
	// training distributions (analytics/drift bins) so drift needs no
	// training rows; mb_model_history keeps every champion/challenger
	// comparison; mb_model_upkeep holds the retraining schedule and the
	// latest drift, with when and on what data it was computed.
	`CREATE TABLE mb_model_reference (
		model VARCHAR PRIMARY KEY, reference_json VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
	CREATE TABLE mb_model_history (
		id BIGINT PRIMARY KEY DEFAULT nextval('mb_seq'), model VARCHAR NOT NULL, ran_at TIMESTAMP NOT NULL,
		metric VARCHAR NOT NULL, champion DOUBLE, challenger DOUBLE, min_gain DOUBLE NOT NULL,
		holdout VARCHAR NOT NULL, holdout_rows BIGINT NOT NULL, train_rows BIGINT NOT NULL,
		promoted BOOLEAN NOT NULL, reason VARCHAR NOT NULL, cause VARCHAR NOT NULL);
	CREATE TABLE mb_model_upkeep (
		model VARCHAR PRIMARY KEY, schedule VARCHAR, schedule_set_at TIMESTAMP, last_retrain_at TIMESTAMP,
		drift_at TIMESTAMP, drift_data VARCHAR, drift_json VARCHAR);`,
	// 11: customer tags (issue 13): labels a journey's update step gives a
	// customer, usable in rules as the field "tags".
	`CREATE TABLE mb_customer_tags (
		customer_id VARCHAR NOT NULL, tag VARCHAR NOT NULL, source VARCHAR, added_at TIMESTAMP NOT NULL,
		PRIMARY KEY (customer_id, tag));`,
	// 12: delivery receipts (issue 16): a channel's provider says a
	// message reached the handset or failed; detail keeps its reason.
	`ALTER TABLE mb_campaign_events ADD COLUMN detail VARCHAR;`,
	// 13: erasure (issue 14). mb_erasures are the tombstones of erased
	// people: salted hashes (kind customer, email or phone) so a re-import
	// or a send can recognise them without keeping who they were. The
	// exports ledger says which files were written and the hashes of the
	// customers each held (ids_known false: a query's, not known).
	`CREATE TABLE mb_erasures (
		kind VARCHAR NOT NULL, hash VARCHAR NOT NULL, erased_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
		PRIMARY KEY (kind, hash));
	CREATE TABLE mb_exports (
		id BIGINT PRIMARY KEY DEFAULT nextval('mb_seq'), exported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
		path VARCHAR NOT NULL, source VARCHAR NOT NULL, rows BIGINT NOT NULL, ids_known BOOLEAN NOT NULL);
	CREATE TABLE mb_export_customers (export_id BIGINT NOT NULL, hash VARCHAR NOT NULL);`,
	// 14: retention rules (issue 14): rows of a table older than months by
	// date_column are deleted, or summarised per month then deleted
	// (action 'delete' or 'aggregate'); last_run_at and last_rows say what
	// the latest application did (last_rows NULL: it failed).
	`CREATE TABLE mb_retention_rules (
		table_name VARCHAR PRIMARY KEY, date_column VARCHAR NOT NULL, months INTEGER NOT NULL,
		action VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, last_run_at TIMESTAMP, last_rows BIGINT);`,
	// 15: consent records (issue 14). One row per consent change, never
	// updated or deleted (except by an erasure): channel is the consent
	// role (email_consent, sms_consent, wechat_follower, push_opt_in), at
	// when the person gave or withdrew it, source and proof where that is
	// known from, recorded_at when Marketbench learnt it. A customer's
	// current consent is their latest event.
	`CREATE TABLE mb_consent_events (
		id BIGINT PRIMARY KEY, customer_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, granted BOOLEAN NOT NULL,
		"at" TIMESTAMP NOT NULL, source VARCHAR NOT NULL, proof VARCHAR, recorded_at TIMESTAMP NOT NULL);`,
}

// Version is the project format this build writes.
func Version() int { return len(migrations) }

// migrate brings a project from format version have (0: a new file) to
// this build's, each migration in its own transaction.
func (p *Project) migrate(ctx context.Context, have int) error {
	return p.migrateTo(ctx, have, len(migrations))
}

func (p *Project) migrateTo(ctx context.Context, have, to int) error {
	for i := have; i < to; i++ {
		err := p.Tx(ctx, func(tx *Tx) error {
			for _, stmt := range splitStatements(migrations[i]) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %d: %w", i+1, err)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO mb_schema (version) VALUES (?)`, i+1)
			return err
		})
		if err != nil {
			return i18n.Errorf("cannot upgrade %s: %v", p.Path, err)
		}
	}
	return nil
}

func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) != "" {
			out = append(out, part)
		}
	}
	return out
}

// Tx runs fn in one transaction: all of it happens or none of it does.
func (p *Project) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	if p.db == nil {
		return i18n.Errorf("the project is closed")
	}
	if p.tx != nil {
		return fn(p.tx) // already inside a transaction: join it
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Tx is a transaction on the project.
type Tx = sql.Tx
