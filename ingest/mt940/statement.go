package mt940

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// parser holds the state of one Parse call.
type parser struct {
	opt      Options
	batch    canon.Batch
	periods  []Period
	notes    []string
	accounts canon.AccountIndex
	seq      int64
	refs     []string // bank reference of every emitted txn, for SourceID
}

// balance is a :60:/:62:/:64:/:65: balance.
type balance struct {
	amount decimal.Decimal
	ccy    string
	date   time.Time
}

var balanceRe = regexp.MustCompile(`^([CD])(\d{6})([A-Z]{3})?([0-9][0-9,.]*)$`)

// parseBalance reads "C160229EUR1200,00": mark, date YYMMDD, currency, amount. Some banks
// leave the currency out ("C020315105000,00"); the statement's other balances give it then.
func parseBalance(v string) (*balance, error) {
	if len(v) > maxBalance {
		return nil, fmt.Errorf("%s is %d bytes long; a balance has at most %d (D/C, date, currency and 15 digits)", canon.Quote(v), len(v), maxBalance)
	}
	m := balanceRe.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return nil, fmt.Errorf("%s is not D/C, YYMMDD date, currency and amount", canon.Quote(v))
	}
	d, err := parseYYMMDD(m[2])
	if err != nil {
		return nil, err
	}
	a, err := parseAmount(m[4])
	if err != nil {
		return nil, err
	}
	if m[1] == "D" {
		a = a.Neg()
	}
	return &balance{amount: a, ccy: m[3], date: d}, nil
}

// maxBalance bounds a balance field's text before it is parsed: SWIFT's is 25 characters.
const maxBalance = 64

// parseAmount reads an MT940 amount: a comma decimal ("1200,00", "380115,"), or, in legacy
// Rabobank exports, a dot decimal ("000000002145.00"). Never both.
func parseAmount(s string) (decimal.Decimal, error) {
	n := money.Notation{Decimal: ','}
	if !strings.Contains(s, ",") && strings.Count(s, ".") == 1 {
		n = money.Dot
	}
	return money.Parse(s, n)
}

// parseYYMMDD reads a SWIFT date; years 00-79 are 2000-2079, 80-99 are 1980-1999.
func parseYYMMDD(s string) (time.Time, error) {
	t, err := time.Parse("060102", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a valid YYMMDD date", canon.Quote(s))
	}
	if t.Year() >= 2080 {
		t = t.AddDate(-100, 0, 0)
	}
	return t, nil
}

// statement reads one message (a :20: ... sequence). open is true for a last message that
// runs to the end of the file without an end-of-message line.
func (p *parser) statement(fs []field, open bool) {
	var acctRaw string
	var opening, closing *balance
	var ccy string
	var stamp time.Time
	for _, f := range fs {
		switch f.tag {
		case "25", "25P":
			if acctRaw == "" {
				acctRaw = strings.TrimSpace(strings.SplitN(f.value, "\n", 2)[0])
			}
		case "60F", "60M", "62F", "62M":
			b, err := parseBalance(f.value)
			if err != nil {
				p.notes = append(p.notes, fmt.Sprintf("line %d: :%s: %v", f.line, f.tag, err))
				// The balance is unknown, but its currency may still be read.
				if m := currencyRe.FindStringSubmatch(canon.Excerpt(f.value, maxBalance)); m != nil && ccy == "" {
					ccy = m[1]
				}
				continue
			}
			if f.tag[:2] == "60" && opening == nil {
				opening = b
			} else if f.tag[:2] == "62" {
				closing = b
			}
		case "34F", "90D", "90C":
			if m := currencyRe.FindStringSubmatch(f.value); m != nil && ccy == "" {
				ccy = m[1]
			}
		case "13", "13D":
			if len(f.value) >= 6 {
				stamp, _ = parseYYMMDD(f.value[:6])
			}
		}
	}
	has61 := false
	for _, f := range fs {
		has61 = has61 || f.tag == "61"
	}
	if acctRaw == "" && p.opt.Account == "" {
		if has61 {
			for _, f := range fs {
				if f.tag == "61" {
					p.batch.Records++
					p.batch.Errors = append(p.batch.Errors, canon.RecordError{Record: f.line, Field: "25", Raw: ":61:" + f.value, Reason: "the statement has no :25: account identification"})
				}
			}
		}
		return
	}
	if opening == nil && closing == nil && !has61 && acctRaw == "" {
		return
	}
	account, suffix := statementAccount(acctRaw, p.opt.Account)
	for _, c := range []string{balanceCcy(opening), balanceCcy(closing), ccy, suffix} {
		if c != "" {
			ccy = c
			break
		}
	}
	account.Currency = ccy
	p.accounts.Add(&p.batch, account)

	idx := len(p.batch.Statements)
	p.periods = append(p.periods, Period{Statement: idx})
	per := &p.periods[idx]
	st := canon.Statement{Account: account.ID, Currency: ccy}
	first := len(p.batch.Txns)
	cut := -1
	if open && closing == nil {
		cut = cutEntry(fs)
	}
	for i, f := range fs {
		if f.tag != "61" {
			continue
		}
		var info []string
		for _, g := range fs[i+1:] {
			if g.tag != "86" {
				break
			}
			info = append(info, g.value)
		}
		p.batch.Records++
		per.Entries++
		if i == cut && !typed61(f.value) {
			// The file ends inside this entry's fields, before the statement's closing
			// balance, and its :61: has no transaction type after the amount: the amount
			// itself may be cut short (":61:...D24187,50" cut to "D241"). Quarantined,
			// never loaded with a figure the bank did not write.
			raw := ":61:" + f.value
			if len(info) > 0 {
				raw += "\n:86:" + strings.Join(info, "\n")
			}
			per.Quarantined++
			p.batch.Errors = append(p.batch.Errors, canon.RecordError{Record: f.line, Field: "61/amount", Raw: canon.Excerpt(raw, maxRaw),
				Reason: "the file ends inside this entry, before the statement's closing balance (:62F:/:62M:) and without an end-of-message line, and no transaction type follows the amount: a truncated file, the amount may be cut short"})
			continue
		}
		if rerr := p.entry(f, strings.Join(info, "\n"), account.ID, ccy, opening, stamp, per); rerr != nil {
			per.Quarantined++
			p.batch.Errors = append(p.batch.Errors, *rerr)
		} else if i == cut {
			p.batch.Notes = append(p.batch.Notes, canon.Warning(f.line, "86", "the file ends inside this entry, before the statement's closing balance and without an end-of-message line: its amount is whole (a transaction type follows it), its details may be cut short", ":61:"+canon.Excerpt(f.value, 200)))
		}

	}
	txns := p.batch.Txns[first:]
	if opening != nil {
		st.Opening = decimal.NewNullDecimal(opening.amount)
		st.PeriodStart = opening.date
	} else {
		per.Notes = append(per.Notes, "no opening balance (:60F:/:60M:)")
	}
	if closing != nil {
		st.Closing = decimal.NewNullDecimal(closing.amount)
		st.PeriodEnd = closing.date
		if closing.ccy != "" && closing.ccy != ccy {
			per.Notes = append(per.Notes, fmt.Sprintf("closing balance is in %s, the statement in %s", closing.ccy, ccy))
		}
	} else {
		per.Notes = append(per.Notes, "no closing balance (:62F:/:62M:)")
	}
	if st.PeriodEnd.IsZero() {
		st.PeriodEnd = stamp
	}
	if closing == nil && !stamp.IsZero() {
		for _, t := range txns {
			if t.BookedAt.After(st.PeriodEnd) {
				st.PeriodEnd = t.BookedAt
			}
		}
	}
	for _, t := range txns {
		if opening == nil && (st.PeriodStart.IsZero() || t.BookedAt.Before(st.PeriodStart)) {
			st.PeriodStart = t.BookedAt
		}
		if closing == nil && stamp.IsZero() && t.BookedAt.After(st.PeriodEnd) {
			st.PeriodEnd = t.BookedAt
		}
	}
	per.Opening, per.Closing = st.Opening, st.Closing
	per.Reconcile()
	p.batch.Statements = append(p.batch.Statements, st)
}

