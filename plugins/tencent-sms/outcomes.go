package main

import (
	"errors"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// chinaTime is Beijing time, in which Tencent's daily limits reset and
// marketing SMS hours are counted.
var chinaTime = time.FixedZone("China", 8*3600)

// Waits for the codes that do not say how long.
const (
	retryNetwork  = 30 * time.Second // no answer, HTTP 5xx, InternalError
	retryThrottle = 5 * time.Second  // RequestLimitExceeded
	retryAccount  = 5 * time.Minute  // credentials or app refused: the user fixes settings
	retryBalance  = time.Hour        // package used up, arrears
)

// untilChina is the wait until the next hour:minute in Beijing time.
func untilChina(now time.Time, hour, minute int) time.Duration {
	n := now.In(chinaTime)
	next := time.Date(n.Year(), n.Month(), n.Day(), hour, minute, 0, 0, chinaTime)
	if !next.After(n) {
		next = next.AddDate(0, 0, 1)
	}
	return next.Sub(n)
}

// outcome maps a Tencent Cloud code (of the request or of one number) to
// a result. Codes are listed in docs/channels/tencent-sms.md.
func outcome(code, message string, now time.Time) sdk.Result {
	why := func(s string) string { return s + " (" + code + ")" }
	switch code {
	// The number is dead for good: the host suppresses it.
	case "InvalidParameterValue.IncorrectPhoneNumber":
		return sdk.Undeliverable(why("Tencent Cloud says the phone number is not valid"))
	case "FailedOperation.PhoneNumberInBlacklist":
		return sdk.Undeliverable(why("the number is on Tencent Cloud's blacklist: the person unsubscribed or the carrier blocks it"))

	// Frequency limits: wait as long as the limit lasts.
	case "LimitExceeded.PhoneNumberThirtySecondLimit":
		return sdk.RetryAfter(30*time.Second, why("too many messages to this number within 30 seconds"))
	case "LimitExceeded.PhoneNumberOneHourLimit":
		return sdk.RetryAfter(time.Hour, why("too many messages to this number within one hour"))
	case "LimitExceeded.PhoneNumberDailyLimit":
		return sdk.RetryAfter(untilChina(now, 0, 1), why("too many messages to this number today; it resets at midnight China time"))
	case "LimitExceeded.PhoneNumberSameContentDailyLimit":
		return sdk.RetryAfter(untilChina(now, 0, 1), why("this number already got this content too often today"))
	case "LimitExceeded.AppDailyLimit", "LimitExceeded.DailyLimit":
		return sdk.RetryAfter(untilChina(now, 0, 1), why("the application's daily SMS limit is reached; it resets at midnight China time (raise it in the SMS console)"))
	case "LimitExceeded.DeliveryFrequencyLimit":
		return sdk.RetryAfter(time.Minute, why("the message hit the SMS console's frequency limit policy"))
	case "FailedOperation.MarketingSendTimeConstraint":
		return sdk.RetryAfter(untilChina(now, 8, 0), why("marketing SMS may only be sent between 8:00 and 22:00 China time"))

	// The content cannot go as it is.
	case "FailedOperation.TemplateIncorrectOrUnapproved":
		return sdk.Rejected(why("the template is not approved, or the parameters do not match it: check template_id and the number of parameters"))
	case "FailedOperation.SignatureIncorrectOrUnapproved":
		return sdk.Rejected(why("the signature (sign_name) is not approved or not written as approved"))
	case "InvalidParameterValue.TemplateParameterFormatError":
		return sdk.Rejected(why("a verification-code template takes only 0 to 6 digits as its parameter"))
	case "InvalidParameterValue.TemplateParameterLengthLimit":
		return sdk.Rejected(why("a template parameter is longer than 12 characters, the limit for individual accounts"))
	case "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter":
		return sdk.Rejected(why("template parameters must not contain links"))
	case "InvalidParameterValue.ContentLengthLimit":
		return sdk.Rejected(why("the message is too long (500 characters at most with the signature)"))
	case "FailedOperation.ContainSensitiveWord", "InvalidParameter.DirtyWordFound":
		return sdk.Rejected(why("the message contains words Tencent Cloud does not allow"))
	case "UnsupportedOperation.UnsuportedRegion":
		return sdk.Rejected(why("Tencent Cloud does not deliver SMS to this country or region"))
	case "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny":
		return sdk.Rejected(why("individual accounts may not send marketing SMS"))

	// The account: wait while the user sorts it out.
	case "FailedOperation.InsufficientBalanceInSmsPackage":
		return sdk.RetryAfter(retryBalance, why("the SMS package is used up: buy a package in the Tencent Cloud SMS console"))
	case "UnauthorizedOperation.SerivceSuspendDueToArrears":
		return sdk.RetryAfter(retryBalance, why("the service is suspended for arrears: top up the Tencent Cloud account"))
	case "AuthFailure.SignatureExpire":
		return sdk.RetryAfter(time.Minute, why("Tencent Cloud says the request's time is off by more than five minutes: check this computer's clock"))
	case "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "InvalidParameterValue.SdkAppIdNotExist":
		return sdk.RetryAfter(retryAccount, why("the SdkAppId does not belong to the account of this SecretId: check sdk_app_id"))
	case "UnauthorizedOperation.SdkAppIdIsDisabled":
		return sdk.RetryAfter(retryAccount, why("the SMS application is disabled"))
	case "UnauthorizedOperation.RequestIpNotInWhitelist":
		return sdk.RetryAfter(retryAccount, why("this computer's IP address is not on the SMS application's allow list"))
	case "UnauthorizedOperation.RequestPermissionDeny", "UnauthorizedOperation":
		return sdk.RetryAfter(retryAccount, why("the key may not send SMS: grant the CAM user SMS permissions"))
	}
	switch {
	case strings.HasPrefix(code, "AuthFailure"):
		return sdk.RetryAfter(retryAccount, why("Tencent Cloud refused the credentials: check the SecretId and SecretKey"))
	case strings.HasPrefix(code, "RequestLimitExceeded"):
		return sdk.RetryAfter(retryThrottle, why("Tencent Cloud asks for fewer requests per second"))
	case strings.HasPrefix(code, "InternalError"):
		return sdk.RetryAfter(retryNetwork, why("Tencent Cloud had an internal error"))
	case strings.HasPrefix(code, "InvalidParameter"), strings.HasPrefix(code, "MissingParameter"), code == "UnknownParameter",
		strings.HasPrefix(code, "FailedOperation"), strings.HasPrefix(code, "UnsupportedOperation"):
		return sdk.Rejected(why("Tencent Cloud refused the message: " + oneLine(message, 160)))
	}
	// Unknown codes keep the message for later rather than lose it.
	return sdk.RetryAfter(retryAccount, why("Tencent Cloud answered: "+oneLine(message, 160)))
}

// errorOutcome maps a failed call.
func errorOutcome(err error, now time.Time) sdk.Result {
	var ae *apiError
	if errors.As(err, &ae) {
		return outcome(ae.Code, ae.Message, now)
	}
	var te *transportError
	if errors.As(err, &te) && te.retryAfter > 0 {
		return sdk.RetryAfter(te.retryAfter, te.msg)
	}
	return sdk.RetryAfter(retryNetwork, err.Error())
}
