package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// A real SMTP server (go-smtp) that keeps what it receives.

type received struct {
	from, to string
	data     []byte
	tls      bool
	user     string
}

type mailbox struct {
	mu   sync.Mutex
	msgs []received
	// conns are the clients' connections (a STARTTLS starts a new
	// session on the same one).
	conns []*smtp.Conn
	// user and pass, when set, are required before MAIL.
	user, pass string
	mechs      []string
	srv        *smtp.Server
}

// all returns what arrived so far.
func (mb *mailbox) all() []received {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return slices.Clone(mb.msgs)
}

func (mb *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	mb.mu.Lock()
	if !slices.Contains(mb.conns, c) {
		mb.conns = append(mb.conns, c)
	}
	mb.mu.Unlock()
	return &srvSession{mb: mb, c: c}, nil
}

// dropAll hangs up on every client, as a server does at its idle timeout.
func (mb *mailbox) dropAll() {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	for _, c := range mb.conns {
		c.Close()
	}
}

func (mb *mailbox) count() (msgs, conns int) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return len(mb.msgs), len(mb.conns)
}

type srvSession struct {
	mb         *mailbox
	c          *smtp.Conn
	user       string
	from, rcpt string
}

func (s *srvSession) AuthMechanisms() []string { return s.mb.mechs }

func (s *srvSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != s.mb.user || pass != s.mb.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.user = user
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
}

func (s *srvSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.mb.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *srvSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch user, _, _ := strings.Cut(to, "@"); user {
	case "nobody":
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	case "later":
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"}
	}
	s.rcpt = to
	return nil
}

func (s *srvSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, received{from: s.from, to: s.rcpt, data: b, tls: isTLS, user: s.user})
	s.mb.mu.Unlock()
	return nil
}

