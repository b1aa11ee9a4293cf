package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) textThemesCmd() *cobra.Command {
	var r core.ThemesRequest
	var showText bool
	cmd := &cobra.Command{
		Use:   "themes --table T --column C [--k N] [--allow-text] [--offline]",
		Short: "Group texts by meaning into named themes with their size and sentiment (local Ollama embeddings, or offline keywords)",
		Long: `Groups the texts of a column by meaning. With Ollama running, each text is embedded by the local
embedding model (the texts go to Ollama on this computer only) and the chat model names each theme from
its keywords; the review texts themselves are sent to the chat model only with --allow-text. Without
Ollama, or with --offline, the themes come from TF-IDF keywords. Both use k-means; with no --k the number
of themes (2 to 8) is chosen by the silhouette score.`,
		Example: `  marketbench -p shop.mbproj text themes --table reviews --column review_text
  marketbench -p shop.mbproj text themes --table reviews --column review_text --k 5 --save --json`,
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if err := needTableColumn(r.Table, r.Column); err != nil {
				return err
			}
			prog, done := e.progress()
			res, err := w.Themes(ctx, r, prog)
			done()
			if err != nil {
				return err
			}
			if !showText {
				for i := range res.Themes {
					res.Themes[i].ExampleTexts = nil
				}
			}
			return e.emit(res, func(o io.Writer) { printThemes(o, res) })
		}),
	}
	f := cmd.Flags()
	f.StringVar(&r.Table, "table", "", "table with the text")
	f.StringVar(&r.Column, "column", "", "text column")
	f.IntVar(&r.K, "k", 0, "number of themes, 2 to 20 (default: chosen by the silhouette score)")
	f.BoolVar(&r.AllowText, "allow-text", false, "let the model read a few typical texts of each theme to name it (this run only)")
	f.BoolVar(&r.Offline, "offline", false, "do not use Ollama: TF-IDF keywords and k-means")
	f.BoolVar(&r.Save, "save", false, "store each row's theme in COLUMN_theme and COLUMN_theme_name")
	f.BoolVar(&showText, "show-text", false, "print the typical texts of each theme (in --json too)")
	f.StringVar(&r.Model, "model", "", "Ollama model that names the themes (default: the setting, else "+llm.DefaultModel+")")
	f.StringVar(&r.EmbedModel, "embed-model", "", "Ollama embedding model (default: "+llm.DefaultEmbedModel+")")
	f.StringVar(&r.URL, "url", "", "Ollama URL (default: the setting, else $OLLAMA_HOST, else "+llm.DefaultURL+")")
	e.require(cmd, intRange("k", 0, 20))
	return cmd
}

func printThemes(o io.Writer, res *core.ThemesResult) {
	method := i18n.T("offline keywords (TF-IDF) and k-means")
	if res.Method == core.ThemesEmbeddings {
		method = i18n.T("embeddings by %s (local Ollama) and k-means", res.EmbedModel)
	}
	fmt.Fprintln(o, i18n.T("%d themes in %d texts of %s.%s; method: %s; silhouette %.2f", res.K, res.Rows, res.Table, res.Column, method, res.Silhouette))
	if res.NameModel != "" {
		if res.TextSent {
			fmt.Fprintln(o, i18n.T("Named by %s from keywords and typical texts (allowed for this run).", res.NameModel))
		} else {
			fmt.Fprintln(o, i18n.T("Named by %s from keywords only; no text was sent to it.", res.NameModel))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(o, i18n.T("Note: %s", n))
	}
	fmt.Fprintln(o)
	var rows [][]string
	for _, th := range res.Themes {
		rows = append(rows, []string{strconv.Itoa(th.ID), th.Name, strconv.Itoa(th.Size), fmt.Sprintf("%.1f%%", 100*th.Share),
			fmt.Sprintf("%.2f", th.Sentiment), fmt.Sprintf("%.0f%% / %.0f%%", 100*th.Positive, 100*th.Negative), strings.Join(th.Keywords, ", ")})
	}
	table(o, []string{"#", i18n.T("THEME"), i18n.T("TEXTS"), i18n.T("SHARE"), i18n.T("SENTIMENT"), i18n.T("POSITIVE / NEGATIVE"), i18n.T("KEYWORDS")}, rows)
	for _, th := range res.Themes {
		if len(th.ExampleTexts) == 0 {
			continue
		}
		fmt.Fprintf(o, "\n%d. %s\n", th.ID, th.Name)
		for i, t := range th.ExampleTexts {
			fmt.Fprintf(o, "  [%s %d] %s\n", i18n.T("row"), th.Examples[i], t)
		}
	}
	if len(res.Saved) > 0 {
		fmt.Fprintln(o, "\n"+i18n.T("Added columns %s and %s", res.Saved[0], res.Saved[1]))
	}
}
