package storage

import "strings"

// JoinErrors is one error that lists errs separated by sep ("; " or ", ").
// Unlike errors.Join it reads as one line, and i18n.Error still translates
// each part, since it unwraps to them.
func JoinErrors(sep string, errs ...error) error {
	if len(errs) == 0 {
		return nil
	}
	return &joined{sep, errs}
}

type joined struct {
	sep  string
	errs []error
}

func (j *joined) Error() string {
	parts := make([]string, len(j.errs))
	for i, e := range j.errs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, j.sep)
}

func (j *joined) Unwrap() []error { return j.errs }
