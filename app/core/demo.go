package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/demodata"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/models"
)

// DemoOptions chooses the demo's language and size. The zero value is the
// English demo at its documented size.
type DemoOptions struct {
	// Locale is the language of the data: "" or "en" for English, "zh-CN"
	// for Chinese names, provinces and cities, products, reviews and yuan.
	// Any spelling demodata.ParseLocale accepts works, so the GUI can pass
	// its language and the CLI a --locale flag.
	Locale string
	// Customers, Orders and Products override the generated sizes; zero
	// keeps the defaults (20,000, 200,000 and 500).
	Customers, Orders, Products int
}

// demoLocale is what the demo does differently per language: the RFM
// scheme, example segments and campaign copy, named in that language.
type demoLocale struct {
	scheme   string // RFM scheme
	best     string // the best RFM segment, target of the demo campaign
	lapsed   string // the example segment exported to XLSX
	segments []demoSegment
	region   string // customers' province column, if any
	currency string // ISO code of the amounts
	shop     string // product links start with it
	campaign string
	variants [2][2]string // subject and text of variants A and B
}

// demoSegment shows what rules can say: customer fields, RFM values and
// order rows.
type demoSegment struct{ name, table, rule string }

var demoLocales = map[demodata.Locale]*demoLocale{
	demodata.English: {
		scheme: "rfm", best: "Champions", lapsed: "Lapsed big spenders", currency: "USD", shop: "https://shop.example.com/p/",
		segments: []demoSegment{
			{"Consenting champions", "customers", `email_consent = true AND rfm_segment = 'Champions'`},
			{"Lapsed big spenders", "customers", `monetary >= 500 AND recency > 180`},
			{"Recent app buyers", "orders", `channel = 'app' AND order_date AFTER '2026-08-01'`},
		},
		campaign: "Thank the champions",
		variants: [2][2]string{
			{"Thank you, {{.first_name}}", "Hi {{.first_name}}, thank you for being one of our best customers."},
			{"{{.first_name}}, a gift for you", "Hi {{.first_name}}, here is 15% off your next order.{{if .rec1_name}} Picked for you: {{.recommendations}}.{{end}}"}},
	},
	// The Chinese demo segments with the eight customer types Chinese
	// marketers use, and its amounts are in yuan (about five times the
	// English figures).
	demodata.Chinese: {
		scheme: "zh8", best: "重要价值客户", lapsed: "流失的高消费客户", region: "province", currency: "CNY", shop: "https://shop.example.cn/p/",
		segments: []demoSegment{
			{"同意营销的重要价值客户", "customers", `email_consent = true AND rfm_segment = '重要价值客户'`},
			{"流失的高消费客户", "customers", `monetary >= 2000 AND recency > 180`},
			{"近期App买家", "orders", `channel = 'App' AND order_date AFTER '2026-08-01'`},
		},
		campaign: "感谢重要价值客户",
		variants: [2][2]string{
			{"{{.last_name}}{{.first_name}}，感谢有您", "{{.first_name}}您好，感谢您一直以来的支持，您是我们最重要的客户之一。"},
			{"{{.first_name}}，送您一份礼物", "{{.first_name}}您好，下一单立享85折优惠。{{if .rec1_name}}为您精选：{{.recommendations}}。{{end}}"}},
	},
}

// CreateDemo makes a project at path filled with generated retail data
// (customers, products, orders, reviews) in the language opt chooses, RFM
// scores and example segments.
func CreateDemo(ctx context.Context, path string, opt DemoOptions, progress Progress) (*Workspace, error) {
	w, _, err := createDemo(ctx, path, opt, progress)
	return w, err
}

func createDemo(ctx context.Context, path string, opt DemoOptions, progress Progress) (*Workspace, *demoLocale, error) {
	loc, err := demodata.ParseLocale(opt.Locale)
	if err != nil {
		return nil, nil, i18n.Errorf("demo language %q: choose en (English) or zh-CN (简体中文)", opt.Locale)
	}
	dl := demoLocales[loc]
	data := demodata.Default()
	data.Locale = loc
	data.Customers, data.Orders, data.Products = opt.Customers, opt.Orders, opt.Products
	w, err := generateDemo(ctx, path, data, dl, progress)
	return w, dl, err
}

