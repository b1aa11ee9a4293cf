package llm

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestMeasureSMS(t *testing.T) {
	cases := []struct {
		text    string
		enc     string
		units   int
		parts   int
		notGSM  []string
		fitsOne bool
	}{
		{"Hello", GSM7, 5, 1, nil, true},
		{strings.Repeat("a", 160), GSM7, 160, 1, nil, true},
		{strings.Repeat("a", 161), GSM7, 161, 2, nil, false},
		{strings.Repeat("a", 159) + "€", GSM7, 161, 2, nil, false}, // € is an extension character: 2 septets
		{"{[~]}|^\\€", GSM7, 18, 1, nil, true},
		{"Café à 5€ @ Ñandù ¿Qué?", GSM7, 0, 1, nil, true},
		{"ça va", UCS2, 5, 1, []string{"ç"}, true}, // only capital Ç is GSM-7
		{"It’s here", UCS2, 9, 1, []string{"’"}, true},
		{"Sale 🎉", UCS2, 7, 1, []string{"🎉"}, true}, // the emoji is 2 UTF-16 units
		{strings.Repeat("ж", 71), UCS2, 71, 2, []string{"ж"}, false},
		{strings.Repeat("ж", 135), UCS2, 135, 3, []string{"ж"}, false},
	}
	for _, c := range cases {
		l := MeasureSMS(c.text)
		if c.units == 0 {
			c.units = len([]rune(c.text)) + 1 // the € above
		}
		if l.Encoding != c.enc || l.Units != c.units || l.Parts != c.parts || !reflect.DeepEqual(l.NotGSM, c.notGSM) || l.Fits() != c.fitsOne {
			t.Errorf("%q: %+v", c.text, l)
		}
		if IsGSM(c.text) != (c.enc == GSM7) {
			t.Errorf("IsGSM(%q)", c.text)
		}
	}
}

func TestCheckSpam(t *testing.T) {
	cases := []struct {
		text  string
		level string
		has   []string
	}{
		{"Hi {{.first_name}}, our winter coats are 20% off this weekend.", "low", nil},
		{"FREE MONEY!!! Act now, 100% free $$$", "high", []string{"free money", "act now", "100% free", "!!!", "$$$", "FREE", "MONEY"}},
		{"Click here to claim your prize", "medium", []string{"click here", "prize"}},
		{"Our VIP SMS list: reply STOP to opt out", "low", nil},
		{"HUGE SALE TODAY", "medium", []string{"HUGE", "SALE", "TODAY"}},
		{"Guaranteed winner", "medium", []string{"guaranteed", "winner"}},
		{"Freedom is knowing your coat is warm", "low", nil}, // "free" inside a word is no trigger
	}
	for _, c := range cases {
		s := CheckSpam(c.text)
		if s.Level != c.level {
			t.Errorf("%q: %+v", c.text, s)
		}
		for _, h := range c.has {
			found := false
			for _, tr := range s.Triggers {
				found = found || tr == h
			}
			if !found {
				t.Errorf("%q: trigger %q not in %v", c.text, h, s.Triggers)
			}
		}
	}
}

func TestFields(t *testing.T) {
	fields := []string{"first_name", "city"}
	cases := []struct {
		in, out string
		used    []string
		warn    bool
	}{
		{"Hi {{.first_name}}, see you in {{.city}}.", "Hi {{.first_name}}, see you in {{.city}}.", []string{"city", "first_name"}, false},
		{"Hi {{ first_name }} and {{.City}}", "Hi {{.first_name}} and {{.city}}", []string{"city", "first_name"}, false},
		{"Hi {FirstName}, [First Name] or [name]", "Hi {{.first_name}}, {{.first_name}} or {{.first_name}}", []string{"first_name"}, false},
		{"Hi {{.loyalty_tier}}, coats are here", "Hi, coats are here", nil, true},
		{"{{.surname}}, coats are here", "Coats are here", nil, true},
		{"Shop now: [Link]", "Shop now:", nil, true},
		{"Our [Sale] starts now", "Our [Sale] starts now", nil, false},
		{"{{if .vip}}VIP{{end}} coats", "VIP coats", nil, true},
	}
	for _, c := range cases {
		out, used, fs := fixFields(c.in, fields)
		if out != c.out || !reflect.DeepEqual(used, c.used) && len(used)+len(c.used) > 0 || (len(fs) > 0) != c.warn {
			t.Errorf("%q: %q %v %v", c.in, out, used, fs)
		}
	}
	v := Check(Variant{Text: "Hi {{.nickname}}, 20% off"}, SMS, nil)
	if v.Text != "Hi, 20% off" || len(v.Findings) != 1 || !strings.Contains(v.Findings[0].Message, "available: none") {
		t.Errorf("%+v", v)
	}
}

