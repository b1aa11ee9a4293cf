package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// sendView is the Send tab: dry run, test send, live send with pause and
// resume, and the delivery log's tallies.
type sendView struct {
	s *campaignsScreen

	mode    *widget.RadioGroup
	testTo  *widget.Entry
	testRow fyne.CanvasObject
	secrets *configForm
	secBox  *fyne.Container
	// remember saves the secrets typed here in the system keyring for the
	// campaign's channel (secFor: plugin and channel) when sending.
	remember *widget.Check
	secFor   [2]string
	sendBtn  *widget.Button
	pauseBtn *widget.Button
	// unknownBtn opens the deliveries of unknown fate, to settle them.
	unknownBtn *widget.Button
	// receiptsBtn fetches the provider's delivery receipts (SMS).
	receiptsBtn *widget.Button
	warnings    *widget.Label
	stage       *widget.Label
	bar         *widget.ProgressBar
	status      *widget.Label
	counts      *grid
	reasons     *grid
	specReq     latest
	statReq     latest

	row *campaignRow
	// tried says what this session's last dry run or test send of a
	// campaign found, so the status line never asks for one just done.
	tried   map[string]string
	sending context.CancelFunc // set while a live send runs
	paused  bool               // the user pressed Pause
	// allowDev is set for one live send the user confirmed through a
	// development build of the plugin (confirmDevLive).
	allowDev bool
	content  fyne.CanvasObject
}

