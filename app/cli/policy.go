package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/contact"
)

func (e *env) policyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Show or set the contact policy: frequency caps and quiet hours for every campaign and journey"}
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the contact policy",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			pol, err := w.ContactPolicy(ctx)
			if err != nil {
				return err
			}
			return e.emitPolicy(pol)
		}),
	}
	var caps []string
	var quiet, zone string
	var clear bool
	set := &cobra.Command{
		Use:   "set [--cap [CHANNEL=]MAX/WINDOW]... [--quiet START-END] [--time-zone ZONE] [--clear]",
		Short: "Set the contact policy (the parts given; --clear starts from none)",
		Long: "Frequency caps allow at most MAX messages per customer in any WINDOW (hours, days or weeks:\n" +
			"24h, 7d, 2w), on one channel (PLUGIN-ID/COMPONENT=) or over all channels. Quiet hours hold\n" +
			"messages back between START and END on the customer's clock (their time_zone column), or the\n" +
			"project's time zone when theirs is unknown. --cap replaces every cap (--cap none removes them);\n" +
			"--quiet none removes the quiet hours; --time-zone local uses this computer's zone.",
		Example: `  marketbench policy set --cap 1/24h --cap marketbench.org/smtp/smtp=2/7d --quiet 21:00-08:00 --time-zone Asia/Shanghai
  marketbench policy set --clear`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if !clear && !fs.Changed("cap") && !fs.Changed("quiet") && !fs.Changed("time-zone") {
				return i18n.Errorf("nothing to set; give --cap, --quiet, --time-zone or --clear (see 'marketbench policy set --help')")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				pol := &contact.Policy{}
				if !clear {
					cur, err := w.ContactPolicy(ctx)
					if err != nil {
						return err
					}
					pol = cur
				}
				if fs.Changed("cap") {
					pol.Caps = nil
					for _, c := range caps {
						if strings.EqualFold(strings.TrimSpace(c), "none") {
							continue
						}
						cp, err := contact.ParseCap(c)
						if err != nil {
							return err
						}
						pol.Caps = append(pol.Caps, cp)
					}
				}
				if fs.Changed("quiet") {
					pol.Quiet = nil
					if !strings.EqualFold(strings.TrimSpace(quiet), "none") {
						q, err := contact.ParseQuiet(quiet)
						if err != nil {
							return err
						}
						pol.Quiet = q
					}
				}
				if fs.Changed("time-zone") {
					pol.TimeZone = strings.TrimSpace(zone)
					if strings.EqualFold(pol.TimeZone, "local") {
						pol.TimeZone = ""
					}
				}
				if err := w.SetContactPolicy(ctx, pol); err != nil {
					return err
				}
				return e.emitPolicy(pol)
			})(cmd, args)
		},
	}
	set.Flags().StringArrayVar(&caps, "cap", nil, "a frequency cap, [PLUGIN-ID/COMPONENT=]MAX/WINDOW such as 1/24h or marketbench.org/smtp/smtp=2/7d (repeat for more; none for no caps)")
	set.Flags().StringVar(&quiet, "quiet", "", "quiet hours on the customer's clock, START-END such as 21:00-08:00 (none for no quiet hours)")
	set.Flags().StringVar(&zone, "time-zone", "", "the project's time zone, for customers whose own is unknown: an IANA name such as Asia/Shanghai, an offset such as +08:00, or local")
	set.Flags().BoolVar(&clear, "clear", false, "start from no policy (no caps, no quiet hours, this computer's time zone)")
	cmd.AddCommand(show, set)
	return cmd
}

// emitPolicy shows the policy: as JSON, or in words.
func (e *env) emitPolicy(pol *contact.Policy) error {
	zone := pol.TimeZone
	if loc, err := pol.Location(); err == nil && zone == "" {
		zone = contact.ZoneName(loc, time.Now())
	}
	caps := pol.Caps
	if caps == nil {
		caps = []contact.Cap{}
	}
	v := map[string]any{"caps": caps, "quiet": pol.Quiet, "time_zone": pol.TimeZone, "time_zone_in_use": zone}
	return e.emit(v, func(o io.Writer) {
		if len(pol.Caps) == 0 {
			fmt.Fprintln(o, i18n.T("No frequency caps."))
		} else {
			fmt.Fprintln(o, i18n.T("Frequency caps:"))
			for _, c := range pol.Caps {
				fmt.Fprintf(o, "  %-45s %s\n", c.String(), c.Words())
			}
		}
		if pol.Quiet == nil {
			fmt.Fprintln(o, i18n.T("No quiet hours."))
		} else {
			fmt.Fprintln(o, i18n.T("Quiet hours: %s on the customer's clock (their time_zone column; %s when unknown).", pol.Quiet.String(), zone))
		}
		if pol.TimeZone == "" {
			fmt.Fprintln(o, i18n.T("Project time zone: this computer's (%s).", zone))
		} else {
			fmt.Fprintln(o, i18n.T("Project time zone: %s.", zone))
		}
	})
}
