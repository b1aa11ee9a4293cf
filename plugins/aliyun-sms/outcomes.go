package main

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marketbench/marketbench/sdk"
)

// Waits for the answers that ask to try again later.
const (
	waitSystem     = 30 * time.Second // 5xx, isp.SYSTEM_ERROR, network
	waitQPS        = 5 * time.Second  // Throttling.User (requests per second)
	waitCredential = 5 * time.Minute  // keys, permissions: the user must act
	waitBalance    = time.Hour        // the account needs topping up
	maxWait        = 24 * time.Hour   // the host refuses longer waits
)

// china is the clock of Alibaba Cloud's send dates and daily limits.
var china = time.FixedZone("UTC+8", 8*3600)

// rejections are the codes for a message that will never go out as it is:
// what is wrong with the template, the sign or the parameters.
var rejections = map[string]string{
	"isv.SMS_TEMPLATE_ILLEGAL":          "the template code is not an approved template of this account",
	"isv.SMS_SIGNATURE_ILLEGAL":         "the sign name is not an approved sign of this account",
	"isv.SMS_SIGN_ILLEGAL":              "the sign name may not be used",
	"isv.SIGN_NAME_ILLEGAL":             "the sign name is not valid",
	"isv.SIGN_STATE_ILLEGAL":            "the sign is marked unavailable in the console",
	"isv.SMS_SIGNATURE_SCENE_ILLEGAL":   "this sign cannot be used with this kind of template",
	"isv.TEMPLATE_MISSING_PARAMETERS":   "a template variable has no value",
	"isv.TEMPLATE_PARAMS_ILLEGAL":       "a template parameter is not allowed",
	"isv.INVALID_JSON_PARAM":            "the template parameters are not valid",
	"isv.PARAM_LENGTH_LIMIT":            "a template parameter is too long",
	"isv.PARAM_NOT_SUPPORT_URL":         "a template parameter contains a link, which variables may not",
	"isv.BLACK_KEY_CONTROL_LIMIT":       "a template parameter contains a blocked keyword",
	"isv.SMS_CONTENT_ILLEGAL":           "the message contains content that may not be sent",
	"isv.DOMESTIC_NUMBER_NOT_SUPPORTED": "an international template cannot go to a mainland China number",
	"isv.INVALID_PARAMETERS":            "a parameter is not valid",
}

// credentials are the codes that need the user to fix the keys, the
// permissions or the account: retried later, the host pauses the run
// after repeated failures.
var credentials = map[string]string{
	"SignatureDoesNotMatch":        "the AccessKey secret does not match the AccessKey ID",
	"IncompleteSignature":          "the request signature was refused",
	"InvalidAccessKeyId.NotFound":  "the AccessKey ID does not exist",
	"InvalidAccessKeyId.Inactive":  "the AccessKey ID is disabled",
	"isp.RAM_PERMISSION_DENY":      "the AccessKey's RAM user may not send SMS (grant AliyunDysmsFullAccess)",
	"Forbidden.RAM":                "the AccessKey's RAM user may not call this API",
	"isv.PRODUCT_UN_SUBSCRIPT":     "this Alibaba Cloud account has not activated Short Message Service",
	"isv.PRODUCT_UNSUBSCRIBE":      "this Alibaba Cloud account has not activated Short Message Service",
	"isv.ACCOUNT_NOT_EXISTS":       "the Alibaba Cloud account does not exist",
	"isv.ACCOUNT_ABNORMAL":         "the Alibaba Cloud account is flagged as abnormal",
	"isv.DENY_IP_RANGE":            "Alibaba Cloud refuses mainland SMS sent from this computer's IP region",
	"InvalidTimeStamp.Expired":     "this computer's clock is more than 15 minutes off: correct it",
	"InvalidTimeStamp.Format":      "the request's timestamp was refused",
	"UnsupportedSignatureVersion":  "the request signature was refused",
	"InvalidSignatureMethod":       "the request signature was refused",
	"InvalidVersion":               "the API version was refused",
	"InvalidRegionId":              "the region ID is not valid",
	"InvalidAction.NotFound":       "the API was not found (check the endpoint)",
	"isv.OUT_OF_SERVICE":           "the Alibaba Cloud account is suspended, usually for an overdue balance: top it up",
	"isv.AMOUNT_NOT_ENOUGH":        "the Alibaba Cloud account balance is too low: top it up",
	"isv.MONTH_LIMIT_CONTROL":      "the monthly sending limit set in the SMS console is reached",
	"isv.DAY_LIMIT_CONTROL":        "the daily sending limit set in the SMS console is reached",
	"isv.BUSINESS_LIMIT_CONTROL":   "Alibaba Cloud's sending limit for this number is reached",
	"Throttling.User":              "too many requests per second",
	"Throttling":                   "too many requests per second",
	"Throttling.Api":               "too many requests per second",
	"SignatureNonceUsed":           "a request was refused as a replay",
	"isp.SYSTEM_ERROR":             "Alibaba Cloud had a system error",
	"isv.SYSTEM_ERROR":             "Alibaba Cloud had a system error",
	"isp.GATEWAY_ERROR":            "Alibaba Cloud had a gateway error",
	"InternalError":                "Alibaba Cloud had an internal error",
	"ServiceUnavailable":           "Alibaba Cloud is unavailable",
	"ServiceUnavailable.Temporary": "Alibaba Cloud is unavailable",
}

