// Command smtp is Marketbench's e-mail channel over SMTP: STARTTLS (or
// implicit TLS), AUTH PLAIN/LOGIN, multipart text + HTML, List-Unsubscribe,
// and a Message-ID derived from the idempotency key so a retried message
// keeps its identity. It uses only the public SDK and go-smtp/go-sasl.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/marketbench/marketbench/sdk"
)

const (
	// connRetry is the wait after a failed or lost connection.
	connRetry = 30 * time.Second
	// tempRetry is the wait after a 4xx reply: greylisting and rate limits
	// rarely clear in less than a few minutes.
	tempRetry   = 5 * time.Minute
	dialTimeout = 30 * time.Second
)

func plugin() sdk.Plugin {
	return sdk.Plugin{ID: "marketbench.org/smtp", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}
}

func main() { sdk.Serve(plugin()) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "smtp",
		Title:       "E-mail (SMTP)",
		Description: "Sends e-mail through your SMTP server or provider.",
		Config: []sdk.Field{
			{Name: "host", Type: sdk.String, Title: "SMTP server", Required: true, Help: "Host name only, e.g. smtp.example.com."},
			{Name: "port", Type: sdk.Int, Title: "Port", Default: "587", Help: "587 for STARTTLS, 465 for TLS."},
			{Name: "tls", Type: sdk.Enum, Title: "Encryption", Default: "starttls", Enum: []string{"starttls", "tls", "none"},
				Help: "starttls: upgrade the connection (required, port 587); tls: TLS from the start (port 465); none: only for a local test server."},
			{Name: "username", Type: sdk.String, Title: "User name", Help: "Leave empty if the server needs no login."},
			{Name: "password", Type: sdk.Secret, Title: "Password"},
			{Name: "from", Type: sdk.Email, Title: "From address", Required: true},
			{Name: "from_name", Type: sdk.String, Title: "From name", Help: "Shown to recipients, e.g. Acme Newsletter."},
			{Name: "reply_to", Type: sdk.Email, Title: "Reply-To address"},
			{Name: "unsubscribe_url", Type: sdk.URL, Title: "Unsubscribe link", Help: "For the List-Unsubscribe header; {email}, {key}, {campaign} are replaced per message. An https link also enables one-click unsubscribe."},
			{Name: "unsubscribe_mailto", Type: sdk.Email, Title: "Unsubscribe address", Help: "For the List-Unsubscribe header: recipients can unsubscribe by mailing it."},
			{Name: "concurrency", Type: sdk.Int, Title: "Connections", Default: "1", Help: "Messages sent at once, each over its own kept-open connection. Many providers allow only a few."},
			{Name: "insecure_skip_verify", Type: sdk.Bool, Title: "Accept any certificate", Default: "false", Advanced: true, Help: "Only for a test server with a self-signed certificate."},
		},
		Fields: []string{"email"},
	}
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	host := strings.TrimSpace(cfg.String("host"))
	if strings.ContainsAny(host, " /@") || (strings.Contains(host, ":") && net.ParseIP(host) == nil) {
		errs = append(errs, sdk.FieldError{Field: "host", Message: "must be a server name only, without port or scheme"})
	}
	if p := cfg.Int("port", 587); p < 1 || p > 65535 {
		errs = append(errs, sdk.FieldError{Field: "port", Message: "must be between 1 and 65535"})
	}
	if n := cfg.Int("concurrency", 1); n < 1 || n > 32 {
		errs = append(errs, sdk.FieldError{Field: "concurrency", Message: "must be between 1 and 32"})
	}
	// A password sent without TLS can be read on the way, except to this
	// machine itself.
	if cfg.String("username") != "" && cfg.String("tls") == "none" && !isLoopback(host) {
		errs = append(errs, sdk.FieldError{Field: "tls", Message: "a password cannot be sent without encryption to another machine; use starttls or tls"})
	}
	if strings.ContainsAny(cfg.String("from_name"), "\r\n") {
		errs = append(errs, sdk.FieldError{Field: "from_name", Message: "must be one line"})
	}
	return errs
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// settings are a component's checked configuration.
type settings struct {
	host, addr, mode  string
	user, pass        string
	from              mail.Address
	replyTo           string
	unsubURL, unsubTo string
	conc              int
	insecure          bool
}

