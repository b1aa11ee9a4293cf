package llm

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

var testProfile = Profile{
	Segment: "Champions", Customers: 412, Share: 0.082,
	RFM:           []Part{{Name: "Champions", Share: 1}},
	TopCategories: []Part{{Name: "Outerwear", Share: 0.31}, {Name: "Shoes", Share: 0.2}},
	AOV:           84.5, AvgOrders: 6.2, AvgRecencyDays: 12,
	Fields: []string{"first_name", "city"},
}

const smsReply = "Here are 3 SMS messages:\n\n" +
	"1. Hi {{.first_name}}, 20% off coats this weekend only. Reply STOP to opt out\n" +
	"2. {{ .FirstName }}, our Champions get first pick of the new coats – 20% off till Sunday.\n" +
	"3. \"Coats for {{.loyalty_tier}} members: 20% off this weekend. See you soon!\"\n"

func client(t *testing.T, url string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: url, Model: "llama3.2", Idle: 2 * time.Second, Timeout: 10 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func smsRequest() Request {
	return Request{Channel: SMS, N: 3, Brief: "20% off coats this weekend. Questions: ann@example.com", Tone: "friendly", Profile: testProfile}
}

func TestGenerateStreamsThroughLangchaingo(t *testing.T) {
	f := newFakeOllama(t, smsReply)
	chunks := map[int]string{}
	var done []Variant
	var order []int
	res, err := client(t, f.URL, nil).Generate(context.Background(), smsRequest(), Events{
		Chunk: func(i int, s string) { chunks[i] += s; order = append(order, i) },
		Variant: func(v Variant) {
			if len(chunks[v.Index]) == 0 {
				t.Errorf("variant %d finished before any of its chunks", v.Index)
			}
			done = append(done, v)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != "ollama llama3.2" || res.Offline || res.Model != "llama3.2" || len(res.Variants) != 3 || len(done) != 3 {
		t.Fatalf("result %+v", res)
	}
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			t.Fatalf("chunks out of order: %v", order)
		}
	}
	if len(order) < 10 {
		t.Errorf("only %d chunk callbacks; the reply was not streamed", len(order))
	}
	v := res.Variants
	if v[0].Text != "Hi {{.first_name}}, 20% off coats this weekend only. Reply STOP to opt out" || v[0].SMS.Encoding != GSM7 || !v[0].OK() {
		t.Errorf("variant 0: %+v", v[0])
	}
	if !strings.HasPrefix(v[1].Text, "{{.first_name}}, our Champions") || !strings.Contains(v[1].Text, "coats - 20%") || v[1].SMS.Encoding != GSM7 {
		t.Errorf("variant 1 (FirstName → first_name, en dash → -): %q %+v", v[1].Text, v[1].SMS)
	}
	if v[2].Text != "Coats for members: 20% off this weekend. See you soon!" || len(v[2].Findings) == 0 ||
		!strings.Contains(v[2].Findings[0].Message, "{{.loyalty_tier}}") {
		t.Errorf("variant 2 (unknown field stripped, quotes removed): %q %+v", v[2].Text, v[2].Findings)
	}
	if !strings.Contains(chunks[0], "Hi {{.first_name}}") || strings.Contains(chunks[0], "1. ") {
		t.Errorf("chunks of variant 0: %q", chunks[0])
	}

	req := f.lastChat()
	if req.Model != "llama3.2" || !req.Stream || len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		t.Fatalf("chat request: %+v", req)
	}
	user := req.Messages[1].Content
	for _, want := range []string{"412 customers", "Champions", "Outerwear (31%", "84.50", "20% off coats this weekend", "at most 160 characters"} {
		if !strings.Contains(user, want) {
			t.Errorf("prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "ann@example.com") || !strings.Contains(user, "[e-mail removed]") || len(res.Notes) == 0 {
		t.Errorf("the e-mail in the brief reached the prompt or was not reported:\n%s\n%v", user, res.Notes)
	}
	if !strings.Contains(req.Messages[0].Content, "{{.first_name}}, {{.city}}") || !strings.Contains(req.Messages[0].Content, "exactly 3") {
		t.Errorf("system prompt:\n%s", req.Messages[0].Content)
	}
}

func TestGenerateEmailBodies(t *testing.T) {
	reply := "Subject: Your coats are waiting, {{.first_name}}\n\nHi {{.first_name}},\n\nThe new coats are in.\n\n1. Warm\n2. Dry\n\nSee you soon\n---\n" +
		"Subject: New season, new coats\n\nHello,\n\nOur winter range has landed.\n"
	f := newFakeOllama(t, reply)
	f.chunk = 3
	r := smsRequest()
	r.Channel, r.N = EmailBody, 2
	res, err := client(t, f.URL, nil).Generate(context.Background(), r, Events{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Variants) != 2 {
		t.Fatalf("%+v", res.Variants)
	}
	v := res.Variants[0]
	if v.Subject != "Your coats are waiting, {{.first_name}}" || v.Text != "Hi {{.first_name}},\n\nThe new coats are in.\n\n1. Warm\n2. Dry\n\nSee you soon" {
		t.Errorf("%q / %q", v.Subject, v.Text)
	}
	if res.Variants[1].Subject != "New season, new coats" || res.Variants[1].Text != "Hello,\n\nOur winter range has landed." {
		t.Errorf("%+v", res.Variants[1])
	}
}

func TestModels(t *testing.T) {
	f := newFakeOllama(t, "")
	ms, err := client(t, f.URL, nil).Models(context.Background())
	if err != nil || len(ms) != 2 || ms[0].Name != "llama3.2:latest" || ms[0].Parameters != "3.2B" || ms[0].Size == 0 {
		t.Fatalf("%+v %v", ms, err)
	}
}

func TestModelMissing(t *testing.T) {
	f := newFakeOllama(t, smsReply)
	_, err := client(t, f.URL, func(c *Config) { c.Model = "gemma3" }).Generate(context.Background(), smsRequest(), Events{})
	var m *ModelMissingError
	if !errors.As(err, &m) || m.Model != "gemma3" || m.Fix() != "ollama pull gemma3" || !Fallback(err) {
		t.Fatalf("%T %v", err, err)
	}
	if !strings.Contains(err.Error(), "ollama pull gemma3") || !strings.Contains(err.Error(), "llama3.2:latest, mistral:7b") {
		t.Errorf("message: %v", err)
	}
}

// refusedURL is an address where nothing listens.
func refusedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestUnreachable(t *testing.T) {
	c := client(t, refusedURL(t), nil)
	_, err := c.Generate(context.Background(), smsRequest(), Events{})
	var u *UnreachableError
	if !errors.As(err, &u) || !Fallback(err) || !strings.Contains(err.Error(), "ollama serve") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("%T %v", err, err)
	}
	if _, err := c.Models(context.Background()); !errors.As(err, &u) {
		t.Fatalf("models: %T %v", err, err)
	}
}

func TestServerFailures(t *testing.T) {
	long := strings.Repeat("Hi {{.first_name}}, coats are 20% off this weekend.\n", 40)
	cases := map[string]struct {
		mode    string
		reply   string
		cfg     func(*Config)
		timeout bool
		silent  bool
		want    string
		maxTime time.Duration
	}{
		"slow to answer":   {mode: "slow", reply: smsReply, cfg: func(c *Config) { c.Idle = 300 * time.Millisecond }, timeout: true, silent: true, want: "did not answer for 300ms", maxTime: 3 * time.Second},
		"stalls mid-reply": {mode: "stall", reply: smsReply, cfg: func(c *Config) { c.Idle = 300 * time.Millisecond }, timeout: true, silent: true, want: "did not answer", maxTime: 3 * time.Second},
		"too long overall": {mode: "dribble", reply: long, cfg: func(c *Config) { c.Timeout = 400 * time.Millisecond }, timeout: true, want: "took longer than 400ms", maxTime: 3 * time.Second},
		"500 text":         {mode: "500", reply: smsReply, want: "not the JSON lines Ollama sends"},
		"500 json":         {mode: "500json", reply: smsReply, want: "Ollama failed: llama runner process has terminated"},
		"malformed ndjson": {mode: "malformed", reply: smsReply, want: "not the JSON lines"},
		"no done":          {mode: "truncated", reply: smsReply, want: "stopped before it was complete"},
		"empty reply":      {reply: "", want: "empty reply"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFakeOllama(t, tc.reply)
			f.mode = tc.mode
			start := time.Now()
			_, err := client(t, f.URL, tc.cfg).Generate(context.Background(), smsRequest(), Events{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %T %v", tc.want, err, err)
			}
			var te *TimeoutError
			if errors.As(err, &te) != tc.timeout || (tc.timeout && te.Silent != tc.silent) {
				t.Errorf("timeout error: %T %+v", err, err)
			}
			if Fallback(err) {
				t.Errorf("%v should not fall back to offline", err)
			}
			if tc.maxTime > 0 && time.Since(start) > tc.maxTime {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
}

func TestCancel(t *testing.T) {
	f := newFakeOllama(t, smsReply)
	f.mode = "stall"
	ctx, cancel := context.WithCancel(context.Background())
	_, err := client(t, f.URL, nil).Generate(ctx, smsRequest(), Events{Chunk: func(int, string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%T %v", err, err)
	}
}

func TestResolveURL(t *testing.T) {
	cases := []struct{ setting, env, want string }{
		{"", "", DefaultURL},
		{"", "0.0.0.0", "http://localhost:11434"},
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", "https://ollama.internal", "https://ollama.internal"},
		{"http://box:11434/", "other:1", "http://box:11434"},
	}
	for _, c := range cases {
		t.Setenv("OLLAMA_HOST", c.env)
		got, err := ResolveURL(c.setting)
		if err != nil || got != c.want {
			t.Errorf("%q %q: %q %v", c.setting, c.env, got, err)
		}
	}
	if _, err := ResolveURL("ftp://x"); err == nil {
		t.Error("ftp accepted")
	}
}
