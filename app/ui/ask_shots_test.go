package ui

import (
	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/assets/i18n"
)

// askShots takes the Ask panel with an answer: no model answers in a
// screenshot run, so the query is the one a model would write, run as an
// edited query (the Run button's path).
func askShots(p *project, step func(string, func()), closeDialogs func()) {
	var a *askPanel
	step("ask.png", func() {
		p.goTo("Data")
		a = p.openAsk()
		a.question.SetText("Which channels bring the most revenue?")
		if i18n.IsChinese() {
			a.question.SetText("哪个渠道的销售额最高？")
		}
		a.sql.SetText("SELECT channel, round(sum(amount), 2) AS revenue FROM orders GROUP BY channel ORDER BY revenue DESC")
		a.run()
	})
	step("ask-chart.png", func() { a.tabs.SelectIndex(1) })
	fyne.DoAndWait(closeDialogs)
}
