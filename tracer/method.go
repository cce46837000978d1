package tracer

import (
	"fmt"
	"strings"
)

// Method is an allocation rule: it decides which lots a debit takes from the payer.
type Method uint8

// The allocation methods of DESIGN.md §4.
const (
	// FIFO takes the oldest lots first (Clayton's case).
	FIFO Method = iota
	// LIFO takes the newest lots first.
	LIFO
	// ProRata takes every origin in proportion to its share of the balance at that moment
	// (the rolling charge), splitting cents by the largest-remainder rule.
	ProRata
	// LIBR (lowest intermediate balance rule) takes untainted lots first, oldest first, then
	// the tainted origins rateably among themselves, so tainted money never exceeds the lowest
	// intermediate balance and later untainted deposits never restore it.
	LIBR
	// TaintedFirst takes tainted lots first, oldest first, then untainted ones, oldest
	// first: the claimant's-choice upper bound of Re Oatway.
	TaintedFirst
	// Poison marks an account with every tainted origin that ever reaches it; from then on
	// its whole balance and every debit carry each of those origins in full. It is an upper
	// bound and does not conserve: see the package comment for the amounts it reports.
	Poison
	numMethods
)

// AllMethods lists every method in the order used by "method all" and the sensitivity table.
var AllMethods = []Method{FIFO, LIFO, ProRata, LIBR, TaintedFirst, Poison}

var methodNames = [numMethods]string{"fifo", "lifo", "prorata", "libr", "tainted-first", "poison"}

// String returns the method's name as written on the command line, e.g. "tainted-first".
func (m Method) String() string {
	if m < numMethods {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// Conserves reports whether the method keeps every cent: for each seed, its traced amount
// equals the sum of its positions. Every method but Poison conserves.
func (m Method) Conserves() bool { return m != Poison }

// ParseMethods reads a method name as written on the command line. "all" yields every method
// (AllMethods); a comma-separated list yields those methods in the order given.
func ParseMethods(s string) ([]Method, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "all" {
		return append([]Method(nil), AllMethods...), nil
	}
	var out []Method
	seen := [numMethods]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for m, n := range methodNames {
			if n == name {
				if seen[m] {
					return nil, fmt.Errorf("method %q given twice", name)
				}
				seen[m] = true
				out = append(out, Method(m))
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown method %q (want one of %s or all)", name, strings.Join(methodNames[:], ", "))
		}
	}
	return out, nil
}
