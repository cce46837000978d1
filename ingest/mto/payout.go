package mto

import (
	"fmt"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/shopspring/decimal"
)

// payout is what a paid transfer record says about the money leaving the receiver's
// pseudo-account: the operator's agent hands it over in cash.
type payout struct {
	opKey, op, mtcn, sourceID string
	to                        string // the receiver's pseudo-account
	receiver                  side
	sent, paidAt              time.Time // paidAt is zero when the record gives no pay-out time
	amount                    decimal.Decimal
	ccy                       string
	received                  decimal.NullDecimal
	rccy                      string
	agent                     string // pay-out agent id and location
}

// payout books the pay-out of a paid transfer, so that the money the receiver collected
// leaves the operator as cash instead of staying in the pseudo-account: one canon.Txn of
// channel mto_payout from the receiver's pseudo-account to "cash:<pseudo-account>" (kind
// cash, the receiver's cash from that operator, as a bank withdrawal goes to
// "cash:<account>"; not linked to a party, as bank cash is not), at the pay-out time. Every cent the transfer put into the
// pseudo-account leaves it again:
//
//   - pay-out in the send currency, equal to the amount sent (or no pay-out amount given):
//     the pay-out is the amount sent;
//   - pay-out in the send currency, lower than the amount sent: the pay-out is what was paid
//     and the difference, a charge the operator deducted, a second canon.Txn of channel fee
//     to "mto:<operator>:fees" at the same time;
//   - pay-out in the send currency, higher than the amount sent: the pay-out is what was
//     paid, with a note (mto_payout_exceeds_send); the excess came from outside the record,
//     which the tracer reports as unexplained funds of the pseudo-account;
//   - pay-out in another currency (500.00 USD sent, 460.83 EUR paid): the pay-out is the
//     amount sent, in the send currency, with Received = what was paid out and the
//     operator's rate in the reference. The pseudo-account is emptied to the cent in the
//     currency it was credited in. The operator's exchange margin is not a movement the
//     record shows: it is the difference between the value of the amount sent at a
//     reference rate and what was paid, which depends on the rate chosen, so it is left to
//     the case's FX table (base_amount against received_amount of the pay-out row).
//
// A paid record without a pay-out time is paid out at the send time, with a note
// (mto_payout_time_unknown): the record says the receiver was paid, not when.
func (tr *transferReader) payout(r row, p payout) {
	at := p.paidAt
	if at.IsZero() {
		at = p.sent
		tr.batch.Notes = append(tr.batch.Notes, canon.Note{Record: r.line, Kind: "mto_payout_time_unknown",
			Text: fmt.Sprintf("transfer %s is paid but gives no pay-out time: the pay-out is booked at the send time", p.mtcn), Raw: r.raw})
	}
	cash := "cash:" + p.to
	// No holder name: the account id names the receiver's party already, and a name would
	// make the loader derive a second, name-only party for the same person.
	tr.parties.account(canon.Account{ID: cash, Kind: canon.KindCash, Bank: p.op, Country: p.receiver.country})
	ref := "pay-out of MTCN " + p.mtcn
	if p.agent != "" {
		ref += "; paid: " + p.agent
	}
	t := canon.Txn{Record: r.line, SourceID: p.sourceID + ":payout", BookedAt: at, From: p.to, To: cash,
		Amount: p.amount, Currency: p.ccy, Channel: canon.ChannelMTOPayout, Counterparty: p.receiver.name,
		ValueDate: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)}
	var charge decimal.Decimal
	switch {
	case p.received.Valid && p.rccy != p.ccy:
		t.Received, t.ReceivedCurrency = p.received, p.rccy
		ref += fmt.Sprintf("; %s %s paid out as %s %s (operator's rate %s %s per %s)", p.amount.StringFixed(2), p.ccy,
			p.received.Decimal.StringFixed(2), p.rccy, p.received.Decimal.DivRound(p.amount, 6), p.rccy, p.ccy)
	case p.received.Valid && p.received.Decimal.LessThan(p.amount):
		t.Amount = p.received.Decimal
		charge = p.amount.Sub(p.received.Decimal)
	case p.received.Valid && p.received.Decimal.GreaterThan(p.amount):
		t.Amount = p.received.Decimal
		tr.batch.Notes = append(tr.batch.Notes, canon.Note{Record: r.line, Kind: "mto_payout_exceeds_send",
			Text: fmt.Sprintf("transfer %s paid out %s %s, %s more than the %s sent: the excess is not in the record", p.mtcn,
				p.received.Decimal.StringFixed(2), p.ccy, p.received.Decimal.Sub(p.amount).StringFixed(2), p.amount.StringFixed(2)), Raw: r.raw})
	}
	t.Reference = ref
	t.Seq = tr.seq
	tr.seq++
	tr.batch.Txns = append(tr.batch.Txns, t)
	if charge.IsPositive() {
		feeAcct := "mto:" + p.opKey + ":fees"
		tr.parties.account(canon.Account{ID: feeAcct, Kind: canon.KindMTO, Bank: p.op, HolderName: p.op})
		tr.batch.Txns = append(tr.batch.Txns, canon.Txn{Record: r.line, SourceID: p.sourceID + ":payout-fee", Seq: tr.seq,
			BookedAt: at, ValueDate: t.ValueDate, From: p.to, To: feeAcct, Amount: charge, Currency: p.ccy, Channel: canon.ChannelFee,
			Reference: fmt.Sprintf("charge deducted at the pay-out of transfer %s: %s sent, %s paid out", p.mtcn,
				p.amount.StringFixed(2), p.received.Decimal.StringFixed(2)), Counterparty: p.op})
		tr.seq++
	}
}
