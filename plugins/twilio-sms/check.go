package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
)

// gsmBasic is the GSM 03.38 default alphabet (one septet each), and
// gsmExtension the characters reached through its escape (two septets).
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

var gsmSet = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// segments says how a text goes as SMS: in GSM-7 when every character is
// in the GSM alphabet (160 septets in one part, 153 per part of a longer
// message; an extension character takes two), else in UCS-2 (70 UTF-16
// units in one part, 67 per part).
func segments(text string) (parts int, gsm bool) {
	septets := 0
	gsm = true
	for _, r := range text {
		n, ok := gsmSet[r]
		if !ok {
			gsm = false
			break
		}
		septets += n
	}
	if gsm {
		return split(septets, 160, 153), true
	}
	return split(utf16Len(text), 70, 67), false
}

func split(n, single, multi int) int {
	switch {
	case n == 0:
		return 0
	case n <= single:
		return 1
	}
	return (n + multi - 1) / multi
}

// CheckMessage runs at preview: the number must be one Twilio takes, the
// text must be there and at most 1,600 characters; the note says how many
// SMS parts the text makes and in which encoding (Twilio bills each part).
func (channel) CheckMessage(cfg sdk.Config, m sdk.Message) sdk.MessageCheck {
	var c sdk.MessageCheck
	if _, err := phone.E164(m.To, regionOf(cfg)); err != nil {
		if errors.Is(err, phone.ErrEmpty) {
			c.Problems = append(c.Problems, "no phone number")
		} else {
			c.Problems = append(c.Problems, "not a phone number: "+reason(err))
		}
	}
	text := m.Text
	switch n := utf16Len(text); {
	case strings.TrimSpace(text) == "":
		c.Problems = append(c.Problems, "the message has no text")
		return c
	case n > maxBody:
		c.Problems = append(c.Problems, "longer than Twilio's 1,600 characters")
	}
	parts, gsm := segments(text)
	enc := "GSM-7"
	if !gsm {
		enc = "UCS-2 (it has characters outside the GSM alphabet)"
	}
	if parts == 1 {
		c.Notes = append(c.Notes, "1 SMS part, "+enc)
	} else {
		c.Notes = append(c.Notes, fmt.Sprintf("%d SMS parts, %s", parts, enc))
	}
	if parts > 10 && utf16Len(text) <= maxBody {
		c.Notes = append(c.Notes, "over 10 SMS parts: Twilio recommends at most 320 characters for deliverability")
	}
	return c
}
