package ui

import (
	"context"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// The team registry from the Plugins screen: people who never open a
// terminal install and update their team's plugins from the shared drive.
// The checks are the CLI's (core and plugins/host); here they are asked
// for before and told in words after.

// prefRegistry is the registry folder last opened.
const prefRegistry = "plugins.registry"

// registryDialog lists a registry's plugins, with what this computer and
// the project have of each, and installs or updates the chosen one.
type registryDialog struct {
	s    *pluginsScreen
	dir  string
	list []core.RegistryListing
	sel  string // id of the selected plugin
	req  latest

	d        *dialog.CustomDialog
	folder   *widget.Label
	filter   *escapeEntry
	note     *widget.Label
	grid     *grid
	title    *widget.Label
	versions *widget.Select
	detail   *widget.Label
	useIt    *widget.Check
	install  *widget.Button
	update   *widget.Button
}

// openRegistry opens the registry dialog on the folder used last, or asks
// for one first.
func (s *pluginsScreen) openRegistry() {
	r := &registryDialog{s: s, grid: newGrid()}
	s.reg = r
	r.folder = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	choose := &widget.Button{Text: i18n.T("Choose folder…"), Icon: theme.FolderOpenIcon(), OnTapped: r.chooseFolder}
	r.filter = newEscapeEntry(s.p.win)
	r.filter.PlaceHolder = i18n.T("Search by name, publisher or description")
	r.filter.OnChanged = func(string) { r.load() }
	r.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	r.grid.onSelect = func(row int) {
		if row < len(r.list) {
			r.show(r.list[row].ID)
		}
	}
	r.title = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Text: i18n.T("Select a plugin to see its versions.")}
	r.versions = widget.NewSelect(nil, func(string) { r.showVersion() })
	r.versions.PlaceHolder = i18n.T("Version")
	r.detail = &widget.Label{Wrapping: fyne.TextWrapWord}
	r.useIt = &widget.Check{Text: i18n.T("Use it in this project")}
	r.useIt.Hide()
	r.install = &widget.Button{Text: i18n.T("Install…"), Icon: theme.DownloadIcon(), Importance: widget.HighImportance, OnTapped: r.confirmInstall}
	r.update = &widget.Button{Text: i18n.T("Update…"), Icon: theme.ViewRefreshIcon(), OnTapped: r.confirmUpdate}
	r.install.Disable()
	r.update.Disable()

	top := container.NewVBox(
		container.NewBorder(nil, nil, &widget.Label{Text: i18n.T("Registry folder"), TextStyle: fyne.TextStyle{Bold: true}}, choose, r.folder),
		r.filter, r.note)
	detailScroll := container.NewVScroll(r.detail)
	detailScroll.SetMinSize(fyne.NewSize(0, 130))
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, nil, r.versions, r.title),
		detailScroll,
		container.NewHBox(r.useIt, layout.NewSpacer(), r.update, r.install))
	body := container.NewBorder(top, bottom, nil, nil, r.grid.table)
	r.d = dialog.NewCustomWithoutButtons(i18n.T("Install from a team registry"), body, s.p.win)
	r.d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), Icon: theme.CancelIcon(), OnTapped: r.d.Hide}})
	r.d.SetOnClosed(func() {
		r.req.stop()
		if s.reg == r {
			s.reg = nil
		}
	})
	r.d.Resize(fyne.NewSize(900, 600))
	r.d.Show()
	onEscape(s.p.win, r.d.Hide)
	s.p.win.Canvas().Focus(r.filter)

	dir := s.p.w.app.Preferences().String(prefRegistry)
	if st, err := os.Stat(dir); dir == "" || err != nil || !st.IsDir() {
		r.note.SetText(i18n.T("Choose the folder your team publishes its plugins to (on the shared drive)."))
		r.chooseFolder()
		return
	}
	r.open(dir)
}

