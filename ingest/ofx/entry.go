package ofx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
	"github.com/shopspring/decimal"
)

// entry reads one STMTTRN into a transaction, a zero-amount note, or a quarantine record.
func (p *parser) entry(e *node, st *stmt) *canon.RecordError {
	rec := p.entryNo
	raw := p.raw(e)
	where := p.where(e)
	fail := func(field, format string, args ...any) *canon.RecordError {
		return &canon.RecordError{Record: rec, Field: field, Raw: raw, Reason: where + fmt.Sprintf(format, args...)}
	}
	amtRaw := e.str("TRNAMT")
	if amtRaw == "" {
		return fail("TRNAMT", "no amount")
	}
	amt, err := parseAmount(amtRaw)
	quarantine := func(r *canon.RecordError) *canon.RecordError {
		if amt.IsPositive() {
			st.period.QuarantinedCredits = st.period.QuarantinedCredits.Add(amt)
		} else {
			st.period.QuarantinedDebits = st.period.QuarantinedDebits.Add(amt.Neg())
		}
		return r
	}
	if err != nil {
		if !errors.Is(err, money.ErrPrecision) {
			return fail("TRNAMT", "%v", err)
		}
		// Too many decimals to store, but the amount is known: it counts in the
		// quarantined sums so the statement's figures stay complete.
		amt, _ = decimal.NewFromString(strings.TrimPrefix(strings.TrimSpace(amtRaw), "+"))
		return quarantine(fail("TRNAMT", "%v (the case database keeps 6; never rounded)", err))
	}
	posted := e.str("DTPOSTED")
	if posted == "" {
		return quarantine(fail("DTPOSTED", "no posting date"))
	}
	booked, err := parseDateTime(posted)
	if err != nil {
		return quarantine(fail("DTPOSTED", "%v", err))
	}
	ccy := st.currency
	if sym := e.str("CURRENCY/CURSYM"); sym != "" {
		ccy = sym
	}
	if !canon.ValidCurrency(ccy) {
		if ccy == "" {
			return quarantine(fail("CURDEF", "no currency: the statement has no CURDEF and the entry no CURRENCY/CURSYM"))
		}
		return quarantine(fail("CURSYM", "%s is not a currency code", canon.Quote(ccy)))
	}
	if amt.IsZero() {
		p.batch.Notes = append(p.batch.Notes, canon.Note{Record: rec, Kind: "zero_amount", Text: "entry with amount zero not loaded", Raw: raw})
		return nil
	}
	credit := amt.IsPositive()
	ch := channelOf(strings.ToUpper(e.str("TRNTYPE")), credit)
	cp, warn := p.counterparty(e, ch, st.account)
	t := canon.Txn{
		Record:       rec,
		Seq:          p.seq,
		BookedAt:     booked,
		Amount:       amt.Abs(),
		Currency:     ccy,
		Channel:      ch,
		Reference:    reference(e),
		Counterparty: cp.raw,
	}
	if v := firstOf(e, "DTAVAIL", "VALUEDATE"); v != "" {
		if d, err := parseDateTime(v); err == nil {
			t.ValueDate = d.Truncate(24 * 60 * 60 * 1e9)
		} else {
			return quarantine(fail("DTAVAIL", "%v", err))
		}
	}
	if credit {
		t.From, t.To = cp.id, st.account
	} else {
		t.From, t.To = st.account, cp.id
	}
	if t.From == t.To {
		return quarantine(fail("BANKACCTTO/ACCTID", "the counterparty account is the statement account itself"))
	}
	if ccy == st.currency || st.currency == "" {
		if credit {
			st.period.Credits = st.period.Credits.Add(t.Amount)
		} else {
			st.period.Debits = st.period.Debits.Add(t.Amount)
		}
	} else {
		st.period.Notes = append(st.period.Notes, fmt.Sprintf("entry %d is in %s, the statement in %s: left out of credits and debits", rec, ccy, st.currency))
	}
	if warn != nil {
		p.batch.Notes = append(p.batch.Notes, canon.Warning(rec, "BANKACCTTO/ACCTID",
			where+warn.Error()+"; the entry is loaded with the counterparty kept as written, as "+cp.id+" (unverified external account)", raw))
	}
	p.seq++
	p.batch.Txns = append(p.batch.Txns, t)
	p.fitids = append(p.fitids, e.str("FITID"))
	return nil
}

