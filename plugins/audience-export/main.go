// Command audience-export is a Marketbench channel that "sends" a segment
// by writing it as an ad-platform customer-match file: one CSV row per
// customer with the SHA-256 of the normalised e-mail address (and phone
// number), ready to upload to Google Ads Customer Match or a Meta custom
// audience. It works offline; nothing leaves the machine until the user
// uploads the file.
//
// Normalisation, before hashing (lower-case hex SHA-256 of the UTF-8 text):
//
//   - E-mail, both platforms: trim surrounding whitespace, lower-case.
//   - E-mail, google only: for gmail.com and googlemail.com addresses, remove
//     every "." in the part before the "@". This is Google's documented
//     Customer Match / enhanced-conversions rule. Google does NOT document
//     dropping a "+suffix", so a "+tag" is kept: removing it would hash to a
//     value Google never computes. Meta documents neither rule; with format
//     meta the address is only trimmed and lower-cased.
//   - Phone: E.164. A number starting with "+" or "00" is international;
//     any other number is national: its leading trunk zeros are dropped and
//     the default_country_code is put in front. A "(0)" after the country
//     code ("+44 (0)20 …") is the trunk prefix written for humans and is
//     dropped. Spaces, dots, dashes and brackets go; letters make the number
//     invalid; the result must have 8 to 15 digits. google hashes "+" and
//     the digits (E.164, as Google asks); meta hashes the digits without "+"
//     (Meta's rule: digits only, country code included).
//
// The file is written to a temporary file next to the target and renamed
// over it on Close, so a crash or an abandoned session never leaves a half
// written export under the target name (at worst a hidden
// ".<name>.*.tmp" file is left behind). Until Close succeeds, a Delivered
// result means "row accepted into this export", not "on disk".
package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/marketbench/marketbench/sdk"
)

// Plugin is the plugin this binary serves.
var Plugin = sdk.Plugin{ID: "marketbench.org/audience-export", Version: "1.0.0", Channels: []sdk.Channel{channel{}}}

func main() { sdk.Serve(Plugin) }

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{
		Name:        "customer-match",
		Title:       "Ad audience file (customer match)",
		Description: "Writes the segment as a CSV of SHA-256-hashed e-mail addresses and phone numbers for a Google Ads Customer Match or Meta custom audience upload.",
		Config: []sdk.Field{
			{Name: "path", Type: sdk.String, Title: "Output file", Required: true,
				Help: "Absolute path of the CSV to write. It is replaced when the export finishes."},
			{Name: "format", Type: sdk.Enum, Title: "Platform", Default: "google", Enum: []string{"google", "meta"},
				Help: "google: headers Email,Phone, gmail dots removed, phone hashed as +digits. meta: headers email,phone, phone hashed as digits."},
			{Name: "include_phone", Type: sdk.Bool, Title: "Include phone numbers", Default: "true"},
			{Name: "default_country_code", Type: sdk.String, Title: "Default country calling code",
				Help: `Calling code for numbers written without one, e.g. "44" for the UK or "1" for the US. Empty: such numbers are left out.`},
		},
		Fields: []string{"email", "phone"},
	}
}

func (channel) Validate(cfg sdk.Config) []sdk.FieldError {
	var errs []sdk.FieldError
	if !filepath.IsAbs(cfg.String("path")) {
		errs = append(errs, sdk.FieldError{Field: "path", Message: "must be an absolute path"})
	}
	if cc := strings.TrimPrefix(strings.TrimSpace(cfg.String("default_country_code")), "+"); cc != "" && (len(cc) > 3 || strings.Trim(cc, "0123456789") != "" || cc[0] == '0') {
		errs = append(errs, sdk.FieldError{Field: "default_country_code", Message: `must be a calling code of 1 to 3 digits, e.g. "44"`})
	}
	return errs
}

