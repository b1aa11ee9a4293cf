package core

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/segwords"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/privacy"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// DescribeRequest asks for a segment rule from words.
type DescribeRequest struct {
	// Table the customers come from; "" is DefaultRuleTable.
	Table string
	Words string
	// Model and URL override the settings for this request.
	Model, URL string
	// AllowPersonal sends words that hold personal data (an e-mail, a
	// phone number, a customer id) to the model for this request; without
	// it such words are refused.
	AllowPersonal bool
}

// SegmentDraft is a rule the local model wrote from words, checked by the
// rule parser and compiler against the table, with its live count. It is
// not saved: the user edits it and saves it as any rule.
type SegmentDraft struct {
	Table    string     `json:"table"`
	Words    string     `json:"words"`
	Rule     string     `json:"rule"` // canonical text of Node
	Node     *rule.Node `json:"-"`
	Count    int64      `json:"count"`
	Attempts int        `json:"attempts"`
	// Notes: terms it could not map, values the table does not hold, a
	// rule that matches nobody.
	Notes []string `json:"notes"`
	Model string   `json:"model"`
}

// Describe limits: a text column's values are listed in the prompt when it
// has at most describeAll of them, and those the words mention when it has
// at most describeScan.
const (
	describeAll  = 30
	describeScan = 500
)

// describeAttempts is the first try and one retry with the error.
const describeAttempts = 2

// personalRoles are the roles whose values name or reach a person: they
// never reach a prompt, and no keyword or theme name may be one of them.
var personalRoles = map[storage.Role]bool{storage.Email: true, storage.Phone: true, storage.NationalID: true, storage.FirstName: true,
	storage.LastName: true, storage.FullName: true, storage.CustomerID: true, storage.WeChatOpenID: true, storage.PushToken: true}

// fieldAbout says what the derived fields mean, for the prompt.
var fieldAbout = map[string]string{
	"recency": "days since the customer's last order", "frequency": "number of orders", "monetary": "total amount spent",
	"r_score": "recency score 1-5, 5 = bought most recently", "f_score": "frequency score 1-5, 5 = most orders",
	"m_score": "monetary score 1-5, 5 = spent most", "rfm_cell": "the three scores as digits, e.g. '555'", "rfm_segment": "RFM segment",
	"tags": "tags journeys gave the customer",
}

// DescribeSegment writes a rule for the customers the words describe, in
// the table (or the default rule table), with the configured model.
func (w *Workspace) DescribeSegment(ctx context.Context, table, words string) (*SegmentDraft, error) {
	return w.DescribeSegmentWith(ctx, DescribeRequest{Table: table, Words: words})
}

// DescribeSegmentWith is DescribeSegment with every option. The prompt
// holds column names, kinds and roles, and values only of text columns
// that are not personal data (by role or by a privacy scan of the table)
// nor free text. An answer that does not parse or compile is sent back
// once with the error; if the second answer fails too, the error says
// why.
func (w *Workspace) DescribeSegmentWith(ctx context.Context, r DescribeRequest) (*SegmentDraft, error) {
	words := strings.TrimSpace(r.Words)
	if words == "" {
		return nil, i18n.Errorf("describe the customers in words, e.g. \"champions in London who spent over 500\"")
	}
	table := r.Table
	if table == "" {
		var err error
		if table, err = w.DefaultRuleTable(ctx); err != nil {
			return nil, err
		}
	}
	if !r.AllowPersonal {
		what, err := w.personalInWords(ctx, table, words)
		if err != nil {
			return nil, err
		}
		if what != "" {
			return nil, i18n.Errorf("your words hold %s, which is personal data and is not sent to the model unless you allow it for this request; describe the group instead, or build the rule by hand", what)
		}
	}
	fields, values, err := w.describeFields(ctx, table, words)
	if err != nil {
		return nil, err
	}
	cfg, err := llmConfig(r.URL, r.Model, 0, 0)
	if err != nil {
		return nil, err
	}
	client, err := llm.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	msgs := []llm.Message{{Role: "system", Content: segwords.System},
		{Role: "user", Content: segwords.Prompt(table, fields, words, time.Now())}}
	d := &SegmentDraft{Table: table, Words: words, Model: client.Model(), Notes: []string{}}
	var problem error
	for d.Attempts < describeAttempts {
		d.Attempts++
		reply, err := client.Chat(ctx, msgs, 0)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, llm.Message{Role: "assistant", Content: reply})
		var n *rule.Node
		n, d.Notes, problem = w.checkDraft(ctx, table, reply)
		if errors.Is(problem, errNothingMapped) {
			return nil, i18n.Errorf("the model found nothing in %q that the columns of %s can express; name a column's value or a number (e.g. \"spent over 500\"), or build the rule by hand", words, table)
		}
		if problem == nil {
			d.Node, d.Rule = n, n.String()
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msgs = append(msgs, llm.Message{Role: "user", Content: segwords.Retry(problem.Error())})
	}
	if problem != nil {
		return nil, i18n.Errorf("the model could not write a valid rule for %q in %d tries; the last one failed: %w. Rephrase it with the table's column names or values, or build the rule by hand", words, d.Attempts, problem)
	}
	d.Count, err = w.CountNode(ctx, table, d.Node)
	if err != nil {
		return nil, err
	}
	d.Notes = append(d.Notes, valueNotes(d.Node, values)...)
	if d.Count == 0 {
		d.Notes = append(d.Notes, i18n.T("No customer matches this rule; check its values."))
	}
	return d, nil
}

