package mt940

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// line61 matches a statement line: value date YYMMDD, optional entry date MMDD, mark
// (C, D, RC, RD, or MT942's EC/ED), optional funds code (the third letter of the currency),
// amount, transaction type (N/F/S and three characters), then the reference for the account
// owner, an optional "//" bank reference, and on following lines the supplementary details.
var line61 = regexp.MustCompile(`^(\d{6})(\d{4}| {4})?(RC|RD|EC|ED|C|D)([A-Z])?([0-9][0-9,.]*)([A-Z][A-Z0-9]{3})?([^\n]*)(?:\n([\s\S]*))?$`)

// MaxField bounds the text of a :61: field and of its :86: information before either is
// parsed: SWIFT allows 6 lines of 65 characters for :86: (some banks write up to 2 KiB), so
// a longer field is damage or an attack, and refusing it keeps the work per entry bounded.
const MaxField = 16 << 10

// entry reads one :61: field and its :86: information into a transaction.
func (p *parser) entry(f field, info, account, ccy string, opening *balance, stamp time.Time, per *Period) *canon.RecordError {
	raw := ":61:" + f.value
	if info != "" {
		raw += "\n:86:" + info
	}
	raw = canon.Excerpt(raw, maxRaw)
	fail := func(field, format string, args ...any) *canon.RecordError {
		return &canon.RecordError{Record: f.line, Field: field, Raw: raw, Reason: fmt.Sprintf(format, args...)}
	}
	if len(f.value) > MaxField || len(info) > MaxField {
		return fail("61", "the :61: field or its :86: information is longer than %d bytes (mt940.MaxField; SWIFT allows a few hundred): not read", MaxField)
	}
	m := line61.FindStringSubmatch(f.value)
	if m == nil {
		return fail("61", "%s is not value date, optional entry date, C/D/RC/RD mark, amount and transaction type", canon.Quote(firstLine(f.value)))
	}
	mark := m[3]
	credit := mark == "C" || mark == "RD" || mark == "EC"
	reversal := mark[0] == 'R'
	amount, err := parseAmount(m[5])
	if err != nil {
		return fail("61/amount", "%v", err)
	}
	quarantine := func(field, format string, args ...any) *canon.RecordError {
		if credit {
			per.QuarantinedCredits = per.QuarantinedCredits.Add(amount)
		} else {
			per.QuarantinedDebits = per.QuarantinedDebits.Add(amount)
		}
		return fail(field, format, args...)
	}
	if amount.IsZero() {
		return quarantine("61/amount", "amount is zero: nothing moved, so there is no transaction to load")
	}
	var warns []canon.Note
	value, err := parseYYMMDD(m[1])
	booked := value
	switch {
	case err == nil && strings.TrimSpace(m[2]) != "":
		if booked, err = entryDate(value, m[2]); err != nil {
			return quarantine("61/entry date", "%v", err)
		}
	case err != nil && strings.TrimSpace(m[2]) != "":
		// An impossible value date (30 February) beside a valid entry date: the booking is
		// dated by the entry date, in the year the value date names, and the value date is
		// left unknown, never guessed.
		near, ok := monthEnd(m[1])
		if !ok {
			return quarantine("61/value date", "%v", err)
		}
		if booked, err = entryDate(near, m[2]); err != nil {
			return quarantine("61/entry date", "%v", err)
		}
		warns = append(warns, canon.Warning(f.line, "61/value date", fmt.Sprintf("%q is not a valid YYMMDD date; the line is loaded booked on its entry date %s, without a value date", m[1], booked.Format("2006-01-02")), raw))
		value = time.Time{}
	case err != nil:
		return quarantine("61/value date", "%v", err)
	}
	if ccy == "" {
		return quarantine("61", "the statement states no currency (no :60:, :62:, :34F: or :90: field)")
	}
	typ := m[6]
	custRef, bankRef := m[7], ""
	if i := strings.Index(custRef, "//"); i >= 0 {
		custRef, bankRef = custRef[:i], strings.TrimSpace(custRef[i+2:])
	}
	supplementary := strings.Join(strings.Fields(m[8]), " ")
	if m[6] == "" {
		per.Notes = append(per.Notes, fmt.Sprintf("line %d: :61: has no transaction type or reference (mandatory in SWIFT); loaded from its date, mark and amount", f.line))
	}

	d := parseDetails(info)
	ch := channelOf(typ, d.gvc, d.posting+" "+supplementary, credit)
	id, kind, warn := canon.CounterpartyAccount(ch, account, d.iban, d.bank, d.number, d.name)
	cp := canon.Account{ID: id, Kind: kind, HolderName: d.name}
	if kind == canon.KindBank {
		if strings.HasPrefix(id, "acct:") {
			cp.Bank, cp.Number = d.bank, strings.Join(strings.Fields(d.number), "")
		} else {
			cp.IBAN, cp.Country, cp.BIC = id, id[:2], d.bic
		}
	}
	t := canon.Txn{
		Record:       f.line,
		BookedAt:     booked,
		ValueDate:    value,
		Amount:       amount,
		Currency:     ccy,
		Channel:      ch,
		Reference:    d.reference,
		EndToEnd:     d.endToEnd,
		Counterparty: d.counterparty,
	}
	if t.Reference == "" {
		// No :86: text: the supplementary details and the owner's reference are all there is.
		ref := strings.TrimSpace(custRef)
		if strings.EqualFold(ref, "NONREF") {
			ref = ""
		}
		t.Reference = joinNonEmpty(" ", supplementary, ref)
	}
	if reversal {
		t.Reference = strings.TrimSpace("REVERSAL: " + t.Reference)
	}
	if credit {
		t.From, t.To = id, account
		per.Credits = per.Credits.Add(amount)
	} else {
		t.From, t.To = account, id
		per.Debits = per.Debits.Add(amount)
	}
	if warn != nil {
		warns = append(warns, canon.Warning(f.line, "86/"+d.accountField,
			"counterparty "+warn.Error()+"; the entry is loaded with the counterparty kept as written, as "+id+" (unverified external account)", raw))
	}
	p.batch.Notes = append(p.batch.Notes, warns...)
	p.seq++
	t.Seq = p.seq
	p.accounts.Add(&p.batch, cp)
	p.batch.Txns = append(p.batch.Txns, t)
	p.refs = append(p.refs, bankRef)
	return nil
}

