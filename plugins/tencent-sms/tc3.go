package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// tc3Request is what a TencentCloud API 3.0 request signs.
type tc3Request struct {
	SecretID, SecretKey string
	Host                string // the Host header, e.g. sms.tencentcloudapi.com
	Service             string // e.g. sms
	Action              string
	ContentType         string
	Payload             []byte
	Time                time.Time
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmac256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// authorization is the TC3-HMAC-SHA256 Authorization header of a POST to
// "/" signing content-type, host and x-tc-action.
func (r tc3Request) authorization() string {
	const signed = "content-type;host;x-tc-action"
	canonical := strings.Join([]string{
		"POST", "/", "",
		"content-type:" + strings.ToLower(r.ContentType) + "\nhost:" + strings.ToLower(r.Host) + "\nx-tc-action:" + strings.ToLower(r.Action) + "\n",
		signed, sha256Hex(r.Payload),
	}, "\n")
	date := r.Time.UTC().Format("2006-01-02")
	scope := date + "/" + r.Service + "/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(r.Time.Unix(), 10) + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
	key := hmac256(hmac256(hmac256([]byte("TC3"+r.SecretKey), date), r.Service), "tc3_request")
	sig := hex.EncodeToString(hmac256(key, toSign))
	return "TC3-HMAC-SHA256 Credential=" + r.SecretID + "/" + scope + ", SignedHeaders=" + signed + ", Signature=" + sig
}
