package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// pluginsScreen lists the installed and bundled plugins, installs new
// ones, enables them for the project (after showing what they will see
// and contact), and for an enabled channel fills in its settings, tests
// the connection and shows the plugin's log.
type pluginsScreen struct {
	p      *project
	loaded bool

	list    []core.PluginInfo
	running []bool
	grid    *grid
	info    *widget.Label
	listReq latest
	sel     string // key of the selected plugin, "" for none

	// detail of the selected plugin
	title      *widget.Label
	about      *widget.Label
	enableBtn  *widget.Button
	approveBtn *widget.Button
	disableBtn *widget.Button
	removeBtn  *widget.Button
	tabs       *container.AppTabs

	chanNote *widget.Label
	compSel  *widget.Select
	compRow  *fyne.Container
	comps    []sdk.Component // channel components of the selected plugin
	form     *configForm

	// The Import tab reads a source plugin's stream into a table.
	srcNote    *widget.Label
	srcBox     *fyne.Container
	srcForm    *configForm
	srcComp    sdk.Component
	srcStream  *widget.Entry
	srcTable   *widget.Entry
	srcBtn     *widget.Button
	srcResult  *widget.Label
	formBox    *fyne.Container
	testBtn    *widget.Button
	testResult *widget.Label
	mdReq      latest

	logs    *widget.Label
	logsBtn *widget.Button
	logsReq latest

	// tested keeps the settings last tested per channel, so a new campaign
	// on that channel starts from them. Only for this session: core keeps
	// settings per campaign, not per channel.
	tested map[string]sdk.Config

	reg *registryDialog // the team registry dialog while it is open

	content fyne.CanvasObject
}

