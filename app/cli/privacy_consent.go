package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/consent"
)

func init() {
	registerPrivacyCmd(func(e *env) *cobra.Command { return e.consentCmd() })
}

func (e *env) consentCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "consent", Short: "Consent records: each change with its time, source and proof"}
	cmd.AddCommand(e.consentImportCmd(), e.consentHistoryCmd(), e.consentSetCmd(), e.consentTotalsCmd())
	return cmd
}

const isoSecond = "2006-01-02T15:04:05Z"

func iso(t time.Time) string { return t.UTC().Format(isoSecond) }

type consentColumnsJSON struct {
	Key     string `json:"key"`
	KeyKind string `json:"key_kind"`
	Channel string `json:"channel,omitempty"`
	Granted string `json:"granted"`
	At      string `json:"at,omitempty"`
	Proof   string `json:"proof,omitempty"`
}

type badRowJSON struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

type consentResultJSON struct {
	Added       int      `json:"added"`
	Duplicates  int      `json:"duplicates"`
	Granted     int      `json:"granted"`
	Withdrawn   int      `json:"withdrawn"`
	UpdatedRows int64    `json:"updated_rows"`
	Superseded  int      `json:"superseded"`
	NoColumn    []string `json:"channels_without_column"`
}

func consentResult(r consent.Result) consentResultJSON {
	out := consentResultJSON{Added: r.Added, Duplicates: r.Duplicates, Granted: r.Granted, Withdrawn: r.Withdrawn, UpdatedRows: r.Updated, Superseded: r.Superseded, NoColumn: []string{}}
	for _, c := range r.NoColumn {
		out.NoColumn = append(out.NoColumn, consent.Short(c))
	}
	return out
}

type consentImportJSON struct {
	File    string             `json:"file"`
	Preview bool               `json:"preview"`
	Rows    int                `json:"rows"`
	Columns consentColumnsJSON `json:"columns"`
	consentResultJSON
	BadRows []badRowJSON `json:"bad_rows"`
}

func (e *env) consentImportCmd() *cobra.Command {
	var opt core.ConsentFileOptions
	var channel string
	var preview bool
	cmd := &cobra.Command{
		Use:   "import FILE --source TEXT [--channel email|sms|wechat|push] [--proof-column C] [--at-column C]",
		Short: "Import consent records (CSV or XLSX) with where they come from",
		Long: "Each row names a customer (by customer id, e-mail or phone), a channel (a channel column or --channel),\n" +
			"whether consent was given (yes/no, true/false, 1/0, 同意/不同意, opt-in/opt-out), and optionally when and its proof.\n" +
			"Every row is checked first: unknown customers and bad rows are listed by line and nothing is recorded.\n" +
			"Rows already recorded are left out, so importing a file again adds nothing. Rows without a time take the\n" +
			"file's modification time. A customer's consent is their latest change; it is written into the customer\n" +
			"table's consent column, which sends check.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if channel != "" {
				ch, err := consent.ParseChannel(channel)
				if err != nil {
					return err
				}
				opt.Channel = ch
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				run := w.ImportConsent
				if preview {
					run = w.PreviewConsentImport
				}
				ci, err := run(ctx, args[0], opt)
				if ci == nil {
					return err
				}
				out := consentImportJSON{File: args[0], Preview: preview, Rows: ci.Rows, consentResultJSON: consentResult(ci.Result), BadRows: []badRowJSON{},
					Columns: consentColumnsJSON{Key: ci.Columns.Key, KeyKind: ci.Columns.KeyKind, Channel: ci.Columns.Channel,
						Granted: ci.Columns.Granted, At: ci.Columns.At, Proof: ci.Columns.Proof}}
				for _, b := range ci.Bad {
					out.BadRows = append(out.BadRows, badRowJSON{Row: b.Row, Reason: b.Reason})
				}
				if perr := e.emit(out, func(o io.Writer) { printConsentImport(o, out, err == nil) }); perr != nil {
					return perr
				}
				var be *consent.BadRowsError
				if errors.As(err, &be) {
					return i18n.Errorf("%d bad row(s) in %s; nothing was recorded. Fix them (or name the columns with --key-column, --granted-column…) and import again", len(be.Rows), args[0])
				}
				return err
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Source, "source", "", `where the records come from, e.g. "web form" (default: "import of FILE")`)
	f.StringVar(&channel, "channel", "", "the channel of every row when the file has no channel column: email, sms, wechat or push")
	f.StringVar(&opt.KeyColumn, "key-column", "", "the column naming the customer (customer id, e-mail or phone)")
	f.StringVar(&opt.ChannelColumn, "channel-column", "", "the column naming the channel")
	f.StringVar(&opt.GrantedColumn, "granted-column", "", "the column saying whether consent was given")
	f.StringVar(&opt.AtColumn, "at-column", "", "the column saying when")
	f.StringVar(&opt.ProofColumn, "proof-column", "", "the column holding the proof (form id, IP and time, URL)")
	f.BoolVar(&preview, "preview", false, "check the file and say what importing it would do; record nothing")
	return cmd
}

