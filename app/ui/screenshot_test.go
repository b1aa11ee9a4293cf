package ui

import (
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// screenshots runs the real GUI on a demo project, visits the main screens
// and saves a PNG of each in dir, so a person can look at what users see:
//
//	Xvfb :99 -screen 0 1024x700x24 &
//	DISPLAY=:99 MB_SCREENSHOTS=$PWD/docs/screenshots MB_SHOT_SIZE=1024x700 go test ./app/ui
//
// With LANG=zh_CN.UTF-8 the screens are in Chinese, with FYNE_THEME=light
// light. MB_SHOT_SIZE is the window's size (default 1024x700), which
// should be the screen's. MB_SHOTS_ONLY=journeys takes only the Journeys
// screen's, MB_SHOTS_ONLY=privacy only the Privacy screen's, MB_SHOTS_ONLY=sealing
// the Sealing tab's, MB_SHOTS_ONLY=themes only the Text screen's Themes tab,
// MB_SHOTS_ONLY=explain only the explanation dialog, MB_SHOTS_ONLY=ask only
// the Ask panel's.
//
// It runs from TestMain because the GUI needs the main goroutine.
func screenshots(dir string) int {
	// Before HOME moves: with the user's Go cache the build takes seconds.
	if err := bundleForShots(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "mb-shots-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// "Open demo project" writes to $HOME/Marketbench; keep it temporary.
	os.Setenv("HOME", tmp)
	csv := filepath.Join(tmp, "Orders März 2025.csv")
	bad := filepath.Join(tmp, "contacts.csv")
	os.WriteFile(bad, []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n3,Cy,York,UK\n4,Di,Hull\n"), 0o644)
	os.WriteFile(csv, []byte("Kunde;Bestelldatum;Betrag;Kanal;E-Mail\n"+
		"K-1001;2025-03-01;129,90;web;anna@example.de\n"+
		"K-1002;2025-03-02;15,00;app;ben@example.de\n"+
		"K-1001;2025-03-09;42,50;store;anna@example.de\n"+
		"K-1003;2025-03-11;8,99;web;\n"), 0o644)

	a := app.NewWithID("io.marketbench.screenshots")
	applyLanguage(a) // the system's: LANG=zh_CN.UTF-8 takes them in Chinese
	w := newWindow(a)
	w.showStart()
	var width, height float32 = 1024, 700
	fmt.Sscanf(os.Getenv("MB_SHOT_SIZE"), "%fx%f", &width, &height)
	w.win.Resize(fyne.NewSize(width, height))
	status := 0
	go func() {
		defer fyne.Do(a.Quit)
		var p *project
		// step does f on the UI goroutine, waits for the work it started and
		// for a few frames to be painted, then saves the screen.
		step := func(name string, f func()) {
			fyne.DoAndWait(f)
			time.Sleep(100 * time.Millisecond)
			if p != nil {
				p.waitIdle(30 * time.Second)
			}
			time.Sleep(800 * time.Millisecond)
			if err := shoot(w.win, filepath.Join(dir, name)); err != nil {
				fmt.Fprintln(os.Stderr, name+":", err)
				status = 1
			}
			// A screen larger than the window makes the real window grow
			// (issue 10); say so, since a person on a small screen would
			// lose the right or bottom edge.
			var got fyne.Size
			fyne.DoAndWait(func() { got = w.win.Canvas().Size() })
			if got.Width > width+1 || got.Height > height+1 {
				fmt.Fprintf(os.Stderr, "%s: the window grew to %.0f×%.0f, larger than %.0f×%.0f\n", name, got.Width, got.Height, width, height)
			}
		}
		closeDialogs := func() {
			for _, o := range w.win.Canvas().Overlays().List() {
				w.win.Canvas().Overlays().Remove(o)
			}
		}
		time.Sleep(time.Second)
		step("start.png", func() {})
		step("welcome.png", w.showWelcome)
		fyne.DoAndWait(closeDialogs)
		step("new-project.png", w.chooseNew)
		fyne.DoAndWait(closeDialogs)
		fyne.DoAndWait(w.openDemo)
		time.Sleep(300 * time.Millisecond)
		shoot(w.win, filepath.Join(dir, "demo-progress.png"))
		for end := time.Now().Add(time.Minute); p == nil && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			fyne.DoAndWait(func() { p = w.proj })
		}
		if p == nil {
			fmt.Fprintln(os.Stderr, "the demo project did not open")
			status = 1
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "journeys" {
			journeyShots(p, step, closeDialogs)
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "sealing" {
			sealShots(p, step, closeDialogs)
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "themes" {
			themesShot(p, step)
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "privacy" {
			privacyShots(p, step, closeDialogs)
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "explain" {
			explainShots(p, step, closeDialogs)
			return
		}
		if os.Getenv("MB_SHOTS_ONLY") == "ask" {
			askShots(p, step, closeDialogs)
			return
		}
		step("data.png", func() {
			p.goTo("Data")
			p.data.selectTable("orders")
		})
		step("data-filter.png", func() {
			p.data.rows.filterIn.SetText("channel = 'app' AND amount > 100")
			p.data.rows.applyFilter()
			p.data.rows.sortBy(6)
		})
		step("data-bad-filter.png", func() {
			p.data.rows.filterIn.SetText("amount > 'lots'")
			p.data.rows.applyFilter()
		})
		step("profile.png", func() {
			p.data.rows.filterIn.SetText("")
			p.data.rows.applyFilter()
			p.data.tabs.SelectIndex(1)
		})
		step("profile-amount.png", func() { p.data.profile.colSel.SetSelected("amount") })
		step("roles.png", func() { p.data.tabs.SelectIndex(2) })
		step("clean.png", func() {
			p.data.tabs.SelectIndex(3)
			p.data.clean.addSel.SetSelected(i18n.T("impute"))
			p.data.clean.addSel.SetSelected(i18n.T("cap"))
			p.data.clean.steps[0].Column = "amount"
			p.data.clean.steps[0].Method = "median"
			p.data.clean.steps[1].Column = "amount"
			p.data.clean.rebuild()
			p.data.clean.preview()
		})
		step("clean-apply.png", func() { p.data.clean.confirmApply() })
		step("sql.png", func() {
			p.data.tabs.SelectIndex(4)
			p.data.sql.query.SetText("SELECT channel, count(*) AS orders, round(sum(amount), 2) AS revenue\nFROM orders GROUP BY channel ORDER BY revenue DESC")
			p.data.sql.execute()
		})
		step("import-picker.png", func() {
			closeDialogs()
			p.chooseImport()
		})
		step("import.png", func() {
			closeDialogs()
			p.showImport(csv)
		})
		step("import-roles.png", func() {
			d := w.win.Canvas().Overlays().Top()
			if tabs, ok := find(d, func(*container.AppTabs) bool { return true }); ok {
				tabs.SelectIndex(1)
			}
		})
		var d *importDialog
		step("import-error-preview.png", func() {
			closeDialogs()
			d = p.showImport(bad)
		})
		step("import-error.png", func() { d.start(false) })
		step("segments.png", func() {
			closeDialogs()
			p.goTo("Segments")
		})
		step("rules.png", func() {
			p.segments.tabs.SelectIndex(1)
			p.segments.rules.text.SetText("country = 'France' AND (monetary > 1000 OR frequency >= 5) AND email_consent = true")
			p.segments.rules.parseText()
		})
		step("saved.png", func() { p.segments.tabs.SelectIndex(2) })
		step("products.png", func() { p.goTo("Products") })
		step("products-train.png", p.products.chooseTrain)
		step("products-trained.png", func() {
			closeDialogs()
			p.products.train(core.MethodItemKNN)
		})
		step("products-similar.png", func() {
			s := p.products
			s.tabs.Select(s.similarTab)
			if len(s.best.list) > 0 {
				s.similar.showProduct(s.best.list[0].ProductID, s.best.list[0].Name)
			}
		})
		step("products-customer.png", func() {
			s := p.products
			s.tabs.Select(s.customerTab)
			s.customer.id.SetText("C000001")
			s.customer.load()
		})
		step("products-score.png", p.products.chooseScore)
		step("products-scored.png", func() {
			closeDialogs()
			p.products.score(core.ScoreOptions{Name: core.DefaultRecommender, Top: 10, Link: "https://shop.example/p/{product_id}"})
		})
		step("products-rules.png", func() {
			closeDialogs()
			p.products.tabs.Select(p.products.rulesTab)
			p.products.rules.run()
		})
		step("products-evaluation.png", func() {
			p.products.tabs.Select(p.products.evalTab)
			p.products.eval.run()
		})
		step("models.png", func() { p.goTo("Models") })
		step("models-detail.png", func() {
			p.models.train.name.SetText("churn_demo")
			p.models.train.start()
		})
		time.Sleep(time.Second) // the list and charts load after training
		step("models-explain.png", func() {
			d := p.models.detail
			d.customer.SetText("C000001")
			d.explainCustomer()
			d.chartTabs.SelectIndex(len(d.chartTabs.Items) - 1)
		})
		step("models-gains.png", func() { p.models.detail.chartTabs.SelectIndex(0); p.models.detail.perfTabs.SelectIndex(1) })
		step("models-coefficients.png", func() { p.models.detail.chartTabs.SelectIndex(1); p.models.detail.learnTabs.SelectIndex(1) })
		step("models-train-table.png", func() {
			p.models.tabs.SelectIndex(1)
			p.models.train.source.SetSelected("customers")
			p.models.train.target.SetSelected("email_consent")
		})
		step("clusters.png", func() {
			p.models.tabs.SelectIndex(2)
			p.models.clusters.name.SetText("rfm4")
			p.models.clusters.run()
		})
		valueShots(p, step, closeDialogs)
		step("text.png", func() {
			p.goTo("Text")
			p.text.runSentiment()
		})
		themesShot(p, step)
		step("plugins.png", func() { p.goTo("Plugins") })
		step("plugins-registry.png", func() { registryShot(p) })
		fyne.DoAndWait(closeDialogs)
		step("campaigns.png", func() { p.goTo("Campaigns") })
		// The Chinese demo's SMS draft, previewed: the provider's checks.
		var sms bool
		fyne.DoAndWait(func() { sms = p.campaigns.row(core.DemoSMSCampaign) != nil })
		if sms {
			step("campaign-sms-preview.png", func() {
				p.campaigns.show(core.DemoSMSCampaign)
				p.campaigns.tabs.SelectIndex(1)
				p.campaigns.preview.run()
			})
		}
		journeyShots(p, step, closeDialogs)
		privacyShots(p, step, closeDialogs)
		explainShots(p, step, closeDialogs)
		askShots(p, step, closeDialogs)
		step("settings.png", func() { p.goTo("Settings") })
		step("shortcuts.png", w.showShortcuts)
		fyne.DoAndWait(closeDialogs)
		sealShots(p, step, closeDialogs) // last: it seals the demo and opens it again
	}()
	w.win.ShowAndRun()
	w.closeProject()
	return status
}

// shoot saves what is on screen: the X root window when there is one (what
// a person sees), else the window's canvas.
func shoot(win fyne.Window, path string) error {
	if os.Getenv("DISPLAY") != "" {
		if _, err := exec.LookPath("import"); err == nil {
			return exec.Command("import", "-window", "root", path).Run()
		}
	}
	var err error
	fyne.DoAndWait(func() {
		var f *os.File
		if f, err = os.Create(path); err == nil {
			err = png.Encode(f, win.Canvas().Capture())
			f.Close()
		}
	})
	return err
}

// recordShots takes the Processing record tab.
func recordShots(p *project, step func(string, func()), closeDialogs func()) {
	step("privacy-record.png", func() {
		p.goTo(screenPrivacy)
		p.privacy.selectTab(tabRecord)
	})
}

// privacyShotSteps take one Privacy tab's screenshots each; the tabs' test
// files register theirs in init.
var privacyShotSteps []func(p *project, step func(string, func()), closeDialogs func())

// privacyShots takes the Privacy screen's screenshots, tab by tab.
func privacyShots(p *project, step func(string, func()), closeDialogs func()) {
	for _, f := range privacyShotSteps {
		f(p, step, closeDialogs)
	}
}

func init() {
	privacyShotSteps = append(privacyShotSteps, recordShots, func(p *project, step func(string, func()), closeDialogs func()) {
		consentShots(p, step, closeDialogs)
		fyne.DoAndWait(closeDialogs)
	})
}