// chooseFolder asks for the registry folder, starting at the last one.
func (r *registryDialog) chooseFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			r.s.p.showError(err)
			return
		}
		if l != nil {
			r.open(l.Path())
		}
	}, r.s.p.win)
	r.s.p.w.prepare(d)
	if r.dir != "" {
		if l, err := fstorage.ListerForURI(fstorage.NewFileURI(r.dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}

// open lists the registry in dir; it is remembered once it reads as one.
func (r *registryDialog) open(dir string) {
	r.dir = dir
	r.folder.SetText(dir)
	r.sel = ""
	r.load()
}

// load lists the registry's plugins matching the search.
func (r *registryDialog) load() {
	if r.dir == "" {
		return
	}
	dir, text := r.dir, r.filter.Text
	ctx := r.req.start(r.s.p.ctx)
	r.note.SetText(i18n.T("Reading the registry…"))
	async(r.s.p, ctx, func(ctx context.Context) ([]core.RegistryListing, error) {
		return core.SearchRegistry(ctx, dir, text, r.s.p.ws)
	}, func(list []core.RegistryListing, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.note.Importance = widget.DangerImportance
			r.note.SetText(i18n.Error(err))
			r.setList(nil)
			return
		}
		r.s.p.w.app.Preferences().SetString(prefRegistry, dir)
		r.note.Importance = widget.MediumImportance
		switch {
		case len(list) == 0 && text != "":
			r.note.SetText(i18n.T("No plugin in this registry matches %q.", text))
		case len(list) == 0:
			r.note.SetText(i18n.T("This registry has no plugins yet."))
		default:
			r.note.SetText(i18n.T("Every archive is checked before it is installed: its checksum against the registry's index and its signature against the key you trust for the plugin."))
		}
		r.setList(list)
	})
}

func (r *registryDialog) setList(list []core.RegistryListing) {
	r.list = list
	var rows [][]string
	for _, l := range list {
		latest := "—"
		if l.Latest != nil {
			latest = l.Latest.Version
		}
		rows = append(rows, []string{listingName(l), latest, signerText(l.Latest, l.TrustedKeyID), installedText(l), projectText(l), l.Description})
	}
	r.grid.set([]string{i18n.T("Plugin"), i18n.T("Newest version"), i18n.T("Signer"), i18n.T("Installed here"), i18n.T("This project"), i18n.T("Description")}, nil, rows)
	if i := slices.IndexFunc(list, func(l core.RegistryListing) bool { return l.ID == r.sel }); i >= 0 {
		r.grid.table.Select(widget.TableCellID{Row: i})
		r.show(r.sel) // the same plugin: its detail afresh
	} else {
		r.show("")
	}
}

func listingName(l core.RegistryListing) string {
	if l.Name != "" {
		return l.Name
	}
	return l.ID
}

// signerText says who signed v and whether you trust that key.
func signerText(v *host.RegVersion, trusted string) string {
	switch {
	case v == nil:
		return "—"
	case v.SignerKeyID == "":
		return i18n.T("not signed")
	case trusted == "":
		return i18n.T("%s (not yet trusted)", v.SignerKeyID)
	case trusted == v.SignerKeyID:
		return i18n.T("%s (trusted)", v.SignerKeyID)
	}
	return i18n.T("%s (you trust %s)", v.SignerKeyID, trusted)
}

func installedText(l core.RegistryListing) string {
	if len(l.Installed) == 0 {
		return i18n.T("no")
	}
	return strings.Join(l.Installed, ", ")
}

func projectText(l core.RegistryListing) string {
	if l.Enabled == "" {
		return i18n.T("not used")
	}
	return i18n.T("uses %s", l.Enabled)
}

func (r *registryDialog) selected() *core.RegistryListing {
	for i := range r.list {
		if r.list[i].ID == r.sel {
			return &r.list[i]
		}
	}
	return nil
}

// show puts a plugin's versions in the lower part, the newest chosen.
func (r *registryDialog) show(id string) {
	r.sel = id
	l := r.selected()
	if l == nil {
		r.sel = ""
		r.title.SetText(i18n.T("Select a plugin to see its versions."))
		r.versions.Options, r.versions.Selected = nil, ""
		r.versions.Refresh()
		r.detail.SetText("")
		r.useIt.Hide()
		r.install.Disable()
		r.update.Disable()
		return
	}
	r.title.SetText(listingName(*l) + " (" + l.ID + ")")
	vs := l.VersionList()
	slices.Reverse(vs) // newest first
	r.versions.Options = vs
	r.versions.Selected = ""
	if l.Latest != nil {
		r.versions.SetSelected(l.Latest.Version)
	} else if len(vs) > 0 {
		r.versions.SetSelected(vs[0])
	}
	r.versions.Refresh()
}

// chosen is the selected plugin and version.
func (r *registryDialog) chosen() (*core.RegistryListing, *host.RegVersion) {
	l := r.selected()
	if l == nil {
		return nil, nil
	}
	v, err := l.Version(r.versions.Selected)
	if err != nil {
		return l, nil
	}
	return l, v
}

// behind is the newer version Update would install (nil when none): the
// project uses an older one, or this computer has only older ones.
func behind(l *core.RegistryListing) *host.RegVersion {
	if l.Latest == nil {
		return nil
	}
	newest := l.Latest.Version
	if l.Enabled != "" && host.CompareSemver(l.Enabled, newest) < 0 {
		return l.Latest
	}
	if n := len(l.Installed); n > 0 && host.CompareSemver(l.Installed[n-1], newest) < 0 {
		return l.Latest
	}
	return nil
}

// showVersion describes the chosen version and what can be done with it.
func (r *registryDialog) showVersion() {
	l, v := r.chosen()
	if v == nil {
		r.detail.SetText("")
		r.install.Disable()
		r.update.Disable()
		return
	}
	var b strings.Builder
	if l.Description != "" {
		b.WriteString(sentence(l.Description) + "\n")
	}
	if l.Publisher != "" {
		b.WriteString(i18n.T("Publisher: %s.", l.Publisher) + " ")
	}
	b.WriteString(i18n.T("Version %s, published %s. Signer: %s.", v.Version, i18n.Date(v.PublishedAt.Local()), signerText(v, l.TrustedKeyID)) + "\n")
	b.WriteString(i18n.T("Customer fields it receives: %s. Network hosts it contacts: %s.", fieldsText(v.Fields), hostsText(v.NetworkHosts)) + "\n")
	if v.MinHostVersion != "" && host.CompareSemver(v.MinHostVersion, host.HostVersion) > 0 {
		b.WriteString(i18n.T("It needs Marketbench %s or later; this is %s.", v.MinHostVersion, host.HostVersion) + "\n")
	}
	b.WriteString(changelogText(v))
	r.detail.SetText(b.String())

	installed := slices.Contains(l.Installed, v.Version)
	setEnabled(r.install, !installed)
	if installed {
		r.install.SetText(i18n.T("Installed"))
	} else {
		r.install.SetText(i18n.T("Install %s…", v.Version))
	}
	// Enabling takes the newest installed version: offered only when that
	// is the one being installed and the project does not use the plugin.
	n := len(l.Installed)
	if !installed && l.Enabled == "" && (n == 0 || host.CompareSemver(l.Installed[n-1], v.Version) < 0) {
		r.useIt.SetChecked(true)
		r.useIt.Show()
	} else {
		r.useIt.SetChecked(false)
		r.useIt.Hide()
	}
	if nv := behind(l); nv != nil {
		r.update.SetText(i18n.T("Update to %s…", nv.Version))
		r.update.Enable()
	} else {
		r.update.SetText(i18n.T("Update…"))
		r.update.Disable()
	}
}

func changelogText(v *host.RegVersion) string {
	if c := strings.TrimSpace(v.Changelog); c != "" {
		return i18n.T("What changed in %s:", v.Version) + "\n" + c
	}
	return i18n.T("The publisher wrote no changelog for %s.", v.Version)
}