func newSendView(s *campaignsScreen) *sendView {
	v := &sendView{s: s, counts: newGrid(), reasons: newGrid(), tried: map[string]string{}}
	v.mode = widget.NewRadioGroup([]string{i18n.T(modeDry), i18n.T(modeTest), i18n.T(modeLive)}, func(string) { v.modeChanged() })
	v.mode.Required = true
	v.testTo = &widget.Entry{PlaceHolder: i18n.T("your address, e.g. me@example.com")}
	v.testTo.ExtendBaseWidget(v.testTo)
	v.testRow = container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Send the test to")), nil, v.testTo)
	v.secBox = container.NewVBox()
	v.sendBtn = &widget.Button{Text: i18n.T("Dry run"), Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: v.start}
	v.pauseBtn = &widget.Button{Text: i18n.T("Pause"), Icon: theme.MediaPauseIcon(), OnTapped: v.pause}
	v.pauseBtn.Disable()
	v.unknownBtn = &widget.Button{Text: i18n.T("Unknown deliveries…"), Icon: theme.QuestionIcon(), OnTapped: v.showUnknown}
	v.unknownBtn.Hide()
	v.receiptsBtn = &widget.Button{Text: i18n.T("Fetch receipts"), Icon: theme.DownloadIcon(), OnTapped: v.fetchReceipts}
	v.warnings = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.warnings.Hide()
	v.stage = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.bar = widget.NewProgressBar()
	v.bar.Hide()
	v.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	grids := container.NewHSplit(
		container.NewBorder(&widget.Label{Text: i18n.T("Delivery log"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.counts.table),
		container.NewBorder(&widget.Label{Text: i18n.T("Not sent, by reason"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.reasons.table))
	grids.Offset = 0.6
	top := container.NewVBox(v.mode, v.testRow, v.secBox, container.NewHBox(v.sendBtn, v.pauseBtn, v.unknownBtn, v.receiptsBtn), v.stage, v.bar, v.warnings, v.status)
	v.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, grids)
	v.mode.SetSelected(i18n.T(modeDry))
	return v
}

// modeIs reports whether mode (modeDry…) is chosen; the options show it
// translated.
func (v *sendView) modeIs(mode string) bool { return v.mode.Selected == i18n.T(mode) }

func (v *sendView) modeChanged() {
	if v.modeIs(modeTest) {
		v.testRow.Show()
	} else {
		v.testRow.Hide()
	}
	v.updateButton()
}

func (v *sendView) resumable() bool {
	return v.row != nil && (v.row.info.Status == "paused" || v.row.info.Status == "sending")
}

func (v *sendView) updateButton() {
	switch {
	case v.modeIs(modeTest):
		v.sendBtn.SetText(i18n.T("Send test"))
	case v.modeIs(modeLive):
		if v.resumable() {
			v.sendBtn.SetText(i18n.T("Resume sending"))
		} else {
			v.sendBtn.SetText(i18n.T("Send live…"))
		}
	default:
		v.sendBtn.SetText(i18n.T("Dry run"))
	}
	setEnabled(v.sendBtn, v.sending == nil && v.s.sel != "")
	setEnabled(v.receiptsBtn, v.sending == nil && v.s.sel != "")
}

// fetchReceipts asks the channel's provider what became of the messages it
// accepted and shows the tally.
func (v *sendView) fetchReceipts() {
	name, p := v.s.sel, v.s.p
	if name == "" {
		return
	}
	var rep *core.ReceiptReport
	p.run(i18n.T("Fetching delivery receipts…"), func(ctx context.Context, _ core.Progress) error {
		var err error
		rep, err = p.ws.FetchReceipts(ctx, name, v.secretValues())
		return err
	}, func(err error) {
		if err != nil {
			p.showError(err)
			return
		}
		v.stage.SetText(receiptWords(rep))
		p.setStatus(v.stage.Text)
	})
}

// receiptWords says what a receipts fetch found.
func receiptWords(rep *core.ReceiptReport) string {
	if rep.NoReceipts {
		return i18n.T("This channel's provider keeps no delivery receipts to fetch.")
	}
	undelivered := 0
	var why []string
	for _, k := range sortedKeys(rep.Undelivered) {
		undelivered += rep.Undelivered[k]
		why = append(why, fmt.Sprintf("%s (%s)", k, i18n.Number(float64(rep.Undelivered[k]))))
	}
	out := i18n.T("Receipts: %s delivered to the recipient, %s undelivered; %s messages still on their way.",
		i18n.Number(float64(rep.Delivered)), i18n.Number(float64(undelivered)), i18n.Number(float64(rep.Pending)))
	if len(why) > 0 {
		out += " " + strings.Join(why, "; ")
	}
	return out
}

// load shows a campaign's status and asks its channel which secrets a
// send needs.
func (v *sendView) load(r *campaignRow) {
	same := r != nil && v.row != nil && v.row.info.Name == r.info.Name
	v.row = r
	v.updateButton()
	if same {
		// A refresh of the campaign shown: keep the secrets as typed, for
		// a resume.
		v.showCounts(r.info.Status, r.counts)
		return
	}
	if v.sending == nil {
		v.stage.SetText("")
	}
	v.secBox.RemoveAll()
	v.secrets = nil
	if r == nil {
		v.status.SetText(i18n.T("Save the campaign and preview it, then send it here. A dry run checks everything and sends nothing."))
		v.counts.clear()
		v.reasons.clear()
		return
	}
	v.showCounts(r.info.Status, r.counts)
	plugin, comp := r.info.Plugin, r.info.Component
	ctx := v.specReq.start(v.s.p.ctx)
	type channel struct {
		spec  sdk.Component
		saved map[string]bool // secret fields saved in the system keyring
	}
	async(v.s.p, ctx, func(ctx context.Context) (channel, error) {
		spec, _, err := v.s.p.ws.ChannelSpec(ctx, plugin, comp)
		saved := map[string]bool{}
		if err == nil {
			creds, _ := v.s.p.ws.SavedSecrets(ctx) // no keyring: nothing saved
			for _, c := range creds {
				if c.Plugin == plugin && (c.Component == comp || c.Component == "") {
					saved[c.Field] = true
				}
			}
		}
		return channel{spec, saved}, err
	}, func(ch channel, err error) {
		if ctx.Err() != nil || err != nil {
			return // sending reports an unavailable channel in words
		}
		secret := ch.spec
		secret.Description = ""
		secret.Config = slices.DeleteFunc(slices.Clone(ch.spec.Config), func(f sdk.Field) bool { return f.Type != sdk.Secret })
		if len(secret.Config) == 0 {
			return
		}
		v.secrets = newConfigForm(secret, nil, true)
		v.secFor = [2]string{plugin, comp}
		for name := range ch.saved {
			// Saved values stay in the keyring: the field shows that one
			// is there, and a value typed now replaces it for this send.
			if e, ok := v.secrets.widgets[name].(*widget.Entry); ok {
				e.SetPlaceHolder(i18n.T("•••••• saved in the system keyring"))
			}
		}
		v.remember = widget.NewCheck(i18n.T("Remember in the system keyring"), nil)
		v.secBox.Objects = []fyne.CanvasObject{
			&widget.Label{Text: i18n.T("Secrets for this send"), TextStyle: fyne.TextStyle{Bold: true}}, v.secrets.content, v.remember}
		v.secBox.Refresh()
	})
}

// showCounts tallies the delivery log per group and status.
func (v *sendView) showCounts(status string, c *campaign.Counts) {
	if v.sending != nil {
		// The log is read again when the run stops; until then the
		// progress bar is the truth, and this line must not contradict it.
		v.status.SetText(sendingNow())
		return
	}
	if c == nil || c.Total == 0 {
		v.unknownBtn.Hide()
		if tried := v.tried[v.s.sel]; tried != "" {
			v.status.SetText(i18n.T("Status: %s. %s Nothing has gone to customers yet: choose Live to send.", statusWords(status), tried))
		} else {
			v.status.SetText(i18n.T("Status: %s. Nothing has been sent yet: try a dry run or a test send first.", statusWords(status)))
		}
		v.counts.clear()
		v.reasons.clear()
		return
	}
	left := c.ByStatus[campaign.Planned] + c.ByStatus[campaign.Retry] + c.ByStatus[campaign.Sending]
	text := i18n.T("Status: %s. %s of %s customers delivered; %s in the holdout, %s left out, %s rejected.",
		statusWords(status), i18n.Number(float64(c.ByStatus[campaign.Delivered])), i18n.Number(float64(c.Total)),
		i18n.Number(float64(c.ByStatus[campaign.Holdout])), i18n.Number(float64(c.ByStatus[campaign.Excluded])),
		i18n.Number(float64(c.ByStatus[campaign.Rejected])))
	if left > 0 {
		text += i18n.T(" %s still to send: choose Live and press Resume sending.", i18n.Number(float64(left)))
	}
	if n := c.ByStatus[campaign.Unknown]; n > 0 {
		text += i18n.T(" %s messages may or may not have arrived; the channel cannot tell, so they are not sent again until you settle them (Unknown deliveries…).", i18n.Number(float64(n)))
		v.unknownBtn.Show()
	} else {
		v.unknownBtn.Hide()
	}
	v.status.SetText(text)
	order := []string{campaign.Delivered, campaign.Planned, campaign.Sending, campaign.Retry, campaign.Rejected, campaign.Unknown, campaign.Holdout, campaign.Excluded}
	var cols, heads []string
	for _, st := range order {
		if c.ByStatus[st] > 0 {
			cols = append(cols, st)
			heads = append(heads, deliveryStatusWords(st))
		}
	}
	var rows [][]string
	for _, g := range sortedKeys(c.ByVariant) {
		label := i18n.T("variant %s", g)
		if g == campaign.Holdout {
			label = i18n.T("holdout")
		}
		row := []string{label}
		for _, st := range cols {
			row = append(row, i18n.Number(float64(c.ByVariant[g][st])))
		}
		rows = append(rows, row)
	}
	if n := c.ByStatus[campaign.Excluded]; n > 0 {
		row := []string{i18n.T("left out")}
		for _, st := range cols {
			k := 0
			if st == campaign.Excluded {
				k = n
			}
			row = append(row, i18n.Number(float64(k)))
		}
		rows = append(rows, row)
	}
	total := []string{i18n.T("total")}
	types := []string{""}
	for _, st := range cols {
		total = append(total, i18n.Number(float64(c.ByStatus[st])))
		types = append(types, "BIGINT")
	}
	rows = append(rows, total)
	v.counts.set(append([]string{i18n.T("Group")}, heads...), types, rows)
	rows = nil
	for _, k := range sortedKeys(c.Reasons) {
		rows = append(rows, []string{reasonWords(k), i18n.Number(float64(c.Reasons[k]))})
	}
	v.reasons.set([]string{i18n.T("Reason"), i18n.T("Customers")}, []string{"", "BIGINT"}, rows)
}

// refreshStatus reads the delivery log again.
func (v *sendView) refreshStatus(name string) {
	ctx := v.statReq.start(v.s.p.ctx)
	type st struct {
		in     *campaign.Info
		counts *campaign.Counts
	}
	async(v.s.p, ctx, func(ctx context.Context) (st, error) {
		in, c, err := v.s.p.ws.CampaignStatus(ctx, name)
		return st{in, c}, err
	}, func(r st, err error) {
		if ctx.Err() != nil || err != nil || v.s.sel != name {
			return
		}
		if v.row != nil {
			v.row.info, v.row.counts = *r.in, r.counts
		}
		v.showCounts(r.in.Status, r.counts)
		v.updateButton()
	})
}

func (v *sendView) secretValues() sdk.Secrets {
	if v.secrets == nil {
		return nil
	}
	_, sec := v.secrets.values()
	return sec
}

// typedSecrets reads the secrets typed for a send (on the UI goroutine)
// and gives a function for the worker to call before sending: with
// Remember ticked it saves them in the system keyring, and it returns
// what went wrong in words ("" when nothing did). Failing to save is no
// reason not to send with the values typed.
func (v *sendView) typedSecrets() (sdk.Secrets, func(context.Context) string) {
	sec := v.secretValues()
	if v.remember == nil || !v.remember.Checked || len(sec) == 0 {
		return sec, func(context.Context) string { return "" }
	}
	ws, plugin, comp := v.s.p.ws, v.secFor[0], v.secFor[1]
	return sec, func(ctx context.Context) string {
		for _, k := range sortedKeys(sec) {
			if err := ws.SaveSecret(ctx, core.Credential{Plugin: plugin, Component: comp, Field: k}, sec[k]); err != nil {
				return i18n.T("not remembered: %s", i18n.Error(err))
			}
		}
		return ""
	}
}

// remembered shows what saving the typed secrets said, and after a save
// marks the fields as saved.
func (v *sendView) remembered(problem string) {
	if problem != "" {
		v.warnings.SetText(i18n.T("Warning: %s", problem))
		v.warnings.Show()
		return
	}
	if v.remember == nil || !v.remember.Checked || v.secrets == nil {
		return
	}
	for _, w := range v.secrets.widgets {
		if e, ok := w.(*widget.Entry); ok && e.Text != "" {
			e.SetText("")
			e.SetPlaceHolder(i18n.T("•••••• saved in the system keyring"))
		}
	}
	v.remember.SetChecked(false)
}

// start sends in the chosen mode.
func (v *sendView) start() {
	name := v.s.sel
	if name == "" {
		return
	}
	p := v.s.p
	switch {
	case v.modeIs(modeTest):
		to := strings.TrimSpace(v.testTo.Text)
		if to == "" {
			dialog.ShowInformation(i18n.T("Test send"), i18n.T("Give the address the test messages go to: one message per variant, with [TEST] in the subject."), p.win)
			return
		}
		var rep *core.SendReport
		secrets, keep := v.typedSecrets()
		var kept string
		p.run(i18n.T("Sending test messages…"), func(ctx context.Context, progress core.Progress) error {
			kept = keep(ctx)
			var err error
			rep, err = p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.TestSend, TestTo: to, Secrets: secrets}, progress)
			return err
		}, func(err error) {
			v.remembered(kept)
			if err != nil {
				p.showError(err)
				return
			}
			v.stage.SetText(i18n.T("Sent %d test messages to %s, one per variant. No customer got anything.", rep.Sent, to))
			p.setStatus(v.stage.Text)
			v.tried[name] = i18n.T("The test send went to %s.", to)
			v.refreshStatus(name)
		})
	case v.modeIs(modeLive):
		if v.resumable() {
			v.live(name)
			return
		}
		var pv *core.Preview
		p.run(i18n.T("Checking the audience…"), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Resolving the audience and rendering every message"), -1)
			var err error
			pv, err = p.ws.PreviewCampaign(ctx, name, 3)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			v.s.preview.show(name, pv)
			v.confirmLive(name, pv)
		})
	default:
		var rep *core.SendReport
		p.run(i18n.T("Dry run…"), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Resolving the audience and rendering every message"), -1)
			var err error
			rep, err = p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.DryRun}, progress)
			return err
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			pv := rep.Preview
			v.s.preview.show(name, pv)
			v.stage.SetText(i18n.T("Dry run: %s customers would get a message, %s are in the holdout, %s are left out. Nothing was sent.",
				i18n.Number(float64(contacted(pv))), i18n.Number(float64(pv.Groups[campaign.Holdout])), i18n.Number(float64(sum(pv.Excluded)))))
			p.setStatus(v.stage.Text)
			v.tried[name] = i18n.T("The dry run found everything in order.")
			v.refreshStatus(name)
		})
	}
}

