package fcm

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is the body of messages:send. Only the snake_case field names are
// accepted (Google also accepts camelCase); an unknown field is refused.
type Request struct {
	ValidateOnly bool     `json:"validate_only"`
	Message      *Message `json:"message"`
}

// Message is the subset of FCM's v1 Message resource the fake models.
type Message struct {
	Name         string            `json:"name"`
	Data         map[string]string `json:"data"`
	Notification *Notification     `json:"notification"`
	Android      *AndroidConfig    `json:"android"`
	Webpush      *WebpushConfig    `json:"webpush"`
	APNs         *APNsConfig       `json:"apns"`
	FCMOptions   *FCMOptions       `json:"fcm_options"`
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
}

// Notification is the cross-platform notification.
type Notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Image string `json:"image"`
}

// AndroidConfig holds Android options.
type AndroidConfig struct {
	CollapseKey           string            `json:"collapse_key"`
	Priority              string            `json:"priority"`
	TTL                   string            `json:"ttl"`
	RestrictedPackageName string            `json:"restricted_package_name"`
	Data                  map[string]string `json:"data"`
	Notification          json.RawMessage   `json:"notification"`
	FCMOptions            *FCMOptions       `json:"fcm_options"`
	DirectBootOK          bool              `json:"direct_boot_ok"`
}

// WebpushConfig holds web push options.
type WebpushConfig struct {
	Headers      map[string]string `json:"headers"`
	Data         map[string]string `json:"data"`
	Notification json.RawMessage   `json:"notification"`
	FCMOptions   json.RawMessage   `json:"fcm_options"`
}

// APNsConfig holds Apple options.
type APNsConfig struct {
	Headers    map[string]string `json:"headers"`
	Payload    json.RawMessage   `json:"payload"`
	FCMOptions json.RawMessage   `json:"fcm_options"`
}

// FCMOptions holds platform-independent options.
type FCMOptions struct {
	AnalyticsLabel string `json:"analytics_label"`
}

// Documented limits and formats.
const (
	// MaxPayload is FCM's limit on a message's payload: "4096 bytes for
	// most messages ... This includes both the keys and the values."
	MaxPayload = 4096
	maxTTL     = 28 * 24 * time.Hour // 2,419,200 s
)

var (
	sendPath     = regexp.MustCompile(`^/v1/projects/([^/]+)/messages:send$`)
	labelRE      = regexp.MustCompile(`^[a-zA-Z0-9\-_.~%]{1,50}$`)
	ttlRE        = regexp.MustCompile(`^(\d+)(\.\d{1,9})?s$`)
	tokenShapeRE = regexp.MustCompile(`^[A-Za-z0-9_\-]{8,}:APA91[A-Za-z0-9_\-]{20,}$`)
)

// googleError is google.rpc.Status as FCM writes it.
type googleError struct {
	Error struct {
		Code    int              `json:"code"`
		Message string           `json:"message"`
		Status  string           `json:"status"`
		Details []map[string]any `json:"details,omitempty"`
	} `json:"error"`
}

func fcmDetail(code string) map[string]any {
	return map[string]any{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
}

func badRequestDetail(field, desc string) map[string]any {
	return map[string]any{"@type": "type.googleapis.com/google.rpc.BadRequest",
		"fieldViolations": []map[string]string{{"field": field, "description": desc}}}
}

func writeStatus(w http.ResponseWriter, code int, status, msg string, details ...map[string]any) {
	var e googleError
	e.Error.Code, e.Error.Status, e.Error.Message, e.Error.Details = code, status, msg, details
	writeJSON(w, code, e)
}

const unauthenticated = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."

func (s *Server) serveSend(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.sendCalls++
	slow := s.slow
	s.mu.Unlock()
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
	}
	m := sendPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeStatus(w, http.StatusNotFound, "NOT_FOUND", "The requested URL "+r.URL.Path+" was not found on this server.")
		return
	}
	if r.Method != http.MethodPost {
		writeStatus(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "messages:send takes POST requests only.")
		return
	}
	// Authentication first, as at Google.
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	grant, known := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !known || !s.now().Before(grant.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		writeStatus(w, http.StatusUnauthorized, "UNAUTHENTICATED", unauthenticated)
		return
	}
	if !slices.Contains(grant.scopes, Scope) && !slices.Contains(grant.scopes, cloudPlatformScope) {
		writeStatus(w, http.StatusForbidden, "PERMISSION_DENIED", "Request had insufficient authentication scopes.")
		return
	}
	if project := m[1]; project != s.ProjectID {
		writeStatus(w, http.StatusForbidden, "PERMISSION_DENIED",
			fmt.Sprintf("Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/%s' (or it may not exist).", project))
		return
	}
	// Throttling and outages the test asked for.
	s.mu.Lock()
	var fault string
	var after time.Duration
	switch {
	case s.quota > 0:
		s.quota--
		fault, after = QuotaExceeded, s.quotaAfter
	case s.unavailable > 0:
		s.unavailable--
		fault = Unavailable
	case s.internal > 0:
		s.internal--
		fault = Internal
	}
	s.mu.Unlock()
	switch fault {
	case QuotaExceeded:
		if after > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(after.Round(time.Second)/time.Second)))
		}
		writeStatus(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'.",
			fcmDetail(QuotaExceeded), map[string]any{"@type": "type.googleapis.com/google.rpc.QuotaFailure",
				"violations": []map[string]string{{"subject": "project:" + s.ProjectID, "description": "Message rate exceeded"}}})
		return
	case Unavailable:
		writeStatus(w, http.StatusServiceUnavailable, "UNAVAILABLE", "The service is currently unavailable.", fcmDetail(Unavailable))
		return
	case Internal:
		writeStatus(w, http.StatusInternalServerError, "INTERNAL", "Internal error encountered.", fcmDetail(Internal))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received. The Content-Type must be application/json.")
		return
	}
	var req Request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error(),
			badRequestDetail("", err.Error()))
		return
	}
	if req.Message == nil {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.",
			badRequestDetail("message", "The message is required."))
		return
	}
	msg := req.Message
	if field, desc := checkMessage(msg); field != "" {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", desc, badRequestDetail(field, desc))
		return
	}
	if !tokenShapeRE.MatchString(msg.Token) {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", fcmDetail(InvalidArgument))
		return
	}
	if req.ValidateOnly {
		writeJSON(w, http.StatusOK, map[string]string{"name": "projects/" + s.ProjectID + "/messages/fake_message_id"})
		return
	}
	s.mu.Lock()
	code := s.tokenFaults[msg.Token]
	s.mu.Unlock()
	switch code {
	case Unregistered:
		writeStatus(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", fcmDetail(Unregistered))
		return
	case InvalidArgument:
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", fcmDetail(InvalidArgument))
		return
	case SenderIDMismatch:
		writeStatus(w, http.StatusForbidden, "PERMISSION_DENIED", "SenderId mismatch", fcmDetail(SenderIDMismatch))
		return
	case ThirdPartyAuthError:
		writeStatus(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service", fcmDetail(ThirdPartyAuthError))
		return
	}
	s.mu.Lock()
	s.seq++
	name := fmt.Sprintf("projects/%s/messages/0:%d%%%08x", s.ProjectID, s.now().UnixMicro(), s.seq)
	sent := Sent{Name: name, Token: msg.Token, Data: msg.Data, At: s.now()}
	if n := msg.Notification; n != nil {
		sent.Title, sent.Body = n.Title, n.Body
	}
	if a := msg.Android; a != nil {
		sent.AndroidPriority, sent.AndroidTTL = a.Priority, a.TTL
	}
	if msg.APNs != nil {
		sent.APNsHeaders = msg.APNs.Headers
	}
	if msg.Webpush != nil {
		sent.WebpushHeaders = msg.Webpush.Headers
	}
	if msg.FCMOptions != nil {
		sent.AnalyticsLabel = msg.FCMOptions.AnalyticsLabel
	}
	s.sent = append(s.sent, sent)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"name": name})
}

