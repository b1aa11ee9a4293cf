package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
)

// keyValues turns repeated k=v flags into a map.
func keyValues(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, i18n.Errorf("%q: write settings as name=value", kv)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

func (e *env) campaignCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "campaign", Short: "Create, preview, send (dry run, test, live), resume and read campaigns"}
	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a campaign with its delivery log and results",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.DeleteCampaign(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"deleted": args[0]}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Deleted campaign %q", args[0])) })
			})(cmd, args)
		},
	}
	cmd.AddCommand(e.campCreateCmd(), e.campListCmd(), e.campPreviewCmd(), e.campSendCmd(false), e.campSendCmd(true),
		e.campStatusCmd(), e.campUnknownCmd(), e.campResolveCmd(), e.campImportCmd(), e.campResultsCmd(), e.campSuppressCmd(),
		e.campReceiptsCmd(), del)
	return cmd
}

func (e *env) campCreateCmd() *cobra.Command {
	var file string
	var c campaign.Campaign
	var channel string
	var cfgKV, variants []string
	var replace bool
	cmd := &cobra.Command{
		Use:   "create NAME --segment S --channel PLUGIN/COMPONENT --variant 'A|50|Subject|Text' ...",
		Short: "Create (or with --replace, change) a campaign; or give it all as JSON with --file",
		Example: `  marketbench campaign create "Spring sale" --segment Champions --channel marketbench.org/webhook/webhook \
      --config url=http://localhost:8080/hook --holdout 10 \
      --variant 'A|50|Hi {{.first_name}}|Spring is here.' --variant 'B|50|{{.first_name}}, 20% off|Take 20% off today.'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if file != "" {
					b, err := os.ReadFile(file)
					if err != nil {
						return err
					}
					if err := json.Unmarshal(b, &c); err != nil {
						return i18n.Errorf("%s is not a campaign in JSON: %v", file, err)
					}
				}
				if len(args) == 1 {
					c.Name = args[0]
				}
				if channel != "" {
					i := strings.LastIndex(channel, "/")
					if i <= 0 {
						return i18n.Errorf("--channel is PLUGIN-ID/COMPONENT, e.g. marketbench.org/webhook/webhook")
					}
					c.Plugin, c.Component = channel[:i], channel[i+1:]
				}
				cfg, err := keyValues(cfgKV)
				if err != nil {
					return err
				}
				if len(cfg) > 0 {
					c.Config = cfg
				}
				for _, v := range variants {
					parts := strings.SplitN(v, "|", 4)
					if len(parts) < 4 {
						return i18n.Errorf("--variant %q: write NAME|SHARE|SUBJECT|TEXT", v)
					}
					pct, err := strconv.ParseFloat(parts[1], 64)
					if err != nil {
						return i18n.Errorf("--variant %q: the share %q is not a number", v, parts[1])
					}
					c.Variants = append(c.Variants, campaign.Variant{Name: parts[0], Percent: pct, Subject: parts[2], Text: strings.ReplaceAll(parts[3], `\n`, "\n")})
				}
				if err := w.SaveCampaign(ctx, &c, replace); err != nil {
					return err
				}
				return e.emit(c, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Saved campaign %q: %s via %s/%s, %d variants, %g%% holdout. Preview it with: marketbench campaign preview %q", c.Name, c.Segment, c.Plugin, c.Component, len(c.Variants), c.HoldoutPercent, c.Name))
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&file, "file", "", "the campaign as JSON (flags override its fields)")
	f.StringVar(&c.Segment, "segment", "", "audience: a saved or RFM segment")
	f.StringVar(&c.Rule, "rule", "", "narrow the audience, e.g. \"score_churn_logreg > 0.5\"")
	f.StringVar(&c.Table, "table", "", "customer table (default: customers or the first with a customer id)")
	f.StringVar(&channel, "channel", "", "PLUGIN-ID/COMPONENT of an enabled channel plugin")
	f.StringArrayVar(&cfgKV, "config", nil, "a channel setting, name=value (repeat); secrets are given at send time")
	f.StringArrayVar(&variants, "variant", nil, "NAME|SHARE|SUBJECT|TEXT (repeat); shares add up to 100; {{.first_name}} personalises")
	f.Float64Var(&c.HoldoutPercent, "holdout", 10, "percent of the audience kept as an untouched control group")
	f.IntVar(&c.RatePerMinute, "rate", 0, "at most this many messages per minute (0 = no cap)")
	f.BoolVar(&replace, "replace", false, "replace a campaign of the same name that has not started")
	e.audienceWords(cmd, &c)
	return cmd
}

func (e *env) campListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List campaigns",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			cs, err := w.Campaigns(ctx)
			if err != nil {
				return err
			}
			return e.emit(cs, func(o io.Writer) {
				if len(cs) == 0 {
					fmt.Fprintln(o, i18n.T("No campaigns yet: create one with 'campaign create'."))
					return
				}
				var rows [][]string
				for _, c := range cs {
					rows = append(rows, []string{c.Name, i18n.T(c.Status), c.Segment, c.Plugin + "/" + c.Component, strconv.Itoa(len(c.Variants)), fmt.Sprintf("%g%%", c.HoldoutPercent)})
				}
				table(o, []string{i18n.T("CAMPAIGN"), i18n.T("STATUS"), i18n.T("SEGMENT"), i18n.T("CHANNEL"), i18n.T("VARIANTS"), i18n.T("HOLDOUT")}, rows)
			})
		}),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func printCampaignPreview(o io.Writer, pv *core.Preview) {
	fmt.Fprintln(o, i18n.T("Audience: %d customers", pv.Audience))
	var rows [][]string
	for _, g := range sortedKeys(pv.Groups) {
		name := g
		if g == campaign.Holdout {
			name = i18n.T(g)
		}
		rows = append(rows, []string{"  " + name, strconv.Itoa(pv.Groups[g])})
	}
	table(o, []string{"  " + i18n.T("GROUP"), i18n.T("CUSTOMERS")}, rows)
	if len(pv.Excluded) > 0 {
		fmt.Fprint(o, "\n"+i18n.T("Excluded (never contacted):")+"\n")
		rows = nil
		for _, r := range sortedKeys(pv.Excluded) {
			rows = append(rows, []string{"  " + campaign.ReasonWords(r), strconv.Itoa(pv.Excluded[r])})
		}
		table(o, []string{"  " + i18n.T("REASON"), i18n.T("CUSTOMERS")}, rows)
	}
	fmt.Fprint(o, "\n"+i18n.T("The channel receives only: %s", strings.Join(pv.Fields, ", "))+"\n")
	for _, f := range []struct {
		title string
		m     map[string]int
	}{{i18n.T("The channel's provider would refuse:"), pv.Problems}, {i18n.T("The channel notes:"), pv.Notes}} {
		if len(f.m) == 0 {
			continue
		}
		fmt.Fprint(o, "\n"+f.title+"\n")
		rows = nil
		for _, k := range sortedKeys(f.m) {
			rows = append(rows, []string{"  " + k, strconv.Itoa(f.m[k])})
		}
		table(o, []string{"  " + i18n.T("FINDING"), i18n.T("MESSAGES")}, rows)
	}
	if pv.ChecksSkipped != "" {
		fmt.Fprint(o, "\n"+pv.ChecksSkipped+"\n")
	}
	for _, s := range pv.Samples {
		fmt.Fprint(o, "\n"+i18n.T("--- variant %s, customer %s, to %s\nSubject: %s\n%s", s.Variant, s.CustomerID, s.To, s.Subject, s.Text)+"\n")
		for _, p := range s.Problems {
			fmt.Fprint(o, i18n.T("! %s", p)+"\n")
		}
		for _, n := range s.Notes {
			fmt.Fprint(o, i18n.T("· %s", n)+"\n")
		}
	}
}

func (e *env) campPreviewCmd() *cobra.Command {
	var samples int
	cmd := &cobra.Command{
		Use:   "preview NAME",
		Short: "Show the audience, who is excluded and why, and rendered sample messages; sends nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				pv, err := w.PreviewCampaign(ctx, args[0], samples)
				if err != nil {
					return err
				}
				return e.emit(pv, func(o io.Writer) { printCampaignPreview(o, pv) })
			})(cmd, args)
		},
	}
	cmd.Flags().IntVar(&samples, "samples", 2, "rendered messages per variant")
	e.require(cmd, intRange("samples", 0, 0))
	return cmd
}

func (e *env) campSendCmd(resume bool) *cobra.Command {
	var live, allowDev bool
	var testTo string
	var secretKV []string
	var timeout time.Duration
	use, short := "send NAME [--live | --test-to ADDRESS]", "Send a campaign: a dry run unless --live (or --test-to for one message per variant)"
	if resume {
		use, short = "resume NAME", "Resume a live send that was stopped (by Ctrl-C, a crash or a plugin failure)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				opt := core.SendOptions{Mode: campaign.DryRun}
				switch {
				case resume || live:
					opt.Mode = campaign.Live
				case testTo != "":
					opt.Mode, opt.TestTo = campaign.TestSend, testTo
				}
				// Secrets not given here come from the environment or the
				// system keyring (core.ChannelSecrets).
				var err error
				if opt.Secrets, err = keyValues(secretKV); err != nil {
					return err
				}
				opt.Timeout, opt.AllowDevPlugin = timeout, allowDev
				prog, warn, done := e.sendProgress()
				opt.Warn = warn
				rep, err := w.SendCampaign(ctx, args[0], opt, prog)
				done()
				if err != nil && rep == nil {
					return err
				}
				emitErr := e.emit(rep, func(o io.Writer) {
					switch rep.Mode {
					case campaign.DryRun:
						fmt.Fprintln(o, i18n.T("Dry run: nothing was sent."))
						printCampaignPreview(o, rep.Preview)
						fmt.Fprint(o, "\n"+i18n.T("Send it with: marketbench campaign send %q --live", args[0])+"\n")
					case campaign.TestSend:
						fmt.Fprintln(o, i18n.T("Sent %d test messages (one per variant) to %s.", rep.Sent, testTo))
					default:
						recovered := ""
						if rep.Recovered > 0 {
							recovered = i18n.T(" (%d left unfinished by an earlier run were settled first)", rep.Recovered)
						}
						fmt.Fprintln(o, i18n.T("Sent %d messages in this run%s.", rep.Sent, recovered))
						if rep.Deferred > 0 {
							fmt.Fprintln(o, i18n.T("%d messages were held back for the customers' quiet hours; they wait, no attempt used.", rep.Deferred))
						}
						if rep.Counts != nil {
							printCounts(o, rep.Counts)
						}
						if rep.Unknown > 0 {
							fmt.Fprint(o, "\n"+i18n.T("%d messages may or may not have gone out (the app or the plugin stopped while sending them); check them with 'marketbench campaign unknown %q' and settle them with 'campaign resolve'.", rep.Unknown, args[0])+"\n")
						}
					}
				})
				if err != nil {
					return err
				}
				return emitErr
			})(cmd, args)
		},
	}
	if !resume {
		var dry bool
		cmd.Flags().BoolVar(&dry, "dry-run", true, "preview only (the default unless --live or --test-to)")
		cmd.Flags().BoolVar(&live, "live", false, "really send to the audience (otherwise a dry run)")
		cmd.Flags().StringVar(&testTo, "test-to", "", "send one message per variant to this address only")
	}
	cmd.Flags().StringArrayVar(&secretKV, "secret", nil, "a secret channel setting, name=value (else MARKETBENCH_SECRET_NAME, else the system keyring: see secret set)")
	cmd.Flags().BoolVar(&allowDev, "allow-dev-plugin", false, "confirm a live send through a development build of the channel's plugin ('plugin dev'); refused without it")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "how long the plugin may take to answer for the messages in flight before it is stopped and restarted (default 2m; 3 in a row pause the send)")
	e.require(cmd, duration("timeout"))
	cmd.PreRun = func(*cobra.Command, []string) {
		// The plugin host's own call limit must not be shorter than the
		// timeout asked for.
		if limit, err := time.ParseDuration(os.Getenv("MARKETBENCH_PLUGIN_TIMEOUT")); timeout > 2*time.Minute && (err != nil || limit < timeout) {
			os.Setenv("MARKETBENCH_PLUGIN_TIMEOUT", timeout.String())
		}
	}
	return cmd
}

// sendProgress shows a send's progress on stderr: a bar on a terminal,
// otherwise a line every few seconds; and each warning (the plugin
// crashed or timed out and is restarted) as a line. Quiet with --json.
func (e *env) sendProgress() (core.Progress, func(string), func()) {
	if e.json {
		return nil, nil, func() {}
	}
	bar, done := e.progress()
	var mu sync.Mutex
	if bar != nil {
		return func(stage string, f float64) {
				mu.Lock()
				defer mu.Unlock()
				bar(stage, f)
			}, func(msg string) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(e.errOut, "\r%-80s\r%s\n", "", i18n.T("warning: %s", msg))
			}, done
	}
	var last time.Time
	return func(stage string, f float64) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(last) < 5*time.Second || f < 0 {
				return
			}
			last = time.Now()
			fmt.Fprintf(e.errOut, "%s (%.0f%%)\n", stage, 100*f)
		}, func(msg string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(e.errOut, i18n.T("warning: %s", msg))
		}, func() {}
}

func (e *env) campUnknownCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unknown NAME",
		Short: "List deliveries whose fate is unknown (the app or the plugin stopped while sending them)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				us, err := w.UnknownDeliveries(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(us, func(o io.Writer) {
					if len(us) == 0 {
						fmt.Fprintln(o, i18n.T("Campaign %q has no deliveries of unknown fate.", args[0]))
						return
					}
					var rows [][]string
					for _, u := range us {
						at := ""
						if u.At != nil {
							at = u.At.Local().Format("2006-01-02 15:04:05")
						}
						rows = append(rows, []string{u.CustomerID, u.Variant, u.Key, at, campaign.ReasonWords(u.Reason)})
					}
					table(o, []string{i18n.T("CUSTOMER"), i18n.T("VARIANT"), i18n.T("IDEMPOTENCY KEY"), i18n.T("SINCE"), i18n.T("WHY")}, rows)
					fmt.Fprint(o, "\n"+i18n.T("%d messages may or may not have gone out. Check with your provider (by idempotency key), then settle them:\n"+
						"  marketbench campaign resolve %q --sent       (they arrived)\n"+
						"  marketbench campaign resolve %q --not-sent   (they did not, and are not to be sent)\n"+
						"  marketbench campaign resolve %q --resend     (send them at the next resume)\n"+
						"Add --customer ID to settle one customer.", len(us), args[0], args[0], args[0])+"\n")
				})
			})(cmd, args)
		},
	}
}

func (e *env) campResolveCmd() *cobra.Command {
	var sent, notSent, resend bool
	var customers []string
	cmd := &cobra.Command{
		Use:   "resolve NAME --sent|--not-sent|--resend [--customer ID ...]",
		Short: "Settle deliveries of unknown fate: they arrived, they did not, or send them again (audited)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var how string
			n := 0
			for flag, h := range map[string]string{"sent": campaign.ResolveSent, "not-sent": campaign.ResolveNotSent, "resend": campaign.ResolveResend} {
				if map[string]bool{"sent": sent, "not-sent": notSent, "resend": resend}[flag] {
					how = h
					n++
				}
			}
			if n != 1 {
				return i18n.Errorf("say how to settle them: exactly one of --sent, --not-sent or --resend")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				k, err := w.ResolveUnknown(ctx, args[0], how, customers)
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"campaign": args[0], "resolved": k, "as": how}, func(o io.Writer) {
					switch how {
					case campaign.ResolveSent:
						fmt.Fprintln(o, i18n.T("Marked %d deliveries as sent.", k))
					case campaign.ResolveNotSent:
						fmt.Fprintln(o, i18n.T("Marked %d deliveries as not sent; they will not be sent.", k))
					default:
						fmt.Fprintln(o, i18n.T("%d deliveries will be sent again: run 'marketbench campaign resume %q'.", k, args[0]))
					}
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&sent, "sent", false, "the messages arrived (checked with the provider)")
	f.BoolVar(&notSent, "not-sent", false, "the messages did not arrive and are not to be sent")
	f.BoolVar(&resend, "resend", false, "send the messages again at the next resume")
	f.StringArrayVar(&customers, "customer", nil, "settle only this customer's delivery (repeat)")
	return cmd
}

func printCounts(o io.Writer, c *campaign.Counts) {
	var rows [][]string
	for _, s := range sortedKeys(c.ByStatus) {
		rows = append(rows, []string{"  " + i18n.T(s), strconv.Itoa(c.ByStatus[s])})
	}
	table(o, []string{"  " + i18n.T("STATUS"), i18n.T("CUSTOMERS")}, rows)
	if len(c.Reasons) > 0 {
		rows = nil
		for _, r := range sortedKeys(c.Reasons) {
			rows = append(rows, []string{"  " + campaign.ReasonWords(r), strconv.Itoa(c.Reasons[r])})
		}
		fmt.Fprintln(o)
		table(o, []string{"  " + i18n.T("NOT SENT, BY CAUSE"), i18n.T("CUSTOMERS")}, rows)
	}
}

func (e *env) campStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status NAME",
		Short: "Show the delivery log's counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				in, counts, err := w.CampaignStatus(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"name": in.Name, "status": in.Status, "counts": counts}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Campaign %q: %s", in.Name, i18n.T(in.Status)))
					printCounts(o, counts)
				})
			})(cmd, args)
		},
	}
}

func (e *env) campImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import-results NAME FILE.csv|table:TABLE",
		Short: "Import responses (customer_id or idempotency_key, event open|click|conversion|unsubscribe|bounce, value, at)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.ImportCampaignResults(ctx, args[0], args[1])
				if err != nil {
					return err
				}
				return e.emit(res, func(o io.Writer) {
					fmt.Fprint(o, i18n.T("Imported %d of %d rows (%d matched no delivery)", res.Matched, res.Rows, res.Unmatched))
					for _, ev := range sortedKeys(res.ByEvent) {
						fmt.Fprintf(o, "; %s %d", i18n.T(ev), res.ByEvent[ev])
					}
					fmt.Fprint(o, "\n"+i18n.T("%d customers added to the suppression list (unsubscribes and bounces)", res.Suppressed)+"\n")
				})
			})(cmd, args)
		},
	}
}

func (e *env) campResultsCmd() *cobra.Command {
	var days int
	var chartPath string
	cmd := &cobra.Command{
		Use:   "results NAME [--attribution-days N]",
		Short: "Compare each variant with the holdout: rates with 95% intervals, z-test, chi-square, probability to beat, SRM",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.CampaignResults(ctx, args[0], days)
				if err != nil {
					return err
				}
				if chartPath != "" {
					if err := resultsChart(res, "conversion", chartPath); err != nil {
						return err
					}
				}
				return e.emitResults(res)
			})(cmd, args)
		},
	}
	cmd.Flags().IntVar(&days, "attribution-days", 0, "also count orders within N days after the start as conversions (needs an order table)")
	cmd.Flags().StringVar(&chartPath, "chart", "", "also draw the conversion rate per group with 95% intervals to this .png, .svg or .pdf")
	e.require(cmd, intRange("attribution-days", 0, 0))
	return cmd
}

func jnum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

func (e *env) emitResults(res *core.Results) error {
	return e.emit(res, func(o io.Writer) {
		if len(res.Reports) == 0 {
			fmt.Fprintln(o, i18n.T("Nothing to compare yet: the control group or the variants have no customers."))
			return
		}
		for _, m := range sortedKeys(res.Reports) {
			r := res.Reports[m]
			fmt.Fprint(o, "\n"+i18n.T("%s (control %s)", m, r.Control.Name)+"\n")
			rows := [][]string{{r.Control.Name, strconv.FormatInt(r.Control.N, 10), strconv.FormatInt(r.Control.Conversions, 10),
				pct(r.Control.Rate), pct(r.Control.Wilson.Lo) + " – " + pct(r.Control.Wilson.Hi), "", "", "", ""}}
			for _, v := range r.Variants {
				rows = append(rows, []string{v.Variant.Name, strconv.FormatInt(v.Variant.N, 10), strconv.FormatInt(v.Variant.Conversions, 10),
					pct(v.Variant.Rate), pct(v.Variant.Wilson.Lo) + " – " + pct(v.Variant.Wilson.Hi),
					fmt.Sprintf("%+.2f pts (%s)", 100*v.AbsLift, pct(v.RelLift)), pval(v.ZTest.PAdjusted), pct(v.Bayes.ProbBeatControl),
					map[bool]string{true: "yes", false: "no"}[v.Significant]})
			}
			table(o, []string{i18n.T("GROUP"), i18n.T("CUSTOMERS"), i18n.T("CONVERTED"), i18n.T("RATE"), i18n.T("%d%% CI", 95), i18n.T("LIFT"), i18n.T("P (HOLM)"), i18n.T("P(BEATS CONTROL)"), i18n.T("SIGNIFICANT")}, rows)
			fmt.Fprintln(o, i18n.T("chi-square across all groups: %.2f (df %d), p %s", r.Overall.Stat, r.Overall.DF, pval(r.Overall.P)))
			if r.SRM != nil {
				fmt.Fprintln(o, i18n.Say(r.SRM.Message))
			}
			for _, v := range r.Variants {
				if v.Revenue != nil {
					fmt.Fprintln(o, i18n.T("revenue per customer, %s vs %s: %+.4f (95%% CI %.4f – %.4f), Welch p %s", v.Variant.Name, r.Control.Name, v.Revenue.Diff, v.Revenue.DiffCI.Lo, v.Revenue.DiffCI.Hi, pval(v.Revenue.P)))
				}
			}
		}
	})
}

func (e *env) campSuppressCmd() *cobra.Command {
	var kind, reason string
	cmd := &cobra.Command{
		Use:   "suppress VALUE... [--kind email|phone|wechat_openid|push_token|customer] [--reason TEXT]",
		Short: "Put addresses or customer ids on the project's suppression list: no campaign will contact them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				n, err := w.Suppress(ctx, kind, args, reason)
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"added": n}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Added %d to the suppression list", n)) })
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "email", "email, phone, wechat_openid, push_token or customer")
	cmd.Flags().StringVar(&reason, "reason", "on the suppression list", "shown as the reason customers are excluded")
	return cmd
}

func (e *env) abtestCmd() *cobra.Command {
	var variantCol, control, revenue string
	var metrics []string
	cmd := &cobra.Command{
		Use:     "abtest TABLE --variant COLUMN --control VALUE --metric COLUMN [--metric ...] [--revenue COLUMN]",
		Short:   "Analyse an experiment already in a table (one row per customer) with the statistics of campaign results",
		Example: `  marketbench abtest hillstrom --variant segment --control "No E-Mail" --metric visit --metric conversion --revenue spend`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if variantCol == "" || control == "" || len(metrics) == 0 {
				return i18n.Errorf("give --variant COLUMN, --control VALUE and at least one --metric COLUMN")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.AnalyzeTable(ctx, args[0], variantCol, control, metrics, revenue)
				if err != nil {
					return err
				}
				return e.emitResults(res)
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&variantCol, "variant", "", "column naming each customer's group")
	cmd.Flags().StringVar(&control, "control", "", "the group that is the control (holdout)")
	cmd.Flags().StringArrayVar(&metrics, "metric", nil, "a 0/1 outcome column (repeat)")
	cmd.Flags().StringVar(&revenue, "revenue", "", "a revenue-per-customer column (Welch t-test)")
	return cmd
}

func (e *env) abtestPlanCmd() *cobra.Command {
	var d abtest.Design
	var power float64
	cmd := &cobra.Command{
		Use:   "abtest-plan --baseline RATE --mde EFFECT [--relative] [--power 0.8] [--alpha 0.05]",
		Short: "How many customers each group needs to detect an effect (two-sided test of two rates)",
		Example: `  marketbench abtest-plan --baseline 0.05 --mde 0.01            # 5% → 6%
  marketbench abtest-plan --baseline 0.05 --mde 0.10 --relative # 5% → 5.5%`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, err := abtest.SampleSize(d, power)
			if err != nil {
				return err
			}
			return e.emit(plan, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("%d customers in each group (control and every variant) to detect %s → %s with %.0f%% power at a %.0f%% significance level.", plan.PerGroup, pct(plan.Control), pct(plan.Target), 100*power, 100*map[bool]float64{true: 0.05, false: d.Alpha}[d.Alpha == 0]))
			})
		},
	}
	cmd.Flags().Float64Var(&d.Baseline, "baseline", 0, "the control's expected rate, e.g. 0.05")
	cmd.Flags().Float64Var(&d.MDE, "mde", 0, "the smallest effect worth detecting: absolute (0.01 = one point) or, with --relative, a fraction of the baseline")
	cmd.Flags().BoolVar(&d.Relative, "relative", false, "--mde is relative to the baseline")
	cmd.Flags().Float64Var(&d.Alpha, "alpha", 0.05, "two-sided significance level")
	cmd.Flags().Float64Var(&power, "power", 0.8, "probability of detecting the effect if it is real")
	e.require(cmd, share("alpha"), share("power"))
	return cmd
}

