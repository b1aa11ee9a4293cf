package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// soon is a screen that is not built yet. It says what it will do and
// shows no numbers, so nobody mistakes a mock-up for a result.
func soon(title, what string, steps ...string) fyne.CanvasObject {
	items := []fyne.CanvasObject{
		&widget.Label{Text: title, SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}},
		&widget.Label{Text: "Not built yet.", Importance: widget.WarningImportance},
		&widget.Label{Text: what, Wrapping: fyne.TextWrapWord},
	}
	for _, s := range steps {
		items = append(items, &widget.Label{Text: "•  " + s, Wrapping: fyne.TextWrapWord})
	}
	box := container.NewVBox(items...)
	return container.NewVScroll(container.NewPadded(container.NewGridWrap(fyne.NewSize(720, box.MinSize().Height+200), box)))
}

func soonCampaigns() fyne.CanvasObject {
	return soon("Campaigns",
		"This screen will send a campaign to a segment through a channel plugin (email or SMS), with A/B variants and a holdout group.",
		"Only customers who gave consent and are not on the suppression list are contacted.",
		"Every delivery is logged in the project.",
		"Import the results afterwards and compare variants against the holdout.")
}

func soonPlugins() fyne.CanvasObject {
	return soon("Plugins",
		"This screen will list the installed plugins (channels and models), their versions and pinned checksums, and whether they are running.",
		"Plugins run as separate processes; a plugin whose checksum changed is not started.",
		"Install, update and remove plugins.")
}