func newPluginsScreen(p *project) *pluginsScreen {
	s := &pluginsScreen{p: p, grid: newGrid(), tested: map[string]sdk.Config{}}
	s.info = &widget.Label{Text: i18n.T("Loading plugins…"), Wrapping: fyne.TextWrapWord}
	folderBtn := &widget.Button{Text: i18n.T("Install from folder…"), Icon: theme.FolderOpenIcon(), OnTapped: s.chooseFolder}
	archiveBtn := &widget.Button{Text: i18n.T("Install from archive…"), Icon: theme.DownloadIcon(), OnTapped: s.chooseArchive}
	regBtn := &widget.Button{Text: i18n.T("From a team registry…"), Icon: theme.StorageIcon(), OnTapped: s.openRegistry}
	refreshBtn := &widget.Button{Text: i18n.T("Refresh"), Icon: theme.ViewRefreshIcon(), OnTapped: func() { s.refresh() }}
	s.grid.onSelect = func(row int) {
		if row < len(s.list) {
			s.show(pluginKey(s.list[row]))
		}
	}
	top := container.NewBorder(s.info, container.NewHBox(folderBtn, archiveBtn, regBtn, layout.NewSpacer(), refreshBtn), nil, nil, s.grid.table)

	s.title = &widget.Label{Text: i18n.T("No plugin selected"), SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}
	s.about = &widget.Label{Text: i18n.T(selectPluginNote), Wrapping: fyne.TextWrapWord}
	s.enableBtn = &widget.Button{Text: i18n.T("Enable…"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: s.confirmEnable}
	s.approveBtn = &widget.Button{Text: i18n.T("Approve…"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: s.confirmApprove}
	s.approveBtn.Hide()
	s.disableBtn = &widget.Button{Text: i18n.T("Disable…"), Icon: theme.CancelIcon(), OnTapped: s.confirmDisable}
	s.removeBtn = &widget.Button{Text: i18n.T("Remove…"), Icon: theme.DeleteIcon(), OnTapped: s.confirmRemove}
	s.removeBtn.Disable()
	s.enableBtn.Disable()
	s.disableBtn.Disable()

	s.chanNote = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T(enableChannelNote)}
	s.compSel = widget.NewSelect(nil, func(string) { s.componentChanged() })
	s.compSel.PlaceHolder = i18n.T("Choose the channel")
	s.compSel.Hide()
	s.formBox = container.NewVBox()
	s.testBtn = &widget.Button{Text: i18n.T("Test connection"), Icon: theme.MediaPlayIcon(), OnTapped: s.testConnection}
	s.testBtn.Hide()
	s.testResult = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.compRow = container.NewBorder(nil, nil, &widget.Label{Text: i18n.T("Channel"), TextStyle: fyne.TextStyle{Bold: true}}, nil, s.compSel)
	s.compRow.Hide()
	channelTab := container.NewVScroll(container.NewPadded(container.NewVBox(s.chanNote, s.compRow, s.formBox,
		container.NewHBox(s.testBtn), s.testResult)))

	s.logs = &widget.Label{TextStyle: fyne.TextStyle{Monospace: true}, Wrapping: fyne.TextWrapBreak, Selectable: true,
		Text: i18n.T("The log of an enabled plugin shows here: what it did and why it failed.")}
	s.logsBtn = &widget.Button{Text: i18n.T("Refresh log"), Icon: theme.ViewRefreshIcon(), OnTapped: s.loadLogs}
	s.logsBtn.Disable()
	logsTab := container.NewBorder(nil, container.NewHBox(s.logsBtn), nil, nil, container.NewVScroll(s.logs))

	s.srcNote = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Enable a source plugin to import data with it here.")}
	s.srcBox = container.NewVBox()
	s.srcStream = &widget.Entry{PlaceHolder: i18n.T("empty: the source's only stream")}
	s.srcTable = &widget.Entry{PlaceHolder: i18n.T("e.g. %s", "responses")}
	s.srcBtn = &widget.Button{Text: i18n.T("Import"), Icon: theme.DownloadIcon(), OnTapped: s.importSource}
	s.srcBtn.Disable()
	s.srcResult = &widget.Label{Wrapping: fyne.TextWrapWord}
	srcForm := widget.NewForm(widget.NewFormItem(i18n.T("Stream"), s.srcStream), widget.NewFormItem(i18n.T("Into table"), s.srcTable))
	importTab := container.NewVScroll(container.NewPadded(container.NewVBox(s.srcNote, s.srcBox, srcForm,
		container.NewHBox(s.srcBtn), s.srcResult)))
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(i18n.T("Channel settings"), theme.MailSendIcon(), channelTab),
		container.NewTabItemWithIcon(i18n.T("Import"), theme.DownloadIcon(), importTab),
		container.NewTabItemWithIcon(i18n.T("Log"), theme.ListIcon(), logsTab),
	)
	s.tabs.OnSelected = func(it *container.TabItem) {
		if it.Text == i18n.T("Log") {
			s.loadLogs()
		}
	}
	head := container.NewBorder(nil, nil, nil, container.NewHBox(s.enableBtn, s.approveBtn, s.disableBtn, s.removeBtn), s.title)
	detail := container.NewBorder(container.NewVBox(head, s.about), nil, nil, nil, s.tabs)
	split := container.NewVSplit(top, detail)
	split.Offset = 0.35
	s.content = split
	return s
}

// shown lists the plugins on the first visit; Refresh looks again.
func (s *pluginsScreen) shown() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.refresh()
}

// pluginKey names one plugin on disk: the same id may be installed in
// several versions, and a broken one may have no id at all.
func pluginKey(pi core.PluginInfo) string {
	if pi.Manifest == nil {
		return pi.Dir
	}
	return pi.Manifest.ID + "@" + pi.Manifest.Version + "@" + pi.Dir
}

func pluginName(pi core.PluginInfo) string {
	switch {
	case pi.Manifest == nil:
		return pi.Dir
	case pi.Manifest.Name != "":
		return pi.Manifest.Name
	}
	return pi.Manifest.ID
}

// Texts shown in more than one place.
var (
	selectPluginNote  = i18n.Mark("Select a plugin above to see what it does, enable it for this project or set up its channel.")
	enableChannelNote = i18n.Mark("Enable a channel plugin to fill in its settings and test the connection here.")
)

// kindLabels names the plugin kinds (sdk.Kind*, identifiers) for people.
var kindLabels = map[string]string{
	sdk.KindChannel: i18n.Mark("channel"),
	sdk.KindModel:   i18n.Mark("model"),
	sdk.KindSource:  i18n.Mark("source"),
}