// checkMessage applies FCM's documented rules; it returns the offending
// field and a description, or "".
func checkMessage(m *Message) (string, string) {
	targets := 0
	for _, t := range []string{m.Token, m.Topic, m.Condition} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return "message", "Exactly one of message.token, message.topic or message.condition must be set."
	}
	if m.Token == "" {
		return "message.token", "This fake delivers to registration tokens only."
	}
	for k := range m.Data {
		if reservedKey(k) {
			return "message.data", fmt.Sprintf("Invalid data key %q: keys such as from, gcm or any prefixed by google are used by FCM.", k)
		}
	}
	if m.Notification != nil && m.Notification.Image != "" && !strings.HasPrefix(m.Notification.Image, "https://") {
		return "message.notification.image", "The image must be an https URL."
	}
	if a := m.Android; a != nil {
		if a.Priority != "" && !slices.Contains([]string{"normal", "high", "NORMAL", "HIGH"}, a.Priority) {
			return "message.android.priority", fmt.Sprintf("Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), %q", a.Priority)
		}
		if a.TTL != "" {
			g := ttlRE.FindStringSubmatch(a.TTL)
			secs, err := strconv.Atoi(firstOr(g, 1))
			if g == nil || err != nil || time.Duration(secs)*time.Second > maxTTL {
				return "message.android.ttl", "Invalid TTL: it must be a duration in seconds such as \"3600s\", at most 4 weeks."
			}
		}
		for k := range a.Data {
			if reservedKey(k) {
				return "message.android.data", fmt.Sprintf("Invalid data key %q.", k)
			}
		}
	}
	if a := m.APNs; a != nil {
		if v, ok := a.Headers["apns-expiration"]; ok {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return "message.apns.headers", "apns-expiration must be a UNIX epoch date in seconds."
			}
		}
		if v, ok := a.Headers["apns-priority"]; ok && v != "5" && v != "10" && v != "1" {
			return "message.apns.headers", "apns-priority must be 10, 5 or 1."
		}
	}
	if wp := m.Webpush; wp != nil {
		if v, ok := wp.Headers["TTL"]; ok {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return "message.webpush.headers", "The TTL header must be a number of seconds."
			}
		}
	}
	if o := m.FCMOptions; o != nil && o.AnalyticsLabel != "" && !labelRE.MatchString(o.AnalyticsLabel) {
		return "message.fcm_options.analytics_label", "The analytics label must match ^[a-zA-Z0-9-_.~%]{1,50}$."
	}
	if n := PayloadSize(m); n > MaxPayload {
		return "message", fmt.Sprintf("Message is too big: the payload is %d bytes; the limit is %d.", n, MaxPayload)
	}
	return "", ""
}

// PayloadSize is what the fake counts against MaxPayload: the bytes of the
// data keys and values plus the notification's title and body.
func PayloadSize(m *Message) int {
	n := 0
	for k, v := range m.Data {
		n += len(k) + len(v)
	}
	if m.Notification != nil {
		n += len(m.Notification.Title) + len(m.Notification.Body)
	}
	return n
}

// reservedKey reports a data key FCM keeps for itself.
func reservedKey(k string) bool {
	return k == "from" || k == "gcm" || strings.HasPrefix(strings.ToLower(k), "google")
}

func firstOr(g []string, i int) string {
	if i < len(g) {
		return g[i]
	}
	return ""
}