// wait is how long a retried code waits.
func wait(code, message string, now time.Time) time.Duration {
	switch code {
	case "isv.BUSINESS_LIMIT_CONTROL":
		// 触发分钟级流控 / 小时级 / 天级: the per-number limits of the
		// SMS sending rules (minute and hour windows, a rolling day).
		switch m := strings.ToLower(message); {
		case strings.Contains(m, "小时") || strings.Contains(m, "hour"):
			return time.Hour
		case strings.Contains(m, "天") || strings.Contains(m, "day"):
			return maxWait
		}
		return time.Minute
	case "isv.DAY_LIMIT_CONTROL":
		return untilTomorrow(now)
	case "isv.MONTH_LIMIT_CONTROL":
		return maxWait
	case "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE":
		return waitBalance
	case "Throttling.User", "Throttling", "Throttling.Api":
		return waitQPS
	case "SignatureNonceUsed":
		return time.Second
	case "InvalidTimeStamp.Expired":
		return time.Minute
	case "isp.SYSTEM_ERROR", "isv.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "InternalError", "ServiceUnavailable", "ServiceUnavailable.Temporary":
		return waitSystem
	}
	return waitCredential
}

// untilTomorrow is the wait until the next midnight in China, when daily
// limits start again.
func untilTomorrow(now time.Time) time.Duration {
	t := now.In(china)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, china)
	return min(max(next.Sub(t), time.Minute), maxWait)
}

// outcome turns SendSms's answer into a result.
func outcome(r *reply, now time.Time) sdk.Result {
	code := r.Code
	switch {
	case code == "OK":
		if r.BizID == "" {
			return sdk.RetryAfter(waitSystem, "Alibaba Cloud answered OK without a BizId")
		}
		return sdk.Delivered(r.BizID)
	case code == "isv.MOBILE_NUMBER_ILLEGAL":
		return sdk.Undeliverable("Alibaba Cloud: not a valid mobile number (isv.MOBILE_NUMBER_ILLEGAL)")
	}
	if words, ok := rejections[code]; ok {
		return sdk.Rejected("Alibaba Cloud refused the message: " + words + " (" + code + ")")
	}
	if words, ok := credentials[code]; ok {
		res := sdk.RetryAfter(wait(code, r.Message, now), "Alibaba Cloud: "+words+" ("+code+")")
		if code == "isv.BUSINESS_LIMIT_CONTROL" {
			res.Reason = "Alibaba Cloud: " + words + " (" + code + ": " + excerpt(r.Message) + ")"
		}
		return res
	}
	// A code this plugin does not know: a business code (isv.*) concerns
	// the message, anything else the service.
	if strings.HasPrefix(code, "isv.") {
		return sdk.Rejected("Alibaba Cloud refused the message: " + code + ": " + excerpt(r.Message))
	}
	return sdk.RetryAfter(waitSystem, "Alibaba Cloud answered "+code+": "+excerpt(r.Message))
}

// excerpt is the start of a provider message on one line. A message
// that echoes the request ("server string to sign is: …") loses the echo.
func excerpt(s string) string {
	if i := strings.Index(s, "server string to sign"); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if utf8.RuneCountInString(s) > 120 {
		s = string([]rune(s)[:120]) + "…"
	}
	return s
}
