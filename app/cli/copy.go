package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) copyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "copy", Short: "Write campaign copy with a local language model (Ollama), or offline templates"}
	cmd.AddCommand(e.copyGenerateCmd(), e.copyModelsCmd(), e.copySettingsCmd(), e.copyPromptsCmd())
	return cmd
}

func (e *env) copyGenerateCmd() *cobra.Command {
	var req core.CopyRequest
	cmd := &cobra.Command{
		Use:   "generate --segment S --channel sms --n 5 --brief TEXT",
		Short: "Write N variants of e-mail subjects, e-mails, SMS or push texts for a segment, checked by the guardrails",
		Long: "Writes copy grounded in the audience's profile (size, RFM mix, top categories, order value; never a customer's own data)\n" +
			"and checks each variant: length for the channel (SMS: GSM-7 160 or UCS-2 70), personalisation fields, spam triggers.\n" +
			"When Ollama is not running or lacks the model, offline templates write the copy and the fix is printed.",
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if req.Channel == "" {
				return i18n.Errorf("choose the channel with --channel email-subject|email-body|sms|push")
			}
			onChunk := e.copyStream()
			res, err := w.GenerateCopy(ctx, req, onChunk)
			if err != nil {
				return err
			}
			if res.Fallback != "" && !e.json {
				fmt.Fprintln(e.errOut, i18n.T("marketbench: %s\nmarketbench: using the offline templates instead.", oneLine(res.Fallback)))
			}
			return e.emit(res, func(o io.Writer) { printCopy(o, req, res) })
		}),
	}
	f := cmd.Flags()
	f.StringVar(&req.Segment, "segment", "", "audience segment (RFM or saved rule segment); default all customers")
	f.StringVar(&req.Campaign, "campaign", "", "write for a campaign's audience instead of --segment")
	f.StringVar(&req.Channel, "channel", "", "email-subject, email-body, sms or push")
	f.IntVarP(&req.N, "n", "n", 3, fmt.Sprintf("how many variants (1-%d)", llm.MaxVariants))
	f.StringVar(&req.Brief, "brief", "", "what the message is about (offer, dates); no customer data")
	f.StringVar(&req.Tone, "tone", "friendly", "tone of voice (friendly, formal, playful, ...)")
	f.StringVar(&req.Model, "model", "", "Ollama model (default: the setting, else "+llm.DefaultModel+")")
	f.StringVar(&req.URL, "url", "", "Ollama URL (default: the setting, else $OLLAMA_HOST, else "+llm.DefaultURL+")")
	f.BoolVar(&req.Offline, "offline", false, "use the offline templates; do not try the language model")
	f.DurationVar(&req.Timeout, "timeout", llm.DefaultTimeout, "give up after this long")
	e.require(cmd, intRange("n", 1, llm.MaxVariants), duration("timeout"))
	return cmd
}

// copyStream shows the copy on stderr as it is written when stderr is a
// terminal and --json is off.
func (e *env) copyStream() func(int, string) {
	f, ok := e.errOut.(*os.File)
	if e.json || !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	last := -1
	return func(i int, s string) {
		if i != last {
			fmt.Fprint(f, "\n"+i18n.T("--- variant %d ---", i+1)+"\n")
			last = i
		}
		fmt.Fprint(f, s)
	}
}

func printCopy(o io.Writer, req core.CopyRequest, res *llm.Result) {
	src := res.Source
	if res.URL != "" {
		src += " at " + res.URL
	}
	fmt.Fprintln(o, i18n.T("Source: %s", src))
	aud := req.Segment
	if req.Campaign != "" {
		aud = "campaign " + req.Campaign
	}
	if aud == "" {
		aud = "all customers"
	}
	fmt.Fprintln(o, i18n.T("Channel: %s, audience: %s", res.Channel, aud))
	for _, n := range res.Notes {
		fmt.Fprintln(o, i18n.T("Note: %s", n))
	}
	for i, v := range res.Variants {
		fmt.Fprintf(o, "\n%s  %s\n", variantName(i), copyStats(v))
		if v.Subject != "" && res.Channel == llm.EmailBody {
			fmt.Fprint(o, i18n.T("  Subject: %s", v.Subject)+"\n\n")
		}
		for _, l := range strings.Split(v.Copy(), "\n") {
			fmt.Fprintln(o, strings.TrimRight("  "+l, " "))
		}
		for _, f := range v.Findings {
			fmt.Fprintf(o, "  ! %s\n", f)
		}
	}
	if len(res.Variants) > 0 {
		fmt.Fprint(o, "\n"+i18n.T("Fields are filled per customer when the campaign is sent; lengths count each as %d characters.", llm.FieldLength)+"\n")
	}
}

