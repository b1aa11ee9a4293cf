package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// dotAtom is what RFC 5322 allows left of the @ in a Message-ID.
var dotAtom = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")

// messageID derives the Message-ID from the idempotency key, so a retry of
// the same delivery carries the same id and receivers (and bounce
// handling) can match them. A key that is not a valid id is hashed.
func messageID(key, from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	local := key
	if !dotAtom.MatchString(key) || len(key) > 64 {
		sum := sha256.Sum256([]byte(key))
		local = "mb." + hex.EncodeToString(sum[:16])
	}
	return "<" + local + "@" + domain + ">"
}

// Headers the plugin always writes itself: a message's own Headers (from
// the host) may add others but never these.
var structural = []string{"bcc", "cc", "content-transfer-encoding", "content-type", "date", "from", "message-id", "mime-version",
	"received", "reply-to", "return-path", "sender", "subject", "to", "list-unsubscribe", "list-unsubscribe-post"}

// build renders the message: headers, then text and HTML as
// multipart/alternative (plain text first, so clients prefer the HTML),
// quoted-printable so long lines and UTF-8 survive any relay.
func (s *settings) build(m sdk.Message, to *mail.Address, id string, now time.Time) []byte {
	var h bytes.Buffer
	add := func(name, value string) {
		h.WriteString(fold(name + ": " + value))
		h.WriteString("\r\n")
	}
	add("Date", now.Format(time.RFC1123Z))
	add("From", s.from.String()) // a non-ASCII name is Q-encoded
	if s.replyTo != "" {
		add("Reply-To", "<"+s.replyTo+">")
	}
	add("To", to.String())
	add("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	add("Message-ID", id)
	add("MIME-Version", "1.0")
	if lu := s.listUnsubscribe(m); lu != "" {
		add("List-Unsubscribe", lu)
		if strings.HasPrefix(s.unsubURL, "https://") {
			add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") // RFC 8058
		}
	}
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if isToken(k) && !slices.Contains(structural, strings.ToLower(k)) {
			add(textproto.CanonicalMIMEHeaderKey(k), mime.QEncoding.Encode("utf-8", m.Headers[k]))
		}
	}

	var body bytes.Buffer
	text, html := m.Text, m.HTML
	switch {
	case text != "" && html != "":
		mw := multipart.NewWriter(&body)
		add("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		for _, p := range []struct{ ctype, s string }{{"text/plain", text}, {"text/html", html}} {
			pw, _ := mw.CreatePart(textproto.MIMEHeader{
				"Content-Type":              {p.ctype + "; charset=utf-8"},
				"Content-Transfer-Encoding": {"quoted-printable"}})
			writeQP(pw, p.s)
		}
		mw.Close()
	default:
		ctype := "text/plain"
		if text == "" && html != "" {
			ctype, text = "text/html", html
		}
		add("Content-Type", ctype+"; charset=utf-8")
		add("Content-Transfer-Encoding", "quoted-printable")
		writeQP(&body, text)
	}
	h.WriteString("\r\n")
	h.Write(body.Bytes())
	return h.Bytes()
}

func writeQP(w io.Writer, s string) {
	qp := quotedprintable.NewWriter(w)
	qp.Write([]byte(s))
	qp.Close()
}

// listUnsubscribe is the List-Unsubscribe value, with the link's
// placeholders filled in for this message.
func (s *settings) listUnsubscribe(m sdk.Message) string {
	var parts []string
	if s.unsubURL != "" {
		r := strings.NewReplacer("{email}", url.QueryEscape(m.To), "{key}", url.QueryEscape(m.IdempotencyKey), "{campaign}", url.QueryEscape(m.Campaign))
		parts = append(parts, "<"+r.Replace(s.unsubURL)+">")
	}
	if s.unsubTo != "" {
		parts = append(parts, "<mailto:"+s.unsubTo+"?subject=unsubscribe>")
	}
	return strings.Join(parts, ", ")
}

// fold breaks a header line longer than 78 characters at spaces (RFC 5322
// 2.2.3); the encoded words of a long subject are separated by spaces.
func fold(line string) string {
	if len(line) <= 78 {
		return line
	}
	var out strings.Builder
	n := 0
	for i, w := range strings.Split(line, " ") {
		if i > 0 {
			if n+1+len(w) > 76 && n > 1 {
				out.WriteString("\r\n")
				n = 0
			}
			out.WriteByte(' ')
			n++
		}
		out.WriteString(w)
		n += len(w)
	}
	return out.String()
}

func isToken(s string) bool {
	return s != "" && strings.Trim(s, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == ""
}
