package canon

import (
	"errors"
	"fmt"
	"strings"
)

// ErrIBAN reports text that looks like an IBAN but fails its check.
var ErrIBAN = errors.New("invalid IBAN")

// ibanLengths is the registered IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// NormalizeIBAN removes spaces and dashes, upper-cases, and validates length and the mod-97
// check. It returns ErrIBAN (wrapped with the reason) for a bad IBAN; it never corrects one.
func NormalizeIBAN(s string) (string, error) {
	if len(s) > maxUnverified {
		return "", fmt.Errorf("%w: %q is longer than %d characters (IBANs have at most 34)", ErrIBAN, Excerpt(s, 40), maxUnverified)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			return "", fmt.Errorf("%w: %q has character %q", ErrIBAN, s, r)
		}
	}
	v := b.String()
	if len(v) < 15 || len(v) > 34 {
		return "", fmt.Errorf("%w: %q has length %d", ErrIBAN, s, len(v))
	}
	cc := v[:2]
	if cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' || v[2] < '0' || v[2] > '9' || v[3] < '0' || v[3] > '9' {
		return "", fmt.Errorf("%w: %q does not start with a country code and check digits", ErrIBAN, s)
	}
	if want, ok := ibanLengths[cc]; ok && want != len(v) {
		return "", fmt.Errorf("%w: %q has length %d, %s IBANs have %d", ErrIBAN, s, len(v), cc, want)
	}
	if cd := v[2:4]; cd == "00" || cd == "01" || cd == "99" {
		// ISO 13616 check digits run from 02 to 98: 00, 01 and 99 can pass the mod-97
		// test only as aliases of 97, 98 and 02.
		return "", fmt.Errorf("%w: %q has check digits %s (valid ones are 02 to 98)", ErrIBAN, s, cd)
	}
	if mod97(v[4:]+v[:4]) != 1 {
		return "", fmt.Errorf("%w: %q fails the mod-97 check", ErrIBAN, s)
	}
	return v, nil
}

// LooksLikeIBAN reports whether s, without spaces, has the shape of an IBAN (two letters,
// two digits, alphanumerics), whether or not its check digits are right.
func LooksLikeIBAN(s string) bool {
	v := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(v) < 15 || len(v) > 34 {
		return false
	}
	if v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || v[2] < '0' || v[2] > '9' || v[3] < '0' || v[3] > '9' {
		return false
	}
	for i := 4; i < len(v); i++ {
		c := v[i]
		if !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			n := int(c-'A') + 10
			r = (r*100 + n) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// AccountID builds the canonical id of an account that is not an IBAN: scheme:bank:number,
// each part trimmed, with spaces removed from the number. An empty bank is kept as an empty
// part ("acct::12345") so ids never collide across schemes.
func AccountID(scheme, bank, number string) string {
	return scheme + ":" + strings.TrimSpace(bank) + ":" + strings.Join(strings.Fields(number), "")
}

// UnverifiedPrefix starts the id of a counterparty whose account text has the place of an
// IBAN but fails its check (length, characters or mod-97): the account is kept as written,
// an external account nobody verified, never corrected and never mistaken for a bank account
// of the case.
const UnverifiedPrefix = "external:unverified-iban:"

// maxUnverified bounds the account text an unverified id keeps: no IBAN is longer than 34
// characters, so anything past 64 is not an account number worth keeping in an id.
const maxUnverified = 64

// UnverifiedAccountID is the id of an account written as s that fails the IBAN check:
// UnverifiedPrefix and s upper-cased without blanks (spaces, no-break spaces), cut at 64
// characters.
func UnverifiedAccountID(s string) string {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(v) > maxUnverified {
		v = v[:maxUnverified]
	}
	return UnverifiedPrefix + v
}

// CounterpartyAccount gives the canonical id for the other side of a statement entry, from
// what the entry says: a valid IBAN wins; else a bank and number give scheme "acct"; else a
// name gives "external:name:<key>"; else "external:unknown". Cash channels map to
// "cash:<statement account>".
//
// It never refuses an entry: the movement on the statement account is a fact of the
// statement whatever the counterparty's account looks like. An IBAN (in the IBAN field, or
// a number shaped like one) that fails its check gives the unverified external account
// UnverifiedAccountID(text) of kind external, and warn says why (it wraps ErrIBAN); the
// caller records warn as a warning of the record, never corrects the IBAN.
func CounterpartyAccount(channel, statementAccount, iban, bank, number, name string) (id, kind string, warn error) {
	switch channel {
	case ChannelCashDeposit, ChannelCashWithdrawal:
		return "cash:" + statementAccount, KindCash, nil
	}
	if strings.TrimSpace(iban) != "" {
		v, err := NormalizeIBAN(iban)
		if err != nil {
			return UnverifiedAccountID(iban), KindExternal, err
		}
		return v, KindBank, nil
	}
	if n := strings.Join(strings.Fields(number), ""); n != "" {
		if LooksLikeIBAN(n) {
			v, err := NormalizeIBAN(n)
			if err != nil {
				return UnverifiedAccountID(n), KindExternal, err
			}
			return v, KindBank, nil
		}
		return AccountID("acct", bank, n), KindBank, nil
	}
	if k := NameKey(name); k != "" {
		return "external:name:" + k, KindExternal, nil
	}
	return "external:unknown", KindExternal, nil
}

// KindOfLedgerID gives the account kind the ledger format implies for an id: cash:, external:
// and asset: prefixes name those kinds, everything else is a bank account.
func KindOfLedgerID(id string) string {
	switch {
	case strings.HasPrefix(id, "cash:"):
		return KindCash
	case strings.HasPrefix(id, "external:"):
		return KindExternal
	case strings.HasPrefix(id, "asset:"):
		return KindAsset
	}
	return KindBank
}
