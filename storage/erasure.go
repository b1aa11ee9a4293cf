package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// The kinds of erasure tombstones: a customer id, an e-mail, a phone.
const (
	EraseCustomer = "customer"
	EraseEmail    = "email"
	ErasePhone    = "phone"
)

// eraseRoles are the roles whose values a tombstone of each kind matches.
var eraseRoles = map[string]Role{EraseCustomer: CustomerID, EraseEmail: Email, ErasePhone: Phone}

// saltKey is the mb_settings key of the project's erasure salt: hashes
// from one project say nothing about another's.
const saltKey = "privacy.erasure_salt"

// NormalizeErased is how values are compared with tombstones: ids trimmed,
// e-mails trimmed and lower-cased, phones as digits only (as the
// suppression list compares addresses).
func NormalizeErased(kind, v string) string {
	v = strings.Trim(v, " ")
	switch kind {
	case EraseEmail:
		return strings.ToLower(v)
	case ErasePhone:
		var b strings.Builder
		for _, r := range v {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return v
}

// ErasedHash is the salted hash a tombstone keeps of a value.
func ErasedHash(salt, kind, v string) string {
	sum := sha256.Sum256([]byte(salt + kind + ":" + NormalizeErased(kind, v)))
	return hex.EncodeToString(sum[:])
}

// erasedHashSQL is ErasedHash in SQL for the expression x.
func erasedHashSQL(salt, kind, x string) string {
	v := `trim(CAST(` + x + ` AS VARCHAR), ' ')`
	switch kind {
	case EraseEmail:
		v = `lower(` + v + `)`
	case ErasePhone:
		v = `regexp_replace(` + v + `, '[^0-9]', '', 'g')`
	}
	return `sha256(` + Literal(salt+kind+":") + ` || ` + v + `)`
}

// ErasureSalt is the project's salt; create makes one when there is none.
func (p *Project) ErasureSalt(ctx context.Context, create bool) (string, error) {
	var salt string
	err := p.q.QueryRowContext(ctx, `SELECT value FROM mb_settings WHERE key = ?`, saltKey).Scan(&salt)
	if err == nil || !errors.Is(err, sql.ErrNoRows) || !create {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return salt, err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	salt = hex.EncodeToString(b)
	_, err = p.q.ExecContext(ctx, `INSERT INTO mb_settings (key, value) VALUES (?, ?)`, saltKey, salt)
	return salt, err
}

// Erasures are the project's tombstones.
type Erasures struct {
	salt string
	set  map[string]bool // kind + ":" + hash
}

// LoadErasures reads the tombstones.
func (p *Project) LoadErasures(ctx context.Context) (*Erasures, error) {
	salt, err := p.ErasureSalt(ctx, false)
	if err != nil {
		return nil, err
	}
	e := &Erasures{salt: salt, set: map[string]bool{}}
	rows, err := p.q.QueryContext(ctx, `SELECT kind, hash FROM mb_erasures`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, h string
		if err := rows.Scan(&k, &h); err != nil {
			return nil, err
		}
		e.set[k+":"+h] = true
	}
	return e, rows.Err()
}

// Has says whether a value of a kind was erased.
func (e *Erasures) Has(kind, v string) bool {
	if e == nil || len(e.set) == 0 || NormalizeErased(kind, v) == "" {
		return false
	}
	return e.set[kind+":"+ErasedHash(e.salt, kind, v)]
}

// Len is the number of tombstones.
func (e *Erasures) Len() int { return len(e.set) }

// AddErasure records a tombstone for a value (within the caller's
// transaction, through p's querier).
func (p *Project) AddErasure(ctx context.Context, salt, kind, v string) error {
	if NormalizeErased(kind, v) == "" {
		return nil
	}
	_, err := p.q.ExecContext(ctx, `INSERT OR IGNORE INTO mb_erasures (kind, hash) VALUES (?, ?)`, kind, ErasedHash(salt, kind, v))
	return err
}

// DropErased deletes the rows of table whose customer id, e-mail or phone
// (by role) is tombstoned, and says how many it deleted. An import calls it
// so erased people do not come back with a re-import.
func (p *Project) DropErased(ctx context.Context, table string) (int64, error) {
	var n int64
	if err := p.q.QueryRowContext(ctx, `SELECT count(*) FROM mb_erasures`).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	salt, err := p.ErasureSalt(ctx, false)
	if err != nil {
		return 0, err
	}
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return 0, err
	}
	var conds []string
	for col, r := range roles {
		for kind, want := range eraseRoles {
			if r == want {
				conds = append(conds, erasedHashSQL(salt, kind, Quote(col))+` IN (SELECT hash FROM mb_erasures WHERE kind = `+Literal(kind)+`)`)
			}
		}
	}
	if len(conds) == 0 {
		return 0, nil
	}
	res, err := p.q.ExecContext(ctx, `DELETE FROM `+Quote(table)+` WHERE `+strings.Join(conds, " OR "))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ExportRecord is one file in the exports ledger.
type ExportRecord struct {
	ID       int64
	At       time.Time
	Path     string
	Source   string
	Rows     int64
	IDsKnown bool // false: a query's export, whose customers are not known
}

// RecordExport adds an export to the ledger. ids is a query giving the
// customer ids the file holds (its first column), or "" when not known.
func (p *Project) RecordExport(ctx context.Context, path, source string, rows int64, ids string, args ...any) error {
	return p.Tx(ctx, func(tx *Tx) error {
		pt := p.InTx(tx)
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO mb_exports (path, source, rows, ids_known) VALUES (?, ?, ?, ?) RETURNING id`,
			path, source, rows, ids != "").Scan(&id); err != nil {
			return err
		}
		if ids == "" {
			return nil
		}
		salt, err := pt.ErasureSalt(ctx, true)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mb_export_customers SELECT DISTINCT ?, `+erasedHashSQL(salt, EraseCustomer, "x")+
			` FROM (SELECT * FROM (`+ids+`)) AS t(x) WHERE x IS NOT NULL`, append([]any{id}, args...)...)
		return err
	})
}

// ExportsHolding lists the exports whose customers include one of ids,
// and (when unknownToo) the exports whose customers are not known.
func (p *Project) ExportsHolding(ctx context.Context, salt string, ids []string, unknownToo bool) ([]ExportRecord, error) {
	hashes := []string{}
	for _, id := range ids {
		hashes = append(hashes, Literal(ErasedHash(salt, EraseCustomer, id)))
	}
	cond := `FALSE`
	if len(hashes) > 0 {
		cond = `id IN (SELECT export_id FROM mb_export_customers WHERE hash IN (` + strings.Join(hashes, ", ") + `))`
	}
	if unknownToo {
		cond += ` OR NOT ids_known`
	}
	rows, err := p.q.QueryContext(ctx, `SELECT id, exported_at, path, source, rows, ids_known FROM mb_exports WHERE `+cond+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ExportRecord{}
	for rows.Next() {
		var r ExportRecord
		if err := rows.Scan(&r.ID, &r.At, &r.Path, &r.Source, &r.Rows, &r.IDsKnown); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