func TestCheckLengths(t *testing.T) {
	long := strings.Repeat("word ", 40)
	if v := Check(Variant{Text: long}, SMS, nil); v.OK() || v.SMS.Parts != 2 {
		t.Errorf("long SMS: %+v", v)
	}
	// 150 characters plus one field counted as 10 is over 160.
	if v := Check(Variant{Text: "{{.first_name}} " + strings.Repeat("a", 150)}, SMS, []string{"first_name"}); v.OK() || v.Length != 161 {
		t.Errorf("field length: %+v", v)
	}
	if v := Check(Variant{Text: "Sale “now” – 20% off…"}, SMS, nil); v.Text != `Sale "now" - 20% off...` || v.SMS.Encoding != GSM7 {
		t.Errorf("typography: %+v", v)
	}
	if v := Check(Variant{Text: "Sale 🎉 " + strings.Repeat("a", 70)}, SMS, nil); v.OK() || v.SMS.Limit != 70 {
		t.Errorf("UCS-2: %+v", v)
	}
	if v := Check(Variant{Subject: strings.Repeat("a", 61)}, EmailSubject, nil); len(v.Findings) != 1 || v.Findings[0].Severity != Warning {
		t.Errorf("subject: %+v", v)
	}
	if v := Check(Variant{Text: strings.Repeat("a", 121)}, Push, nil); v.OK() {
		t.Errorf("push: %+v", v)
	}
	if v := Check(Variant{Text: "FREE MONEY!!! Act now"}, Push, nil); v.OK() || v.Spam.Level != "high" {
		t.Errorf("spam: %+v", v)
	}
}

func TestSplitter(t *testing.T) {
	cases := map[string]struct {
		ch    Channel
		reply string
		want  []string
	}{
		"separators":   {SMS, "First one\n---\nSecond one\n---\nThird one", []string{"First one", "Second one", "Third one"}},
		"numbered":     {SMS, "Here are three:\n1. First one\n2) Second one\n3. \"Third one\"\n\nHope this helps!", []string{"First one", "Second one", "Third one"}},
		"headers":      {Push, "**Variant 1:**\nFirst one\n\n**Variant 2:**\nSecond one", []string{"First one", "Second one"}},
		"bullets":      {EmailSubject, "- First one\n- Second one", []string{"First one", "Second one"}},
		"plain lines":  {EmailSubject, "First one\nSecond one\n10% off the third one", []string{"First one", "Second one", "10% off the third one"}},
		"more than n":  {SMS, "a1\nb2\nc3\nd4\ne5", []string{"a1", "b2", "c3"}},
		"text 2-for-1": {SMS, "2-for-1 on coats\nText 2: Subject to stock", []string{"2-for-1 on coats", "Subject to stock"}},
		"email":        {EmailBody, "Subject: One\n\nHi,\n\n1. a\n2. b\n\nBye\nSubject: Two\nHello", []string{"One|Hi,\n\n1. a\n2. b\n\nBye", "Two|Hello"}},
	}
	for name, c := range cases {
		for _, size := range []int{1, 3, 1000} {
			var got []string
			streamed := map[int]string{}
			sp := newSplitter(c.ch, 3, func(i int, s string) { streamed[i] += s }, func(i int, r rawVariant) {
				v := r.variant(i, c.ch)
				s := v.Text
				if c.ch == EmailSubject {
					s = v.Subject
				}
				if c.ch == EmailBody {
					s = v.Subject + "|" + v.Text
				}
				got = append(got, s)
			})
			for rs := []rune(c.reply); len(rs) > 0; {
				n := min(size, len(rs))
				sp.Write(string(rs[:n]))
				rs = rs[n:]
			}
			sp.Close()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s (chunks of %d): %q", name, size, got)
			}
			if c.ch != EmailBody && len(got) > 0 && !strings.Contains(streamed[0], strings.Trim(got[0], `"`)) {
				t.Errorf("%s (chunks of %d): streamed %v", name, size, streamed)
			}
		}
	}
}

