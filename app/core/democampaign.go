package core

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// demoCampaign runs a campaign end to end in the headless demo: the
// bundled webhook plugin sends to a small HTTP receiver started here on
// 127.0.0.1, which writes what it got to webhook-received.jsonl. Without
// the bundled plugins (a plain `go build`), it says how to get them.
func (w *Workspace) demoCampaign(ctx context.Context, dir string, dl *demoLocale) (string, []string, error) {
	const id = "marketbench.org/webhook"
	if _, err := w.find(id, ""); err != nil {
		return "\n" + i18n.T("## Campaign") + "\n\n" +
			i18n.T("Skipped: the bundled plugins were not found next to the program (%s). `make build` builds them into bin/plugins/.", i18n.Error(err)) + "\n", nil, nil
	}
	out := filepath.Join(dir, "webhook-received.jsonl")
	f, err := os.Create(out)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	var mu sync.Mutex
	var got int
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(r.Body)
			var m map[string]any
			json.Unmarshal(b, &m)
			line, _ := json.Marshal(map[string]any{"idempotency_key": r.Header.Get("Idempotency-Key"), "to": m["to"], "variant": m["variant"], "subject": m["subject"], "text": m["text"]})
			mu.Lock()
			f.Write(append(line, '\n'))
			got++
			mu.Unlock()
		}
		rw.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	if _, err := w.EnablePlugin(ctx, id); err != nil {
		return "", nil, err
	}
	c := &campaign.Campaign{Name: dl.campaign, Segment: dl.best, Plugin: id, Component: "webhook",
		Config: sdk.Config{"url": "http://" + ln.Addr().String() + "/hook"}, HoldoutPercent: 10,
		Variants: []campaign.Variant{
			{Name: "A", Percent: 50, Subject: dl.variants[0][0], Text: dl.variants[0][1]},
			{Name: "B", Percent: 50, Subject: dl.variants[1][0], Text: dl.variants[1][1]}}}
	if err := w.SaveCampaign(ctx, c, true); err != nil {
		return "", nil, err
	}
	pv, err := w.PreviewCampaign(ctx, c.Name, 1)
	if err != nil {
		return "", nil, err
	}
	rep, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil)
	if err != nil {
		return "", nil, err
	}
	var reasons []string
	for r, n := range pv.Excluded {
		reasons = append(reasons, fmt.Sprintf("%s: %d", r, n))
	}
	sort.Strings(reasons)
	text := "\n" + i18n.T("## Campaign") + "\n\n" +
		i18n.T("%q to the %s segment through the bundled webhook plugin, to a local receiver: %d customers in the audience, %d excluded (%s), %d in the holdout; %d messages sent, %d received (webhook-received.jsonl).",
			c.Name, i18n.T(c.Segment), pv.Audience, pv.Audience-pv.Groups["A"]-pv.Groups["B"]-pv.Groups[campaign.Holdout], strings.Join(reasons, ", "), pv.Groups[campaign.Holdout], rep.Sent, got) + "\n"
	// One rendered message of variant B, which names the customer's
	// recommended products.
	for _, sm := range pv.Samples {
		if sm.Variant == "B" {
			text += "\n" + i18n.T("A message of variant B, as customer %s gets it:", sm.CustomerID) + "\n\n> " + sm.Subject + "\n>\n> " + sm.Text + "\n"
			break
		}
	}
	return text, []string{out}, nil
}
