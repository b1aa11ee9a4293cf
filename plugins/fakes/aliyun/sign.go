package aliyun

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// This file is the signature method V2 for RPC APIs ("Signature
// mechanism", HMAC-SHA1, SignatureVersion 1.0) as Alibaba Cloud documents
// it, written from the documentation alone:
//
//  1. Sort every request parameter except Signature by name.
//  2. Percent-encode names and values in UTF-8: A-Z a-z 0-9 - _ . ~ stay,
//     every other byte becomes %XY (upper-case hex), a space is %20 (never
//     +). (The documented shortcut is form-encoding with + → %20,
//     * → %2A and %7E → ~.)
//  3. Join name=value pairs with & (the canonicalized query string).
//  4. StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" +
//     percentEncode(CanonicalizedQueryString).
//  5. Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
//
// The documented worked examples are in this package's test.

// PercentEncode encodes s by Alibaba Cloud's rules (RFC 3986 unreserved
// characters stay as they are).
func PercentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// CanonicalizedQuery is step 1 to 3: the sorted, encoded parameters
// without Signature. A parameter given twice counts with each value.
func CanonicalizedQuery(params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		if name != "Signature" {
			names = append(names, name)
		}
	}
	sort.Strings(names) // by name, as the documentation sorts
	var pairs []string
	for _, name := range names {
		values := append([]string(nil), params[name]...)
		sort.Strings(values)
		for _, v := range values {
			pairs = append(pairs, PercentEncode(name)+"="+PercentEncode(v))
		}
	}
	return strings.Join(pairs, "&")
}

// StringToSign is step 4.
func StringToSign(method string, params url.Values) string {
	return method + "&" + PercentEncode("/") + "&" + PercentEncode(CanonicalizedQuery(params))
}

// Sign is step 5: the Signature parameter's value.
func Sign(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