func load(cfg sdk.Config, secrets sdk.Secrets) (*settings, error) {
	// The host checks declared types before Open, not Validate, and Check
	// gets the settings unchecked.
	if errs := (channel{}).Validate(cfg); len(errs) > 0 {
		return nil, errs[0]
	}
	s := &settings{host: strings.TrimSpace(cfg.String("host")), mode: cfg.String("tls"), user: cfg.String("username"), pass: secrets["password"],
		replyTo: cfg.String("reply_to"), unsubURL: cfg.String("unsubscribe_url"), unsubTo: cfg.String("unsubscribe_mailto"),
		conc: cfg.Int("concurrency", 1), insecure: cfg.Bool("insecure_skip_verify", false)}
	s.addr = net.JoinHostPort(s.host, strconv.Itoa(cfg.Int("port", 587)))
	from, err := mail.ParseAddress(cfg.String("from"))
	switch {
	case s.host == "":
		return nil, errors.New("host: is required")
	case err != nil:
		return nil, fmt.Errorf("from: %q is not an e-mail address", cfg.String("from"))
	case s.user != "" && s.pass == "":
		return nil, errors.New("password: is required with a user name")
	case s.mode != "starttls" && s.mode != "tls" && s.mode != "none":
		return nil, fmt.Errorf("tls: %q is not starttls, tls or none", s.mode)
	}
	s.from = mail.Address{Name: cfg.String("from_name"), Address: from.Address}
	return s, nil
}

// dial connects, secures and logs in, and says what failed in words.
func (s *settings) dial(ctx context.Context) (*smtp.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %v", s.addr, err)
	}
	// Bound every step of the set-up, whatever go-smtp's own timeouts.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tlsConf := &tls.Config{ServerName: s.host, InsecureSkipVerify: s.insecure, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch s.mode {
	case "tls":
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS with %s failed: %v", s.addr, tlsError(err))
		}
		c = smtp.NewClient(tc)
	case "starttls":
		if c, err = smtp.NewClientStartTLS(conn, tlsConf); err != nil {
			conn.Close()
			if strings.Contains(err.Error(), "doesn't support STARTTLS") {
				return nil, fmt.Errorf("the server at %s does not offer STARTTLS; choose tls for port 465, or none only for a local test server", s.addr)
			}
			return nil, fmt.Errorf("STARTTLS with %s failed: %v", s.addr, tlsError(err))
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = time.Minute
	c.SubmissionTimeout = 5 * time.Minute
	fail := func(err error) (*smtp.Client, error) { c.Close(); return nil, err }
	// After STARTTLS the handshake happens on the next command; EHLO
	// here makes its errors (an untrusted certificate) show now.
	if err := c.Hello("localhost"); err != nil {
		return fail(fmt.Errorf("the server at %s did not accept EHLO: %v", s.addr, tlsError(err)))
	}
	if s.user == "" {
		return c, nil
	}
	ok, mechs := c.Extension("AUTH")
	var auth sasl.Client
	switch m := strings.Fields(strings.ToUpper(mechs)); {
	case !ok:
		return fail(fmt.Errorf("the server at %s does not offer login (AUTH); leave the user name empty if it needs none", s.addr))
	case slices.Contains(m, sasl.Plain):
		auth = sasl.NewPlainClient("", s.user, s.pass)
	case slices.Contains(m, sasl.Login):
		auth = sasl.NewLoginClient(s.user, s.pass)
	default:
		return fail(fmt.Errorf("the server at %s offers no login this plugin knows (PLAIN, LOGIN); it offers %s", s.addr, mechs))
	}
	if err := c.Auth(auth); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && se.Code/100 == 5 {
			return fail(fmt.Errorf("the server at %s refused the user name or password: %s", s.addr, replyText(se)))
		}
		return fail(fmt.Errorf("login at %s failed: %v", s.addr, err))
	}
	return c, nil
}

// tlsError explains a certificate the client does not trust.
func tlsError(err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	if errors.As(err, &unknown) || errors.As(err, &host) {
		return fmt.Errorf("%v (the server's certificate is not trusted; insecure_skip_verify accepts it, for a test server only)", err)
	}
	return err
}

// replyText is an SMTP reply as the server wrote it: "550 5.1.1 No such user".
func replyText(e *smtp.SMTPError) string {
	s := strconv.Itoa(e.Code)
	if ec := e.EnhancedCode; ec != smtp.NoEnhancedCode && ec != smtp.EnhancedCodeNotSet {
		s += fmt.Sprintf(" %d.%d.%d", ec[0], ec[1], ec[2])
	}
	return s + " " + strings.ReplaceAll(e.Message, "\n", " ")
}

func (channel) Check(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) error {
	s, err := load(cfg, secrets)
	if err != nil {
		return err
	}
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	c.CommandTimeout = 10 * time.Second
	c.Quit()
	return nil
}