func (s *srvSession) Reset()        { s.from, s.rcpt = "", "" }
func (s *srvSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only the
// client): the user name comes as the initial response, then the password.
type loginServer struct {
	user  []byte
	step  int
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch {
	case l.step == 1 && resp == nil:
		return []byte("Username:"), false, nil
	case l.user == nil:
		l.user = resp
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(string(l.user), string(resp))
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// startServer runs an SMTP server with STARTTLS ("starttls"), implicit TLS
// ("tls") or neither ("none"); a user makes it require AUTH, which it
// offers only over TLS.
func startServer(t *testing.T, mode, user, pass string, mechs ...string) (*mailbox, sdk.Config) {
	t.Helper()
	if len(mechs) == 0 {
		mechs = []string{sasl.Plain}
	}
	mb := &mailbox{user: user, pass: pass, mechs: mechs}
	srv := smtp.NewServer(mb)
	mb.srv = srv
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = testLogger{t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	switch mode {
	case "starttls":
		srv.TLSConfig = tlsConf
	case "tls":
		ln = tls.NewListener(ln, tlsConf)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg := sdk.Config{"host": "127.0.0.1", "port": port, "tls": mode, "from": "news@example.com", "insecure_skip_verify": "true"}
	if user != "" {
		cfg["username"] = user
	}
	return mb, cfg
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

func with(cfg sdk.Config, kv ...string) sdk.Config {
	out := sdk.Config{}
	for k, v := range cfg {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// parsed is a received message taken apart as a mail client would.
type parsed struct {
	hdr        mail.Header
	subject    string
	from, to   *mail.Address
	text, html string
	raw        []byte
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, raw)
	}
	p := parsed{hdr: m.Header, raw: raw}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Errorf("Subject %q: %v", m.Header.Get("Subject"), err)
	}
	if p.from, err = mail.ParseAddress(m.Header.Get("From")); err != nil {
		t.Errorf("From %q: %v", m.Header.Get("From"), err)
	}
	if p.to, err = mail.ParseAddress(m.Header.Get("To")); err != nil {
		t.Errorf("To %q: %v", m.Header.Get("To"), err)
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if m.Header.Get("MIME-Version") != "1.0" {
		t.Error("no MIME-Version")
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	decode := func(cte string, r io.Reader) string {
		if cte != "quoted-printable" {
			t.Errorf("Content-Transfer-Encoding %q", cte)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		if err != nil {
			t.Errorf("quoted-printable: %v", err)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if mt != "multipart/alternative" {
		// SMTP ends the data with a line break; multipart has none there.
		body := strings.TrimSuffix(decode(m.Header.Get("Content-Transfer-Encoding"), m.Body), "\n")
		if mt == "text/html" {
			p.html = body
		} else {
			p.text = body
		}
		return p
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart() // raw: check the encoding ourselves
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, ps, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if ps["charset"] != "utf-8" {
			t.Errorf("part %s has charset %q", ct, ps["charset"])
		}
		body := decode(part.Header.Get("Content-Transfer-Encoding"), part)
		switch ct {
		case "text/plain":
			p.text = body
		case "text/html":
			p.html = body
		default:
			t.Errorf("unexpected part %s", ct)
		}
	}
	return p
}

func TestConformance(t *testing.T) {
	mb, cfg := startServer(t, "starttls", "sender", "pa55")
	cfg = with(cfg, "from_name", "Acme News", "reply_to", "help@example.com", "concurrency", "3",
		"unsubscribe_url", "https://example.com/unsub?k={key}&c={campaign}", "unsubscribe_mailto", "unsub@example.com")
	conn := plugintest.InProcess(t, plugin())
	res := plugintest.Channel(t, conn, plugintest.ChannelCase{Component: "smtp", Config: cfg, Secrets: sdk.Secrets{"password": "pa55"},
		To: "ada@example.org", Bad: with(cfg, "port", "70000")})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered || r.ProviderID != "<conformance-"+strings.TrimPrefix(id, "m")+"@example.com>" {
			t.Errorf("%s: %+v", id, r)
		}
	}
	// Two rounds of 20, over no more connections than the concurrency.
	if n, conns := mb.count(); n != 40 || conns > 3 {
		t.Errorf("%d messages over %d connections", n, conns)
	}
	ids := map[string]int{}
	for _, rc := range mb.all() {
		if !rc.tls || rc.user != "sender" || rc.from != "news@example.com" || rc.to != "ada@example.org" {
			t.Errorf("envelope %+v", rc)
		}
		p := parse(t, rc.data)
		id := p.hdr.Get("Message-ID")
		ids[id]++
		n := strings.TrimSuffix(strings.TrimPrefix(id, "<conformance-"), "@example.com>")
		i, err := strconv.Atoi(n)
		if err != nil {
			t.Errorf("Message-ID %q", id)
		}
		if p.subject != fmt.Sprintf("Conformance %d", i) || p.from.Name != "Acme News" || p.from.Address != "news@example.com" ||
			p.to.Address != "ada@example.org" || p.hdr.Get("Reply-To") != "<help@example.com>" {
			t.Errorf("headers %v", p.hdr)
		}
		if p.text != "Hello from the conformance suite." || p.html != "<p>Hello from the conformance suite.</p>" {
			t.Errorf("parts %q %q", p.text, p.html)
		}
		wantLU := "<https://example.com/unsub?k=conformance-" + n + "&c=conformance>, <mailto:unsub@example.com?subject=unsubscribe>"
		if p.hdr.Get("List-Unsubscribe") != wantLU || p.hdr.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe %q / %q", p.hdr.Get("List-Unsubscribe"), p.hdr.Get("List-Unsubscribe-Post"))
		}
	}
	// The resend of each message carried the same Message-ID.
	for id, n := range ids {
		if n != 2 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
}

func open(t *testing.T, cfg sdk.Config, s sdk.Secrets) *session {
	t.Helper()
	sess, err := channel{}.Open(context.Background(), channel{}.Spec().WithDefaults(cfg), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*session)
}

func TestContent(t *testing.T) {
	mb, cfg := startServer(t, "starttls", "", "")
	s := open(t, with(cfg, "from_name", "Zoë’s Café", "unsubscribe_url", "http://example.com/u/{email}"), nil)
	subject := "Grüße aus Köln — 50 % Rabatt für Sie ✓ und noch viel mehr Text, damit die Zeile umbrochen werden muss"
	text := "Hallo Zoë,\n\nline with = sign and trailing space \n" + strings.Repeat("long line ", 40) + "\n.\n..starts with dots\nEnde"
	html := "<html><body><p style=\"color:red\">Grüße ✓</p>" + strings.Repeat("<b>x</b>", 100) + "</body></html>"
	m := sdk.Message{ID: "1", IdempotencyKey: "run 7/msg:1", To: "Ada Lovelace <ada@example.org>", Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"X-Campaign-Name": "Frühling", "Bcc": "spy@example.com", "Bad Name": "x"}}
	r := s.Send(context.Background(), m)
	if r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	p := parse(t, mb.all()[0].data)
	if p.subject != subject || p.from.Name != "Zoë’s Café" || p.to.Name != "Ada Lovelace" || p.to.Address != "ada@example.org" {
		t.Errorf("subject %q from %v to %v", p.subject, p.from, p.to)
	}
	if p.text != text || p.html != html {
		t.Errorf("text %q\nhtml %q", p.text, p.html)
	}
	// A key that is no valid Message-ID is hashed, the same way each time.
	if id := p.hdr.Get("Message-ID"); id != r.ProviderID || id != messageID(m.IdempotencyKey, "news@example.com") || !strings.HasPrefix(id, "<mb.") {
		t.Errorf("Message-ID %q, provider id %q", id, r.ProviderID)
	}
	if lu := p.hdr.Get("List-Unsubscribe"); lu != "<http://example.com/u/Ada+Lovelace+%3Cada%40example.org%3E>" || p.hdr.Get("List-Unsubscribe-Post") != "" {
		t.Errorf("List-Unsubscribe %q (one-click only for https)", lu)
	}
	if v, _ := new(mime.WordDecoder).DecodeHeader(p.hdr.Get("X-Campaign-Name")); v != "Frühling" || p.hdr.Get("Bcc") != "" {
		t.Errorf("extra headers %v", p.hdr)
	}
	// 7-bit clean, lines within limits, header lines folded.
	for i, line := range strings.Split(string(p.raw), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d is %d long: %q", i, len(line), line)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("line %d is not ASCII: %q", i, line)
			}
		}
	}
	// Text only is a single part.
	s.Send(context.Background(), sdk.Message{ID: "2", IdempotencyKey: "k2", To: "ada@example.org", Subject: "plain", Text: "just text"})
	if p := parse(t, mb.all()[1].data); !strings.HasPrefix(p.hdr.Get("Content-Type"), "text/plain") || p.text != "just text" {
		t.Errorf("text-only message: %v %q", p.hdr, p.text)
	}
}

func TestServerReplies(t *testing.T) {
	mb, cfg := startServer(t, "starttls", "sender", "pa55")
	s := open(t, cfg, sdk.Secrets{"password": "pa55"})
	ctx := context.Background()
	msg := func(to string) sdk.Message {
		return sdk.Message{ID: to, IdempotencyKey: "k-" + strings.ReplaceAll(to, "@", "."), To: to, Subject: "s", Text: "t"}
	}
	r := s.Send(ctx, msg("nobody@example.org"))
	if r.Outcome != sdk.OutcomeRejected || r.Reason != "the server refused the recipient: 550 5.1.1 No such user here" || r.ServiceFault {
		t.Errorf("550: %+v", r)
	}
	r = s.Send(ctx, msg("later@example.org"))
	if r.Outcome != sdk.OutcomeRetry || !r.ServiceFault || r.After != 5*time.Minute || !strings.Contains(r.Reason, "451 4.7.1 Greylisted") {
		t.Errorf("451: %+v", r)
	}
	r = s.Send(ctx, msg("not an address"))
	if r.Outcome != sdk.OutcomeRejected || !strings.Contains(r.Reason, "not an e-mail address") {
		t.Errorf("bad address: %+v", r)
	}
	// The refused recipients left the connection usable: one connection.
	if r = s.Send(ctx, msg("ada@example.org")); r.Outcome != sdk.OutcomeDelivered {
		t.Errorf("after the refusals: %+v", r)
	}
	if n, conns := mb.count(); n != 1 || conns != 1 {
		t.Errorf("%d messages over %d connections", n, conns)
	}
	// The server hangs up: the next message reconnects and goes through.
	mb.dropAll()
	if r = s.Send(ctx, msg("bob@example.org")); r.Outcome != sdk.OutcomeDelivered {
		t.Errorf("after a hang-up: %+v", r)
	}
	if n, conns := mb.count(); n != 2 || conns != 2 {
		t.Errorf("%d messages over %d connections", n, conns)
	}
	// The server is gone: retry later.
	mb.srv.Close()
	if r = s.Send(ctx, msg("carl@example.org")); r.Outcome != sdk.OutcomeRetry || r.After != 30*time.Second || !strings.Contains(r.Reason, "cannot connect") {
		t.Errorf("server gone: %+v", r)
	}
}

func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestCheckAndOpenErrors(t *testing.T) {
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	_, cfg := startServer(t, "starttls", "sender", "pa55")
	if err := conn.Check(ctx, "smtp", cfg, sdk.Secrets{"password": "pa55"}); err != nil {
		t.Errorf("Check: %v", err)
	}
	err := conn.Check(ctx, "smtp", cfg, sdk.Secrets{"password": "wrong"})
	if err == nil || !strings.Contains(err.Error(), "refused the user name or password: 535 5.7.8 Authentication credentials invalid") {
		t.Errorf("Check with a wrong password: %v", err)
	}
	if _, err := conn.Open(ctx, "smtp", cfg, sdk.Secrets{"password": "wrong"}); err == nil || !strings.Contains(err.Error(), "refused the user name or password") {
		t.Errorf("Open with a wrong password: %v", err)
	}
	if err := conn.Check(ctx, "smtp", with(cfg, "insecure_skip_verify", "false"), sdk.Secrets{"password": "pa55"}); err == nil || !strings.Contains(err.Error(), "certificate is not trusted") {
		t.Errorf("Check of a self-signed server: %v", err)
	}
	_, plain := startServer(t, "none", "", "")
	if err := conn.Check(ctx, "smtp", with(plain, "tls", "starttls"), nil); err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Errorf("STARTTLS required: %v", err)
	}
	if err := conn.Check(ctx, "smtp", with(plain, "port", strconv.Itoa(closedPort(t))), nil); err == nil || !strings.Contains(err.Error(), "cannot connect to 127.0.0.1:") {
		t.Errorf("nothing listening: %v", err)
	}
	if err := conn.Check(ctx, "smtp", with(plain, "username", "u"), sdk.Secrets{"password": "p"}); err == nil || !strings.Contains(err.Error(), "does not offer login") {
		t.Errorf("login at a server without AUTH: %v", err)
	}
	if err := conn.Check(ctx, "smtp", with(cfg, "tls", "tls"), sdk.Secrets{"password": "pa55"}); err == nil || !strings.Contains(err.Error(), "TLS with") {
		t.Errorf("implicit TLS to a STARTTLS port: %v", err)
	}
	if err := conn.Check(ctx, "smtp", cfg, nil); err == nil || !strings.Contains(err.Error(), "password: is required") {
		t.Errorf("no password: %v", err)
	}
}

func TestImplicitTLSAndLogin(t *testing.T) {
	mb, cfg := startServer(t, "tls", "sender", "pa55", sasl.Login)
	s := open(t, cfg, sdk.Secrets{"password": "pa55"})
	if r := s.Send(context.Background(), sdk.Message{ID: "1", IdempotencyKey: "k1", To: "ada@example.org", Subject: "s", HTML: "<p>hi</p>"}); r.Outcome != sdk.OutcomeDelivered {
		t.Fatal(r)
	}
	if rc := mb.all()[0]; !rc.tls || rc.user != "sender" {
		t.Errorf("envelope %+v", rc)
	}
	if p := parse(t, mb.all()[0].data); p.html != "<p>hi</p>" || !strings.HasPrefix(p.hdr.Get("Content-Type"), "text/html") {
		t.Errorf("html-only message %v", p.hdr)
	}
	if _, err := (channel{}).Open(context.Background(), cfg, sdk.Secrets{"password": "nope"}); err == nil || !strings.Contains(err.Error(), "535") {
		t.Errorf("LOGIN with a wrong password: %v", err)
	}
}

// The built binary against a plain local server, and the handshake.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	dir, err := filepath.Abs(".") // Build names the binary after the folder
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	mb, cfg := startServer(t, "none", "", "")
	res := plugintest.Channel(t, plugintest.Launch(t, bin), plugintest.ChannelCase{Component: "smtp", Config: with(cfg, "concurrency", "2"),
		To: "ada@example.org", Messages: 10, Bad: with(cfg, "host", "smtp://x")})
	for id, r := range res {
		if r.Outcome != sdk.OutcomeDelivered {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if n, _ := mb.count(); n != 20 {
		t.Errorf("%d messages arrived, want 20", n)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		cfg   sdk.Config
		field string
	}{
		{sdk.Config{"host": "smtp.example.com:587"}, "host"},
		{sdk.Config{"host": "x", "port": "0"}, "port"},
		{sdk.Config{"host": "x", "concurrency": "100"}, "concurrency"},
		{sdk.Config{"host": "smtp.example.com", "tls": "none", "username": "u"}, "tls"},
		{sdk.Config{"host": "x", "from_name": "a\r\nBcc: x@y"}, "from_name"},
	} {
		errs := channel{}.Validate(channel{}.Spec().WithDefaults(c.cfg))
		if len(errs) != 1 || errs[0].Field != c.field {
			t.Errorf("%v: %v", c.cfg, errs)
		}
	}
	for _, cfg := range []sdk.Config{{"host": "localhost", "tls": "none", "username": "u"}, {"host": "::1"}, {"host": "smtp.example.com"}} {
		if errs := (channel{}).Validate(channel{}.Spec().WithDefaults(cfg)); len(errs) != 0 {
			t.Errorf("%v refused: %v", cfg, errs)
		}
	}
	if errs := (channel{}).Spec().Check(sdk.Config{"host": "x", "from": "x@y.org", "tls": "ssl"}, nil); len(errs) != 1 || errs[0].Field != "tls" {
		t.Errorf("tls enum: %v", errs)
	}
}

func TestFold(t *testing.T) {
	long := "Subject: " + mime.QEncoding.Encode("utf-8", strings.Repeat("ä", 80))
	for _, line := range strings.Split(fold(long), "\r\n") {
		if len(line) > 78 {
			t.Errorf("folded line %d long", len(line))
		}
	}
	if dec, _ := new(mime.WordDecoder).DecodeHeader(strings.TrimPrefix(strings.ReplaceAll(fold(long), "\r\n", ""), "Subject: ")); dec != strings.Repeat("ä", 80) {
		t.Errorf("unfolded %q", dec)
	}
	if fold("To: <a@b.c>") != "To: <a@b.c>" {
		t.Error("a short line was folded")
	}
}

func TestManifest(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	p := plugin()
	if m.ID != p.ID || m.Version != p.Version || !slices.Equal(m.Kinds, p.Kinds()) || !slices.Equal(m.Fields, channel{}.Spec().Fields) {
		t.Errorf("manifest %+v disagrees with the plugin", m)
	}
	if err := m.Validate(); err == nil || err.Error() != "binaries[linux/amd64]: sha256 must be 64 lower-case hex digits" {
		t.Errorf("the template should fail only for its empty hash: %v", err)
	}
}
