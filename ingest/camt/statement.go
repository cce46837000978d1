package camt

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// parser holds the state of one Parse call.
type parser struct {
	data     []byte
	opt      Options
	batch    canon.Batch
	periods  []Period
	accounts canon.AccountIndex
	entryNo  int
	seq      int64
	// refs holds the AcctSvcrRef of every emitted transaction, index-aligned with batch.Txns,
	// so finish can decide whether they are usable as SourceID.
	refs []string
	// line is the 1-based line of byte offset lineOff (see lineAt).
	line    int
	lineOff int64
}

// stmt is the context of the statement whose entries are being read.
type stmt struct {
	account  string
	currency string
	period   *Period
}

// balance is one <Bal> of a statement.
type balance struct {
	code   string
	amount decimal.Decimal
	ccy    string
	date   time.Time
}

// statement reads one Stmt, Rpt or Ntfctn element.
func (p *parser) statement(s *node) {
	acct := s.child("Acct")
	account := p.statementAccount(acct)
	cs := canon.Statement{Account: account.ID, Currency: acct.str("Ccy")}
	idx := len(p.batch.Statements)
	p.periods = append(p.periods, Period{Statement: idx})
	per := &p.periods[idx]

	var opening, closing *balance
	for _, b := range s.children("Bal") {
		bal, err := readBalance(b)
		if err != nil {
			per.Notes = append(per.Notes, err.Error())
			continue
		}
		switch bal.code {
		case "OPBD":
			opening = bal
		case "PRCD":
			if opening == nil || opening.code != "OPBD" {
				opening = bal
			}
		case "CLBD":
			closing = bal
		}
	}

	st := &stmt{account: account.ID, currency: cs.Currency, period: per}
	first := len(p.batch.Txns)
	for _, e := range s.children("Ntry") {
		e.read = true
		p.entryNo++
		p.batch.Records++
		per.Entries++
		if rerr := p.entry(e, st); rerr != nil {
			per.Quarantined++
			p.batch.Errors = append(p.batch.Errors, *rerr)
		}
	}
	txns := p.batch.Txns[first:]

	if cs.Currency == "" {
		for _, t := range txns {
			cs.Currency = t.Currency
			break
		}
	}
	if cs.Currency == "" && opening != nil {
		cs.Currency = opening.ccy
	}
	if cs.Currency == "" && closing != nil {
		cs.Currency = closing.ccy
	}
	account.Currency = cs.Currency
	p.accounts.Add(&p.batch, account)

	cs.PeriodStart, cs.PeriodEnd = period(s, opening, closing, txns)
	if opening != nil {
		cs.Opening = decimal.NewNullDecimal(opening.amount)
		per.Opening = cs.Opening
		if opening.ccy != cs.Currency {
			per.Notes = append(per.Notes, fmt.Sprintf("opening balance %s is in %s, the account in %s", opening.code, opening.ccy, cs.Currency))
		}
	} else {
		per.Notes = append(per.Notes, "no opening balance (OPBD or PRCD)")
	}
	if closing != nil {
		cs.Closing = decimal.NewNullDecimal(closing.amount)
		per.Closing = cs.Closing
		if closing.ccy != cs.Currency {
			per.Notes = append(per.Notes, fmt.Sprintf("closing balance CLBD is in %s, the account in %s", closing.ccy, cs.Currency))
		}
	} else {
		per.Notes = append(per.Notes, "no closing balance (CLBD)")
	}
	per.Reconcile()
	p.batch.Statements = append(p.batch.Statements, cs)
}

// statementAccount builds the statement's account from <Acct>, or from Options.Account.
func (p *parser) statementAccount(acct *node) canon.Account {
	a := canon.Account{
		Kind:       canon.KindBank,
		BIC:        acct.first("Svcr/FinInstnId/BICFI", "Svcr/FinInstnId/BIC"),
		Bank:       acct.first("Svcr/FinInstnId/Nm", "Svcr/FinInstnId/NmAndAdr/Nm"),
		HolderName: acct.first("Ownr/Nm", "Ownr/Pty/Nm", "Nm"),
		Statement:  true,
	}
	raw := acct.first("Id/IBAN", "Id/Othr/Id", "Id/PrtryAcct/Id", "Id/BBAN", "Id/UPIC")
	if v, err := canon.NormalizeIBAN(raw); err == nil {
		a.ID, a.IBAN = v, v
		if len(v) >= 2 {
			a.Country = v[:2]
		}
	} else {
		// A statement IBAN that fails its check (anonymised samples do) is kept as written
		// under the acct: scheme, never corrected.
		a.Number = raw
		a.ID = canon.AccountID("acct", a.BIC, raw)
	}
	if p.opt.Account != "" {
		a = canon.Account{ID: p.opt.Account, Kind: canon.KindBank, HolderName: a.HolderName, Statement: true}
	}
	return a
}