// resultsChart draws the rate per group with its 95% interval, the
// control first, for `campaign results --chart` and `abtest --chart`.
func resultsChart(res *core.Results, metric, path string) error {
	r := res.Reports[metric]
	if r == nil {
		return i18n.Errorf("no %s results to chart", metric)
	}
	rates := []chart.Rate{{Label: r.Control.Name, Rate: r.Control.Rate, Lo: r.Control.Wilson.Lo, Hi: r.Control.Wilson.Hi, Control: true}}
	for _, v := range r.Variants {
		rates = append(rates, chart.Rate{Label: v.Variant.Name, Rate: v.Variant.Rate, Lo: v.Variant.Wilson.Lo, Hi: v.Variant.Wilson.Hi})
	}
	p, err := chart.RateIntervals(i18n.T("%s rate by group", strings.ToUpper(metric[:1])+metric[1:]), "95%", rates)
	if err != nil {
		return err
	}
	return chart.Save(p, path, chart.DefaultWidth, chart.DefaultHeight)
}

func (e *env) campReceiptsCmd() *cobra.Command {
	var secretKV []string
	cmd := &cobra.Command{
		Use:   "receipts NAME",
		Short: "Fetch the provider's delivery receipts (SMS) and record them as delivered or undelivered responses",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				in, _, err := w.CampaignStatus(ctx, args[0])
				if err != nil {
					return err
				}
				secrets, err := keyValues(secretKV)
				if err != nil {
					return err
				}
				rep, err := w.FetchReceipts(ctx, args[0], secrets)
				if err != nil {
					return err
				}
				return e.emit(rep, func(o io.Writer) { printReceipts(o, in.Plugin, rep) })
			})(cmd, args)
		},
	}
	cmd.Flags().StringArrayVar(&secretKV, "secret", nil, "a secret channel setting, name=value (else MARKETBENCH_SECRET_NAME, else the system keyring: see secret set)")
	return cmd
}

func printReceipts(o io.Writer, plugin string, rep *core.ReceiptReport) {
	if rep.NoReceipts {
		fmt.Fprintln(o, i18n.T("The channel %s keeps no delivery receipts to fetch.", plugin))
		return
	}
	fmt.Fprintln(o, i18n.T("Asked about %d messages: %d receipts recorded now, %d still on their way.", rep.Asked, rep.Added, rep.Pending))
	undelivered := 0
	for _, k := range rep.Undelivered {
		undelivered += k
	}
	fmt.Fprintln(o, i18n.T("In all: %d delivered to the recipient, %d undelivered.", rep.Delivered, undelivered))
	var rows [][]string
	for _, k := range sortedKeys(rep.Undelivered) {
		rows = append(rows, []string{"  " + k, strconv.Itoa(rep.Undelivered[k])})
	}
	if len(rows) > 0 {
		table(o, []string{"  " + i18n.T("REASON"), i18n.T("MESSAGES")}, rows)
	}
}
