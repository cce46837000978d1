package casedb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

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
	for _, k := range []error{ErrInput, ErrNoCase, ErrNewerSchema, ErrOldSchema, ErrExists, ErrUserSQL} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// ErrBusy reports a case that another process holds: exit code 5 ("case in use"). Errors
// of this kind are *BusyError.
var ErrBusy = errors.New("case in use")

// BusyError is a case that another process holds open (DuckDB allows one writing process
// or several reading ones), or is still creating.
type BusyError struct {
	// Path is the case database.
	Path string
	// PID is the process holding it, as DuckDB's lock error names it (0: unknown).
	PID int
	// Program is that process's executable, as DuckDB names it ("" when unknown).
	Program string
	// Detail says what the other process does when PID is unknown.
	Detail string
}

func (e *BusyError) Error() string {
	switch {
	case e.PID > 0 && e.Program != "":
		return fmt.Sprintf("the case %s is in use by PID %d (%s): wait until it has finished, then run the command again", e.Path, e.PID, e.Program)
	case e.PID > 0:
		return fmt.Sprintf("the case %s is in use by PID %d: wait until it has finished, then run the command again", e.Path, e.PID)
	case e.Detail != "":
		return fmt.Sprintf("the case %s is in use: %s; wait until it has finished, then run the command again", e.Path, e.Detail)
	}
	return fmt.Sprintf("the case %s is in use by another process: wait until it has finished, then run the command again", e.Path)
}

// Is makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// lockHolder matches DuckDB 1.5's lock conflict on opening a held file: "Could
// not set lock on file "PATH": Conflicting lock is held in PROGRAM (PID N)". DuckDB gives the
// holder in its message only, so the message is the one place to read it from.
var lockHolder = regexp.MustCompile(`Could not set lock on file .*Conflicting lock is held in (.*) \(PID ([0-9]+)\)`)

// busyError returns a *BusyError when err is DuckDB's lock conflict on path, else nil.
func busyError(path string, err error) *BusyError {
	msg := err.Error()
	if m := lockHolder.FindStringSubmatch(msg); m != nil {
		pid, _ := strconv.Atoi(m[2])
		return &BusyError{Path: path, PID: pid, Program: m[1]}
	}
	if strings.Contains(msg, "Could not set lock on file") {
		return &BusyError{Path: path}
	}
	return nil
}
