package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// apiVersion is Dysmsapi's API version.
const apiVersion = "2017-05-25"

// apiClient calls Dysmsapi RPC actions, signed with signature method V2
// (HMAC-SHA1) as Alibaba Cloud documents it.
type apiClient struct {
	endpoint string // https://dysmsapi.aliyuncs.com/ or a local fake
	keyID    string
	secret   string
	regionID string
	timeout  time.Duration
	http     *http.Client
	now      func() time.Time
}

// reply is the JSON every action answers with: Code "OK" on success, or
// an error code with a message; the rest depends on the action.
type reply struct {
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	BizID     string `json:"BizId"`
	// QuerySmsSign / QuerySmsTemplate
	SignStatus      *int   `json:"SignStatus"`
	TemplateStatus  *int   `json:"TemplateStatus"`
	TemplateContent string `json:"TemplateContent"`
	Reason          string `json:"Reason"`
	// QuerySendDetails
	retryAfter time.Duration // the HTTP Retry-After header, if any
	Details    struct {
		List []detail `json:"SmsSendDetailDTO"`
	} `json:"SmsSendDetailDTOs"`
}

type detail struct {
	PhoneNum    string `json:"PhoneNum"`
	SendStatus  int    `json:"SendStatus"`
	ErrCode     string `json:"ErrCode"`
	ReceiveDate string `json:"ReceiveDate"`
	SendDate    string `json:"SendDate"`
	OutID       string `json:"OutId"`
}

// callError is a call that got no usable answer: the network failed, it
// timed out, or the answer is not the API's JSON.
type callError struct {
	msg        string
	status     int           // HTTP status, 0 without an answer
	retryAfter time.Duration // from a Retry-After header
}

func (e *callError) Error() string { return e.msg }

// percentEncode is Alibaba Cloud's encoding: RFC 3986 unreserved
// characters stay, every other byte of the UTF-8 text becomes %XY.
func percentEncode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

// signature computes the Signature parameter of a request with params.
func signature(method, secret string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var q strings.Builder
	for i, k := range keys {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(percentEncode(k) + "=" + percentEncode(params[k]))
	}
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(q.String())
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// call runs one action with its parameters as a signed POST (parameters
// in the form body) and decodes the answer. An HTTP error with the API's
// JSON is returned as a reply with its Code; anything else is a callError.
func (c *apiClient) call(ctx context.Context, action string, args map[string]string) (*reply, error) {
	p := map[string]string{
		"AccessKeyId": c.keyID, "Action": action, "Format": "JSON", "RegionId": c.regionID,
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": newNonce(), "SignatureVersion": "1.0",
		"Timestamp": c.now().UTC().Format("2006-01-02T15:04:05Z"), "Version": apiVersion,
	}
	for k, v := range args {
		p[k] = v
	}
	p["Signature"] = signature(http.MethodPost, c.secret, p)
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &callError{msg: "cannot build the request: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Marketbench-AliyunSMS/1.0")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &callError{msg: "Alibaba Cloud did not answer: " + netError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, &callError{msg: "the answer of Alibaba Cloud broke off: " + netError(err), status: resp.StatusCode}
	}
	var r reply
	if json.Unmarshal(body, &r) != nil || r.Code == "" {
		return nil, &callError{msg: fmt.Sprintf("Alibaba Cloud answered HTTP %d without its JSON", resp.StatusCode),
			status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	r.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
	return &r, nil
}

// netError says what went wrong with a request, without the URL.
func netError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

// retryAfter reads a Retry-After header in seconds or as a date; 0 if
// none.
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(0, time.Until(t).Round(time.Second)), 24*time.Hour)
	}
	return 0
}
