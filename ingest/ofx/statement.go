package ofx

import (
	"fmt"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/shopspring/decimal"
)

// parser holds the state of one Parse call.
type parser struct {
	body     string
	opt      Options
	batch    canon.Batch
	periods  []Period
	accounts canon.AccountIndex
	entryNo  int
	seq      int64
	// fitids holds the FITID of every emitted transaction, index-aligned with batch.Txns, so
	// finish can decide whether they are usable as SourceID.
	fitids []string
	// line is the 1-based file line of body offset lineOff (see lineAt); firstLine that of
	// the body's start.
	line, firstLine, lineOff int
}

// stmt is the context of the statement whose entries are being read.
type stmt struct {
	account  string
	currency string
	period   *Period
}

// statement reads one STMTRS (bank) or CCSTMTRS (credit card) aggregate.
func (p *parser) statement(s *node) {
	account := p.statementAccount(s)
	cur := s.str("CURDEF")
	cs := canon.Statement{Account: account.ID, Currency: cur}
	idx := len(p.batch.Statements)
	p.periods = append(p.periods, Period{Statement: idx})
	per := &p.periods[idx]
	if cur == "" {
		per.Notes = append(per.Notes, "no CURDEF (statement currency)")
	} else if !canon.ValidCurrency(cur) {
		per.Notes = append(per.Notes, fmt.Sprintf("CURDEF %q is not a currency code", cur))
		cur = ""
	}

	st := &stmt{account: account.ID, currency: cur, period: per}
	first := len(p.batch.Txns)
	list := s.child("BANKTRANLIST")
	for _, e := range list.find("STMTTRN") {
		e.read = true
		p.entryNo++
		per.Entries++
		if rerr := p.entry(e, st); rerr != nil {
			per.Quarantined++
			p.batch.Errors = append(p.batch.Errors, *rerr)
		}
	}
	txns := p.batch.Txns[first:]
	if cs.Currency == "" || !canon.ValidCurrency(cs.Currency) {
		cs.Currency = ""
		for _, t := range txns {
			cs.Currency = t.Currency
			break
		}
	}
	account.Currency = cs.Currency
	p.accounts.Add(&p.batch, account)

	if bal := s.child("LEDGERBAL"); bal == nil {
		per.Notes = append(per.Notes, "no closing balance (LEDGERBAL)")
	} else if raw := bal.str("BALAMT"); raw == "" {
		per.Notes = append(per.Notes, "LEDGERBAL has no amount (BALAMT is empty)")
	} else if v, err := parseAmount(raw); err != nil {
		per.Notes = append(per.Notes, fmt.Sprintf("LEDGERBAL/BALAMT unreadable: %v", err))
	} else {
		cs.Closing = decimal.NewNullDecimal(v)
		per.Closing = cs.Closing
		per.ImpliedOpening = decimal.NewNullDecimal(v.Sub(per.Credits).Add(per.Debits))
		if d, err := parseDateTime(bal.str("DTASOF")); err == nil && !d.IsZero() {
			cs.PeriodEnd = d
		}
	}
	if raw := list.str("DTSTART"); raw != "" {
		if d, err := parseDateTime(raw); err != nil {
			per.Notes = append(per.Notes, fmt.Sprintf("DTSTART unreadable: %v", err))
		} else {
			cs.PeriodStart = d
		}
	}
	if raw := list.str("DTEND"); raw != "" {
		if d, err := parseDateTime(raw); err != nil {
			per.Notes = append(per.Notes, fmt.Sprintf("DTEND unreadable: %v", err))
		} else {
			cs.PeriodEnd = d
		}
	}
	if cs.PeriodStart.IsZero() || cs.PeriodEnd.IsZero() {
		lo, hi := span(txns)
		if cs.PeriodStart.IsZero() {
			cs.PeriodStart = lo
		}
		if cs.PeriodEnd.IsZero() {
			cs.PeriodEnd = hi
		}
		if len(txns) > 0 {
			per.Notes = append(per.Notes, "period (DTSTART/DTEND) incomplete: completed from the first and last posting")
		} else {
			per.Notes = append(per.Notes, "period (DTSTART/DTEND) incomplete and no transactions to complete it from")
		}
	}
	p.batch.Statements = append(p.batch.Statements, cs)
}

// span gives the first and last posting time of txns.
func span(txns []canon.Txn) (lo, hi time.Time) {
	for _, t := range txns {
		if lo.IsZero() || t.BookedAt.Before(lo) {
			lo = t.BookedAt
		}
		if t.BookedAt.After(hi) {
			hi = t.BookedAt
		}
	}
	return lo, hi
}

// statementAccount builds the statement's account from BANKACCTFROM or CCACCTFROM, or from
// Options.Account. ACCTID is the account id when it is a valid IBAN; otherwise the account
// is "ofx:<BANKID>:<ACCTID>" (an empty BANKID for cards gives "ofx::<ACCTID>").
func (p *parser) statementAccount(s *node) canon.Account {
	from := s.child("BANKACCTFROM")
	if from == nil {
		from = s.child("CCACCTFROM")
	}
	bank, number := from.str("BANKID"), from.str("ACCTID")
	a := canon.Account{Kind: canon.KindBank, Bank: bank, Number: number, Statement: true}
	if v, err := canon.NormalizeIBAN(number); err == nil {
		a.ID, a.IBAN, a.Country = v, v, v[:2]
	} else {
		a.ID = canon.AccountID("ofx", bank, number)
	}
	if p.opt.Account != "" {
		a = canon.Account{ID: p.opt.Account, Kind: canon.KindBank, Statement: true}
	}
	return a
}

// finish sets what needs the whole file: Records, StatementAccount when all statements are
// of one account, and SourceID from FITID when every transaction of the file has one and no
// two are equal (a FITID is unique per account only, and some exporters repeat or omit it;
// otherwise the loader derives ids from the file's hash and the entry number).
func (p *parser) finish() {
	p.batch.Records = len(p.batch.Txns) + len(p.batch.Errors)
	p.batch.StatementAccount = canon.SoleAccount(p.batch.Statements)
	if canon.UseRefsAsIDs(p.batch.Txns, p.fitids, func(string) bool { return true }) {
		return
	}
	if len(p.fitids) > 0 {
		p.batch.Notes = append(p.batch.Notes, canon.Note{Kind: "file", Text: "FITID missing or repeated in this file: transaction ids are derived from the file instead"})
	}
}

// raw returns the source text of n.
// where names the place of entry n in the file for a court: its ordinal and the line of its
// <STMTTRN> tag.
func (p *parser) where(n *node) string {
	return fmt.Sprintf("entry %d at line %d: ", p.entryNo, p.lineAt(n.start))
}

// lineAt gives the file line of body offset off, counting on from the last offset asked
// (entries come in file order, so the body is counted once).
func (p *parser) lineAt(off int) int {
	if off < p.lineOff {
		p.line, p.lineOff = p.firstLine, 0
	}
	if off > len(p.body) {
		off = len(p.body)
	}
	p.line += strings.Count(p.body[p.lineOff:off], "\n")
	p.lineOff = off
	return p.line
}

func (p *parser) raw(n *node) string {
	if n == nil || n.start < 0 || n.end > len(p.body) || n.start >= n.end {
		return ""
	}
	return p.body[n.start:n.end]
}
