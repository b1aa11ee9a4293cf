package sdk

import (
	"context"
	"time"
)

// Channel sends messages: e-mail, SMS, webhooks, ad audiences.
type Channel interface {
	// Spec describes the channel and its settings.
	Spec() Component
	// Validate checks settings beyond what Spec declares (Component.Check
	// has already run); nil or empty means they are fine.
	Validate(cfg Config) []FieldError
	// Check tests the connection with these settings without sending.
	Check(ctx context.Context, cfg Config, secrets Secrets) error
	// Open starts a sending session.
	Open(ctx context.Context, cfg Config, secrets Secrets) (Session, error)
}

// Session sends messages with the settings it was opened with.
type Session interface {
	// Send sends one message and says what happened. Failures are results,
	// not errors: Delivered, RetryAfter or Rejected. The host decides about
	// retries; a session is used by one goroutine at a time unless
	// Limits.MaxInFlight says otherwise.
	Send(ctx context.Context, m Message) Result
	Close() error
}

// Limits are a session's hints to the host.
type Limits struct {
	// MaxInFlight is how many messages the host may have in Send at once;
	// 0 means 1.
	MaxInFlight int
}

// LimitedSession is a Session that states Limits.
type LimitedSession interface {
	Session
	Limits() Limits
}

// Message is one rendered message for one recipient. The host fills in only
// the customer fields the plugin's manifest declares.
type Message struct {
	ID string
	// IdempotencyKey is stable across retries and resumes of the same
	// delivery; pass it to providers that support one.
	IdempotencyKey string
	To             string
	Subject        string
	Text           string
	HTML           string
	Headers        map[string]string
	Fields         map[string]string
	Campaign       string
	Variant        string
}

// Outcome is what happened to a message.
type Outcome int

// Outcomes.
const (
	OutcomeDelivered Outcome = iota + 1
	OutcomeRetry
	OutcomeRejected
)

// Result is one message's outcome. Build it with Delivered, RetryAfter or
// Rejected.
type Result struct {
	Outcome    Outcome
	ProviderID string        // Delivered
	After      time.Duration // Retry
	Reason     string        // Retry, Rejected
	// ServiceFault marks a failure of the service behind the plugin (the
	// mail server, the API) rather than of the plugin or the message.
	ServiceFault bool
	// Undeliverable marks a rejection for an address that can never
	// receive (an unregistered device token, a number that does not
	// exist): the host adds the address to the project's suppression list.
	Undeliverable bool
}

// Delivered says the provider accepted the message, with its id for it.
func Delivered(providerID string) Result {
	return Result{Outcome: OutcomeDelivered, ProviderID: providerID}
}

// RetryAfter says the message may succeed later (rate limit, outage).
func RetryAfter(d time.Duration, reason string) Result {
	return Result{Outcome: OutcomeRetry, After: d, Reason: reason, ServiceFault: true}
}

// Rejected says the message will never be delivered as it is (bad
// address, content refused).
func Rejected(reason string) Result {
	return Result{Outcome: OutcomeRejected, Reason: reason}
}

// Undeliverable rejects a message because its address is dead for good;
// the host suppresses the address so no later campaign tries it again.
func Undeliverable(reason string) Result {
	return Result{Outcome: OutcomeRejected, Reason: reason, Undeliverable: true}
}

// MessageChecker is a Channel that can check rendered messages against its
// provider's rules (address format, length, template parameters) without
// sending them. The campaign preview shows what it finds, so a user learns
// of a problem before the provider refuses a thousand messages. A channel
// that implements it is announced with CapCheckMessages by Serve.
type MessageChecker interface {
	// CheckMessage is called with the settings (defaults filled in, no
	// secrets) and one rendered message as Send would get it.
	CheckMessage(cfg Config, m Message) MessageCheck
}

// MessageCheck is what CheckMessage found, in the user's words.
type MessageCheck struct {
	// Problems would make the provider refuse the message.
	Problems []string
	// Notes are worth knowing but do not stop it ("sent as 2 SMS parts").
	Notes []string
}

// ReceiptReader is a Channel whose provider keeps delivery receipts (what
// happened to a message after the provider accepted it) and lets them be
// read back. The host asks with the provider ids Send returned and records
// the answers as the campaign's responses. A channel that implements it is
// announced with CapReceipts by Serve.
type ReceiptReader interface {
	// Receipts reports the final state of the messages asked about that
	// the provider knows; messages still on their way are left out.
	Receipts(ctx context.Context, cfg Config, secrets Secrets, queries []ReceiptQuery) ([]Receipt, error)
}

// ReceiptQuery names one message the host asks about.
type ReceiptQuery struct {
	ProviderID string
	To         string
	SentAt     time.Time
}

// Receipt statuses.
const (
	ReceiptDelivered = "delivered"
	ReceiptFailed    = "failed"
)

// Receipt is the provider's final word on one message.
type Receipt struct {
	ProviderID string
	To         string
	// Status is ReceiptDelivered or ReceiptFailed.
	Status string
	// Reason says why a message failed, in the provider's words.
	Reason string
	At     time.Time
}