func printConsentImport(o io.Writer, r consentImportJSON, ok bool) {
	c := r.Columns
	fmt.Fprintln(o, i18n.T("%d row(s) read; customer by %s (column %q), consent from column %q.", r.Rows, consent.KindWord(c.KeyKind), c.Key, c.Granted))
	if len(r.BadRows) > 0 {
		rows := [][]string{}
		for _, b := range r.BadRows {
			rows = append(rows, []string{strconv.Itoa(b.Row), b.Reason})
		}
		table(o, []string{i18n.T("ROW"), i18n.T("PROBLEM")}, rows)
		return
	}
	if !ok {
		return
	}
	verb := i18n.T("Recorded")
	if r.Preview {
		verb = i18n.T("Would record")
	}
	fmt.Fprintln(o, i18n.T("%s %d consent change(s): %d given, %d withdrawn; %d already recorded; %d customer row(s) updated.",
		verb, r.Added, r.Granted, r.Withdrawn, r.Duplicates, r.UpdatedRows))
	if r.Superseded > 0 {
		fmt.Fprintln(o, i18n.T("%d of them are older than a change already recorded for that customer and channel: they are kept in the history, and the later change stays the consent.", r.Superseded))
	}
	for _, ch := range r.NoColumn {
		fmt.Fprintln(o, i18n.T("No customer table has a %s consent column: sends on that channel cannot see these changes until one has that role.", ch))
	}
}

type consentEventJSON struct {
	ID         int64  `json:"id"`
	CustomerID string `json:"customer_id"`
	Channel    string `json:"channel"`
	Granted    bool   `json:"granted"`
	At         string `json:"at"`
	Source     string `json:"source"`
	Proof      string `json:"proof"`
	RecordedAt string `json:"recorded_at"`
}

type consentHistoryJSON struct {
	Customers []string           `json:"customers"`
	Current   []consentEventJSON `json:"current"`
	Events    []consentEventJSON `json:"events"`
}

func eventJSON(ev consent.Event) consentEventJSON {
	return consentEventJSON{ID: ev.ID, CustomerID: ev.CustomerID, Channel: consent.Short(ev.Channel), Granted: ev.Granted,
		At: iso(ev.At), Source: ev.Source, Proof: ev.Proof, RecordedAt: iso(ev.RecordedAt)}
}

func (e *env) consentHistoryCmd() *cobra.Command {
	var id, email, phone string
	cmd := &cobra.Command{
		Use:   "history --customer ID | --email E | --phone P",
		Short: "A customer's consent changes per channel, with time, source and proof",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			ids, events, err := w.ConsentHistory(ctx, id, email, phone)
			if err != nil {
				return err
			}
			out := consentHistoryJSON{Customers: ids, Current: []consentEventJSON{}, Events: []consentEventJSON{}}
			for _, ev := range events {
				out.Events = append(out.Events, eventJSON(ev))
			}
			for _, cid := range ids {
				var mine []consent.Event
				for _, ev := range events {
					if ev.CustomerID == cid {
						mine = append(mine, ev)
					}
				}
				cur := consent.Current(mine)
				for _, ch := range consent.Channels {
					if ev, ok := cur[ch]; ok {
						out.Current = append(out.Current, eventJSON(ev))
					}
				}
			}
			return e.emit(out, func(o io.Writer) { printConsentHistory(o, out) })
		}),
	}
	f := cmd.Flags()
	f.StringVar(&id, "customer", "", "the customer id")
	f.StringVar(&email, "email", "", "the e-mail address")
	f.StringVar(&phone, "phone", "", "the phone number")
	return cmd
}

func givenWord(g bool) string {
	if g {
		return i18n.T("given")
	}
	return i18n.T("withdrawn")
}

func channelWord(short string) string {
	ch, err := consent.ParseChannel(short)
	if err != nil {
		return short
	}
	return core.ConsentChannelName(ch)
}

