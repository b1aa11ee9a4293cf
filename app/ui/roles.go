package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// noRole is the select option for a column without a role (English; shown
// through i18n.T).
var noRole = i18n.Mark("(no role)")

// roleLabels names each role for people; storage.Roles are identifiers
// ("customer_id") that the project and the CLI keep in English.
var roleLabels = map[storage.Role]string{
	storage.CustomerID:     i18n.Mark("Customer ID"),
	storage.Email:          i18n.Mark("Email"),
	storage.Phone:          i18n.Mark("Phone"),
	storage.NationalID:     i18n.Mark("National ID number"),
	storage.FirstName:      i18n.Mark("First name"),
	storage.LastName:       i18n.Mark("Last name"),
	storage.FullName:       i18n.Mark("Full name"),
	storage.Region:         i18n.Mark("Province or state"),
	storage.City:           i18n.Mark("City"),
	storage.TimeZone:       i18n.Mark("Time zone"),
	storage.EmailConsent:   i18n.Mark("Email consent"),
	storage.SMSConsent:     i18n.Mark("SMS consent"),
	storage.WeChatOpenID:   i18n.Mark("WeChat openid"),
	storage.WeChatFollower: i18n.Mark("Follows on WeChat"),
	storage.PushToken:      i18n.Mark("Push device token"),
	storage.PushOptIn:      i18n.Mark("Push consent"),
	storage.OrderID:        i18n.Mark("Order ID"),
	storage.OrderDate:      i18n.Mark("Order date"),
	storage.Amount:         i18n.Mark("Amount"),
	storage.Quantity:       i18n.Mark("Quantity"),
	storage.UnitPrice:      i18n.Mark("Unit price"),
	storage.ProductID:      i18n.Mark("Product ID"),
	storage.ProductName:    i18n.Mark("Product name"),
	storage.Category:       i18n.Mark("Category"),
	storage.Text:           i18n.Mark("Free text"),
}

// roleLabel is a role as people read it, in the language in use; a role
// without a label shows its identifier.
func roleLabel(r storage.Role) string {
	if r == storage.None {
		return i18n.T(noRole)
	}
	if l, ok := roleLabels[r]; ok {
		return i18n.T(l)
	}
	return string(r)
}

// roleOptions lists the roles for a select, "no role" first.
func roleOptions() []string {
	opts := []string{i18n.T(noRole)}
	for _, r := range storage.Roles {
		opts = append(opts, roleLabel(r))
	}
	return opts
}

// roleFromOption maps a select option back to its role.
func roleFromOption(s string) storage.Role {
	for _, r := range storage.Roles {
		if roleLabel(r) == s {
			return r
		}
	}
	return storage.None
}

func roleOption(r storage.Role) string { return roleLabel(r) }

// rolesView edits what each column of a table means. Features find their
// inputs by role, so this is where a user fixes a wrong guess.
type rolesView struct {
	p     *project
	table string
	fresh bool
	req   latest

	cols    []storage.Column
	selects []*widget.Select
	form    *fyne.Container
	status  *widget.Label
	detect  *widget.Button
	save    *widget.Button
	content fyne.CanvasObject
}

func newRolesView(p *project) *rolesView {
	v := &rolesView{p: p}
	v.status = &widget.Label{Text: i18n.T("Select a table on the left."), Wrapping: fyne.TextWrapWord}
	v.form = container.New(layout.NewFormLayout())
	v.detect = &widget.Button{Text: i18n.T("Detect roles"), Icon: theme.SearchIcon(), OnTapped: v.detectRoles}
	v.save = &widget.Button{Text: i18n.T("Save roles"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: v.saveRoles}
	v.detect.Disable()
	v.save.Disable()
	help := &widget.Label{Text: i18n.T("A role says what a column means (customer id, order date, amount…). RFM, segments and " +
		"campaigns find their inputs by role, never by column name. \"Detect roles\" proposes roles from names and values; nothing is stored until you save."),
		Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	v.content = container.NewBorder(container.NewVBox(help, v.status), container.NewHBox(v.detect, v.save), nil, nil,
		container.NewVScroll(container.NewPadded(v.form)))
	return v
}

func (v *rolesView) show(table string) {
	if table == v.table && v.fresh {
		return
	}
	v.table, v.fresh = table, true
	v.status.SetText(i18n.T("Loading roles of %s…", table))
	type loaded struct {
		cols  []storage.Column
		roles map[string]storage.Role
	}
	ctx := v.req.start(v.p.ctx)
	async(v.p, ctx, func(ctx context.Context) (loaded, error) {
		cols, err := v.p.ws.Columns(ctx, table)
		if err != nil {
			return loaded{}, err
		}
		roles, err := v.p.ws.ColumnRoles(ctx, table)
		return loaded{cols, roles}, err
	}, func(l loaded, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.status.SetText("")
			v.p.showError(err)
			return
		}
		v.cols = l.cols
		v.form.Objects = nil
		v.selects = nil
		for _, c := range l.cols {
			sel := widget.NewSelect(roleOptions(), nil)
			sel.SetSelected(roleOption(l.roles[c.Name]))
			v.selects = append(v.selects, sel)
			v.form.Add(&widget.Label{Text: c.Name + "  (" + typeName(c.Type) + ")", TextStyle: fyne.TextStyle{Bold: true}})
			v.form.Add(container.NewGridWrap(fyne.NewSize(240, sel.MinSize().Height), sel))
		}
		v.form.Refresh()
		v.status.SetText(i18n.T("Roles of %s (%d columns).", table, len(l.cols)))
		v.detect.Enable()
		v.save.Enable()
	})
}

// detectRoles fills the selects with proposed roles without saving them.
func (v *rolesView) detectRoles() {
	table := v.table
	v.status.SetText(i18n.T("Detecting roles…"))
	async(v.p, v.p.ctx, func(ctx context.Context) (map[string]storage.Role, error) {
		return v.p.ws.DetectRoles(ctx, table)
	}, func(roles map[string]storage.Role, err error) {
		if table != v.table {
			return
		}
		if err != nil {
			v.status.SetText("")
			v.p.showError(err)
			return
		}
		for i, c := range v.cols {
			v.selects[i].SetSelected(roleOption(roles[c.Name]))
		}
		v.status.SetText(i18n.T("Proposed roles are shown; check them and press Save roles to keep them."))
	})
}

func (v *rolesView) saveRoles() {
	table := v.table
	roles := map[string]storage.Role{}
	for i, c := range v.cols {
		roles[c.Name] = roleFromOption(v.selects[i].Selected)
	}
	async(v.p, v.p.ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, v.p.ws.SetRoles(ctx, table, roles, true)
	}, func(_ struct{}, err error) {
		if err != nil {
			v.p.showError(err)
			return
		}
		v.status.SetText(i18n.T("Roles of %s saved.", table))
		v.p.setStatus(i18n.T("Saved the column roles of %s", table))
		v.p.data.profile.fresh = false
		v.p.segments.setTables(v.p.tables) // which tables RFM can use may have changed
	})
}
