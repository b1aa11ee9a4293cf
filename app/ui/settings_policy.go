package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/contact"
)

// commonZones are offered for the project's time zone; any IANA name or
// offset may be typed.
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
	"Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"}

// policyPanel edits the contact policy on the Settings screen: frequency
// caps (per channel or over all), quiet hours and the project's time zone.
type policyPanel struct {
	s        *settingsScreen
	caps     *fyne.Container // one capRow each
	rows     []*capRow
	channels []string
	quietOn  *widget.Check
	start    *widget.Entry
	end      *widget.Entry
	zone     *widget.SelectEntry
	status   *widget.Label
	content  fyne.CanvasObject
}

type capRow struct {
	channel *widget.SelectEntry
	max     *widget.Entry
	window  *widget.Entry
	obj     fyne.CanvasObject
}

func newPolicyPanel(s *settingsScreen) *policyPanel {
	pp := &policyPanel{s: s, caps: container.NewVBox(), status: &widget.Label{Wrapping: fyne.TextWrapWord}}
	pp.start = &widget.Entry{PlaceHolder: "21:00"}
	pp.end = &widget.Entry{PlaceHolder: "08:00"}
	pp.quietOn = widget.NewCheck(i18n.T("Hold messages back from"), func(on bool) { pp.quietEnabled(on) })
	pp.zone = widget.NewSelectEntry(commonZones)
	pp.zone.PlaceHolder = i18n.T("this computer's")
	add := &widget.Button{Text: i18n.T("Add a cap"), Icon: theme.ContentAddIcon(), OnTapped: func() { pp.addRow(contact.Cap{Max: 1, Hours: 24}) }}
	save := &widget.Button{Text: i18n.T("Save the policy"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: pp.save}
	title := &widget.Label{Text: i18n.T("Contact policy: limits every campaign and journey keeps, on top of consent and the suppression list"),
		TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	quiet := container.NewHBox(pp.quietOn, fixedWidth(70, pp.start), widget.NewLabel(i18n.T("to")), fixedWidth(70, pp.end),
		widget.NewLabel(i18n.T("on the customer's clock")))
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("Frequency caps"), container.NewVBox(pp.caps, container.NewHBox(add))),
		widget.NewFormItem(i18n.T("Quiet hours"), quiet),
		widget.NewFormItem(i18n.T("Time zone"), fixedWidth(240, pp.zone)),
	)
	form.Items[2].HintText = i18n.T("For customers whose time_zone column is empty or unknown.")
	pp.quietEnabled(false)
	pp.content = container.NewVBox(title, form, container.NewHBox(save), pp.status)
	return pp
}

func (pp *policyPanel) quietEnabled(on bool) {
	for _, e := range []*widget.Entry{pp.start, pp.end} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
}

// addRow adds a cap to the editor.
func (pp *policyPanel) addRow(c contact.Cap) {
	r := &capRow{channel: widget.NewSelectEntry(append([]string{}, pp.channels...)), max: &widget.Entry{Text: strconv.Itoa(c.Max)},
		window: &widget.Entry{Text: contact.Window(c.Hours)}}
	r.channel.PlaceHolder = i18n.T("every channel")
	r.channel.SetText(c.Channel)
	var remove *widget.Button
	remove = &widget.Button{Icon: theme.DeleteIcon(), Importance: widget.LowImportance, OnTapped: func() {
		for i, x := range pp.rows {
			if x == r {
				pp.rows = append(pp.rows[:i], pp.rows[i+1:]...)
				break
			}
		}
		pp.caps.Remove(r.obj)
	}}
	r.obj = container.NewHBox(widget.NewLabel(i18n.T("at most")), fixedWidth(60, r.max), widget.NewLabel(i18n.T("per")), fixedWidth(70, r.window),
		widget.NewLabel(i18n.T("on")), fixedWidth(300, r.channel), remove)
	pp.rows = append(pp.rows, r)
	pp.caps.Add(r.obj)
}

// load reads the policy and the channels the project knows, off the UI
// goroutine.
func (pp *policyPanel) load() {
	type loaded struct {
		pol      *contact.Policy
		channels []string
	}
	p := pp.s.p
	async(p, p.ctx, func(ctx context.Context) (loaded, error) {
		pol, err := p.ws.ContactPolicy(ctx)
		if err != nil {
			return loaded{}, err
		}
		ch, err := p.ws.ChannelKeys(ctx)
		return loaded{pol, ch}, err
	}, func(l loaded, err error) {
		if err != nil {
			pp.status.SetText(i18n.Error(err))
			return
		}
		pp.show(l.pol, l.channels)
	})
}

// show puts a policy in the editor.
func (pp *policyPanel) show(pol *contact.Policy, channels []string) {
	pp.channels = channels
	pp.rows = nil
	pp.caps.RemoveAll()
	for _, c := range pol.Caps {
		pp.addRow(c)
	}
	pp.quietOn.SetChecked(pol.Quiet != nil)
	if pol.Quiet != nil {
		pp.start.SetText(pol.Quiet.Start)
		pp.end.SetText(pol.Quiet.End)
	}
	pp.zone.SetText(pol.TimeZone)
	pp.status.SetText(describePolicy(pol))
}

// describePolicy says in a sentence what the policy does.
func describePolicy(pol *contact.Policy) string {
	if pol.Empty() {
		return i18n.T("No caps and no quiet hours: only consent and the suppression list limit sends.")
	}
	var parts []string
	for _, c := range pol.Caps {
		parts = append(parts, c.Words())
	}
	if pol.Quiet != nil {
		parts = append(parts, i18n.T("nothing sent from %s to %s on the customer's clock", pol.Quiet.Start, pol.Quiet.End))
	}
	return i18n.T("In force: %s.", strings.Join(parts, "; "))
}

// policy reads the editor into a policy; errors name the cap.
func (pp *policyPanel) policy() (*contact.Policy, error) {
	pol := &contact.Policy{TimeZone: strings.TrimSpace(pp.zone.Text)}
	for i, r := range pp.rows {
		text := strings.TrimSpace(r.max.Text) + "/" + strings.TrimSpace(r.window.Text)
		if ch := strings.TrimSpace(r.channel.Text); ch != "" {
			text = ch + "=" + text
		}
		c, err := contact.ParseCap(text)
		if err != nil {
			return nil, i18n.Errorf("cap %d: %w", i+1, err)
		}
		pol.Caps = append(pol.Caps, c)
	}
	if pp.quietOn.Checked {
		pol.Quiet = &contact.Quiet{Start: strings.TrimSpace(pp.start.Text), End: strings.TrimSpace(pp.end.Text)}
	}
	return pol, pol.Validate()
}

func (pp *policyPanel) save() {
	pol, err := pp.policy()
	if err != nil {
		pp.status.SetText(i18n.Error(err))
		return
	}
	p := pp.s.p
	async(p, p.ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.ws.SetContactPolicy(ctx, pol)
	}, func(_ struct{}, err error) {
		if err != nil {
			pp.status.SetText(i18n.Error(err))
			return
		}
		pp.status.SetText(i18n.T("Saved at %s. %s", time.Now().Format("15:04"), describePolicy(pol)))
		pp.s.refresh() // the audit log has the change
	})
}