func printConsentHistory(o io.Writer, h consentHistoryJSON) {
	if len(h.Events) == 0 {
		fmt.Fprintln(o, i18n.T("No consent changes are recorded for %s.", strings.Join(h.Customers, ", ")))
		return
	}
	for _, c := range h.Current {
		fmt.Fprintln(o, i18n.T("%s, %s: consent %s since %s (%s)", c.CustomerID, channelWord(c.Channel), givenWord(c.Granted), c.At[:10], c.Source))
	}
	var rows [][]string
	for _, ev := range h.Events {
		rows = append(rows, []string{ev.CustomerID, channelWord(ev.Channel), givenWord(ev.Granted), ev.At, ev.Source, ev.Proof, ev.RecordedAt})
	}
	table(o, []string{i18n.T("CUSTOMER"), i18n.T("CHANNEL"), i18n.T("CONSENT"), i18n.T("AT"), i18n.T("SOURCE"), i18n.T("PROOF"), i18n.T("RECORDED")}, rows)
}

type consentSetJSON struct {
	Channel string `json:"channel"`
	Granted bool   `json:"granted"`
	consentResultJSON
}

func (e *env) consentSetCmd() *cobra.Command {
	var c core.ConsentChange
	var at string
	cmd := &cobra.Command{
		Use:   "set --customer ID --channel email --granted=false --source TEXT [--proof TEXT] [--at TIME]",
		Short: "Record a consent change by hand, with where it is known from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("granted") {
				return i18n.Errorf("say whether consent is given: --granted=true or --granted=false")
			}
			if at != "" {
				t, err := consent.ParseTime(at)
				if err != nil {
					return err
				}
				c.At = t
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.SetConsent(ctx, c)
				if err != nil {
					return err
				}
				ch, _ := consent.ParseChannel(c.Channel)
				out := consentSetJSON{Channel: consent.Short(ch), Granted: c.Granted, consentResultJSON: consentResult(*res)}
				return e.emit(out, func(o io.Writer) {
					if res.Added == 0 {
						fmt.Fprintln(o, i18n.T("This change was already recorded; nothing was added."))
						return
					}
					fmt.Fprintln(o, i18n.T("Recorded: %s consent %s (%s); %d customer row(s) updated.", core.ConsentChannelName(ch), givenWord(c.Granted), c.Source, res.Updated))
					if len(res.NoColumn) > 0 {
						fmt.Fprintln(o, i18n.T("No customer table has a %s consent column: sends on that channel cannot see these changes until one has that role.", consent.Short(ch)))
					}
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.CustomerID, "customer", "", "the customer id")
	f.StringVar(&c.Email, "email", "", "the customer's e-mail address")
	f.StringVar(&c.Phone, "phone", "", "the customer's phone number")
	f.StringVar(&c.Channel, "channel", "", "email, sms, wechat or push")
	f.BoolVar(&c.Granted, "granted", false, "true: consent given; false: withdrawn")
	f.StringVar(&c.Source, "source", "", `where the change is known from, e.g. "phone call"`)
	f.StringVar(&c.Proof, "proof", "", "its proof: a reference, a URL, an IP address and time")
	f.StringVar(&at, "at", "", "when the person gave or withdrew consent (default: now)")
	return cmd
}

type consentTotalJSON struct {
	Channel   string `json:"channel"`
	Source    string `json:"source"`
	Events    int64  `json:"events"`
	Granted   int64  `json:"granted"`
	Withdrawn int64  `json:"withdrawn"`
	Customers int64  `json:"customers"`
	LastAt    string `json:"last_at"`
}

func (e *env) consentTotalsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "totals",
		Short: "Consent changes recorded per channel and source",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			tot, err := w.ConsentTotals(ctx)
			if err != nil {
				return err
			}
			out := struct {
				Totals []consentTotalJSON `json:"totals"`
			}{Totals: []consentTotalJSON{}}
			for _, t := range tot {
				out.Totals = append(out.Totals, consentTotalJSON{Channel: consent.Short(t.Channel), Source: t.Source, Events: t.Events,
					Granted: t.Granted, Withdrawn: t.Withdrawn, Customers: t.Customers, LastAt: iso(t.Last)})
			}
			return e.emit(out, func(o io.Writer) {
				if len(out.Totals) == 0 {
					fmt.Fprintln(o, i18n.T("No consent changes are recorded yet."))
					return
				}
				var rows [][]string
				for _, t := range out.Totals {
					rows = append(rows, []string{channelWord(t.Channel), t.Source, strconv.FormatInt(t.Events, 10), strconv.FormatInt(t.Granted, 10),
						strconv.FormatInt(t.Withdrawn, 10), strconv.FormatInt(t.Customers, 10), t.LastAt[:10]})
				}
				table(o, []string{i18n.T("CHANNEL"), i18n.T("SOURCE"), i18n.T("CHANGES"), i18n.T("GIVEN"), i18n.T("WITHDRAWN"), i18n.T("CUSTOMERS"), i18n.T("LATEST")}, rows)
			})
		}),
	}
}