var errNothingMapped = errors.New("nothing mapped")

// checkDraft reads a reply and checks its rule against the table with the
// real parser and compiler (CountNode compiles before it counts).
func (w *Workspace) checkDraft(ctx context.Context, table, reply string) (*rule.Node, []string, error) {
	rep, err := segwords.Parse(reply)
	if err != nil {
		return nil, nil, err
	}
	if rep.None {
		return nil, nil, errNothingMapped
	}
	notes := []string{}
	if len(rep.Unmapped) > 0 {
		notes = append(notes, i18n.T("Not in the rule (no column says it): %s", strings.Join(rep.Unmapped, ", ")))
	}
	n, err := rule.Parse(rep.Rule)
	if err != nil {
		return nil, nil, err
	}
	if _, err := w.CountNode(ctx, table, n); err != nil {
		return nil, nil, err
	}
	return n, notes, nil
}

// describeFields lists the table's rule fields for the prompt, and the
// complete value lists it read (lower-cased names), to check the rule's
// values against.
func (w *Workspace) describeFields(ctx context.Context, table, words string) ([]segwords.Field, map[string][]string, error) {
	fs, err := w.RuleFieldList(ctx, table)
	if err != nil {
		return nil, nil, err
	}
	personal := map[string]bool{}
	if scan, err := w.PrivacyScan(ctx, table); err != nil {
		return nil, nil, err
	} else {
		for _, t := range scan.Tables {
			for _, c := range t.Columns {
				personal[strings.ToLower(c.Column)] = true
			}
		}
	}
	now := time.Now()
	values := map[string][]string{}
	var out []segwords.Field
	for _, f := range fs {
		pf := segwords.Field{Name: f.Name, Kind: f.Kind.String(), Role: string(f.Role), About: fieldAbout[strings.ToLower(f.Name)]}
		if f.Source == segment.FromTable && fieldAbout[strings.ToLower(f.Name)] != "" {
			pf.About = "" // the table's own column of that name
		}
		pf.Personal = f.Source == segment.FromTable && (personalRoles[f.Role] || personal[strings.ToLower(f.Name)])
		if f.Role == storage.Text {
			pf.About = "free text"
		}
		if pf.Personal || f.Kind != rule.Text || f.Role == storage.Text || f.Role == storage.OrderID || f.Role == storage.ProductID {
			out = append(out, pf)
			continue
		}
		vals, distinct, err := w.RuleValues(ctx, table, f.Name, describeScan)
		if err != nil {
			return nil, nil, err
		}
		if distinct <= describeScan {
			all := []string{}
			for _, v := range vals {
				// A value that looks like personal data stays out, whatever its column.
				if len(privacy.DetectValue(f.Name, v.Value, now)) == 0 {
					all = append(all, v.Value)
				}
			}
			values[strings.ToLower(f.Name)] = all
			if distinct <= describeAll {
				pf.Values = all
			} else {
				for _, v := range all {
					if segwords.Mentioned(words, v) {
						pf.Values = append(pf.Values, v)
					}
				}
				pf.More = distinct - int64(len(pf.Values))
			}
		}
		out = append(out, pf)
	}
	return out, values, nil
}

// valueNotes names the values a rule compares a text column with that the
// column does not hold (a misspelt city), when all its values are known.
func valueNotes(n *rule.Node, values map[string][]string) []string {
	var notes []string
	var walk func(*rule.Node)
	walk = func(n *rule.Node) {
		for _, c := range n.Children {
			walk(c)
		}
		known, ok := values[strings.ToLower(n.Column)]
		if n.IsGroup() || !ok || (n.Op != rule.Eq && n.Op != rule.Ne && n.Op != rule.In) {
			return
		}
		for _, v := range n.Values {
			found := false
			for _, k := range known {
				if strings.EqualFold(k, v) && (!n.Exact || k == v) {
					found = true
					break
				}
			}
			if !found {
				notes = append(notes, i18n.T("%s has no value %q.", n.Column, v))
			}
		}
	}
	walk(n)
	return notes
}
