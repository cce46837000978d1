package mt940

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
	"github.com/shopspring/decimal"
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
	m := balanceRe.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return nil, fmt.Errorf("%q is not D/C, YYMMDD date, currency and amount", v)
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
		return time.Time{}, fmt.Errorf("%q is not a valid YYMMDD date", s)
	}
	if t.Year() >= 2080 {
		t = t.AddDate(-100, 0, 0)
	}
	return t, nil
}

// statement reads one message (a :20: ... sequence).
func (p *parser) statement(fs []field) {
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
		if rerr := p.entry(f, strings.Join(info, "\n"), account.ID, ccy, opening, stamp, per); rerr != nil {
			per.Quarantined++
			p.batch.Errors = append(p.batch.Errors, *rerr)
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
