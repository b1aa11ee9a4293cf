package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
	"github.com/marketbench/marketbench/storage/ingest"
)

// ConsentFileOptions say how to read a consent file (see consent.FileOptions).
type ConsentFileOptions = consent.FileOptions

// maxConsentRows bounds a consent file: it is read whole to check every
// row before anything is recorded.
const maxConsentRows = 2_000_000

// ConsentImport is what a consent file holds and what importing it does
// (or did).
type ConsentImport struct {
	Path    string
	Rows    int // data rows in the file
	Columns consent.Columns
	Changes []consent.Change
	Bad     []consent.RowError
	Result  consent.Result // Preview: what an import would do; Import: what it did
}

// DefaultConsentSource is a consent file's source when none is given:
// "import of <file name>", as an ordinary import records the consent it
// changes. It is stored as written, in English, like the file name.
func DefaultConsentSource(path string) string { return "import of " + filepath.Base(path) }

// readConsent reads and interprets a consent file; the source defaults to
// "import of <file name>".
func (w *Workspace) readConsent(ctx context.Context, path string, opt ConsentFileOptions) (*ConsentImport, error) {
	if strings.TrimSpace(opt.Source) == "" {
		opt.Source = DefaultConsentSource(path)
	}
	if opt.DefaultAt.IsZero() {
		if fi, err := os.Stat(path); err == nil {
			opt.DefaultAt = fi.ModTime().UTC().Truncate(time.Second)
		}
	}
	header, rows, err := ingest.ReadRows(ctx, w.Project, path, ingest.Options{}, maxConsentRows)
	if err != nil {
		return nil, err
	}
	d, err := consent.LoadDirectory(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	changes, bad, cols, err := consent.FromRows(header, rows, d, opt)
	if err != nil {
		return nil, err
	}
	return &ConsentImport{Path: path, Rows: len(rows), Columns: *cols, Changes: changes, Bad: bad}, nil
}

// PreviewConsentImport reads a consent file and says what importing it
// would do: changes, duplicates, bad rows. Nothing is written.
func (w *Workspace) PreviewConsentImport(ctx context.Context, path string, opt ConsentFileOptions) (*ConsentImport, error) {
	ci, err := w.readConsent(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	if len(ci.Changes) > 0 {
		res, err := consent.Preview(ctx, w.Project, ci.Changes)
		if err != nil {
			return nil, err
		}
		ci.Result = *res
	}
	return ci, nil
}

// ImportConsent records a consent file's changes with their provenance in
// one transaction: a file with any bad row records nothing (the error
// names the rows), and a change already recorded is not recorded again.
func (w *Workspace) ImportConsent(ctx context.Context, path string, opt ConsentFileOptions) (*ConsentImport, error) {
	ci, err := w.readConsent(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	if len(ci.Bad) > 0 {
		return ci, &consent.BadRowsError{Rows: ci.Bad}
	}
	if len(ci.Changes) == 0 {
		return ci, i18n.Errorf("%s has no consent rows; nothing was recorded", filepath.Base(path))
	}
	res, err := consent.Record(ctx, w.Project, ci.Changes)
	if err != nil {
		return ci, err
	}
	ci.Result = *res
	return ci, nil
}

// ConsentChange is one manual consent change: who (a customer id, or an
// e-mail or phone that names one customer), which channel, given or
// withdrawn, when (zero: now), where it is known from and its proof.
type ConsentChange struct {
	CustomerID, Email, Phone string
	Channel                  string
	Granted                  bool
	At                       time.Time
	Source, Proof            string
}

// SetConsent records a manual consent change and writes it into the
// consent column sends check.
func (w *Workspace) SetConsent(ctx context.Context, c ConsentChange) (*consent.Result, error) {
	ch, err := consent.ParseChannel(c.Channel)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Source) == "" {
		return nil, i18n.Errorf("say where this consent change is known from (--source), e.g. \"phone call\" or \"letter of 3 May\"")
	}
	ids, err := w.consentCustomers(ctx, c.CustomerID, c.Email, c.Phone)
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 {
		return nil, i18n.Errorf("that e-mail or phone belongs to %d customers (%s); name the customer id instead", len(ids), strings.Join(ids, ", "))
	}
	at := c.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	res, err := consent.Record(ctx, w.Project, []consent.Change{{CustomerID: ids[0], Channel: ch, Granted: c.Granted, At: at, Source: c.Source, Proof: c.Proof}})
	var be *consent.BadRowsError
	if errors.As(err, &be) && len(be.Rows) == 1 {
		return nil, i18n.Errorf("cannot record the change: %s", be.Rows[0].Reason)
	}
	return res, err
}

// consentCustomers finds a person's customer ids; none is an error in
// the user's words.
func (w *Workspace) consentCustomers(ctx context.Context, id, email, phone string) ([]string, error) {
	ids, err := consent.Customers(ctx, w.Project, id, email, phone)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, i18n.Errorf("no customer has that e-mail or phone; check it, or name the customer id")
	}
	return ids, nil
}

// ConsentHistory is a person's consent events, per customer id and
// channel, oldest first, and the ids they were found under.
func (w *Workspace) ConsentHistory(ctx context.Context, id, email, phone string) ([]string, []consent.Event, error) {
	ids, err := w.consentCustomers(ctx, id, email, phone)
	if err != nil {
		return nil, nil, err
	}
	ev, err := consent.History(ctx, w.Project, ids...)
	return ids, ev, err
}

// ConsentTotals counts consent events per channel and source.
func (w *Workspace) ConsentTotals(ctx context.Context) ([]consent.Total, error) {
	return consent.Totals(ctx, w.Project)
}

// ConsentChannelName is a channel's name for people: "e-mail", "SMS"…
func ConsentChannelName(r storage.Role) string {
	switch r {
	case storage.EmailConsent:
		return i18n.T("e-mail")
	case storage.SMSConsent:
		return i18n.T("SMS")
	case storage.WeChatFollower:
		return i18n.T("WeChat")
	case storage.PushOptIn:
		return i18n.T("push")
	}
	return string(r)
}