// party is the other side of an entry: its canonical account id and the raw text.
type party struct {
	id, raw string
}

// counterparty reads BANKACCTTO (or CCACCTTO) and the payee name. An ACCTID that is a valid
// IBAN is the account; an IBAN-shaped one that fails its check gives the unverified external
// account canon.UnverifiedAccountID (never corrected) and warn says why; any other ACCTID
// gives "ofx:<BANKID>:<ACCTID>", the id a statement of that account would have. Without an
// account the name gives "external:name:<key>"; cash channels give "cash:<statement
// account>".
func (p *parser) counterparty(e *node, channel, account string) (cp party, warn error) {
	to := e.child("BANKACCTTO")
	if to == nil {
		to = e.child("CCACCTTO")
	}
	name := e.str("NAME")
	if name == "" {
		name = e.str("PAYEE/NAME")
	}
	bank, number := to.str("BANKID"), to.str("ACCTID")
	var rawParts []string
	for _, s := range []string{name, number, bank} {
		if s != "" {
			rawParts = append(rawParts, s)
		}
	}
	out := party{raw: strings.Join(rawParts, " | ")}
	if number != "" && channel != canon.ChannelCashDeposit && channel != canon.ChannelCashWithdrawal {
		if canon.LooksLikeIBAN(number) {
			v, err := canon.NormalizeIBAN(number)
			if err != nil {
				out.id = canon.UnverifiedAccountID(number)
				return out, err
			}
			out.id = v
			return out, nil
		}
		out.id = canon.AccountID("ofx", bank, number)
		return out, nil
	}
	out.id, _, warn = canon.CounterpartyAccount(channel, account, "", "", "", name)
	return out, warn
}

// reference joins MEMO, CHECKNUM and REFNUM as written ("MEMO | check 319 | ref 123").
func reference(e *node) string {
	var parts []string
	if m := e.str("MEMO"); m != "" {
		parts = append(parts, m)
	}
	if c := e.str("CHECKNUM"); c != "" && strings.Trim(c, "0") != "" {
		parts = append(parts, "check "+c)
	}
	if r := e.str("REFNUM"); r != "" && r != e.str("FITID") {
		parts = append(parts, "ref "+r)
	}
	return strings.Join(parts, " | ")
}

// channelOf maps TRNTYPE to a channel: ATM and CASH are cash (deposit or withdrawal by the
// sign), FEE and SRVCHG fees, INT and DIV interest, POS card payments; everything else
// (CREDIT, DEBIT, XFER, CHECK, PAYMENT, DEP, DIRECTDEP, DIRECTDEBIT, REPEATPMT, OTHER, ...)
// is a transfer.
func channelOf(trnType string, credit bool) string {
	switch trnType {
	case "ATM", "CASH":
		if credit {
			return canon.ChannelCashDeposit
		}
		return canon.ChannelCashWithdrawal
	case "FEE", "SRVCHG":
		return canon.ChannelFee
	case "INT", "DIV":
		return canon.ChannelInterest
	case "POS":
		return canon.ChannelCard
	}
	return canon.ChannelTransfer
}

// parseAmount reads an OFX amount: an optional sign, digits, and a dot decimal, or a comma
// decimal (allowed by the OFX specification and used by European banks) when the amount has
// a comma and no dot. Thousands separators are not allowed; at most six decimal places (the
// case database's scale) are accepted, never rounded.
func parseAmount(s string) (decimal.Decimal, error) {
	n := money.Dot
	if strings.Contains(s, ",") && !strings.Contains(s, ".") {
		n = money.Notation{Decimal: ','}
	}
	v, err := money.Parse(s, n)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if strings.ContainsAny(strings.TrimSpace(s), "()") || strings.HasSuffix(strings.TrimSpace(s), "-") || strings.HasSuffix(strings.TrimSpace(s), "+") {
		return decimal.Decimal{}, fmt.Errorf("%w: %s (OFX amounts carry a leading sign only)", money.ErrSyntax, canon.Quote(s))
	}
	return v, nil
}

// firstOf returns the first non-empty text among the named children of e.
func firstOf(e *node, names ...string) string {
	for _, n := range names {
		if s := e.str(n); s != "" {
			return s
		}
	}
	return ""
}