// entryDate places the MMDD entry (booking) date in the year that puts it nearest the value
// date, so a value date of 31 December with an entry date of 0102 is booked on 2 January of
// the next year, and a value date of 2 January with entry date 1231 in the year before.
func entryDate(value time.Time, mmdd string) (time.Time, error) {
	var best time.Time
	for _, y := range []int{value.Year(), value.Year() + 1, value.Year() - 1} {
		t, err := time.Parse("20060102", fmt.Sprintf("%04d%s", y, mmdd))
		if err != nil {
			continue
		}
		if best.IsZero() || absDays(t.Sub(value)) < absDays(best.Sub(value)) {
			best = t
		}
	}
	if best.IsZero() || absDays(best.Sub(value)) > 183*24*time.Hour {
		return time.Time{}, fmt.Errorf("%s is not a valid MMDD entry date near the value date %s", canon.Quote(mmdd), value.Format("2006-01-02"))
	}
	return best, nil
}

// monthEnd gives the last day of the year and month a YYMMDD text names whatever its day, so
// that an impossible day (30 February) still places an entry date in its year.
func monthEnd(yymmdd string) (time.Time, bool) {
	t, err := time.Parse("0601", yymmdd[:4])
	if err != nil {
		return time.Time{}, false
	}
	if t.Year() >= 2080 {
		t = t.AddDate(-100, 0, 0)
	}
	return t.AddDate(0, 1, -1), true
}

func absDays(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
