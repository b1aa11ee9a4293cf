package ui

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/marketbench/marketbench/assets/i18n"
)

// screenPrivacy names the Privacy screen (goTo takes the English names).
var screenPrivacy = i18n.Mark("Privacy")

// privacyTab is one tab of the Privacy screen. Each capability keeps its tab
// in its own file (privacy_*.go) and registers it in init, so the screen
// needs no edit when one is added; order sets the left-to-right place.
type privacyTab struct {
	order int
	name  string                                   // i18n.Mark'd; shown translated
	build func(s *privacyScreen) fyne.CanvasObject // called once, on the screen's first visit
	shown func(s *privacyScreen)                   // optional: on every visit to the tab
}

var privacyTabs []privacyTab

func registerPrivacyTab(t privacyTab) {
	privacyTabs = append(privacyTabs, t)
	sort.SliceStable(privacyTabs, func(i, j int) bool { return privacyTabs[i].order < privacyTabs[j].order })
}

// privacyScreen gathers what the project does with personal data: finding
// it, sharing it safely, forgetting people, keeping it no longer than
// needed, consent, the processing record and sealing the file.
type privacyScreen struct {
	p       *project
	tabs    *container.AppTabs
	items   []*container.TabItem
	content fyne.CanvasObject

	// The tabs' own state (privacy_scan.go, privacy_share.go, privacy_erase.go).
	scan  *scanView
	share *shareView
	erase *eraseView
}

func newPrivacyScreen(p *project) *privacyScreen { return &privacyScreen{p: p} }

// build makes the tabs on the screen's first visit.
func (s *privacyScreen) build() fyne.CanvasObject {
	s.tabs = container.NewAppTabs()
	for _, t := range privacyTabs {
		item := container.NewTabItem(i18n.T(t.name), t.build(s))
		s.items = append(s.items, item)
		s.tabs.Append(item)
	}
	s.tabs.OnSelected = func(*container.TabItem) { s.shown() }
	s.content = s.tabs
	return s.content
}

// shown refreshes the selected tab; the navigation calls it on every visit.
func (s *privacyScreen) shown() {
	if s.tabs == nil {
		return
	}
	i := s.tabs.SelectedIndex()
	if i >= 0 && i < len(privacyTabs) && privacyTabs[i].shown != nil {
		privacyTabs[i].shown(s)
	}
}

// selectTab shows the tab with the English name; tests and links use it.
func (s *privacyScreen) selectTab(name string) {
	for i, t := range privacyTabs {
		if t.name == name {
			s.tabs.SelectIndex(i)
		}
	}
}
