package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	apiHost    = "sms.tencentcloudapi.com"
	apiVersion = "2021-01-11"
	apiService = "sms"
	// jsonType is the Content-Type sent and signed.
	jsonType = "application/json; charset=utf-8"
)

// apiClient calls the SMS API with one account's keys. It never puts the keys
// in an error.
type apiClient struct {
	url       string // https://sms.tencentcloudapi.com/ or a local test server
	host      string
	region    string
	secretID  string
	secretKey string
	http      *http.Client
	now       func() time.Time
}

// apiError is an answer with Response.Error.
type apiError struct {
	Code, Message, RequestID string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("Tencent Cloud answered %s: %s", e.Code, oneLine(e.Message, 200))
}

// transportError is a request whose answer never came (the fate of a
// SendSms is then unknown) or was not the API's JSON.
type transportError struct {
	msg        string
	retryAfter time.Duration // from a Retry-After header, or 0
}

func (e *transportError) Error() string { return e.msg }

// call POSTs one action and decodes Response into out. Errors are
// *apiError or *transportError.
func (c *apiClient) call(ctx context.Context, action string, params any, out any) error {
	payload, err := json.Marshal(params)
	if err != nil {
		return &transportError{msg: "cannot encode the request: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(payload))
	if err != nil {
		return &transportError{msg: "cannot build the request: " + err.Error()}
	}
	now := c.now()
	req.Host = c.host
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", apiVersion)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("X-TC-Region", c.region)
	req.Header.Set("User-Agent", "Marketbench-TencentSMS/1.0")
	req.Header.Set("Authorization", tc3Request{SecretID: c.secretID, SecretKey: c.secretKey, Host: c.host, Service: apiService,
		Action: action, ContentType: jsonType, Payload: payload, Time: now}.authorization())
	resp, err := c.http.Do(req)
	if err != nil {
		return &transportError{msg: "Tencent Cloud did not answer: " + plainError(err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env struct {
		Response json.RawMessage
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &env) != nil || len(env.Response) == 0 {
		return &transportError{msg: fmt.Sprintf("Tencent Cloud answered HTTP %d %s", resp.StatusCode, oneLine(string(body), 120)),
			retryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	}
	var head struct {
		Error *struct {
			Code, Message string
		}
		RequestID string `json:"RequestId"`
	}
	if err := json.Unmarshal(env.Response, &head); err != nil {
		return &transportError{msg: "Tencent Cloud's answer is not understood: " + err.Error()}
	}
	if head.Error != nil {
		return &apiError{Code: head.Error.Code, Message: head.Error.Message, RequestID: head.RequestID}
	}
	if err := json.Unmarshal(env.Response, out); err != nil {
		return &transportError{msg: "Tencent Cloud's answer is not understood: " + err.Error()}
	}
	return nil
}

// plainError drops net/http's `Post "url": ` prefix.
func plainError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), 0 if
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, 24*time.Hour)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(0, t.Sub(now).Round(time.Second)), 24*time.Hour)
	}
	return 0
}

// oneLine shortens s to n bytes on one line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
