package phone

import (
	"errors"
	"testing"
)

func TestE164(t *testing.T) {
	for _, c := range []struct{ raw, region, want string }{
		{"138 1234 5678", "CN", "+8613812345678"},
		{"+86 138-1234-5678", "", "+8613812345678"},
		{"8613812345678", "CN", "+8613812345678"},
		{"0086 13812345678", "US", "+8613812345678"},
		{"１３８１２３４５６７８", "CN", "+8613812345678"},
		{"(415) 555-2671", "US", "+14155552671"},
		{"1 415 555 2671", "US", "+14155552671"},
		{"+1 415 555 2671", "CN", "+14155552671"},
		{"020 7946 0018", "GB", "+442079460018"},
		{"07700 900123", "+44", "+447700900123"},
		{"0044 7700 900123", "DE", "+447700900123"},
		{"030 901820", "DE", "+4930901820"},
		{"06 1234 5678", "IT", "+390612345678"},
		{"9123 4567", "HK", "+85291234567"},
	} {
		got, err := E164(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("E164(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
}

func TestE164Refuses(t *testing.T) {
	for _, c := range []struct{ raw, region string }{
		{"", "CN"},
		{"  ", "CN"},
		{"12345", "CN"},           // too short
		{"010 1234 5678", "CN"},   // a Beijing landline: no SMS
		{"+86 12012345678", ""},   // 12x is not a mobile prefix
		{"138 1234 5678 9", "CN"}, // 12 digits
		{"13812345678", ""},       // no region to read it in
		{"13812345678", "XX"},     // unknown region
		{"+1 415 555 267", ""},    // 9 digits after +1
		{"abc", "CN"},
		{"+0 123 456 789", ""},
		{"+12345678901234567", ""}, // longer than E.164 allows
		{"138 1234 5678 ext 2", "CN"},
	} {
		if got, err := E164(c.raw, c.region); err == nil {
			t.Errorf("E164(%q, %q) = %q, want an error", c.raw, c.region, got)
		}
	}
	if _, err := E164(" ", "CN"); !errors.Is(err, ErrEmpty) {
		t.Errorf("blank: %v, want ErrEmpty", err)
	}
	var pe *Error
	if _, err := E164("010 1234 5678", "CN"); !errors.As(err, &pe) || pe.Reason == "" {
		t.Errorf("landline: %v, want an *Error with a reason", err)
	}
}

func TestIsChinaMobile(t *testing.T) {
	if !IsChinaMobile("+8619912345678") || IsChinaMobile("+861012345678") || IsChinaMobile("+14155552671") {
		t.Fatal("IsChinaMobile")
	}
	if c, ok := CallingCode("cn"); !ok || c != "86" {
		t.Fatal("CallingCode(cn)")
	}
	if c, ok := CallingCode("+852"); !ok || c != "852" {
		t.Fatal("CallingCode(+852)")
	}
	if _, ok := CallingCode("0"); ok {
		t.Fatal("CallingCode(0)")
	}
}
