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
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
)

const (
	// realEndpoint is WeChat's API host, the one the manifest names.
	realEndpoint = "https://api.weixin.qq.com"
	// defaultRetry is the wait for a busy WeChat or a network failure.
	defaultRetry = 30 * time.Second
	// accountRetry is the wait for a problem with the account or the
	// credentials, which the user has to fix: the host pauses the run
	// after a few of them.
	accountRetry = time.Hour
	// maxRetry caps every wait: the host refuses longer ones.
	maxRetry = 24 * time.Hour
	// tokenMargin is how long before its expiry a token is replaced:
	// WeChat hands out a new stable token in the last 5 minutes.
	tokenMargin = 5 * time.Minute
)

// api talks to WeChat with one AppID.
type api struct {
	base    string // realEndpoint or a local test server
	appID   string
	secret  string
	timeout time.Duration
	client  *http.Client
}

// wxError is an answer with a non-zero errcode.
type wxError struct {
	Code int
	Msg  string // without WeChat's " rid: ..." suffix
}

func (e *wxError) Error() string { return fmt.Sprintf("WeChat error %d: %s", e.Code, e.Msg) }

// transportError is a request that got no usable answer: the network, a
// timeout, an HTTP error status or a body that is not WeChat's JSON.
type transportError struct {
	msg   string
	after time.Duration
}

func (e *transportError) Error() string { return e.msg }

var ridRE = regexp.MustCompile(`\s*(,\s*)?(rid|hints?):\s*.*$`)

// cleanMsg drops the request id WeChat appends (" rid: 6385c6c1-...",
// " hint: [...]"), so the same problem reads the same for every message.
func cleanMsg(s string) string {
	s = strings.TrimSpace(ridRE.ReplaceAllString(s, ""))
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// call makes one request and decodes WeChat's JSON answer into out; an
// errcode other than 0 comes back as *wxError. The access token, if any,
// is in the query: errors never repeat the URL.
func (a *api) call(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	u := a.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return errors.New("cannot build the request to WeChat")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Marketbench-WeChat/1.0")
	resp, err := a.client.Do(req)
	if err != nil {
		return &transportError{msg: "WeChat did not answer: " + netError(err), after: defaultRetry}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		return &transportError{msg: "WeChat answered " + status, after: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	var head struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return &transportError{msg: "WeChat's answer is not JSON", after: defaultRetry}
	}
	if head.ErrCode != 0 {
		return &wxError{Code: head.ErrCode, Msg: cleanMsg(head.ErrMsg)}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &transportError{msg: "WeChat's answer is not as documented", after: defaultRetry}
		}
	}
	return nil
}

// netError says what went wrong with a request without the URL, which
// holds the access token.
func netError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() || errors.Is(ue.Err, context.DeadlineExceeded) {
			return "timed out"
		}
		err = ue.Err
	}
	return err.Error()
}