func (channel) Open(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets) (sdk.Session, error) {
	s, err := load(cfg, secrets)
	if err != nil {
		return nil, err
	}
	// Connect now, so wrong settings or a refused password fail Open in
	// words instead of every message.
	c, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	sess := &session{s: s, idle: make(chan *smtp.Client, s.conc)}
	sess.idle <- c
	return sess, nil
}

// session keeps its connections open between messages: one per message in
// flight (Limits.MaxInFlight = concurrency, 1 by default), reconnecting
// when one is lost.
type session struct {
	s    *settings
	idle chan *smtp.Client
}

func (ss *session) Limits() sdk.Limits { return sdk.Limits{MaxInFlight: ss.s.conc} }

// conn returns an idle connection, or a new one.
func (ss *session) conn(ctx context.Context, fresh bool) (c *smtp.Client, reused bool, err error) {
	if !fresh {
		select {
		case c := <-ss.idle:
			return c, true, nil
		default:
		}
	}
	c, err = ss.s.dial(ctx)
	return c, false, err
}

// What a transaction leaves of its connection.
type connState int

const (
	keep  connState = iota // clean, ready for the next message
	drop                   // broken or closing
	stale                  // dead before anything was sent: safe to redo
)

func (ss *session) Send(ctx context.Context, m sdk.Message) sdk.Result {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return sdk.Rejected(fmt.Sprintf("%q is not an e-mail address", m.To))
	}
	msgID := messageID(m.IdempotencyKey, ss.s.from.Address)
	body := ss.s.build(m, to, msgID, time.Now())
	for attempt := 0; ; attempt++ {
		c, reused, err := ss.conn(ctx, attempt > 0)
		if err != nil {
			return sdk.RetryAfter(connRetry, err.Error())
		}
		// Cancelling the send closes the connection, which ends any command.
		stop := context.AfterFunc(ctx, func() { c.Close() })
		res, state := ss.transact(c, to.Address, body)
		cancelled := !stop()
		switch {
		case state == stale && reused && !cancelled && attempt == 0:
			// The server hung up on the idle connection (its timeout or
			// message limit) before MAIL: nothing was sent, so reconnect
			// rather than spend a round trip checking every connection.
			c.Close()
			continue
		case state == keep && !cancelled:
			ss.idle <- c // never blocks: at most conc connections exist
		default:
			c.Close()
		}
		if res.Outcome == sdk.OutcomeDelivered {
			res.ProviderID = msgID
		}
		return res
	}
}

// transact runs MAIL, RCPT and DATA.
func (ss *session) transact(c *smtp.Client, to string, body []byte) (sdk.Result, connState) {
	var opts *smtp.MailOptions
	if !isASCII(to) {
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return sdk.Rejected("the address " + to + " has non-ASCII characters, which the server does not accept (no SMTPUTF8)"), keep
		}
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(ss.s.from.Address, opts); err != nil {
		res, state := ss.failed(c, "the server refused the sender", err)
		if state == drop {
			state = stale
		}
		return res, state
	}
	if err := c.Rcpt(to, nil); err != nil {
		return ss.failed(c, "the server refused the recipient", err)
	}
	w, err := c.Data()
	if err != nil {
		return ss.failed(c, "the server refused the message", err)
	}
	if _, err := w.Write(body); err != nil {
		return ss.failed(c, "sending the message", err)
	}
	if err := w.Close(); err != nil {
		// Without the final reply the message may or may not have been
		// taken: a retry can duplicate it, with the same Message-ID.
		return ss.failed(c, "the server refused the message", err)
	}
	return sdk.Delivered(""), keep
}

// failed maps an SMTP reply to a result: 4xx is retried, 5xx is final,
// anything else is a lost connection and retried. A connection kept after
// a refusal is reset, so the next message starts a clean transaction.
func (ss *session) failed(c *smtp.Client, what string, err error) (sdk.Result, connState) {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return sdk.RetryAfter(connRetry, fmt.Sprintf("connection to %s lost: %v", ss.s.addr, err)), drop
	}
	reason := what + ": " + replyText(se)
	var res sdk.Result
	switch {
	case se.Code == 421: // the server is closing the connection
		return sdk.RetryAfter(tempRetry, reason), drop
	case se.Code/100 == 4:
		res = sdk.RetryAfter(tempRetry, reason)
	case se.Code/100 == 5:
		res = sdk.Rejected(reason)
	default:
		return sdk.RetryAfter(connRetry, reason), drop
	}
	if c.Reset() != nil {
		return res, drop
	}
	return res, keep
}

func (ss *session) Close() error {
	for {
		select {
		case c := <-ss.idle:
			c.CommandTimeout = 10 * time.Second
			c.Quit()
		default:
			return nil
		}
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