// readBalance reads one <Bal>: its type code (Tp/CdOrPrtry/Cd, or Tp/Cd in version 1), the
// signed amount (negative when CdtDbtInd is DBIT) and its date.
func readBalance(b *node) (*balance, error) {
	code := b.first("Tp/CdOrPrtry/Cd", "Tp/Cd", "Tp/CdOrPrtry/Prtry")
	amt := b.child("Amt")
	v, err := parseAmount(amt)
	if err != nil {
		return nil, fmt.Errorf("balance %s: %v", code, err)
	}
	switch b.str("CdtDbtInd") {
	case "DBIT":
		v = v.Neg()
	case "CRDT", "":
	default:
		return nil, fmt.Errorf("balance %s: CdtDbtInd %s is neither CRDT nor DBIT", canon.Quote(code), canon.Quote(b.str("CdtDbtInd")))
	}
	d, err := parseDateNode(b.child("Dt"))
	if err != nil {
		return nil, fmt.Errorf("balance %s: %v", code, err)
	}
	return &balance{code: code, amount: v, ccy: amt.attr("Ccy"), date: d}, nil
}

// parseAmount reads an ISO 20022 amount: digits with a dot decimal, no sign.
func parseAmount(n *node) (decimal.Decimal, error) {
	if n == nil {
		return decimal.Decimal{}, fmt.Errorf("no Amt")
	}
	v, err := money.Parse(n.text, money.Dot)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if v.IsNegative() {
		return decimal.Decimal{}, fmt.Errorf("negative amount %s (the sign belongs in CdtDbtInd)", canon.Quote(n.text))
	}
	return v, nil
}

// period gives a statement's period: FrToDt if present, else the dates of the opening and
// closing balances, else the first and last booking dates of its entries.
func period(s *node, opening, closing *balance, txns []canon.Txn) (from, to time.Time) {
	if f := s.child("FrToDt"); f != nil {
		from, _ = parseStamp(f.first("FrDtTm", "FrDt"))
		to, _ = parseStamp(f.first("ToDtTm", "ToDt"))
	}
	if from.IsZero() && opening != nil {
		from = opening.date
	}
	if to.IsZero() && closing != nil {
		to = closing.date
	}
	var lo, hi time.Time
	for _, t := range txns {
		if lo.IsZero() || t.BookedAt.Before(lo) {
			lo = t.BookedAt
		}
		if hi.IsZero() || t.BookedAt.After(hi) {
			hi = t.BookedAt
		}
	}
	if from.IsZero() {
		from = lo
	}
	if to.IsZero() {
		to = hi
	}
	if to.IsZero() {
		to = from
	}
	return from, to
}

// parseDateNode reads a date container (BookgDt, ValDt, Bal/Dt): its Dt or DtTm child; some
// banks nest a DtTm inside Dt.
func parseDateNode(n *node) (time.Time, error) {
	if n == nil {
		return time.Time{}, nil
	}
	s := n.first("Dt", "DtTm", "Dt/DtTm", "Dt/Dt")
	if s == "" {
		s = n.text
	}
	if s == "" {
		return time.Time{}, nil
	}
	return parseStamp(s)
}

// parseStamp reads an ISO date ("2017-04-01", optionally with a zone offset, which a date does
// not need and is dropped) or date-time (with or without offset; without one it is taken as
// UTC, since the reader has no clock or locale to guess from).
func parseStamp(s string) (time.Time, error) {
	if len(s) >= 10 && (len(s) == 10 || s[10] != 'T') {
		d, err := time.Parse("2006-01-02", s[:10])
		if err != nil || (len(s) > 10 && !validZone(s[10:])) {
			return time.Time{}, fmt.Errorf("not an ISO date: %s", canon.Quote(s))
		}
		return d, nil
	}
	for _, f := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO date-time: %s", canon.Quote(s))
}

func validZone(z string) bool {
	if z == "Z" {
		return true
	}
	_, err := time.Parse("-07:00", z)
	return err == nil
}
