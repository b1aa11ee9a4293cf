package core

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// RecordSection is one part of the readable processing record: a title,
// a sentence and a table. The GUI, the Markdown and the HTML page all
// show the same sections, so they cannot say different things.
type RecordSection struct {
	Title  string
	Note   string
	Header []string
	Rows   [][]string
}

// Sections lays the record out for people, in the user's language.
func (r *ProcessingRecord) Sections() []RecordSection {
	yes := func(b bool) string {
		if b {
			return i18n.T("yes")
		}
		return i18n.T("no")
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return i18n.T("none")
		}
		return strings.Join(s, i18n.T(", "))
	}
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	var out []RecordSection
	add := func(s RecordSection, empty string) {
		if len(s.Rows) == 0 {
			s.Header, s.Note = nil, strings.TrimSpace(s.Note+" "+empty)
		}
		out = append(out, s)
	}

	add(RecordSection{Title: i18n.T("Controller and project"),
		Note:   i18n.T("Add yourself what the project cannot know: the controller (your client or your organisation) and its contact, the legal basis of each purpose, and where the data came from."),
		Header: []string{i18n.T("Item"), i18n.T("Value")},
		Rows: [][]string{{i18n.T("Project"), r.Project}, {i18n.T("Generated at"), recordTime(r.GeneratedAt)},
			{i18n.T("Marketbench version"), r.Version}}}, "")

	s := RecordSection{Title: i18n.T("Personal data"), Note: i18n.T("Found by the columns' roles, names and a sample of their values (privacy scan)."),
		Header: []string{i18n.T("Table"), i18n.T("Rows"), i18n.T("Column"), i18n.T("Role"), i18n.T("Kind")}}
	for _, t := range r.PersonalData {
		for _, c := range t.Columns {
			s.Rows = append(s.Rows, []string{t.Table, num(t.Rows), c.Column, c.Role, recordKinds(c.Kinds)})
		}
	}
	add(s, i18n.T("No personal data was found."))

	s = RecordSection{Title: i18n.T("Purposes: campaigns"),
		Header: []string{i18n.T("Campaign"), i18n.T("Channel"), i18n.T("Audience"), i18n.T("Status"), i18n.T("Fields the channel receives"), i18n.T("Messages sent")}}
	for _, c := range r.Campaigns {
		s.Rows = append(s.Rows, []string{c.Name, c.Channel, c.Segment, c.Status, list(c.Fields), num(c.Messages)})
	}
	add(s, i18n.T("No campaigns."))

	s = RecordSection{Title: i18n.T("Purposes: journeys"), Header: []string{i18n.T("Journey"), i18n.T("Status"), i18n.T("Trigger"), i18n.T("Sends through")}}
	for _, j := range r.Journeys {
		s.Rows = append(s.Rows, []string{j.Name, j.Status, j.Trigger, list(j.Channels)})
	}
	add(s, i18n.T("No journeys."))

	s = RecordSection{Title: i18n.T("Purposes: models"), Note: i18n.T("Models score or profile customers from these columns."),
		Header: []string{i18n.T("Model"), i18n.T("Kind"), i18n.T("Table"), i18n.T("Personal data it uses"), i18n.T("Other columns")}}
	for _, m := range r.Models {
		s.Rows = append(s.Rows, []string{m.Name, m.Kind, m.Table, list(m.Personal), strconv.Itoa(len(m.Features) - len(m.Personal))})
	}
	add(s, i18n.T("No models."))

	s = RecordSection{Title: i18n.T("Recipients: plugins"), Note: i18n.T("Plugins the project enabled, the customer fields they may receive and the hosts they contact."),
		Header: []string{i18n.T("Plugin"), i18n.T("Version"), i18n.T("Fields it receives"), i18n.T("Hosts it contacts"), i18n.T("Approved on this computer")}}
	for _, p := range r.Recipients {
		s.Rows = append(s.Rows, []string{p.Plugin, p.Version, list(p.Fields), list(p.Hosts), yes(p.Approved)})
	}
	add(s, i18n.T("No plugins are enabled."))

	s = RecordSection{Title: i18n.T("Recipients: exports"), Note: i18n.T("Files written out of the project; they are outside its control."),
		Header: []string{i18n.T("When"), i18n.T("File"), i18n.T("Exported from"), i18n.T("Kind"), i18n.T("Rows")}}
	for _, e := range r.Exports {
		s.Rows = append(s.Rows, []string{recordTime(e.At), e.File, e.Source, exportKindName(e.Kind), num(e.Rows)})
	}
	add(s, i18n.T("No exports."))

	s = RecordSection{Title: i18n.T("Retention"),
		Header: []string{i18n.T("Table"), i18n.T("Date column"), i18n.T("Kept for (months)"), i18n.T("What happens then"), i18n.T("Last applied at"), i18n.T("Rows last time")}}
	for _, e := range r.Retention {
		last, rows := i18n.T("not yet applied"), ""
		if e.LastRunAt != nil {
			last = recordTime(*e.LastRunAt)
		}
		if e.LastRows != nil {
			rows = num(*e.LastRows)
		}
		s.Rows = append(s.Rows, []string{e.Table, e.Column, strconv.Itoa(e.Months), e.Action, last, rows})
	}
	add(s, i18n.T("No retention rules: personal data is kept until you delete it."))

	s = RecordSection{Title: i18n.T("Consent records"),
		Header: []string{i18n.T("Channel"), i18n.T("Consent source"), i18n.T("Changes recorded"), i18n.T("Consents given"), i18n.T("Consents withdrawn"), i18n.T("First change"), i18n.T("Last change")}}
	for _, c := range r.Consent {
		s.Rows = append(s.Rows, []string{c.Channel, c.Source, num(c.Events), num(c.Granted), num(c.Withdrawn), recordDate(c.First), recordDate(c.Last)})
	}
	add(s, i18n.T("No consent changes are recorded."))

	s = RecordSection{Title: i18n.T("Erasures performed"), Note: i18n.T("Who was erased is not kept."),
		Header: []string{i18n.T("When"), i18n.T("Customer IDs erased"), i18n.T("E-mail addresses and phone numbers erased")}}
	for _, e := range r.Erasures {
		s.Rows = append(s.Rows, []string{recordTime(e.At), num(e.Customers), num(e.Addresses)})
	}
	add(s, i18n.T("No one has been erased."))

	creds := list(r.Security.Credentials)
	if r.Security.KeyringProblem != "" {
		creds = r.Security.KeyringProblem
	}
	add(RecordSection{Title: i18n.T("Security measures"), Header: []string{i18n.T("Item"), i18n.T("Value")},
		Rows: [][]string{
			{i18n.T("Project file sealed (encrypted at rest)"), yes(r.Security.Sealed)},
			{i18n.T("Channel credentials"), i18n.T("in the system keyring only, never in the project")},
			{i18n.T("Credentials saved for this project"), creds},
		}}, "")
	return out
}

