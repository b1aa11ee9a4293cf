// Package posixlocale makes Fyne read the C locale as English. Fyne looks
// up the system language while its packages initialise, before main runs,
// and logs "Error parsing user locale C" three times when LANG is C.UTF-8
// (Debian's default and most containers'), on every command, CLI included.
//
// Importing this package for its side effect sets LANGUAGE=en in that case,
// which is what the C locale means (untranslated messages); gettext and
// Fyne both take LANGUAGE before LANG. It must initialise before Fyne's
// lang package: Go initialises packages in import-path order among those
// ready, and this one imports only os, so it runs before
// github.com/nicksnyder/go-i18n, which Fyne's lang waits for.
package posixlocale

import "os"

func init() {
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(v); loc != "" {
			break
		}
	}
	if os.Getenv("LANGUAGE") == "" && isPOSIX(loc) {
		os.Setenv("LANGUAGE", "en")
	}
}

// isPOSIX reports the C locale in the spellings Fyne cannot parse: "C.UTF-8",
// "C.utf8", "POSIX.UTF-8" (plain "C" and "POSIX" it already handles).
func isPOSIX(loc string) bool {
	for _, p := range []string{"C.", "POSIX."} {
		if len(loc) > len(p) && loc[:len(p)] == p {
			return true
		}
	}
	return false
}
