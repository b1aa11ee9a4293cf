package cli

import (
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/marketbench/marketbench/plugins/host"
)

// inbox is a local SMTP server's store of received messages.
type inbox struct {
	mu   sync.Mutex
	msgs [][]byte
	rcpt []string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

type inboxSession struct {
	b  *inbox
	to string
}

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, b)
	s.b.rcpt = append(s.b.rcpt, s.to)
	s.b.mu.Unlock()
	return err
}
func (s *inboxSession) Reset()        {}
func (s *inboxSession) Logout() error { return nil }

// A campaign through the bundled smtp plugin to an SMTP server started
// here: every consenting customer of the segment gets one personalised
// e-mail with an unsubscribe header; nobody else gets one.
func TestCampaignSMTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the smtp plugin")
	}
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "smtp"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())
	box := &inbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")
	ok(t, "-p", proj, "plugin", "enable", "marketbench.org/smtp")
	cfg := []string{"--config", "host=127.0.0.1", "--config", "port=" + port, "--config", "tls=none",
		"--config", "from=news@example.com", "--config", "unsubscribe_url=https://example.com/unsub?e={email}"}
	ok(t, append([]string{"-p", proj, "plugin", "check", "marketbench.org/smtp", "--component", "smtp"}, cfg...)...)
	ok(t, append([]string{"-p", proj, "campaign", "create", "Mail", "--segment", "Lapsed big spenders", "--channel", "marketbench.org/smtp/smtp",
		"--holdout", "0", "--variant", "A|100|We miss you, {{.first_name}}|Hi {{.first_name}}, come back for 10% off."}, cfg...)...)
	var rep struct{ Sent int }
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "campaign", "send", "Mail", "--live")), &rep)
	box.mu.Lock()
	defer box.mu.Unlock()
	if rep.Sent == 0 || len(box.msgs) != rep.Sent {
		t.Fatalf("sent %d, the server received %d", rep.Sent, len(box.msgs))
	}
	seen := map[string]bool{}
	for i, raw := range box.msgs {
		m, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if !strings.HasPrefix(subj, "We miss you, ") || subj == "We miss you, " {
			t.Errorf("subject %q", subj)
		}
		if !strings.Contains(m.Header.Get("List-Unsubscribe"), "https://example.com/unsub?e=") {
			t.Errorf("List-Unsubscribe %q", m.Header.Get("List-Unsubscribe"))
		}
		if seen[box.rcpt[i]] {
			t.Errorf("%s got two e-mails", box.rcpt[i])
		}
		seen[box.rcpt[i]] = true
	}
	// Only customers with e-mail consent were written to.
	var consent struct{ Rows [][]any }
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "sql", "SELECT count(*) FROM mb_deliveries WHERE campaign = 'Mail' AND status = 'excluded' AND reason = 'no e-mail consent'")), &consent)
	if len(consent.Rows) == 0 {
		t.Fatal("no exclusion count")
	}
}
