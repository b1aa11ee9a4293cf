package ui

import "fyne.io/fyne/v2/widget"

// segmentButtons: none until core.SaveBuyersSegment arrives (rec-use).
func (a *productActions) segmentButtons() []*widget.Button { return nil }
