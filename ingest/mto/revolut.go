package mto

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
	"github.com/shopspring/decimal"
)

var revolutCcy = regexp.MustCompile(`^Paid Out \(([A-Z]{3})\)$`)

// revolut2018Entries reads Revolut's early statement CSV: " ; "-separated, "Apr 8, 2018"
// dates, the currency in the header ("Paid Out (EUR)"), unsigned Paid Out and Paid In
// columns and the balance after each row. Exchange Out/In (the other side of a currency
// exchange) are kept in the reference. The layout has no transaction type: every row is a
// transfer to or from the Reference text as a name.
func revolut2018Entries(t *table) ([]appEntry, error) {
	ccy := ""
	for _, h := range t.header {
		if m := revolutCcy.FindStringSubmatch(h); m != nil {
			ccy = m[1]
		}
	}
	if ccy == "" {
		return nil, fmt.Errorf("no \"Paid Out (CCY)\" column")
	}
	idx := t.index()
	out := make([]appEntry, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, revolut2018Row(r, idx, ccy))
	}
	return out, nil
}

func revolut2018Row(r row, idx map[string]int, ccy string) appEntry {
	f := func(c string) string { return get(r, idx, c) }
	e := appEntry{line: r.line, raw: r.raw, currency: ccy}
	fail := func(field, format string, args ...any) appEntry {
		e.err = &canon.RecordError{Record: r.line, Field: field, Raw: r.raw, Reason: fmt.Sprintf(format, args...)}
		return e
	}
	var err error
	if e.booked, err = parseIn(f("Completed Date"), []string{"Jan 2, 2006", "2 Jan 2006"}, time.UTC); err != nil {
		return fail("Completed Date", "%v", err)
	}
	out, in := f("Paid Out ("+ccy+")"), f("Paid In ("+ccy+")")
	switch {
	case out != "" && in != "":
		return fail("Paid Out ("+ccy+")", "both Paid Out and Paid In are filled")
	case out != "":
		v, err := money.Parse(out, money.Dot)
		if err != nil || v.IsNegative() {
			return fail("Paid Out ("+ccy+")", "not an unsigned amount: %s", canon.Quote(out))
		}
		e.amount = v.Neg()
	case in != "":
		v, err := money.Parse(in, money.Dot)
		if err != nil || v.IsNegative() {
			return fail("Paid In ("+ccy+")", "not an unsigned amount: %s", canon.Quote(in))
		}
		e.amount = v
	default:
		return fail("Paid Out ("+ccy+")", "neither Paid Out nor Paid In is filled")
	}
	if v := f("Balance (" + ccy + ")"); v != "" {
		b, err := money.Parse(v, money.Dot)
		if err != nil {
			return fail("Balance ("+ccy+")", "%v", err)
		}
		e.balance = decimal.NewNullDecimal(b)
	}
	e.name = f("Reference")
	e.ref = strings.Join(nonEmpty(f("Reference"), prefixed("exchange out ", f("Exchange Out")), prefixed("exchange in ", f("Exchange In"))), " | ")
	if e.amount.IsZero() {
		e.note, e.noteKind = "row with amount zero not loaded", "zero_amount"
	}
	return e
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// revolutEntries reads Revolut's statement CSV of 2021 on: Type, Product, Started Date,
// Completed Date, Description, Amount (signed), Fee (charged on top: the balance after the
// row is the balance before + Amount - Fee), Currency, State, Balance. State COMPLETED is
// booked on Completed Date; PENDING is loaded as pending on Started Date; REVERTED,
// DECLINED and FAILED rows are notes, not transactions. Type gives the channel: CARD_PAYMENT
// and CARD_REFUND card, ATM cash withdrawal, EXCHANGE fx, FEE fee, TOPUP, TRANSFER and others
// transfer. The counterparty is the Description as a name (TOPUP: the top-up source,
// unknown).
func revolutEntries(t *table) []appEntry {
	idx := t.index()
	out := make([]appEntry, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, revolutRow(r, idx))
	}
	return out
}

func revolutRow(r row, idx map[string]int) appEntry {
	f := func(c string) string { return get(r, idx, c) }
	e := appEntry{line: r.line, raw: r.raw}
	fail := func(field, format string, args ...any) appEntry {
		e.err = &canon.RecordError{Record: r.line, Field: field, Raw: r.raw, Reason: fmt.Sprintf(format, args...)}
		return e
	}
	layouts := []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}
	state := strings.ToUpper(f("State"))
	date := "Completed Date"
	switch state {
	case "COMPLETED":
	case "PENDING":
		e.pending, date = true, "Started Date"
	case "REVERTED", "DECLINED", "FAILED", "CANCELLED":
		e.note, e.noteKind = fmt.Sprintf("%s row not loaded: %s %s %s", strings.ToLower(state), f("Amount"), f("Currency"), f("Description")), "app_"+strings.ToLower(state)
		return e
	default:
		return fail("State", "unknown state %s", canon.Quote(f("State")))
	}
	var err error
	if e.booked, err = parseIn(f(date), layouts, time.UTC); err != nil {
		return fail(date, "%v", err)
	}
	if e.amount, err = money.Parse(f("Amount"), money.Dot); err != nil {
		return fail("Amount", "%v", err)
	}
	if v := f("Fee"); v != "" {
		if e.fee, err = money.Parse(v, money.Dot); err != nil {
			return fail("Fee", "%v", err)
		}
		if e.fee.IsNegative() {
			// Revolut writes fees as negative numbers in some exports: the fee is a debit
			// either way.
			e.fee = e.fee.Neg()
		}
	}
	e.currency = strings.ToUpper(f("Currency"))
	if !canon.ValidCurrency(e.currency) {
		return fail("Currency", "%s is not a currency code", canon.Quote(f("Currency")))
	}
	if v := f("Balance"); v != "" {
		b, err := money.Parse(v, money.Dot)
		if err != nil {
			return fail("Balance", "%v", err)
		}
		e.balance = decimal.NewNullDecimal(b)
	}
	e.name, e.ref = f("Description"), strings.Join(nonEmpty(f("Type"), f("Product"), f("Description")), " | ")
	switch strings.ToUpper(f("Type")) {
	case "CARD_PAYMENT", "CARD_REFUND":
		e.channel = canon.ChannelCard
	case "ATM":
		e.channel = canon.ChannelCashWithdrawal
	case "EXCHANGE":
		e.channel = canon.ChannelFX
	case "FEE":
		e.channel = canon.ChannelFee
	case "TOPUP":
		e.name = ""
	}
	if e.amount.IsZero() && e.fee.IsZero() {
		e.note, e.noteKind = "row with amount zero not loaded", "zero_amount"
	}
	return e
}