// typed61 reports whether a :61: value's first line has a transaction type code after its
// amount, so that the amount cannot have been cut short.
func typed61(v string) bool {
	m := line61.FindStringSubmatch(firstLine(v))
	return m != nil && m[6] != ""
}

// cutEntry gives the index of the :61: field whose entry (with its :86: fields) ends the
// message, or -1 when another field follows it.
func cutEntry(fs []field) int {
	i := len(fs) - 1
	for i >= 0 && fs[i].tag == "86" {
		i--
	}
	if i >= 0 && fs[i].tag == "61" {
		return i
	}
	return -1
}

// maxRaw bounds the raw text kept with a quarantined entry.
const maxRaw = 16 << 10

func balanceCcy(b *balance) string {
	if b == nil {
		return ""
	}
	return b.ccy
}

var currencyRe = regexp.MustCompile(`([A-Z]{3})[DC]?[0-9]`)

var trailingCcy = regexp.MustCompile(`^(.*?[0-9])[ /]?([A-Z]{3})$`)

// statementAccount reads the :25: account identification: an IBAN; or "bank/number" (German
// BLZ/Konto, a BIC and a number), possibly followed by a currency code. An IBAN that fails its
// check is kept as written under the acct: scheme, never corrected. It also returns a
// currency code found at the end, if any.
func statementAccount(raw, override string) (canon.Account, string) {
	if override != "" {
		return canon.Account{ID: override, Kind: canon.KindBank, Statement: true}, ""
	}
	a := canon.Account{Kind: canon.KindBank, Statement: true}
	s, ccy := raw, ""
	if m := trailingCcy.FindStringSubmatch(s); m != nil {
		s, ccy = strings.TrimRight(m[1], " /"), m[2]
	}
	bank, number := "", s
	if i := strings.Index(s, "/"); i > 0 {
		bank, number = s[:i], s[i+1:]
	}
	compact := strings.Join(strings.Fields(number), "")
	if canon.LooksLikeIBAN(compact) {
		if v, err := canon.NormalizeIBAN(compact); err == nil {
			a.ID, a.IBAN, a.Country = v, v, v[:2]
			if bank != "" {
				a.BIC = bank
			}
			return a, ccy
		}
	}
	a.Bank, a.Number = bank, compact
	a.ID = canon.AccountID("acct", bank, number)
	return a, ccy
}

// finish sets StatementAccount when all statements are of one account, and SourceID from
// the bank reference (after "//" in :61:) when every transaction has one and no two are equal.
func (p *parser) finish() {
	p.batch.StatementAccount = canon.SoleAccount(p.batch.Statements)
	canon.UseRefsAsIDs(p.batch.Txns, p.refs, func(r string) bool { return !strings.EqualFold(r, "NONREF") })

}