// kindsText lists a plugin's kinds in the language in use.
func kindsText(kinds []string) string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k
		if l, ok := kindLabels[k]; ok {
			out[i] = i18n.T(l)
		}
	}
	return strings.Join(out, ", ")
}

// pluginStatus says in words whether the plugin can be used here.
func pluginStatus(pi core.PluginInfo) string {
	switch {
	case pi.Err != nil:
		return i18n.T("cannot be used: %s", i18n.Error(pi.Err))
	case pi.Enabled && pi.PinnedSHA256 != "" && pi.PinnedSHA256 != pi.SHA256:
		return i18n.T("changed since it was enabled; enable it again if you trust this build")
	case pi.Enabled && pi.NeedsApproval != nil:
		return i18n.T("enabled in this project, not yet approved by you on this computer")
	case pi.Enabled:
		return i18n.T("enabled in this project")
	case pi.PinnedVersion != "":
		return i18n.T("this project uses version %s", pi.PinnedVersion)
	}
	return i18n.T("not enabled in this project")
}

func hostsText(hosts []string) string {
	if len(hosts) == 0 {
		return i18n.T("none (works offline)")
	}
	var out []string
	for _, h := range hosts {
		if h == "configured" {
			h = i18n.T("the server you enter in its settings")
		}
		out = append(out, h)
	}
	return strings.Join(out, ", ")
}

func fieldsText(fields []string) string {
	if len(fields) == 0 {
		return i18n.T("none")
	}
	return strings.Join(fields, ", ")
}

// refresh lists the plugins again, keeping the selection.
func (s *pluginsScreen) refresh() {
	ctx := s.listReq.start(s.p.ctx)
	type listing struct {
		list    []core.PluginInfo
		running []bool
	}
	async(s.p, ctx, func(ctx context.Context) (listing, error) {
		list, err := s.p.ws.Plugins(ctx)
		if err != nil {
			return listing{}, err
		}
		run := make([]bool, len(list))
		for i, pi := range list {
			// Looking up an enabled plugin's process does not start it.
			if pi.Enabled && pi.Err == nil && pi.PinnedSHA256 == pi.SHA256 {
				if proc, err := s.p.ws.Host().Plugin(pi.Found, pi.PinnedSHA256); err == nil {
					run[i] = proc.Running()
				}
			}
		}
		return listing{list, run}, nil
	}, func(l listing, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.info.SetText("")
			s.p.showError(err)
			return
		}
		s.setList(l.list, l.running)
	})
}

func (s *pluginsScreen) setList(list []core.PluginInfo, running []bool) {
	s.list, s.running = list, running
	if len(list) == 0 {
		s.info.SetText(i18n.T("No plugins yet. Plugins send campaigns (e-mail, SMS, webhooks) or bring models and data. " +
			"Install one from a folder or a .zip/.tar.gz archive its author gave you; then select it and press Enable."))
	} else {
		s.info.SetText(i18n.T("Plugins are separate programs. A project uses one only after you enable it, which pins its checksum: a changed program is refused."))
	}
	var rows [][]string
	for i, pi := range list {
		version, kinds, fields, hosts, from := "", "", "", "", i18n.T("installed")
		if m := pi.Manifest; m != nil {
			version, kinds, fields, hosts = m.Version, kindsText(m.Kinds), fieldsText(m.Fields), hostsText(m.NetworkHosts)
		}
		if pi.Bundled {
			from = i18n.T("bundled")
		} else if pi.Development {
			from = devBadge()
		}
		run := i18n.T("no")
		if running[i] {
			run = i18n.T("yes")
		}
		rows = append(rows, []string{pluginName(pi), version, from, kinds, pluginStatus(pi), run, fields, hosts})
	}
	s.grid.set([]string{i18n.T("Plugin"), i18n.T("Version"), i18n.T("From"), i18n.T("Kinds"), i18n.T("Status"), i18n.T("Running"),
		i18n.T("Customer fields"), i18n.T("Network hosts")}, nil, rows)
	if i := slices.IndexFunc(list, func(pi core.PluginInfo) bool { return pluginKey(pi) == s.sel }); i >= 0 {
		s.grid.table.Select(widget.TableCellID{Row: i, Col: 0})
	} else {
		s.clearDetail()
	}
}

