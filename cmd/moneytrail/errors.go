package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// exitError carries an exit code chosen by a command and, where the command knows it, the
// next step for the user.
type exitError struct {
	code int
	err  error
	next string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// withNext gives err the next step to print under it, keeping its exit code.
func withNext(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitCode(err), err: err, next: fmt.Sprintf(format, a...)}
}

func exitCode(err error) int {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, casedb.ErrBusy):
		return exitBusy
	case errors.Is(err, casedb.ErrUsage):
		return exitUsage
	case casedb.IsInput(err):
		return exitInput
	}
	return exitInternal
}

// nextStep is the next step err carries, if any.
func nextStep(err error) string {
	var ee *exitError
	for errors.As(err, &ee) {
		if ee.next != "" {
			return ee.next
		}
		err = ee.err
	}
	return ""
}

// writeError prints err as two lines: what happened, and what to do next. The kind words
// the layers wrap their errors in ("input error: ") say what the exit code says already.
func writeError(w io.Writer, err error, code int) {
	msg := err.Error()
	for _, k := range []error{casedb.ErrInput, casedb.ErrUsage, casedb.ErrInternal} {
		msg = strings.ReplaceAll(msg, k.Error()+": ", "")
	}
	fmt.Fprintf(w, "moneytrail: %s\n", msg)
	next := nextStep(err)
	if next == "" {
		switch code {
		case exitUsage:
			next = "see moneytrail --help"
		case exitInternal:
			next = "this is a fault in moneytrail or DuckDB, not in your data: please report it with the command line that gave it"
		}
	}
	if next != "" {
		fmt.Fprintf(w, "  %s\n", next)
	}
}

// helpNext gives a usage error of command c the next step "see moneytrail VERB --help"
// when it has none of its own.
func helpNext(c *cli.Command, err error) error {
	if err == nil || exitCode(err) != exitUsage || nextStep(err) != "" {
		return err
	}
	return withNext(err, "see %s --help", c.FullName())
}

// didYouMean names the choice closest to given, when one is close enough to be a slip of
// the keyboard: within a third of its length in edits (at least one), or given is the
// start of exactly one choice. It returns "" otherwise.
func didYouMean(given string, choices []string) string {
	g := strings.ToLower(given)
	best, bestD := "", len(g)/3+1
	var prefixed []string
	for _, c := range choices {
		lc := strings.ToLower(c)
		if g != "" && strings.HasPrefix(lc, g) {
			prefixed = append(prefixed, c)
		}
		if d := editDistance(g, lc); d < bestD || d == bestD && best != "" && c < best {
			best, bestD = c, d
		}
	}
	if best == "" && len(prefixed) == 1 {
		best = prefixed[0]
	}
	return best
}

// suggest is the " (did you mean X?)" tail of an error naming an unknown value, or "".
func suggest(given string, choices []string) string {
	if m := didYouMean(given, choices); m != "" && m != given {
		return fmt.Sprintf("; did you mean %q?", m)
	}
	return ""
}

// editDistance is the optimal-string-alignment distance between a and b in bytes (names
// here are ASCII): insertions, deletions, substitutions and swaps of two neighbours.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// commandNames lists the visible verbs of c, for suggestions.
func commandNames(c *cli.Command) []string {
	var out []string
	for _, s := range c.Commands {
		if !s.Hidden {
			out = append(out, s.Names()...)
		}
	}
	return out
}

// flagNames lists the long names of the flags c accepts, its ancestors' included, as typed
// (--name).
func flagNames(c *cli.Command) []string {
	var out []string
	for _, l := range c.Lineage() {
		for _, f := range l.Flags {
			for _, n := range f.Names() {
				if len(n) > 1 && !slices.Contains(out, "--"+n) {
					out = append(out, "--"+n)
				}
			}
		}
	}
	return out
}
