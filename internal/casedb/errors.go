package casedb

import "errors"

// The error kinds every layer returns, wrapped with %w: the CLI chooses its exit code from
// them with errors.Is, never from the text. The case database's own errors (ErrNoCase,
// ErrNewerSchema, ErrOldSchema, ErrExists) are input errors too.
var (
	// ErrInput marks problems with what the user gave (an unreadable or malformed file, an
	// unknown format, a --strict quarantine, a run id that does not exist): exit code 3, and
	// nothing was stored for the failing file.
	ErrInput = errors.New("input error")
	// ErrUsage marks a command line that cannot be run as given (a missing or contradictory
	// flag, a value out of range): exit code 2.
	ErrUsage = errors.New("usage error")
	// ErrInternal marks a failure of moneytrail itself or of DuckDB: exit code 4. Errors of
	// no other kind are internal too.
	ErrInternal = errors.New("internal error")
)

// IsInput reports whether err is an input error of any kind: ErrInput or one of the case
// database's own.
func IsInput(err error) bool {
	for _, k := range []error{ErrInput, ErrNoCase, ErrNewerSchema, ErrOldSchema, ErrExists} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