func (channel) Check(_ context.Context, cfg sdk.Config, _ sdk.Secrets) error {
	dir := filepath.Dir(cfg.String("path"))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("the folder %s does not exist", dir)
	}
	f, err := os.CreateTemp(dir, ".audience-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func (channel) Open(_ context.Context, cfg sdk.Config, _ sdk.Secrets) (sdk.Session, error) {
	path := cfg.String("path")
	s := &session{
		path:    path,
		meta:    cfg.String("format") == "meta",
		phone:   cfg.Bool("include_phone", true),
		country: strings.TrimPrefix(strings.TrimSpace(cfg.String("default_country_code")), "+"),
		rows:    map[string]int{},
	}
	// The temporary file sits in the target's folder so the final rename is
	// atomic (same file system); the leading dot keeps it out of folder
	// imports such as the csv-folder source.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	s.f, s.w = f, csv.NewWriter(f)
	header := []string{"Email", "Phone"}
	if s.meta {
		header = []string{"email", "phone"}
	}
	if !s.phone {
		header = header[:1]
	}
	if err := s.w.Write(header); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

type session struct {
	path    string
	meta    bool
	phone   bool
	country string

	mu sync.Mutex
	f  *os.File
	w  *csv.Writer
	// rows maps an idempotency key to its row number, so a resend of the
	// same delivery is answered without writing a second row.
	rows map[string]int
	n    int
}

func (s *session) Send(_ context.Context, m sdk.Message) sdk.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if row, ok := s.rows[m.IdempotencyKey]; ok && m.IdempotencyKey != "" {
		return sdk.Delivered(s.providerID(row))
	}
	email := m.Fields["email"]
	if email == "" && strings.Contains(m.To, "@") {
		email = m.To
	}
	var problems []string
	eh, err := s.hashEmail(email)
	if err != nil {
		problems = append(problems, err.Error())
	}
	rec := []string{eh}
	if s.phone {
		ph, err := s.hashPhone(m.Fields["phone"])
		if err != nil {
			problems = append(problems, err.Error())
		}
		rec = append(rec, ph)
	}
	if strings.Join(rec, "") == "" {
		return sdk.Rejected("no usable identifier: " + strings.Join(problems, "; "))
	}
	if err := s.w.Write(rec); err != nil {
		return sdk.Rejected("writing the export: " + err.Error())
	}
	s.n++
	if m.IdempotencyKey != "" {
		s.rows[m.IdempotencyKey] = s.n
	}
	return sdk.Delivered(s.providerID(s.n))
}

func (s *session) providerID(row int) string {
	return fmt.Sprintf("%s#%d", filepath.Base(s.path), row)
}

// Close makes the export visible: flush, sync, then rename over the target.
func (s *session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	s.w.Flush()
	err := errors.Join(s.w.Error(), s.f.Sync())
	if err == nil {
		err = s.f.Close()
		if err == nil {
			err = os.Rename(s.f.Name(), s.path)
		}
	}
	if err != nil {
		s.abort()
		return fmt.Errorf("the export %s was not written: %w", s.path, err)
	}
	s.f = nil
	return nil
}

func (s *session) abort() {
	s.f.Close()
	os.Remove(s.f.Name())
	s.f = nil
}

func (s *session) hashEmail(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("no e-mail address")
	}
	e, err := normaliseEmail(raw, !s.meta)
	if err != nil {
		return "", err
	}
	return sha(e), nil
}

func (s *session) hashPhone(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("no phone number")
	}
	p, err := normalisePhone(raw, s.country)
	if err != nil {
		return "", err
	}
	if s.meta {
		p = p[1:] // Meta hashes the digits only, country code included.
	}
	return sha(p), nil
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// normaliseEmail trims and lower-cases an address and, when gmailDots is
// set (Google's rule), removes the dots before the "@" of a gmail.com or
// googlemail.com address.
func normaliseEmail(raw string, gmailDots bool) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	local, domain, ok := strings.Cut(e, "@")
	switch {
	case !ok || local == "" || strings.Contains(domain, "@"):
		return "", fmt.Errorf("the e-mail address %q is not valid", raw)
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, "."):
		return "", fmt.Errorf("the e-mail address %q has no valid domain", raw)
	case strings.ContainsAny(e, " \t\r\n,;<>\""):
		return "", fmt.Errorf("the e-mail address %q contains spaces or punctuation", raw)
	}
	if gmailDots && (domain == "gmail.com" || domain == "googlemail.com") {
		local = strings.ReplaceAll(local, ".", "")
		if local == "" {
			return "", fmt.Errorf("the e-mail address %q is not valid", raw)
		}
	}
	return local + "@" + domain, nil
}

// normalisePhone returns raw in E.164 form ("+" and 8 to 15 digits),
// taking country (digits, may be empty) as the calling code of a number
// written without one.
func normalisePhone(raw, country string) (string, error) {
	p := strings.TrimSpace(raw)
	intl := false
	switch {
	case strings.HasPrefix(p, "+"):
		intl, p = true, p[1:]
		// "+44 (0)20 …": the bracketed 0 is the national trunk prefix,
		// which is not dialled after the country code.
		p = strings.Replace(p, "(0)", "", 1)
	case strings.HasPrefix(p, "00"):
		intl, p = true, p[2:]
	}
	var digits strings.Builder
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case strings.ContainsRune(" -.()/\u00a0", r):
		default:
			return "", fmt.Errorf("the phone number %q contains %q", raw, r)
		}
	}
	d := digits.String()
	if !intl {
		if country == "" {
			return "", fmt.Errorf("the phone number %q has no country code and no default country code is set", raw)
		}
		d = country + strings.TrimLeft(d, "0")
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", fmt.Errorf("the phone number %q is not a valid international number (+%s)", raw, d)
	}
	return "+" + d, nil
}
