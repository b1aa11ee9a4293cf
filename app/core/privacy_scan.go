package core

import (
	"context"
	"errors"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/privacy"
)

// PrivacyReport is where a project holds personal data: per table and
// column, which kinds, how much of a sample matched, how many rows and why.
type PrivacyReport = privacy.ScanReport

// PrivacySample is how many rows a privacy scan reads per table unless
// told otherwise.
const PrivacySample = privacy.DefaultSample

// PrivacyScan finds personal data in every table, or in table when it is
// not empty: by the columns' roles, their names and a sample of their
// values (see storage/privacy).
func (w *Workspace) PrivacyScan(ctx context.Context, table string) (*PrivacyReport, error) {
	return w.PrivacyScanSample(ctx, table, PrivacySample)
}

// PrivacyScanSample is PrivacyScan reading up to sample rows per table.
func (w *Workspace) PrivacyScanSample(ctx context.Context, table string, sample int) (*PrivacyReport, error) {
	rep, err := privacy.Scan(ctx, w.Project, table, privacy.Options{Sample: sample})
	if errors.Is(err, storage.ErrNoTable) {
		return nil, i18n.Errorf("no table named %q; 'marketbench tables' lists them", table)
	}
	return rep, err
}

// PrivacyKindName is a kind of personal data in the user's words.
func PrivacyKindName(k privacy.Kind) string {
	switch k {
	case privacy.KindName:
		return i18n.T("person's name")
	case privacy.KindEmail:
		return i18n.T("e-mail address")
	case privacy.KindPhone:
		return i18n.T("phone number")
	case privacy.KindNationalID:
		return i18n.T("resident ID number")
	case privacy.KindBirthDate:
		return i18n.T("date of birth")
	case privacy.KindAddress:
		return i18n.T("postal address")
	case privacy.KindCard:
		return i18n.T("payment card number")
	case privacy.KindIBAN:
		return i18n.T("IBAN")
	case privacy.KindIP:
		return i18n.T("IP address")
	case privacy.KindCustomerID:
		return i18n.T("customer ID")
	case privacy.KindOnlineID:
		return i18n.T("online identifier")
	}
	return string(k)
}

// PrivacyReasonName is why a column is reported, in the user's words.
func PrivacyReasonName(r string) string {
	switch r {
	case privacy.ReasonRole:
		return i18n.T("its role")
	case privacy.ReasonName:
		return i18n.T("its name")
	case privacy.ReasonContent:
		return i18n.T("its values")
	}
	return r
}

// PrivacyScanAll is PrivacyScan of every table, one table at a time so
// progress can say which one is being read.
func (w *Workspace) PrivacyScanAll(ctx context.Context, progress Progress) (*PrivacyReport, error) {
	ts, err := w.Tables(ctx)
	if err != nil {
		return nil, err
	}
	rep := &PrivacyReport{Sample: PrivacySample, Tables: []privacy.TableScan{}}
	for i, t := range ts {
		if progress != nil {
			progress(i18n.T("Reading %s", t.Name), float64(i)/float64(len(ts)))
		}
		r, err := w.PrivacyScan(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		rep.ScannedAt = r.ScannedAt
		rep.Tables = append(rep.Tables, r.Tables...)
	}
	return rep, nil
}