func TestOffline(t *testing.T) {
	for _, ch := range Channels() {
		for _, tone := range []string{"friendly", "formal", "playful"} {
			var chunks, variants int
			r := Request{Channel: ch, N: 3, Brief: "Winter coats are 20% off this weekend. Code WARM20.", Tone: tone, Profile: testProfile}
			res, err := Offline(context.Background(), r, Events{Chunk: func(int, string) { chunks++ }, Variant: func(Variant) { variants++ }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Source != OfflineSource || !res.Offline || len(res.Variants) != 3 || chunks != 3 || variants != 3 {
				t.Fatalf("%s %s: %+v", ch, tone, res)
			}
			for _, v := range res.Variants {
				if !v.OK() || !strings.Contains(strings.ToLower(v.Subject+v.Text), "winter coats are 20% off") {
					t.Errorf("%s %s: %+v", ch, tone, v)
				}
				if ch == EmailBody && (v.Subject == "" || v.Text == "") || ch == EmailSubject && v.Text != "" {
					t.Errorf("%s: shape %+v", ch, v)
				}
			}
		}
	}
	// Without fields or brief the templates still write something sensible.
	res, err := Offline(context.Background(), Request{Channel: SMS, N: 2}, Events{})
	if err != nil || len(res.Variants) != 2 || strings.Contains(res.Variants[0].Text, "{{") {
		t.Fatalf("%+v %v", res, err)
	}
	// A long brief is shortened to fit an SMS.
	long := "Our biggest winter sale ever brings twenty percent off every coat jacket scarf hat glove boot and sweater in every one of our stores"
	res, err = Offline(context.Background(), Request{Channel: SMS, N: 3, Brief: long, Profile: testProfile}, Events{})
	if err != nil || len(res.Variants) == 0 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, v := range res.Variants {
		if !v.OK() {
			t.Errorf("%+v", v)
		}
	}
}

func TestPrompts(t *testing.T) {
	dir := t.TempDir()
	p := Prompts{Dir: dir}
	d := promptData(Request{Channel: SMS, N: 4, Brief: "coats", Profile: testProfile})
	for _, ch := range Channels() {
		for _, n := range []string{string(ch) + ".tmpl", "offline-" + string(ch) + ".tmpl", "system.tmpl"} {
			if out, err := p.Render(n, d); err != nil || out == "" {
				t.Errorf("%s: %v", n, err)
			}
		}
	}
	os.WriteFile(filepath.Join(dir, "sms.tmpl"), []byte("Mine: {{.N}} for {{.Profile.Segment}}"), 0o644)
	if out, _ := p.Render("sms.tmpl", d); out != "Mine: 4 for Champions" {
		t.Errorf("override: %q", out)
	}
	os.WriteFile(filepath.Join(dir, "push.tmpl"), []byte("{{.Nope"), 0o644)
	if _, err := p.Render("push.tmpl", d); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "push.tmpl")) {
		t.Errorf("broken override: %v", err)
	}
	written, err := p.WriteDefaults()
	if err != nil || len(written) == 0 {
		t.Fatal(written, err)
	}
	for _, w := range written {
		if filepath.Base(w) == "sms.tmpl" {
			t.Error("WriteDefaults replaced the user's sms.tmpl")
		}
	}
}

func TestProfileSanitize(t *testing.T) {
	p := Profile{Segment: "VIP ann@example.com", TopCategories: []Part{{Name: "Call +44 20 7946 0958", Share: 1}, {Name: "Shoes 2024-01-05", Share: 1}},
		Fields: []string{"first_name", "Robert'); DROP", "email"}}.Sanitize()
	if strings.Contains(p.Segment, "@") || strings.Contains(p.TopCategories[0].Name, "7946") || p.TopCategories[1].Name != "Shoes 2024-01-05" ||
		!reflect.DeepEqual(p.Fields, []string{"first_name", "email"}) {
		t.Errorf("%+v", p)
	}
	if _, _, err := (Request{Channel: SMS, N: 11}).prepare(); err == nil {
		t.Error("N=11 accepted")
	}
}
