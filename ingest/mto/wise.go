package mto

import (
	"fmt"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
	"github.com/shopspring/decimal"
)

// wiseEntries reads the rows of a Wise (TransferWise) statement CSV. Amount is signed in
// the row's Currency and Running Balance is the balance after it. The app's fees are rows
// of their own ("TransferWise Charges for: TRANSFER-…", "Wise Charges for: …"): they go to
// mto:wise:fees with channel fee, and "Total fees" of the other rows is not charged again.
// The counterparty is Payee Name and Payee Account Number for money out, Payer Name for
// money in, Merchant for card payments (channel card). SourceID is "wise:<TransferWise ID>"
// (":fee" for a fee row). Times are "Date Time" as written (the export does not say its
// zone), else Date.
func wiseEntries(t *table) []appEntry {
	idx := t.index()
	out := make([]appEntry, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, wiseRow(r, idx))
	}
	return out
}

// wiseRow reads one row of a Wise statement.
func wiseRow(r row, idx map[string]int) appEntry {
	f := func(c string) string { return get(r, idx, c) }
	e := appEntry{line: r.line, raw: r.raw}
	fail := func(field, format string, args ...any) appEntry {
		e.err = &canon.RecordError{Record: r.line, Field: field, Raw: r.raw, Reason: fmt.Sprintf(format, args...)}
		return e
	}
	amt, err := money.Parse(f("Amount"), money.Dot)
	if err != nil {
		return fail("Amount", "%v", err)
	}
	e.amount = amt
	e.currency = strings.ToUpper(f("Currency"))
	if !canon.ValidCurrency(e.currency) {
		return fail("Currency", "%s is not a currency code", canon.Quote(f("Currency")))
	}
	if v := f("Date Time"); v != "" {
		if e.booked, err = parseIn(v, []string{"02-01-2006 15:04:05.000", "02-01-2006 15:04:05"}, time.UTC); err != nil {
			return fail("Date Time", "%v", err)
		}
	} else if e.booked, err = parseIn(f("Date"), []string{"02-01-2006"}, time.UTC); err != nil {
		return fail("Date", "%v", err)
	}
	if v := f("Running Balance"); v != "" {
		b, err := money.Parse(v, money.Dot)
		if err != nil {
			return fail("Running Balance", "%v", err)
		}
		e.balance = decimal.NewNullDecimal(b)
	}
	desc := f("Description")
	e.ref = strings.Join(nonEmpty(desc, f("Payment Reference")), " | ")
	if id := f("TransferWise ID"); id != "" {
		e.sourceID = "wise:" + id
	}
	switch {
	case strings.Contains(desc, "Charges for:"):
		e.isFee, e.channel = true, canon.ChannelFee
		if e.sourceID != "" {
			e.sourceID += ":fee"
		}
	case f("Merchant") != "" || f("Card Last Four Digits") != "":
		e.channel, e.name = canon.ChannelCard, f("Merchant")
	case amt.IsNegative():
		e.name, e.iban = f("Payee Name"), f("Payee Account Number")
	default:
		e.name = f("Payer Name")
	}
	if amt.IsZero() {
		e.note, e.noteKind = "row with amount zero not loaded", "zero_amount"
	}
	return e
}

// nonEmpty returns the non-empty strings of ss.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
