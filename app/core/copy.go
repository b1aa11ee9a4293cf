package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/segment"
)

// CopyRequest asks for campaign copy. The audience is a campaign's
// segment (and its customer table) or a segment; neither means all
// customers.
type CopyRequest struct {
	Campaign string
	Segment  string
	// Channel is "email-subject", "email-body", "sms" or "push".
	Channel string
	// N variants (0 means 3).
	N     int
	Brief string
	Tone  string
	// Model and URL override the settings for this request.
	Model string
	URL   string
	// Offline writes with the offline templates without trying Ollama.
	Offline bool
	// Timeout bounds the generation; 0 means llm.DefaultTimeout.
	Timeout time.Duration
	// Idle bounds a silence of Ollama; 0 means llm.DefaultIdle.
	Idle time.Duration
	// OnVariant, when set, gets each variant once complete and checked.
	OnVariant func(llm.Variant)
}

// LLMSettings are the app's text-generation settings (not the project's):
// where Ollama is and which model writes.
type LLMSettings struct {
	URL   string `json:"url,omitempty"`
	Model string `json:"model,omitempty"`
}

func llmSettingsFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "marketbench", "llm.json")
}

// LoadLLMSettings reads the settings; missing settings are empty.
func LoadLLMSettings() (LLMSettings, error) {
	var s LLMSettings
	f := llmSettingsFile()
	if f == "" {
		return s, nil
	}
	b, err := os.ReadFile(f)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return LLMSettings{}, i18n.Errorf("the settings file %s is damaged (%v); fix or delete it", f, err)
	}
	return s, nil
}