func variantName(i int) string {
	if i < 26 {
		return "Variant " + string(rune('A'+i))
	}
	return "Variant " + strconv.Itoa(i+1)
}

// copyStats: "72/160 chars, GSM-7, 1 SMS, spam 0 (low), OK".
func copyStats(v llm.Variant) string {
	parts := []string{fmt.Sprintf("%d/%d chars", v.Length, v.Limit)}
	if v.SMS != nil {
		parts = append(parts, v.SMS.Encoding, fmt.Sprintf("%d SMS", v.SMS.Parts))
	}
	parts = append(parts, fmt.Sprintf("spam %d (%s)", v.Spam.Score, v.Spam.Level))
	if v.OK() {
		parts = append(parts, "OK")
	} else {
		parts = append(parts, "NEEDS CHANGES")
	}
	return strings.Join(parts, ", ")
}

func (e *env) copyModelsCmd() *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "models [--url URL]",
		Short: "Test the connection to Ollama: list the installed models",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ml, err := core.CopyModels(cmd.Context(), url)
			if err != nil {
				return err
			}
			return e.emit(ml, func(o io.Writer) {
				if len(ml.Models) == 0 {
					fmt.Fprintln(o, i18n.T("Ollama at %s runs but has no models. Install one with: ollama pull %s", ml.URL, llm.DefaultModel))
					return
				}
				fmt.Fprint(o, i18n.T("Ollama at %s has %d model(s):", ml.URL, len(ml.Models))+"\n\n")
				var rows [][]string
				for _, m := range ml.Models {
					rows = append(rows, []string{m.Name, m.Parameters, m.Quant, fmt.Sprintf("%.1f GB", float64(m.Size)/1e9), m.ModifiedAt.Format(time.DateOnly)})
				}
				table(o, []string{i18n.T("MODEL"), i18n.T("PARAMETERS"), i18n.T("QUANTISATION"), i18n.T("SIZE"), i18n.T("MODIFIED")}, rows)
			})
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "Ollama URL (default: the setting, else $OLLAMA_HOST, else "+llm.DefaultURL+")")
	return cmd
}

func (e *env) copySettingsCmd() *cobra.Command {
	var s core.LLMSettings
	cmd := &cobra.Command{
		Use:   "settings [--url URL] [--model MODEL]",
		Short: "Show or set the Ollama URL and model (app settings, for every project)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cur, err := core.LoadLLMSettings()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("url") {
				cur.URL = s.URL
			}
			if cmd.Flags().Changed("model") {
				cur.Model = s.Model
			}
			if cmd.Flags().Changed("url") || cmd.Flags().Changed("model") {
				if err := core.SaveLLMSettings(cur); err != nil {
					return err
				}
			}
			url, err := llm.ResolveURL(cur.URL)
			if err != nil {
				return err
			}
			model := cur.Model
			if model == "" {
				model = llm.DefaultModel
			}
			out := map[string]string{"url": url, "model": model, "prompts": core.CopyPromptDir()}
			return e.emit(out, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Ollama URL: %s\nModel:      %s\nPrompts:    %s (files there override the built-in prompts)", url, model, out["prompts"]))
			})
		},
	}
	cmd.Flags().StringVar(&s.URL, "url", "", "Ollama URL to save (\"\" clears: $OLLAMA_HOST or "+llm.DefaultURL+")")
	cmd.Flags().StringVar(&s.Model, "model", "", "model to save (\"\" clears: "+llm.DefaultModel+")")
	return cmd
}

func (e *env) copyPromptsCmd() *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "prompts [--write]",
		Short: "Show where prompt templates can be edited; --write copies the built-in ones there",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := core.CopyPromptDir()
			var written []string
			if write {
				var err error
				if written, err = core.WriteCopyPrompts(); err != nil {
					return err
				}
			}
			return e.emit(map[string]any{"dir": dir, "written": written}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Prompt templates (Go text/template) in %s override the built-in ones of the same name.", dir))
				for _, p := range written {
					fmt.Fprintln(o, i18n.T("  wrote %s", p))
				}
				if !write {
					fmt.Fprintln(o, i18n.T("Run with --write to copy the built-in prompts there for editing."))
				}
			})
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "copy the built-in prompts into the folder (existing files are kept)")
	return cmd
}
