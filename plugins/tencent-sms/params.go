package main

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

// parseParams reads the rendered text as Tencent's positional template
// parameters: one "name: value" (or "name=value", or a full-width "：")
// per line, blank lines ignored; the names are 1, 2, 3… and each appears
// once. The values come back in that order.
func parseParams(text string) ([]string, error) {
	byNum := map[int]string{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		cut := strings.IndexAny(line, ":=：")
		if cut < 0 {
			return nil, fmt.Errorf("line %d is not \"name: value\"", i+1)
		}
		name := strings.TrimSpace(line[:cut])
		_, size := utf8.DecodeRuneInString(line[cut:])
		value := strings.TrimSpace(line[cut+size:])
		n, err := strconv.Atoi(name)
		if err != nil || n < 1 || strconv.Itoa(n) != name {
			return nil, errors.New("template parameters must be named 1, 2, 3… as in the template's {1}, {2}")
		}
		if _, dup := byNum[n]; dup {
			return nil, fmt.Errorf("template parameter %d is given twice", n)
		}
		byNum[n] = value
	}
	nums := make([]int, 0, len(byNum))
	for n := range byNum {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	params := make([]string, len(nums))
	for i, n := range nums {
		if n != i+1 {
			return nil, fmt.Errorf("template parameter %d is missing (parameters are numbered 1, 2, 3… without gaps)", i+1)
		}
		params[i] = byNum[n]
	}
	return params, nil
}

var placeholder = regexp.MustCompile(`\{([0-9]+)\}`)

// templateSlots is how many parameters a template's content takes: its
// placeholders must be {1}…{n}, each at least once.
func templateSlots(content string) (int, error) {
	seen := map[int]bool{}
	top := 0
	for _, m := range placeholder.FindAllStringSubmatch(content, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || strconv.Itoa(n) != m[1] {
			return 0, fmt.Errorf("placeholder {%s} is not one of {1}, {2}, {3}…", m[1])
		}
		seen[n], top = true, max(top, n)
	}
	for n := 1; n <= top; n++ {
		if !seen[n] {
			return 0, fmt.Errorf("placeholder {%d} is missing: they are numbered {1}, {2}, {3}… without gaps", n)
		}
	}
	return top, nil
}

// render fills in the template and puts the signature in front as Tencent
// shows it (【sign】).
func render(content, sign string, params []string) string {
	text := placeholder.ReplaceAllStringFunc(content, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if n >= 1 && n <= len(params) {
			return params[n-1]
		}
		return m
	})
	if sign != "" {
		text = "【" + sign + "】" + text
	}
	return text
}

// Tencent's limits.
const (
	maxLength     = 500 // characters of one message, signature and parameters included
	singlePart    = 70  // mainland China: one part up to 70 characters
	multiPart     = 67  // characters per part of a longer message
	gsmSingle     = 160 // international, GSM-7 text
	gsmMulti      = 153
	individualMax = 12 // characters per parameter for individual-verified accounts
)

var (
	sixDigits = regexp.MustCompile(`^[0-9]{0,6}$`)
	linkLike  = regexp.MustCompile(`(?i)(https?://|www\.|[a-z0-9-]+\.(com|cn|net|org|io|me|cc|top|ly)(/|\b))`)
)

// gsm7 says whether s uses only the GSM 03.38 basic alphabet and its
// extension table.
func gsm7(s string) bool {
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
	for _, r := range s {
		if !strings.ContainsRune(basic, r) {
			return false
		}
	}
	return true
}

// parts is how many SMS a text is billed as: for mainland China 70
// characters or 67 a part; elsewhere GSM-7 160/153, other text 70/67.
func parts(text string, china bool) (n int, encoding string) {
	chars := utf8.RuneCountInString(text)
	single, multi, enc := singlePart, multiPart, "UCS-2"
	if !china && gsm7(text) {
		single, multi, enc = gsmSingle, gsmMulti, "GSM-7"
	}
	if chars <= single {
		return 1, enc
	}
	return (chars + multi - 1) / multi, enc
}

// messageProblems checks one message as Send would send it; problems are
// in the user's words, the same for the same problem.
func messageProblems(cfg sdk.Config, m sdk.Message) (to string, params []string, problems, notes []string) {
	to, err := phone.E164(m.To, cfg.String("region"))
	if err != nil {
		var pe *phone.Error
		switch {
		case errors.As(err, &pe):
			problems = append(problems, "phone number: "+pe.Reason)
		default:
			problems = append(problems, err.Error())
		}
	}
	sign := strings.TrimSpace(cfg.String("sign_name"))
	if to != "" && phone.IsChinaMobile(to) && sign == "" {
		problems = append(problems, "a signature (sign_name) is required for numbers in mainland China")
	}
	params, err = parseParams(m.Text)
	if err != nil {
		return to, nil, append(problems, err.Error()), notes
	}
	content := cfg.String("template_text")
	if content != "" {
		if slots, err := templateSlots(content); err == nil {
			switch {
			case len(params) < slots:
				problems = append(problems, fmt.Sprintf("template parameter %d is missing (the template has %d)", len(params)+1, slots))
			case len(params) > slots:
				problems = append(problems, fmt.Sprintf("template parameter %d is not in the template (it has %d)", slots+1, slots))
			}
		}
	}
	for i, v := range params {
		switch {
		case cfg.String("template_type") == "verification" && !sixDigits.MatchString(v):
			problems = append(problems, "a verification-code parameter must be 0 to 6 digits")
		case cfg.String("account_type") == "individual" && utf8.RuneCountInString(v) > individualMax:
			problems = append(problems, fmt.Sprintf("template parameter %d is longer than 12 characters, the limit for individual accounts", i+1))
		case linkLike.MatchString(v):
			problems = append(problems, "template parameters cannot contain links (put a fixed link in the template)")
		}
	}
	if content != "" && len(problems) == 0 {
		// Mainland China counts 【sign】 in; abroad the signature's form is
		// not documented here, so only the text is counted.
		china := to == "" || strings.HasPrefix(to, "+86")
		text, with := render(content, "", params), ""
		if china {
			text, with = render(content, sign, params), ", signature included"
		}
		chars := utf8.RuneCountInString(render(content, sign, params))
		if chars > maxLength {
			problems = append(problems, fmt.Sprintf("longer than Tencent's 500 characters with the signature (%d)", chars))
		} else if n, enc := parts(text, china); n > 1 {
			notes = append(notes, fmt.Sprintf("%d SMS parts (%s%s)", n, enc, with))
		}
	}
	if cfg.String("template_type") == "marketing" {
		notes = append(notes, "marketing SMS go out only between 8:00 and 22:00 China time")
	}
	return to, params, problems, notes
}