// SaveLLMSettings checks and stores the settings.
func SaveLLMSettings(s LLMSettings) error {
	s.URL, s.Model = strings.TrimSpace(s.URL), strings.TrimSpace(s.Model)
	if s.URL != "" {
		if _, err := llm.ResolveURL(s.URL); err != nil {
			return err
		}
	}
	f := llmSettingsFile()
	if f == "" {
		return i18n.Errorf("no folder for app settings")
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	return os.WriteFile(f, append(b, '\n'), 0o644)
}

// llmConfig combines a request's overrides, the settings, $OLLAMA_HOST
// and the defaults, in that order.
func llmConfig(url, model string, timeout, idle time.Duration) (llm.Config, error) {
	s, err := LoadLLMSettings()
	if err != nil {
		return llm.Config{}, err
	}
	cfg := llm.Config{URL: s.URL, Model: s.Model, Timeout: timeout, Idle: idle}
	if strings.TrimSpace(url) != "" {
		cfg.URL = url
	}
	if strings.TrimSpace(model) != "" {
		cfg.Model = model
	}
	return cfg, nil
}

// ModelList is what "test connection" shows.
type ModelList struct {
	URL    string          `json:"url"`
	Models []llm.ModelInfo `json:"models"`
}

// CopyModels tests the connection to Ollama by listing its models. url
// "" uses the settings, $OLLAMA_HOST or the default. The errors say how
// to fix things (ollama serve).
func CopyModels(ctx context.Context, url string) (*ModelList, error) {
	cfg, err := llmConfig(url, "", 0, 0)
	if err != nil {
		return nil, err
	}
	c, err := llm.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	ms, err := c.Models(ctx)
	if err != nil {
		return nil, err
	}
	return &ModelList{URL: c.URL(), Models: ms}, nil
}

// CopyPromptDir is the folder where the user's prompt templates override
// the built-in ones; WriteCopyPrompts puts copies of the built-in ones
// there to edit.
func CopyPromptDir() string { return llm.PromptDir() }

// WriteCopyPrompts copies the built-in prompts into CopyPromptDir,
// keeping files already there, and returns the files written.
func WriteCopyPrompts() ([]string, error) {
	return llm.Prompts{Dir: llm.PromptDir()}.WriteDefaults()
}

// minGroup is the fewest customers a category must have to be named in a
// prompt: aggregates, never a handful of identifiable people.
const minGroup = 5

// AudienceProfile describes a segment ("" for all customers) in
// aggregates only: size, share, RFM mix, top categories, order value, and
// the personalisation fields of the customer table.
func (w *Workspace) AudienceProfile(ctx context.Context, seg string) (llm.Profile, error) {
	return w.audienceProfile(ctx, seg, "")
}

func (w *Workspace) audienceProfile(ctx context.Context, seg, custTable string) (llm.Profile, error) {
	p := llm.Profile{Segment: seg}
	hasRFM, err := w.TableExists(ctx, segment.ScoresTable)
	if err != nil {
		return p, err
	}
	if custTable == "" {
		if custTable, err = w.DefaultRuleTable(ctx); err != nil {
			return p, err
		}
	}
	var ids string
	switch {
	case seg != "":
		if ids, err = segment.IDsSQL(ctx, w.Project, seg); err != nil {
			return p, err
		}
	case hasRFM:
		ids = `SELECT customer_id FROM ` + storage.Quote(segment.ScoresTable)
	default:
		col, err := w.ColumnFor(ctx, custTable, storage.CustomerID)
		if err != nil || col == "" {
			return p, i18n.Errorf("table %s has no customer id column; set one with 'roles %s --set column=customer_id'", custTable, custTable)
		}
		ids = `SELECT CAST(` + storage.Quote(col) + ` AS VARCHAR) AS customer_id FROM ` + storage.Quote(custTable)
	}
	ids = `SELECT DISTINCT customer_id FROM (` + ids + `)`
	q := w.Q()
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (`+ids+`)`).Scan(&p.Customers); err != nil {
		return p, i18n.Errorf("audience size: %s", storage.FirstLine(err.Error()))
	}
	if hasRFM {
		var total int64
		q.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(segment.ScoresTable)).Scan(&total)
		if total > 0 {
			p.Share = float64(p.Customers) / float64(total)
		}
		in := ` FROM ` + storage.Quote(segment.ScoresTable) + ` WHERE customer_id IN (` + ids + `)`
		var aov, orders, rec sql.NullFloat64
		if err := q.QueryRowContext(ctx, `SELECT sum(monetary) / nullif(sum(frequency), 0), avg(frequency), avg(recency)`+in).
			Scan(&aov, &orders, &rec); err != nil {
			return p, err
		}
		p.AOV, p.AvgOrders, p.AvgRecencyDays = round2(aov.Float64), round2(orders.Float64), math.Round(rec.Float64)
		if p.RFM, err = w.parts(ctx, `SELECT rfm_segment, count(*), count(*)`+in+` GROUP BY 1`, 0); err != nil {
			return p, err
		}
	}
	if p.TopCategories, err = w.topCategories(ctx, ids); err != nil {
		return p, err
	}
	if p.Fields, err = w.personalFields(ctx, custTable); err != nil {
		return p, err
	}
	return p, nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// parts reads (name, count, customers) rows into shares of the total
// count, largest first, keeping names with at least min customers.
func (w *Workspace) parts(ctx context.Context, query string, min int64, args ...any) ([]llm.Part, error) {
	rows, err := w.Q().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, i18n.Errorf("audience profile: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	var out []llm.Part
	var total float64
	for rows.Next() {
		var name sql.NullString
		var n, people int64
		if err := rows.Scan(&name, &n, &people); err != nil {
			return nil, err
		}
		total += float64(n)
		if name.Valid && strings.TrimSpace(name.String) != "" && people >= min {
			out = append(out, llm.Part{Name: name.String, Share: float64(n)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Share = math.Round(out[i].Share/total*1000) / 1000
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Share > out[j].Share })
	return out, nil
}

// topCategories finds the audience's three most bought categories: from
// a table with customer id and category, or one with customer id and
// product id joined to a product table with a category.
func (w *Workspace) topCategories(ctx context.Context, ids string) ([]llm.Part, error) {
	var from, cat, cust string
	direct, err := w.TablesWithRoles(ctx, storage.CustomerID, storage.Category)
	if err != nil {
		return nil, err
	}
	if len(direct) > 0 {
		t := direct[0]
		cust, _ = w.ColumnFor(ctx, t, storage.CustomerID)
		c, _ := w.ColumnFor(ctx, t, storage.Category)
		from, cat, cust = storage.Quote(t)+` o`, `o.`+storage.Quote(c), `o.`+storage.Quote(cust)
	} else {
		orders, err := w.TablesWithRoles(ctx, storage.CustomerID, storage.ProductID)
		if err != nil {
			return nil, err
		}
		products, err := w.TablesWithRoles(ctx, storage.ProductID, storage.Category)
		if err != nil {
			return nil, err
		}
		// Prefer an orders table over, say, reviews.
		sort.SliceStable(orders, func(i, j int) bool {
			return hasRole(ctx, w, orders[i], storage.OrderID) && !hasRole(ctx, w, orders[j], storage.OrderID)
		})
		if len(orders) == 0 || len(products) == 0 {
			return nil, nil
		}
		o, pr := orders[0], products[0]
		oc, _ := w.ColumnFor(ctx, o, storage.CustomerID)
		op, _ := w.ColumnFor(ctx, o, storage.ProductID)
		pp, _ := w.ColumnFor(ctx, pr, storage.ProductID)
		pc, _ := w.ColumnFor(ctx, pr, storage.Category)
		prSrc, err := w.RowSource(ctx, pr)
		if err != nil {
			return nil, err
		}
		from = storage.Quote(o) + ` o JOIN (SELECT * FROM ` + prSrc + ` QUALIFY row_number() OVER (PARTITION BY ` + storage.Quote(pp) +
			` ORDER BY ` + storage.RowNumber + `) = 1) p ON CAST(o.` + storage.Quote(op) + ` AS VARCHAR) = CAST(p.` + storage.Quote(pp) + ` AS VARCHAR)`
		cat, cust = `p.`+storage.Quote(pc), `o.`+storage.Quote(oc)
	}
	ps, err := w.parts(ctx, `SELECT CAST(`+cat+` AS VARCHAR), count(*), count(DISTINCT `+cust+`) FROM `+from+
		` WHERE CAST(`+cust+` AS VARCHAR) IN (`+ids+`) GROUP BY 1`, minGroup)
	if err != nil || len(ps) <= 3 {
		return ps, err
	}
	return ps[:3], nil
}

func hasRole(ctx context.Context, w *Workspace, table string, r storage.Role) bool {
	c, _ := w.ColumnFor(ctx, table, r)
	return c != ""
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// personalFields are the fields copy may use: first_name, last_name and
// full_name by role (as the campaign engine names them), then the customer
// table's other columns, except ids, contacts and consents.
func (w *Workspace) personalFields(ctx context.Context, table string) ([]string, error) {
	if table == "" {
		return nil, nil
	}
	roles, err := w.ColumnRoles(ctx, table)
	if err != nil {
		return nil, err
	}
	cols, err := w.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	var out []string
	byRole := map[storage.Role]bool{}
	for _, r := range roles {
		byRole[r] = true
	}
	for _, r := range []storage.Role{storage.FirstName, storage.LastName, storage.FullName} {
		if byRole[r] {
			out = append(out, string(r))
		}
	}
	skip := map[storage.Role]bool{storage.CustomerID: true, storage.Email: true, storage.Phone: true, storage.NationalID: true,
		storage.EmailConsent: true, storage.SMSConsent: true, storage.WeChatOpenID: true, storage.WeChatFollower: true,
		storage.PushToken: true, storage.PushOptIn: true, storage.FirstName: true, storage.LastName: true, storage.FullName: true}
	for _, c := range cols {
		name := strings.ToLower(c.Name)
		if skip[roles[c.Name]] || !identRE.MatchString(name) || len(out) >= 12 || strings.HasPrefix(name, "score_") {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// GenerateCopy writes copy variants for an audience, streaming the text
// to onChunk (may be nil) as it arrives, and returns them with their
// guardrail findings and source. When Ollama is not running or lacks the
// model, the offline templates write the copy instead and Result.Fallback
// says why and how to fix it (ollama serve, ollama pull MODEL). Other
// failures (timeouts, a broken reply) are errors.
func (w *Workspace) GenerateCopy(ctx context.Context, req CopyRequest, onChunk func(variant int, text string)) (*llm.Result, error) {
	ch, err := llm.ParseChannel(req.Channel)
	if err != nil {
		return nil, err
	}
	seg, table := req.Segment, ""
	if req.Campaign != "" {
		in, err := campaign.Get(ctx, w.Project, req.Campaign)
		if err != nil {
			return nil, err
		}
		seg, table = in.Segment, in.Table
	}
	profile, err := w.audienceProfile(ctx, seg, table)
	if err != nil {
		return nil, err
	}
	r := llm.Request{Channel: ch, N: req.N, Brief: req.Brief, Tone: req.Tone, Profile: profile,
		Prompts: llm.Prompts{Dir: llm.PromptDir()}}
	ev := llm.Events{Chunk: onChunk, Variant: req.OnVariant}
	if req.Offline {
		return llm.Offline(ctx, r, ev)
	}
	cfg, err := llmConfig(req.URL, req.Model, req.Timeout, req.Idle)
	if err != nil {
		return nil, err
	}
	c, err := llm.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	res, err := c.Generate(ctx, r, ev)
	if llm.Fallback(err) {
		off, oerr := llm.Offline(ctx, r, ev)
		if oerr != nil {
			return nil, errors.Join(err, oerr)
		}
		off.Fallback = i18n.Error(err)
		return off, nil
	}
	if errors.Is(err, context.Canceled) {
		return nil, ErrCancelled
	}
	return res, err
}

// CopyVariants turns generated copy into campaign variants named A, B,
// C... with equal shares, ready for SaveCampaign. Subject-line variants
// carry no text: the campaign needs a body added before it can be saved.
func CopyVariants(res *llm.Result) []campaign.Variant {
	n := len(res.Variants)
	if n == 0 {
		return nil
	}
	share := math.Floor(10000/float64(n)) / 100
	out := make([]campaign.Variant, n)
	for i, v := range res.Variants {
		name := string(rune('A' + i%26))
		if i >= 26 {
			name = fmt.Sprintf("V%d", i+1)
		}
		out[i] = campaign.Variant{Name: name, Percent: share, Subject: v.Subject, Text: v.Text}
	}
	out[n-1].Percent = round2(100 - share*float64(n-1))
	return out
}