func generateDemo(ctx context.Context, path string, opt demodata.Options, dl *demoLocale, progress Progress) (*Workspace, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	dir, err := os.MkdirTemp("", "mb-demo-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	report(i18n.T("Generating demo data"), 0.05)
	files, err := demodata.Generate(dir, opt)
	if err != nil {
		return nil, err
	}
	w, err := Create(path)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			w.Close()
			os.Remove(w.Path)
		}
	}()
	imports := []struct{ table, file string }{
		{"customers", files.Customers}, {"products", files.Products}, {"orders", files.Orders}, {"reviews", files.Reviews},
	}
	for i, im := range imports {
		if err := ctx.Err(); err != nil {
			return nil, ErrCancelled
		}
		report(i18n.T("Importing %s", im.table), 0.1+0.6*float64(i)/float64(len(imports)))
		if _, err := w.Import(ctx, im.file, ingest.Options{Table: im.table}); err != nil {
			return nil, i18n.Errorf("demo import of %s: %w", im.table, err)
		}
	}
	// The demo's roles are known; state them so the demo never depends on guessing.
	roles := map[string]map[string]storage.Role{
		"customers": {"customer_id": storage.CustomerID, "email": storage.Email, "phone": storage.Phone, "first_name": storage.FirstName,
			"last_name": storage.LastName, "city": storage.City, "email_consent": storage.EmailConsent, "sms_consent": storage.SMSConsent,
			"push_token": storage.PushToken, "push_opt_in": storage.PushOptIn},
		"orders": {"order_id": storage.OrderID, "customer_id": storage.CustomerID, "order_date": storage.OrderDate, "product_id": storage.ProductID,
			"quantity": storage.Quantity, "unit_price": storage.UnitPrice, "amount": storage.Amount},
		"products": {"product_id": storage.ProductID, "product_name": storage.ProductName, "category": storage.Category, "unit_price": storage.UnitPrice},
		"reviews":  {"customer_id": storage.CustomerID, "product_id": storage.ProductID, "review_text": storage.Text},
	}
	if dl.region != "" {
		roles["customers"][dl.region] = storage.Region
	}
	if opt.Locale == demodata.Chinese {
		roles["customers"]["wechat_openid"] = storage.WeChatOpenID
		roles["customers"]["wechat_follower"] = storage.WeChatFollower
	}
	for t, r := range roles {
		if err := w.SetRoles(ctx, t, r, true); err != nil {
			return nil, err
		}
	}
	if err := w.SetCurrency(ctx, dl.currency); err != nil {
		return nil, err
	}
	report(i18n.T("Scoring customers (RFM)"), 0.8)
	if _, err := w.RFM(ctx, "orders", dl.scheme, opt.AsOf.AddDate(0, 0, 1)); err != nil {
		return nil, err
	}
	report(i18n.T("Creating example segments"), 0.85)
	for _, s := range dl.segments {
		if _, err := w.CreateSegment(ctx, s.name, s.table, s.rule); err != nil {
			return nil, i18n.Errorf("demo segment %q: %w", s.name, err)
		}
	}
	// Three products for each customer, so campaign templates can use
	// {{.rec1_name}} and {{.recommendations}} from the start.
	report(i18n.T("Recommending products"), 0.9)
	if _, err := w.TrainRecommender(ctx, "orders", MethodItemKNN, DefaultRecommender, nil); err != nil {
		return nil, i18n.Errorf("demo recommender: %w", err)
	}
	if _, err := w.ScoreRecommendations(ctx, ScoreOptions{Top: 3, Link: dl.shop + "{product_id}"}, nil); err != nil {
		return nil, i18n.Errorf("demo recommendations: %w", err)
	}
	if _, err := w.addDemoJourneys(ctx, opt.Locale); err != nil {
		return nil, err
	}
	if _, err := w.addDemoChannelCampaigns(ctx, opt.Locale, dl.best); err != nil {
		return nil, err
	}
	report(i18n.T("Done"), 1)
	ok = true
	return w, nil
}

// DemoResult lists what the headless demo wrote.
type DemoResult struct {
	Project string
	Files   []string
	Summary string
}