func (s *pluginsScreen) selected() *core.PluginInfo {
	for i := range s.list {
		if pluginKey(s.list[i]) == s.sel {
			return &s.list[i]
		}
	}
	return nil
}

func (s *pluginsScreen) clearDetail() {
	s.sel = ""
	s.title.SetText(i18n.T("No plugin selected"))
	s.about.SetText(i18n.T(selectPluginNote))
	s.enableBtn.Disable()
	s.approveBtn.Hide()
	s.disableBtn.Disable()
	s.removeBtn.Disable()
	s.logsBtn.Disable()
	s.setChannels(nil, i18n.T(enableChannelNote))
}

// show puts a plugin in the detail pane.
func (s *pluginsScreen) show(key string) {
	changed := key != s.sel
	s.sel = key
	pi := s.selected()
	if pi == nil {
		s.clearDetail()
		return
	}
	s.title.SetText(pluginName(*pi))
	var b strings.Builder
	if m := pi.Manifest; m != nil {
		s.title.SetText(pluginName(*pi) + " " + m.Version)
		if pi.Development {
			s.title.SetText(pluginName(*pi) + " " + m.Version + " — " + devBadge())
			b.WriteString(devAbout(*pi) + "\n")
		}
		if m.Description != "" {
			b.WriteString(sentence(m.Description) + "\n")
		}
		kinds, fields, hosts := kindsText(m.Kinds), fieldsText(m.Fields), hostsText(m.NetworkHosts)
		if m.Publisher != "" {
			b.WriteString(i18n.T("Id %s by %s. Kinds: %s.\nCustomer fields it receives: %s.\nNetwork hosts it contacts: %s.\n", m.ID, m.Publisher, kinds, fields, hosts))
		} else {
			b.WriteString(i18n.T("Id %s. Kinds: %s.\nCustomer fields it receives: %s.\nNetwork hosts it contacts: %s.\n", m.ID, kinds, fields, hosts))
		}
	}
	b.WriteString(i18n.T("Status: %s.", pluginStatus(*pi)))
	if pi.SHA256 != "" {
		b.WriteString(" " + i18n.T("Program checksum %s…", pi.SHA256[:min(12, len(pi.SHA256))]))
	}
	s.about.SetText(b.String())
	usable := pi.Err == nil && pi.Manifest != nil
	pinned := pi.Enabled && pi.PinnedSHA256 == pi.SHA256
	// An enabled plugin you have not approved is not started: it offers
	// Approve instead of its settings.
	current := pinned && pi.NeedsApproval == nil
	setEnabled(s.enableBtn, usable && !pinned)
	if usable && pinned && pi.NeedsApproval != nil {
		s.approveBtn.Show()
	} else {
		s.approveBtn.Hide()
	}
	setEnabled(s.disableBtn, pi.Manifest != nil && pi.PinnedVersion != "")
	setEnabled(s.removeBtn, pi.Manifest != nil && !pi.Bundled)
	setEnabled(s.logsBtn, current)
	if !changed && (s.compSel.Visible() || s.srcForm != nil) {
		return // a refresh of the same plugin keeps the form as typed
	}
	s.srcForm = nil
	s.srcBox.RemoveAll()
	s.srcBtn.Disable()
	s.srcResult.SetText("")
	switch {
	case pinned && !current:
		s.srcNote.SetText(i18n.T("Approve this plugin to import data with it."))
	case !current:
		s.srcNote.SetText(i18n.T("Enable this plugin to import data with it."))
	case !slices.Contains(pi.Manifest.Kinds, sdk.KindSource):
		s.srcNote.SetText(i18n.T("This plugin does not bring data in."))
	default:
		s.loadSource(pi.Manifest.ID)
	}
	switch {
	case pinned && !current:
		s.setChannels(nil, i18n.T("This project enabled the plugin, but it runs only after you approve it on this computer: press Approve… to see what it would receive."))
	case !current:
		s.setChannels(nil, i18n.T("Enable this plugin to set up its channel and test the connection."))
	case !slices.Contains(pi.Manifest.Kinds, sdk.KindChannel):
		s.setChannels(nil, i18n.T("This plugin has no channel to set up."))
	default:
		s.loadChannels(pi.Manifest.ID)
	}
	if s.tabs.Selected() != nil && s.tabs.Selected().Text == i18n.T("Log") {
		s.loadLogs()
	}
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// loadChannels asks the enabled plugin for its channels (this starts it).
func (s *pluginsScreen) loadChannels(id string) {
	s.setChannels(nil, i18n.T("Asking the plugin for its channels…"))
	ctx := s.mdReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]sdk.Component, error) {
		return channelComponents(ctx, s.p.ws, id)
	}, func(comps []sdk.Component, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.setChannels(nil, i18n.T("The plugin did not say what it offers: %s", i18n.Error(err)))
			return
		}
		if len(comps) == 0 {
			s.setChannels(nil, i18n.T("This plugin declares no channel."))
			return
		}
		s.setChannels(comps, "")
		s.refresh() // it is running now
	})
}