// confirmLive says how many customers will be contacted before anything
// goes out.
func (v *sendView) confirmLive(name string, pv *core.Preview) {
	n := contacted(pv)
	if n == 0 {
		dialog.ShowInformation(i18n.T("Nothing to send"), i18n.T("No customer of the audience can receive this campaign: the Preview tab shows who is left out and why."), v.s.p.win)
		return
	}
	var per []string
	for _, g := range sortedKeys(pv.Groups) {
		if g != campaign.Holdout {
			per = append(per, i18n.T("%s get variant %s", i18n.Number(float64(pv.Groups[g])), g))
		}
	}
	msg := i18n.T("%s customers will be contacted now: %s. %s in the holdout and %s left out get nothing.\n\n"+
		"This cannot be undone. You can pause the send and resume it later; nobody gets a message twice.",
		i18n.Number(float64(n)), strings.Join(per, ", "), i18n.Number(float64(pv.Groups[campaign.Holdout])), i18n.Number(float64(sum(pv.Excluded))))
	// The split and a warning about small groups come before the send,
	// not only on the Plan a test tab.
	body := container.NewVBox(&widget.Label{Text: msg, Wrapping: fyne.TextWrapWord})
	if sp := splitWords(pv); sp != "" {
		body.Add(&widget.Label{Text: sp, Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}})
	}
	if w := v.s.plan.tooFew(pv); w != "" {
		body.Add(&widget.Label{Text: w, Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance})
	}
	d := dialog.NewCustomConfirm(i18n.T("Send %s live?", name), i18n.T("Send to %s customers", i18n.Number(float64(n))), i18n.T("Cancel"),
		body, func(ok bool) {
			if ok {
				v.live(name)
			}
		}, v.s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// live runs a live send (or resumes one) without blocking the window: the
// progress shows on the tab, and Pause stops it after the current batch.
func (v *sendView) live(name string) {
	p := v.s.p
	ctx, cancel := context.WithCancel(p.ctx)
	v.sending, v.paused = cancel, false
	v.updateButton()
	v.pauseBtn.Enable()
	v.bar.SetValue(0)
	v.bar.Show()
	v.warnings.Hide()
	v.stage.SetText(i18n.T("Starting…"))
	v.status.SetText(sendingNow())
	warn := func(msg string) {
		do(func() {
			v.warnings.SetText(i18n.T("Warning: %s", msg))
			v.warnings.Show()
		})
	}
	progress := func(stage string, frac float64) {
		do(func() {
			if v.sending == nil {
				return
			}
			if stage != "" {
				v.stage.SetText(stage)
			}
			if frac >= 0 {
				v.bar.SetValue(frac)
			}
		})
	}
	secrets, keep := v.typedSecrets()
	var kept string
	confirmed := v.allowDev
	v.allowDev = false
	async(p, ctx, func(ctx context.Context) (*core.SendReport, error) {
		kept = keep(ctx)
		return p.ws.SendCampaign(ctx, name, core.SendOptions{Mode: campaign.Live, Secrets: secrets, Warn: warn, AllowDevPlugin: confirmed}, progress)
	}, func(rep *core.SendReport, err error) {
		cancel()
		v.remembered(kept)
		paused := v.paused
		v.sending = nil
		v.pauseBtn.Disable()
		v.bar.Hide()
		sent := 0
		if rep != nil {
			sent = rep.Sent
		}
		switch {
		case err == nil:
			v.stage.SetText(i18n.T("Done: %s messages sent in this run.", i18n.Number(float64(sent))))
		case errors.Is(err, core.ErrPaused) && rep != nil && rep.Waiting > 0:
			// Quiet hours (or a far retry): not a failure; say when to resume.
			v.stage.SetText(i18n.T("Sent %s messages in this run; %s wait for quiet hours to end or for a retry, the first until %s. Press Resume sending then.",
				i18n.Number(float64(sent)), i18n.Number(float64(rep.Waiting)), i18n.DateTime(rep.NextAt.Local())))
		case errors.Is(err, core.ErrDevBuild) && !confirmed:
			// Refused before anything was planned or sent: ask, then
			// send again with the confirmation.
			v.stage.SetText("")
			v.updateButton()
			v.confirmDevLive(name, err)
			return
		case errors.Is(err, core.ErrPaused) && paused:
			v.stage.SetText(i18n.T("Paused after %s messages in this run. Press Resume sending to send the rest.", i18n.Number(float64(sent))))
		default:
			v.stage.SetText(i18n.T("Stopped: %s", i18n.Error(err)))
			p.showError(err)
		}
		p.setStatus(name + ": " + v.stage.Text)
		v.refreshStatus(name)
		v.s.refresh("")
		v.s.results.load(name)
	})
}

// showUnknown lists the deliveries whose fate a crash left unknown and
// lets the user settle them after checking with the provider: they
// arrived, they did not (and are not to be sent), or send them again.
func (v *sendView) showUnknown() {
	name := v.s.sel
	if name == "" {
		return
	}
	p := v.s.p
	ctx := v.statReq.start(p.ctx)
	async(p, ctx, func(ctx context.Context) ([]campaign.UnknownDelivery, error) {
		return p.ws.UnknownDeliveries(ctx, name)
	}, func(us []campaign.UnknownDelivery, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.showError(err)
			return
		}
		if len(us) == 0 {
			dialog.ShowInformation(i18n.T("Unknown deliveries"), i18n.T("This campaign has no deliveries of unknown fate."), p.win)
			return
		}
		g := newGrid()
		var rows [][]string
		for _, u := range us {
			rows = append(rows, []string{u.CustomerID, u.Variant, u.Key, reasonWords(u.Reason)})
		}
		g.set([]string{i18n.T("Customer"), i18n.T("Variant"), i18n.T("Idempotency key"), i18n.T("Why")}, []string{"", "", "", ""}, rows)
		who := &widget.Entry{PlaceHolder: i18n.T("all of them, or one customer id")}
		who.ExtendBaseWidget(who)
		var d dialog.Dialog
		settle := func(how string) {
			var ids []string
			if id := strings.TrimSpace(who.Text); id != "" {
				ids = []string{id}
			}
			async(p, p.ctx, func(ctx context.Context) (int, error) {
				return p.ws.ResolveUnknown(ctx, name, how, ids)
			}, func(n int, err error) {
				if err != nil {
					p.showError(err)
					return
				}
				d.Hide()
				msg := map[string]string{
					campaign.ResolveSent:    i18n.Mark("Marked %s deliveries as sent."),
					campaign.ResolveNotSent: i18n.Mark("Marked %s deliveries as not sent; they will not be sent."),
					campaign.ResolveResend:  i18n.Mark("%s deliveries will be sent again: choose Live and press Resume sending."),
				}[how]
				v.stage.SetText(i18n.T(msg, i18n.Number(float64(n))))
				p.setStatus(name + ": " + v.stage.Text)
				v.refreshStatus(name)
				v.s.refresh("")
			})
		}
		intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("%s messages may or may not have gone out: the app or the plugin stopped while sending them, "+
			"and this channel cannot be asked again safely. Check them with your provider (by idempotency key), then settle them.", i18n.Number(float64(len(us))))}
		buttons := container.NewHBox(
			&widget.Button{Text: i18n.T("They arrived"), OnTapped: func() { settle(campaign.ResolveSent) }},
			&widget.Button{Text: i18n.T("They did not arrive"), OnTapped: func() { settle(campaign.ResolveNotSent) }},
			&widget.Button{Text: i18n.T("Send them again"), Importance: widget.HighImportance, OnTapped: func() { settle(campaign.ResolveResend) }})
		body := container.NewBorder(container.NewVBox(intro, container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Settle")), nil, who), buttons), nil, nil, nil, g.table)
		d = dialog.NewCustom(i18n.T("Unknown deliveries: %s", name), i18n.T("Close"), body, p.win)
		d.Resize(fyne.NewSize(760, 480))
		d.Show()
	})
}

// pause stops a live send after the messages already with the channel;
// core records where it stopped, and sending again resumes.
func (v *sendView) pause() {
	if v.sending == nil {
		return
	}
	v.paused = true
	v.sending()
	v.pauseBtn.Disable()
	v.stage.SetText(i18n.T("Pausing after the messages already with the channel…"))
}

func sendingNow() string {
	return i18n.T("Status: sending now. The delivery log below is brought up to date when this run ends or is paused.")
}
