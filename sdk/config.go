package sdk

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FieldType is the type of a configuration field; the host picks the
// widget and the check from it.
type FieldType string

// Field types.
const (
	String   FieldType = "string"
	Text     FieldType = "text" // several lines
	Int      FieldType = "int"
	Float    FieldType = "float"
	Bool     FieldType = "bool"
	Enum     FieldType = "enum"
	URL      FieldType = "url"
	Email    FieldType = "email"
	Secret   FieldType = "secret" // passed in Secrets, never in Config
	Duration FieldType = "duration"
)

var fieldTypes = []FieldType{String, Text, Int, Float, Bool, Enum, URL, Email, Secret, Duration}

// Field describes one setting of a component.
type Field struct {
	Name     string
	Type     FieldType
	Title    string
	Help     string
	Default  string
	Required bool
	Advanced bool
	// Enum lists the allowed values of an Enum field.
	Enum []string
}

// Component describes one channel, model or source.
type Component struct {
	Name        string
	Title       string
	Description string
	Config      []Field
	// Fields are the customer fields a channel needs, e.g. "email" or
	// "phone"; the host sends nothing else about a customer.
	Fields []string
}

func (c Component) checkFields() error {
	seen := map[string]bool{}
	for _, f := range c.Config {
		switch {
		case f.Name == "":
			return errors.New("a config field has no name")
		case seen[f.Name]:
			return fmt.Errorf("config field %q is declared twice", f.Name)
		case !slices.Contains(fieldTypes, f.Type):
			return fmt.Errorf("config field %q has unknown type %q", f.Name, f.Type)
		case f.Type == Enum && len(f.Enum) == 0:
			return fmt.Errorf("enum field %q lists no values", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

// Config holds a component's plain settings by field name, as text.
type Config map[string]string

// Secrets holds a component's secret settings. They reach a plugin only in
// Open and Check; the SDK never logs them.
type Secrets map[string]string

// String returns a setting, or "".
func (c Config) String(name string) string { return c[name] }

// Int returns a setting as an integer, or def when it is empty.
func (c Config) Int(name string, def int) int {
	if v, err := strconv.Atoi(strings.TrimSpace(c[name])); err == nil {
		return v
	}
	return def
}

// Float returns a setting as a number, or def when it is empty.
func (c Config) Float(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(strings.TrimSpace(c[name]), 64); err == nil {
		return v
	}
	return def
}

// Bool returns a setting as true/false, or def when it is empty.
func (c Config) Bool(name string, def bool) bool {
	if v, err := strconv.ParseBool(strings.TrimSpace(c[name])); err == nil {
		return v
	}
	return def
}

// Duration returns a setting as a duration ("30s", "2m"), or def.
func (c Config) Duration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(strings.TrimSpace(c[name])); err == nil {
		return v
	}
	return def
}

// FieldError is a problem with one setting, in the user's words.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// WithDefaults returns cfg with each missing field set to its default.
func (c Component) WithDefaults(cfg Config) Config {
	out := Config{}
	for k, v := range cfg {
		out[k] = v
	}
	for _, f := range c.Config {
		if _, ok := out[f.Name]; !ok && f.Default != "" && f.Type != Secret {
			out[f.Name] = f.Default
		}
	}
	return out
}

// Check validates cfg and secrets against the declared fields: required
// fields present, values of the declared type, no unknown settings, and no
// secret given as plain config. The host calls it before a plugin sees the
// values; a plugin's own ValidateConfig adds checks only it can make.
func (c Component) Check(cfg Config, secrets Secrets) []FieldError {
	var errs []FieldError
	known := map[string]Field{}
	for _, f := range c.Config {
		known[f.Name] = f
	}
	for k := range cfg {
		f, ok := known[k]
		switch {
		case !ok:
			errs = append(errs, FieldError{k, "unknown setting"})
		case f.Type == Secret:
			errs = append(errs, FieldError{k, "is a secret and must not be given as plain config"})
		}
	}
	for _, f := range c.Config {
		v, has := cfg[f.Name]
		if f.Type == Secret {
			v, has = secrets[f.Name]
		}
		if !has || strings.TrimSpace(v) == "" {
			if f.Required && f.Default == "" {
				errs = append(errs, FieldError{f.Name, "is required"})
			}
			continue
		}
		if msg := checkValue(f, v); msg != "" {
			errs = append(errs, FieldError{f.Name, msg})
		}
	}
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return errs
}

func checkValue(f Field, v string) string {
	v = strings.TrimSpace(v)
	switch f.Type {
	case Int:
		if _, err := strconv.Atoi(v); err != nil {
			return "must be a whole number"
		}
	case Float:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "must be a number"
		}
	case Bool:
		if _, err := strconv.ParseBool(v); err != nil {
			return "must be true or false"
		}
	case Enum:
		if !slices.Contains(f.Enum, v) {
			return "must be one of " + strings.Join(f.Enum, ", ")
		}
	case URL:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "must be an http or https address"
		}
	case Email:
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
			return "must be an e-mail address like name@example.com"
		}
	case Duration:
		if _, err := time.ParseDuration(v); err != nil {
			return "must be a duration such as 30s or 5m"
		}
	}
	return ""
}