// channelComponents returns the channel components of an enabled plugin.
func channelComponents(ctx context.Context, ws *core.Workspace, id string) ([]sdk.Component, error) {
	md, err := ws.PluginMetadata(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []sdk.Component
	for _, c := range md.GetComponents() {
		if c.GetKind() == sdk.KindChannel {
			out = append(out, sdk.ComponentFromProto(c))
		}
	}
	return out, nil
}

func componentLabel(c sdk.Component) string {
	if c.Title != "" && c.Title != c.Name {
		return c.Title + " (" + c.Name + ")"
	}
	return c.Name
}

func (s *pluginsScreen) setChannels(comps []sdk.Component, note string) {
	s.comps = comps
	s.form = nil
	s.formBox.RemoveAll()
	s.testResult.SetText("")
	s.chanNote.SetText(note)
	s.chanNote.Show()
	if len(comps) == 0 {
		s.compSel.Hide()
		s.compRow.Hide()
		s.testBtn.Hide()
		return
	}
	s.chanNote.Hide()
	var labels []string
	for _, c := range comps {
		labels = append(labels, componentLabel(c))
	}
	s.compSel.Options = labels
	s.compSel.Show()
	s.compRow.Show()
	s.testBtn.Show()
	s.compSel.Selected = ""
	s.compSel.SetSelected(labels[0])
}

func (s *pluginsScreen) component() *sdk.Component {
	for i := range s.comps {
		if componentLabel(s.comps[i]) == s.compSel.Selected {
			return &s.comps[i]
		}
	}
	return nil
}

// loadSource builds the Import tab's form from the plugin's first source.
func (s *pluginsScreen) loadSource(id string) {
	s.srcNote.SetText(i18n.T("Asking the plugin what it can import…"))
	async(s.p, s.p.ctx, func(ctx context.Context) ([]sdk.Component, error) {
		return s.p.ws.SourceComponents(ctx, id)
	}, func(comps []sdk.Component, err error) {
		if pi := s.selected(); pi == nil || pi.Manifest == nil || pi.Manifest.ID != id {
			return
		}
		switch {
		case err != nil:
			s.srcNote.SetText(i18n.T("The plugin did not say what it offers: %s", i18n.Error(err)))
			return
		case len(comps) == 0:
			s.srcNote.SetText(i18n.T("This plugin declares no source."))
			return
		}
		s.srcComp = comps[0]
		s.srcNote.SetText(sentence(comps[0].Description) + " " + i18n.T("Each import continues where the last one into the same table stopped."))
		s.srcForm = newConfigForm(comps[0], nil, true)
		s.srcBox.Objects = []fyne.CanvasObject{s.srcForm.content}
		s.srcBox.Refresh()
		s.srcBtn.Enable()
	})
}

// importSource reads the chosen stream into the table, resuming.
func (s *pluginsScreen) importSource() {
	pi := s.selected()
	if pi == nil || pi.Manifest == nil || s.srcForm == nil {
		return
	}
	table := strings.TrimSpace(s.srcTable.Text)
	if table == "" {
		dialog.ShowInformation(i18n.T("Import"), i18n.T("Name the table to import into."), s.p.win)
		return
	}
	id, comp, stream := pi.Manifest.ID, s.srcComp.Name, strings.TrimSpace(s.srcStream.Text)
	cfg, _ := s.srcForm.values()
	var res *core.SourceResult
	s.p.run(i18n.T("Importing from %s", pluginName(*pi)), func(ctx context.Context, progress core.Progress) error {
		if stream == "" {
			streams, err := s.p.ws.SourceStreams(ctx, id, comp, cfg)
			if err != nil {
				return err
			}
			if len(streams) != 1 {
				return i18n.Errorf("the source offers %d streams; name the one to import", len(streams))
			}
			stream = streams[0].Name
		}
		var err error
		res, err = s.p.ws.ImportFromSource(ctx, id, comp, stream, cfg, table, progress)
		return err
	}, func(err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.srcResult.SetText(i18n.T("Imported %s new rows into %s (%s in all from this stream).", i18n.Number(float64(res.Rows)), res.Table, i18n.Number(float64(res.TotalRows))))
		s.p.refreshTables("")
	})
}

func channelKey(plugin, component string) string { return plugin + "\x00" + component }

func (s *pluginsScreen) componentChanged() {
	c, pi := s.component(), s.selected()
	if c == nil || pi == nil || pi.Manifest == nil {
		return
	}
	key := channelKey(pi.Manifest.ID, c.Name)
	s.form = newConfigForm(*c, s.tested[key], true)
	s.formBox.Objects = []fyne.CanvasObject{s.form.content}
	s.formBox.Refresh()
	s.testResult.SetText("")
	if s.tested[key] != nil {
		return
	}
	// The settings saved in the project fill the form when this session
	// has not tested any.
	id, comp, spec := pi.Manifest.ID, c.Name, *c
	async(s.p, s.p.ctx, func(ctx context.Context) (sdk.Config, error) {
		return s.p.ws.ChannelSettings(ctx, id, comp)
	}, func(cfg sdk.Config, err error) {
		if err != nil || cfg == nil || s.tested[key] != nil {
			return
		}
		if cur, pc := s.component(), s.selected(); cur == nil || pc == nil || pc.Manifest == nil || pc.Manifest.ID != id || cur.Name != comp {
			return
		}
		s.tested[key] = cfg
		s.form = newConfigForm(spec, cfg, true)
		s.formBox.Objects = []fyne.CanvasObject{s.form.content}
		s.formBox.Refresh()
	})
}

// testConnection checks the settings against the channel's declared fields
// and asks the plugin to test them.
func (s *pluginsScreen) testConnection() {
	c, pi := s.component(), s.selected()
	if c == nil || pi == nil || s.form == nil {
		return
	}
	id, comp := pi.Manifest.ID, c.Name
	cfg, secrets := s.form.values()
	s.testBtn.Disable()
	s.testResult.SetText(i18n.T("Testing…"))
	s.p.run(i18n.T("Testing the connection…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Asking %s to test %s", pluginName(*pi), comp), -1)
		err := s.p.ws.CheckChannel(ctx, id, comp, cfg, secrets)
		if err == nil || errors.Is(err, client.ErrUnsupported) {
			// Settings that pass are kept in the project for its campaigns.
			if serr := s.p.ws.SaveChannelSettings(ctx, id, comp, cfg); serr != nil {
				return serr
			}
		}
		return err
	}, func(err error) {
		s.testBtn.Enable()
		s.tested[channelKey(id, comp)] = cfg
		switch {
		case err == nil:
			s.testResult.Importance = widget.SuccessImportance
			s.testResult.SetText(i18n.T("✓ The connection works: the plugin accepted these settings and reached its service. They are saved in the project for its campaigns."))
		case errors.Is(err, client.ErrUnsupported):
			s.testResult.Importance = widget.MediumImportance
			s.testResult.SetText(i18n.T("The settings pass the checks the plugin declares, but this plugin cannot test its connection. A test send on the Campaigns screen shows whether it works."))
		case errors.Is(err, context.Canceled):
			s.testResult.Importance = widget.MediumImportance
			s.testResult.SetText(i18n.T("Test cancelled."))
		default:
			s.testResult.Importance = widget.DangerImportance
			s.testResult.SetText(i18n.T("✗ The test failed: %s", i18n.Error(err)))
		}
		s.refresh()
	})
}