func exportKindName(k string) string {
	switch k {
	case ExportPlain:
		return i18n.T("plain")
	case ExportPseudonymised:
		return i18n.T("pseudonymised")
	case ExportAnonymised:
		return i18n.T("anonymised")
	}
	return k
}

func recordTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

func recordDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Local().Format("2006-01-02")
}

// Title is the record's heading.
func (r *ProcessingRecord) Title() string {
	return i18n.T("Record of processing: %s", r.Project)
}

// Markdown is the record as a Markdown document.
func (r *ProcessingRecord) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", r.Title())
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
	}
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "\n## %s\n\n", s.Title)
		if s.Note != "" {
			fmt.Fprintf(&b, "%s\n", s.Note)
		}
		if len(s.Header) == 0 {
			continue
		}
		if s.Note != "" {
			b.WriteString("\n")
		}
		row := func(cells []string) {
			for _, c := range cells {
				b.WriteString("| " + cell(c) + " ")
			}
			b.WriteString("|\n")
		}
		row(s.Header)
		b.WriteString(strings.Repeat("|---", len(s.Header)) + "|\n")
		for _, r := range s.Rows {
			row(r)
		}
	}
	return b.String()
}

// HTML is the record as a page that prints well.
func (r *ProcessingRecord) HTML() string {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="%s"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eee}</style></head><body>
<h1>%s</h1>
`, e(i18n.Lang()), e(r.Title()), e(r.Title()))
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", e(s.Title))
		if s.Note != "" {
			fmt.Fprintf(&b, "<p>%s</p>\n", e(s.Note))
		}
		if len(s.Header) == 0 {
			continue
		}
		b.WriteString("<table><tr>")
		for _, h := range s.Header {
			fmt.Fprintf(&b, "<th>%s</th>", e(h))
		}
		b.WriteString("</tr>\n")
		for _, row := range s.Rows {
			b.WriteString("<tr>")
			for _, c := range row {
				fmt.Fprintf(&b, "<td>%s</td>", e(c))
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// RecordFormats are the files the record can be saved as.
var RecordFormats = []string{".md", ".html"}

// CheckRecordFile refuses a file the record cannot be saved as.
func CheckRecordFile(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown", ".html", ".htm":
		return nil
	}
	return i18n.Errorf("save the record as .md (Markdown) or .html, not %q", filepath.Base(path))
}

// SaveProcessingRecord writes the record as Markdown (.md) or HTML
// (.html, .htm), replacing path only once the new file is whole.
func SaveProcessingRecord(r *ProcessingRecord, path string) error {
	if err := CheckRecordFile(path); err != nil {
		return err
	}
	text := r.Markdown()
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".html" || ext == ".htm" {
		text = r.HTML()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return i18n.Errorf("cannot write in %s: %v", filepath.Dir(path), err)
	}
	_, err = tmp.WriteString(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return i18n.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}