// fetchToken gets the stable access token (getStableAccessToken, the one
// WeChat recommends), in normal mode: it does not invalidate the token
// other systems of the same account use.
func (a *api) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	body := map[string]any{"grant_type": "client_credential", "appid": a.appID, "secret": a.secret, "force_refresh": false}
	if err := a.call(ctx, http.MethodPost, "/cgi-bin/stable_token", nil, body, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, &transportError{msg: "WeChat's token answer is not as documented", after: defaultRetry}
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// tokenSource caches a session's access token. Concurrent sends share it,
// and one fetch at a time replaces it shortly before it expires, or at
// once when WeChat refuses it.
type tokenSource struct {
	api  *api
	now  func() time.Time
	lock chan struct{} // held while the token is read or fetched

	tok       string
	expires   time.Time
	refreshAt time.Time
}

func newTokenSource(a *api) *tokenSource {
	return &tokenSource{api: a, now: time.Now, lock: make(chan struct{}, 1)}
}

// get returns a live token, fetching one if needed.
func (ts *tokenSource) get(ctx context.Context) (string, error) {
	select {
	case ts.lock <- struct{}{}:
	case <-ctx.Done():
		return "", &transportError{msg: "WeChat did not answer: timed out", after: defaultRetry}
	}
	defer func() { <-ts.lock }()
	now := ts.now()
	if ts.tok != "" && now.Before(ts.refreshAt) {
		return ts.tok, nil
	}
	tok, ttl, err := ts.api.fetchToken(ctx)
	if err != nil {
		logger.Printf("could not get a new access token: %v", err)
		if ts.tok != "" && now.Before(ts.expires) {
			// The old token still works: use it, and try again shortly.
			ts.refreshAt = now.Add(min(defaultRetry, ts.expires.Sub(now)/2))
			return ts.tok, nil
		}
		return "", err
	}
	if tok != ts.tok {
		logger.Printf("new access token for AppID %s, valid %v", ts.api.appID, ttl)
	}
	ts.tok, ts.expires = tok, now.Add(ttl)
	// Replace it in WeChat's last 5 minutes (or half way, for a token
	// that lives less than 10 minutes).
	ts.refreshAt = ts.expires.Add(-min(tokenMargin, ttl/2))
	return tok, nil
}

// refused drops tok after WeChat refused it, unless another send has
// already replaced it.
func (ts *tokenSource) refused(tok string) {
	ts.lock <- struct{}{}
	defer func() { <-ts.lock }()
	if ts.tok == tok {
		ts.tok = ""
	}
}

// Token errcodes: WeChat refuses the access token itself.
func tokenRefused(code int) bool {
	return code == 40001 || code == 40014 || code == 42001 || code == 41001
}

// credentialProblem explains the errcodes the token request answers when
// the settings or the account are wrong; "" for others. They fail Check
// and Open.
func credentialProblem(e *wxError) string {
	switch e.Code {
	case 40013, 41002:
		return "WeChat does not know this AppID (" + strconv.Itoa(e.Code) + " " + e.Msg + "): check app_id"
	case 40125, 41004, 40001:
		return "WeChat refuses the AppSecret (" + strconv.Itoa(e.Code) + " " + e.Msg + "): check app_secret, or reset it in the WeChat Developer Platform"
	case 40164, 61004, 89503:
		return "WeChat refuses requests from this computer's IP address (" + strconv.Itoa(e.Code) + " " + e.Msg + "): add it to the API IP whitelist in the WeChat Developer Platform"
	case 40243:
		return "the AppSecret is frozen (40243): unfreeze it in the WeChat Developer Platform"
	case 40002:
		return "WeChat refuses the token request (40002 " + e.Msg + ")"
	}
	return ""
}

// tokenResult turns a failed token fetch into a message's result.
func tokenResult(err error) sdk.Result {
	var we *wxError
	if errors.As(err, &we) {
		if p := credentialProblem(we); p != "" {
			return sdk.RetryAfter(accountRetry, p)
		}
		return errcodeResult(we, time.Now())
	}
	var te *transportError
	if errors.As(err, &te) {
		return sdk.RetryAfter(te.after, "getting an access token: "+te.msg)
	}
	return sdk.RetryAfter(defaultRetry, "getting an access token: "+err.Error())
}

// china is WeChat's time zone; daily quotas start again at its midnight.
var china = time.FixedZone("CST", 8*3600)

// untilTomorrow is the wait until a few minutes past midnight in China.
func untilTomorrow(now time.Time) time.Duration {
	t := now.In(china)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 5, 0, 0, china)
	return min(next.Sub(now).Round(time.Second), maxRetry)
}

// errcodeResult maps an errcode of a template send to an outcome. The
// table is in docs/channels/wechat-template.md.
func errcodeResult(e *wxError, now time.Time) sdk.Result {
	what := fmt.Sprintf("WeChat error %d (%s)", e.Code, e.Msg)
	switch e.Code {
	// The recipient.
	case 43004:
		return sdk.Undeliverable("the customer does not follow the Official Account (43004 require subscribe)")
	case 40003:
		return sdk.Undeliverable("the openid is not valid for this Official Account (40003 invalid openid)")
	case 43019:
		return sdk.Undeliverable("the customer is on the Official Account's blacklist (43019)")
	case 43101:
		return sdk.Undeliverable("the customer refuses messages from this Official Account (43101)")
	// The template and its data.
	case 40037, 40036:
		return sdk.Rejected("the template_id is not one of the account's templates (" + strconv.Itoa(e.Code) + " invalid template_id)")
	case 47003:
		return sdk.Rejected("WeChat refuses the template data (47003 " + e.Msg + ")")
	case 43116:
		return sdk.Rejected("WeChat has banned this template for abuse (43116)")
	case 47001, 44002:
		return sdk.Rejected(what)
	// Quotas and load.
	case 45009:
		return sdk.RetryAfter(untilTomorrow(now), "the account's daily quota of template messages is used up (45009); they go again after midnight, China time")
	case 45011:
		return sdk.RetryAfter(time.Minute, "WeChat's per-minute limit is reached (45011)")
	case 43117:
		return sdk.RetryAfter(10*time.Minute, "too many messages to this customer just now (43117)")
	case -1, 45047:
		return sdk.RetryAfter(defaultRetry, "WeChat is busy ("+what+")")
	// The account.
	case 48001:
		return sdk.RetryAfter(accountRetry, "this account may not send template messages (48001 api unauthorized): it must be a verified Service Account with the Template Messages feature added")
	case 48004, 50002:
		return sdk.RetryAfter(accountRetry, "WeChat has restricted this account ("+what+")")
	case 40013, 40125, 40164, 40243:
		return sdk.RetryAfter(accountRetry, credentialProblem(e))
	}
	// Unknown codes: not the customer's fault as far as we know; the host
	// pauses if it keeps happening.
	return sdk.RetryAfter(defaultRetry, what)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return defaultRetry
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return defaultRetry
		}
		return time.Duration(min(n, int64(maxRetry/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(0, t.Sub(now).Round(time.Second)), maxRetry)
	}
	return defaultRetry
}
