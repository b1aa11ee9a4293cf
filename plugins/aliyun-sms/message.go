package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

// SMS length rules of Alibaba Cloud for mainland China: the sign in 【】
// counts; up to 70 characters is one SMS, a longer one is billed in parts
// of 67; the whole message may not exceed 500 characters.
const (
	singleSMS  = 70
	partSMS    = 67
	maxContent = 500
)

// param is one template parameter from the rendered text.
type param struct{ name, value string }

// errLine is a line of the text that is not "name: value".
var errLine = errors.New(`the text has a line that is not "name: value"`)

// parseParams reads the variant's rendered text: one "name: value" (or
// "name=value") per line, blank lines ignored.
func parseParams(text string) ([]param, error) {
	var out []param
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.IndexAny(line, ":：=")
		if i <= 0 {
			return nil, errLine
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		name, value := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+size:])
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, errLine
		}
		out = append(out, param{name, value})
	}
	return out, nil
}

// paramMap is params as TemplateParam wants them; a name given twice is
// an error.
func paramMap(ps []param) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range ps {
		if _, dup := m[p.name]; dup {
			return nil, fmt.Errorf("parameter %s is given twice", p.name)
		}
		m[p.name] = p.value
	}
	return m, nil
}

var varRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// templateVars lists a template's ${name} variables in order, once each.
func templateVars(tpl string) []string {
	var out []string
	for _, m := range varRE.FindAllStringSubmatch(tpl, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// smsLength is the length Alibaba Cloud counts and the parts it bills.
func smsLength(sign, tpl string, params map[string]string) (chars, parts int) {
	body := varRE.ReplaceAllStringFunc(tpl, func(v string) string { return params[v[2:len(v)-1]] })
	chars = utf8.RuneCountInString("【" + sign + "】" + body)
	if chars <= singleSMS {
		return chars, 1
	}
	return chars, (chars + partSMS - 1) / partSMS
}

// number is m.To as PhoneNumbers wants it: the 11-digit national number
// for mainland China, dialing code and number (digits only) elsewhere.
func number(raw, region string) (string, error) {
	e, err := phone.E164(raw, region)
	if err != nil {
		return "", err
	}
	if phone.IsChinaMobile(e) {
		return e[3:], nil
	}
	return e[1:], nil
}

// numberProblem says why a number cannot be used, without the number (the
// preview counts identical problems).
func numberProblem(err error) string {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return "phone number: " + pe.Reason
	}
	if errors.Is(err, phone.ErrEmpty) {
		return "no phone number"
	}
	return "phone number: " + err.Error()
}

// CheckMessage checks a rendered message against Alibaba Cloud's rules:
// the number, the parameters against the template (when its text is
// set), their length, and the SMS length.
func (channel) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	var chk sdk.MessageCheck
	if _, err := number(m.To, cfg.String("region")); err != nil {
		chk.Problems = append(chk.Problems, numberProblem(err))
	}
	ps, err := parseParams(m.Text)
	if err != nil {
		chk.Problems = append(chk.Problems, err.Error())
		return chk
	}
	params, err := paramMap(ps)
	if err != nil {
		chk.Problems = append(chk.Problems, err.Error())
		return chk
	}
	limit := cfg.Int("param_max_length", 35)
	for _, p := range ps {
		if n := utf8.RuneCountInString(p.value); n > limit {
			chk.Problems = append(chk.Problems, fmt.Sprintf("parameter %s is longer than %d characters", p.name, limit))
		}
	}
	tpl := strings.TrimSpace(cfg.String("template_text"))
	if tpl == "" {
		return chk
	}
	vars := templateVars(tpl)
	for _, v := range vars {
		if val, ok := params[v]; !ok {
			chk.Problems = append(chk.Problems, "template variable ${"+v+"} has no parameter")
		} else if val == "" {
			chk.Problems = append(chk.Problems, "parameter "+v+" is empty")
		}
	}
	for _, p := range ps {
		if !slices.Contains(vars, p.name) {
			chk.Problems = append(chk.Problems, "parameter "+p.name+" is not in the template")
		}
	}
	chars, parts := smsLength(cfg.String("sign_name"), tpl, params)
	if chars > maxContent {
		chk.Problems = append(chk.Problems, fmt.Sprintf("the SMS is longer than %d characters", maxContent))
	}
	// The preview counts identical notes, so a note names the parts only:
	// the characters differ from one customer to the next.
	if parts == 1 {
		chk.Notes = append(chk.Notes, "1 SMS part (up to 70 characters)")
	} else {
		chk.Notes = append(chk.Notes, fmt.Sprintf("%d SMS parts (long SMS, 67 characters each)", parts))
	}
	return chk
}