func (s *pluginsScreen) loadLogs() {
	pi := s.selected()
	if pi == nil || pi.Manifest == nil || !s.logsBtn.Visible() || s.logsBtn.Disabled() {
		return
	}
	id := pi.Manifest.ID
	ctx := s.logsReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]string, error) {
		return s.p.ws.PluginLogs(ctx, id)
	}, func(lines []string, err error) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			s.logs.SetText(i18n.T("The log cannot be read: %s", i18n.Error(err)))
		case len(lines) == 0:
			s.logs.SetText(i18n.T("Nothing logged yet: the plugin starts when it is first used (a connection test, a send)."))
		default:
			if len(lines) > 500 {
				lines = append([]string{i18n.T("… %s earlier lines not shown", i18n.Number(float64(len(lines)-500)))}, lines[len(lines)-500:]...)
			}
			s.logs.SetText(strings.Join(lines, "\n"))
		}
	})
}

func (s *pluginsScreen) confirmEnable() {
	pi := s.selected()
	if pi == nil || pi.Manifest == nil {
		return
	}
	m := pi.Manifest
	msg := i18n.T("%s %s will be able to:\n\n•  receive these customer fields: %s\n•  contact these network hosts: %s\n\n"+
		"Its program's checksum is pinned in this project; if the program changes, it is refused until you enable it again.",
		pluginName(*pi), m.Version, fieldsText(m.Fields), hostsText(m.NetworkHosts))
	body := &widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}
	id := m.ID
	d := dialog.NewCustomConfirm(i18n.T("Enable %s?", pluginName(*pi)), i18n.T("Enable"), i18n.T("Cancel"), body, func(ok bool) {
		if !ok {
			return
		}
		s.p.run(i18n.T("Enabling %s…", id), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Checking the program against its manifest"), -1)
			_, err := s.p.ws.EnablePlugin(ctx, id)
			return err
		}, func(err error) {
			if err != nil {
				s.p.showError(err)
				return
			}
			s.p.setStatus(i18n.T("Enabled %s in this project", id))
			s.sel = "" // show the channel form afresh
			s.selectAfterRefresh(pluginKey(*pi))
		})
	}, s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

