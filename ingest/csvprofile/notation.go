package csvprofile

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/moneytrail/moneytrail/internal/money"
)

// Notation is how a file writes its characters, dates and amounts. Profile embeds it, and so
// does the operator profile of package ingest/mto, so that both read the same YAML keys
// (encoding, date_layouts, number) and check them with the same code.
type Notation struct {
	// Encoding is one of Encodings(); empty means utf-8 (a byte-order mark is allowed).
	Encoding string `yaml:"encoding"`
	// DateLayouts are Go time layouts tried in order for the file's dates ("02.01.2006",
	// "2006.01.02.", "02.01.06"): a statement's booked_at, value_date and balance-row
	// dates, an operator's send and pay-out times.
	DateLayouts []string `yaml:"date_layouts"`
	// Number is the notation of every amount in the file.
	Number NumberRule `yaml:"number"`
}

// FieldError is a problem with one field of a profile, named by its YAML key. The package
// that owns the profile wraps it with its own sentinel error and the profile's name.
type FieldError struct {
	Field  string // the YAML key: "number.decimal"
	Reason string
}

// Error returns "field: reason".
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Charmap checks Encoding and returns its single-byte character map, nil for UTF-8. An
// unknown encoding is a *FieldError.
func (n *Notation) Charmap() (*charmap.Charmap, error) {
	enc, err := n.encoding()
	return enc.cm, err
}

func (n *Notation) encoding() (encoding, error) {
	enc, ok := lookupEncoding(n.Encoding)
	if !ok {
		return enc, &FieldError{"encoding", fmt.Sprintf("%q is not one of %s", n.Encoding, strings.Join(Encodings(), ", "))}
	}
	return enc, nil
}

// CheckDates reports, as a *FieldError, a notation without date layouts.
func (n *Notation) CheckDates() error {
	if len(n.DateLayouts) == 0 {
		return &FieldError{"date_layouts", "at least one Go time layout is required (e.g. \"02.01.2006\")"}
	}
	return nil
}

// Money checks the rule and returns the notation its amounts are parsed with (after
// StripSymbols). A problem is a *FieldError.
func (r NumberRule) Money() (money.Notation, error) {
	var n money.Notation
	switch r.Decimal {
	case "", ".":
		n.Decimal = '.'
	case ",":
		n.Decimal = ','
	default:
		return n, &FieldError{"number.decimal", fmt.Sprintf("%q must be \".\" or \",\"", r.Decimal)}
	}
	switch r.Thousands {
	case "":
	case ".", ",", " ", "'":
		n.Thousands = r.Thousands[0]
	default:
		return n, &FieldError{"number.thousands", fmt.Sprintf("%q must be \".\", \",\", \" \", \"'\" or empty", r.Thousands)}
	}
	if n.Thousands == n.Decimal {
		return n, &FieldError{"number.thousands", "must differ from number.decimal"}
	}
	for i, s := range r.Strip {
		if strings.TrimSpace(s) == "" {
			return n, &FieldError{fmt.Sprintf("number.strip[%d]", i), "must not be blank"}
		}
	}
	return n, nil
}

// StripSymbols removes the currency symbols or codes the rule declares from an amount,
// after an optional leading sign: "+ £1,100.00" with Strip ["£"] gives "+1,100.00". Without
// any declared, s is returned as it is.
func (r NumberRule) StripSymbols(s string) string {
	if len(r.Strip) == 0 {
		return s
	}
	t := strings.TrimSpace(s)
	sign := ""
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		sign, t = t[:1], strings.TrimSpace(t[1:])
	}
	for _, x := range r.Strip {
		t = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, x), x))
	}
	return sign + t
}

// fieldErr turns a *FieldError into this package's error for profile p; other errors
// (and nil) pass unchanged.
func fieldErr(p *Profile, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return perr(p, fe.Field, "%s", fe.Reason)
	}
	return err
}
