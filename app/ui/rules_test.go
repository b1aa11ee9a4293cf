package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pick runs the action of the menu item whose label (without the indent of
// grouped items) is label, as a click on it would.
func pick(t *testing.T, m *fyne.Menu, label string) {
	t.Helper()
	if m == nil {
		t.Fatal("no menu is open")
	}
	var labels []string
	for _, it := range m.Items {
		if strings.TrimSpace(it.Label) == label && !it.Disabled && it.Action != nil {
			it.Action()
			return
		}
		labels = append(labels, it.Label)
	}
	t.Fatalf("no item %q in the menu %q", label, labels)
}

func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if !it.IsSeparator {
			out = append(out, strings.TrimSpace(it.Label))
		}
	}
	return out
}

// TestRuleBuilder: a new condition is not counted until it is finished;
// the value list shows the most common values with customer counts; text
// matches ignore case unless "exact case" is ticked; fields are grouped
// with names people read.
func TestRuleBuilder(t *testing.T) {
	w, p := open(t, demo(t))
	p.goTo("Segments")
	idle(t, p)
	p.segments.tabs.SelectIndex(1)
	idle(t, p)
	e := p.segments.rules

	// Fields: grouped under headings, with role labels and readable names.
	test.Tap(button(t, e.tree, "Add condition"))
	idle(t, p)
	if e.count.Text != "Add a condition to see how many customers match." || e.pending.Text == "" || e.text.Text != "" {
		t.Fatalf("after adding an empty condition: count %q, pending %q, text %q", e.count.Text, e.pending.Text, e.text.Text)
	}
	test.Tap(button(t, e.tree, "Choose a field"))
	got := strings.Join(menuLabels(e.menu), " | ")
	for _, want := range []string{
		"Columns of customers with a role | Customer ID | Email | Phone | First name | Last name | City | Email consent | SMS consent",
		"Other columns of customers | Country | Signup date",
		"RFM scores (latest run) | Recency (days since last order) | Frequency (number of orders)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("field menu\n%s\nlacks\n%s", got, want)
		}
	}
	for _, it := range e.menu.Items {
		if strings.HasPrefix(it.Label, "Columns of") && !it.Disabled {
			t.Error("a heading can be picked")
		}
	}
	pick(t, e.menu, "City")
	idle(t, p)
	if e.count.Text != "Add a condition to see how many customers match." {
		t.Fatalf("a condition without a value was counted: %q", e.count.Text)
	}

	// The value list: most common values first, with how many customers.
	vb := must(t, e.tree, "values button", func(b *widget.Button) bool {
		return b.Text == "" && b.Importance == widget.LowImportance && b.Icon != nil && b.Icon.Name() == theme.MenuDropDownIcon().Name()
	})
	test.Tap(vb)
	idle(t, p)
	labels := menuLabels(e.menu)
	if len(labels) < 3 || !strings.HasPrefix(labels[0], "Top 25 of") || labels[1] != "London — 2,049" {
		t.Fatalf("value list %q", labels)
	}
	var london int
	if err := p.ws.DB().QueryRowContext(context.Background(), `SELECT count(DISTINCT customer_id) FROM customers WHERE city = 'London'`).Scan(&london); err != nil || london != 2049 {
		t.Fatalf("London has %d customers (%v)", london, err)
	}
	pick(t, e.menu, "London — 2,049")
	idle(t, p)
	if n := countOf(t, e.count.Text); n != london || e.text.Text != "city = 'London'" || e.pending.Text != "" {
		t.Fatalf("city = London: count %q, text %q", e.count.Text, e.text.Text)
	}

	// A second condition does not change the count while it is unfinished.
	before := e.count.Text
	test.Tap(button(t, e.tree, "Add condition"))
	if e.count.Text != before {
		t.Fatalf("adding a condition changed the count to %q", e.count.Text)
	}
	idle(t, p)
	if e.count.Text != before || e.text.Text != "city = 'London'" || e.pending.Text != "1 unfinished condition(s) not counted yet: choose a field and a value." {
		t.Fatalf("with an unfinished condition: count %q, text %q, pending %q", e.count.Text, e.text.Text, e.pending.Text)
	}
	e.name.SetText("Londoners")
	test.Tap(e.saveBtn)
	idle(t, p)
	if len(p.segments.saved) != 0 && p.segments.saved[len(p.segments.saved)-1].Name == "Londoners" {
		t.Fatal("a rule with an unfinished condition was saved")
	}
	if _, ok := find(w.win.Canvas().Overlays().Top(), func(l *widget.Label) bool { return strings.Contains(l.Text, "no field or value yet") }); !ok {
		t.Fatal("saving an unfinished rule did not say why")
	}
	closeDialog(w)
	// Remove the unfinished condition (the last row's remove button).
	var removes []*widget.Button
	find(e.tree, func(b *widget.Button) bool {
		if b.Text == "" && b.Icon != nil && b.Icon.Name() == theme.DeleteIcon().Name() {
			removes = append(removes, b)
		}
		return false
	})
	if len(removes) != 2 {
		t.Fatalf("%d remove buttons, want 2", len(removes))
	}
	test.Tap(removes[1])
	idle(t, p)
	if e.pending.Text != "" || e.count.Text != before {
		t.Fatalf("after removing the unfinished condition: pending %q, count %q", e.pending.Text, e.count.Text)
	}

	// "london" matches London; exact case does not.
	value := must(t, e.tree, "value entry", func(en *widget.Entry) bool { return en.Text == "London" })
	value.SetText("london")
	idle(t, p)
	if n := countOf(t, e.count.Text); n != london {
		t.Fatalf("city = 'london' counts %d, London has %d", n, london)
	}
	exact := must(t, e.tree, "exact case", func(c *widget.Check) bool { return c.Text == "exact case" })
	test.Tap(exact)
	idle(t, p)
	if e.text.Text != "city = 'london' EXACT CASE" || e.count.Text != "0 customers match" {
		t.Fatalf("exact case: text %q, count %q", e.text.Text, e.count.Text)
	}
	e.text.SetText("city IN ('PARIS', 'london')")
	test.Tap(button(t, e.content, "Use text"))
	idle(t, p)
	var both int
	p.ws.DB().QueryRow(`SELECT count(*) FROM customers WHERE city IN ('Paris', 'London')`).Scan(&both)
	if n := countOf(t, e.count.Text); n != both {
		t.Fatalf("IN ignoring case: %d, want %d", n, both)
	}
}