func (s *pluginsScreen) selectAfterRefresh(key string) {
	s.sel = key
	s.compSel.Hide() // forces the detail to rebuild
	s.refresh()
}

func (s *pluginsScreen) confirmDisable() {
	pi := s.selected()
	if pi == nil || pi.Manifest == nil {
		return
	}
	id := pi.Manifest.ID
	d := dialog.NewConfirm(i18n.T("Disable %s?", pluginName(*pi)),
		i18n.T("This project will no longer use %s: campaigns on its channels cannot send until you enable it again. The plugin stays installed.", id),
		func(ok bool) {
			if !ok {
				return
			}
			async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, s.p.ws.DisablePlugin(ctx, id)
			}, func(_ struct{}, err error) {
				if err != nil {
					s.p.showError(err)
					return
				}
				s.p.setStatus(i18n.T("Disabled %s in this project", id))
				s.selectAfterRefresh(pluginKey(*pi))
			})
		}, s.p.win)
	d.Show()
}

func (s *pluginsScreen) chooseFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		if l != nil {
			s.install(l.Path())
		}
	}, s.p.win)
	s.p.w.prepare(d)
	d.Show()
}

func (s *pluginsScreen) chooseArchive() {
	s.p.pickFile(suffixFilter{".zip", ".tar.gz", ".tgz"}, s.install)
}

// install copies a plugin into the user plugin folder after checking it.
func (s *pluginsScreen) install(path string) {
	var found *core.PluginInfo
	var mismatches []host.Mismatch
	s.p.run(i18n.T("Installing the plugin…"), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Checking the manifest and the program's checksum"), -1)
		f, ms, err := s.p.ws.InstallPluginChecked(ctx, path)
		if err != nil {
			return err
		}
		found, mismatches = &core.PluginInfo{Found: *f}, ms
		return nil
	}, func(err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.p.setStatus(i18n.T("Installed %s %s. Select it and press Enable to use it in this project.", found.Manifest.ID, found.Manifest.Version))
		showMismatches(s.p.win, found.Manifest.ID, mismatches)
		s.selectAfterRefresh(pluginKey(*found))
	})
}