// RunDemo creates the demo project in dir (replacing an earlier demo there)
// in the language opt chooses and runs the end-to-end headless flow:
// profile, RFM, segments, charts, exports and a summary in Markdown.
func RunDemo(ctx context.Context, dir string, opt DemoOptions, progress Progress) (*DemoResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "demo"+storage.Ext)
	os.Remove(path)
	os.Remove(path + ".wal")
	w, dl, err := createDemo(ctx, path, opt, progress)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	res := &DemoResult{Project: path}
	charts := []struct {
		file string
		spec ChartSpec
	}{
		{"segments.png", ChartSpec{Kind: ChartSegmentSize}},
		{"segments-revenue.svg", ChartSpec{Kind: ChartSegmentRevenue}},
		{"rfm-heatmap.png", ChartSpec{Kind: ChartRFMHeatmap}},
		{"order-amounts.pdf", ChartSpec{Kind: ChartHistogram, Table: "orders", Column: "amount", Bins: 30}},
	}
	for _, c := range charts {
		p, err := w.Chart(ctx, c.spec)
		if err != nil {
			return nil, err
		}
		out := filepath.Join(dir, c.file)
		if err := chart.Save(p, out, chart.DefaultWidth, chart.DefaultHeight); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, out)
	}
	for _, e := range []struct{ src, file string }{{"segment:" + dl.best, "champions.csv"}, {"rfm_scores", "rfm_scores.parquet"}, {"segment:" + dl.lapsed, "lapsed-big-spenders.xlsx"}} {
		out := filepath.Join(dir, e.file)
		if _, err := w.Export(ctx, e.src, out); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, out)
	}
	// Predictive and text analytics: a churn model scored on today's
	// customers, and review sentiment.
	churn, err := w.Train(ctx, TrainRequest{Target: &models.Target{Kind: models.Churn, Days: 90}, Spec: model.Spec{Algo: model.LogReg, Seed: 42}}, nil)
	if err != nil {
		return nil, i18n.Errorf("demo churn model: %w", err)
	}
	scored, err := w.Score(ctx, churn.Name, "", nil)
	if err != nil {
		return nil, i18n.Errorf("demo scoring: %w", err)
	}
	senti, err := w.Sentiment(ctx, "reviews", "review_text", "", nil)
	if err != nil {
		return nil, i18n.Errorf("demo sentiment: %w", err)
	}
	sum, err := w.summary(ctx)
	if err != nil {
		return nil, err
	}
	sum += "\n" + i18n.T("## Churn model") + "\n\n" +
		i18n.T("%s on %d customers as of %s (churn = no order in the next 90 days): test AUC %.3f, accuracy %.3f.",
			churn.Algo, churn.Built.Customers, churn.Built.Target.Cutoff, churn.Eval.AUC, churn.Eval.Accuracy) + "\n" +
		i18n.T("%d customers scored as of %s into model_scores.%s; try the rule `%s > 0.8`.", scored.Customers, scored.AsOf, scored.Column, scored.Column) + "\n"
	sum += "\n" + i18n.T("## Review sentiment") + "\n\n" +
		i18n.T("%d reviews scored with the %s: %d positive, %d negative (columns %s, %s).",
			senti.Rows, senti.Model, senti.Labels["positive"], senti.Labels["negative"], senti.ScoreColumn, senti.LabelColumn) + "\n"
	out := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(out, []byte(sum), 0o644); err != nil {
		return nil, err
	}
	res.Files = append(res.Files, out)
	camp, files, err := w.demoCampaign(ctx, dir, dl)
	if err != nil {
		return nil, i18n.Errorf("demo campaign: %w", err)
	}
	sum += camp
	res.Files = append(res.Files, files...)
	auto, files, err := w.demoAutomation(ctx, demoJourneyTexts[localeOf(dl)])
	if err != nil {
		return nil, i18n.Errorf("demo journeys: %w", err)
	}
	sum += auto
	res.Files = append(res.Files, files...)
	if err := os.WriteFile(out, []byte(sum), 0o644); err != nil {
		return nil, err
	}
	res.Summary = sum
	return res, nil
}

func (w *Workspace) summary(ctx context.Context) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n%s\n\n%s\n|---|---:|---:|\n",
		i18n.T("Marketbench demo report: a generated online shop"), i18n.T("Generated %s.", i18n.DateTime(time.Now())),
		i18n.T("## Tables"), i18n.T("| table | rows | columns |"))
	tables, err := w.Tables(ctx)
	if err != nil {
		return "", err
	}
	for _, t := range tables {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", t.Name, t.Rows, len(t.Columns))
	}
	sums, err := w.Segments(ctx)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "\n%s\n\n%s\n|---|---|---:|---:|---:|---:|---:|\n", i18n.T("## Segments"),
		i18n.T("| segment | kind | customers | share | revenue | avg order value | avg recency (days) |"))
	sym := w.CurrencySymbol(ctx)
	for _, s := range sums {
		fmt.Fprintf(&b, "| %s | %s | %d | %.1f%% | %s | %s | %.0f |\n", SegmentName(s), SegmentKind(s.Kind), s.Size, 100*s.Share,
			i18n.Money(sym, 0, s.Revenue), i18n.Money(sym, 2, s.AOV), s.AvgRecency)
	}
	return b.String(), nil
}
