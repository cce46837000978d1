package mto

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/shopspring/decimal"
)

// App statement layouts, recognised by their header.
const (
	LayoutWise        = "wise"         // TransferWise/Wise statement CSV
	LayoutRevolut2018 = "revolut-2018" // Revolut "Completed Date ; Reference ; Paid Out (EUR) ; ..."
	LayoutRevolut     = "revolut"      // Revolut "Type,Product,Started Date,Completed Date,..." (2021 on)
)

// DetectApp names the remittance-app layout of a CSV file from its header line, or "" when
// it is none of them. It is meant for --format auto.
func DetectApp(data []byte) string {
	head := string(data)
	if i := strings.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	head = strings.TrimPrefix(head, "\uFEFF")
	switch {
	case strings.HasPrefix(head, `"TransferWise ID",Date,`) || strings.HasPrefix(head, "TransferWise ID,Date,"):
		return LayoutWise
	case strings.HasPrefix(head, "Completed Date ;") && strings.Contains(head, "Paid Out ("):
		return LayoutRevolut2018
	case strings.HasPrefix(head, "Type,Product,Started Date,Completed Date,Description,Amount,"):
		return LayoutRevolut
	}
	return ""
}

// ReadApp is ParseApp returning only the batch.
func ReadApp(data []byte, opt Options) (canon.Batch, error) {
	r, err := ParseApp(data, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	return r.Batch, nil
}

// ParseApp reads a remittance-app statement (Wise, Revolut), choosing the layout by the
// header (DetectApp). Each currency of the file is one statement of the app account, with
// the reconciliation of its running balance in Periods. A file of no known layout is
// ErrLayout; a row that cannot be read is quarantined with its line and column.
func ParseApp(data []byte, opt Options) (*Result, error) {
	layout := DetectApp(data)
	text, err := decode(data, nil)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	var es []appEntry
	var t *table
	switch layout {
	case LayoutWise:
		if t, err = readTable(text, ',', 0); err == nil {
			es = wiseEntries(t)
		}
	case LayoutRevolut2018:
		if t, err = readTable(text, ';', 0); err == nil {
			es, err = revolut2018Entries(t)
		}
	case LayoutRevolut:
		if t, err = readTable(text, ',', 0); err == nil {
			es = revolutEntries(t)
		}
	default:
		return nil, wrapName(opt, fmt.Errorf("%w: the header is not that of a Wise or Revolut statement", ErrLayout))
	}
	if err != nil {
		return nil, wrapName(opt, fmt.Errorf("%w: %v", ErrLayout, err))
	}
	for i, b := range t.bad {
		es = append(es, appEntry{line: b.line, raw: b.raw, err: &canon.RecordError{Record: b.line, Raw: b.raw, Reason: "CSV: " + t.reason[i]}})
	}
	r := buildApp(layout, es, opt)
	r.Layout = layout
	return r, nil
}

// appEntry is one row of an app statement, as the layout's reader understood it.
type appEntry struct {
	line     int
	raw      string
	err      *canon.RecordError // the row is quarantined
	note     string             // the row is not a transaction (declined, zero): kept as a note
	noteKind string
	booked   time.Time
	amount   decimal.Decimal // signed: positive is money into the app account
	fee      decimal.Decimal // a fee the row charges on top of amount (Revolut), >= 0
	currency string
	balance  decimal.NullDecimal // the running balance after the row, when given
	pending  bool
	channel  string
	name     string // the counterparty's name as written
	iban     string // the counterparty's account as written
	ref      string
	sourceID string
	isFee    bool // the row itself is the app's fee (Wise "Charges for")
}

// buildApp turns entries into statements (one per currency), transactions and periods.
func buildApp(layout string, es []appEntry, opt Options) *Result {
	app := strings.SplitN(layout, "-", 2)[0]
	res := &Result{}
	b := &res.Batch
	groups := map[string][]*appEntry{}
	var order []string
	for i := range es {
		e := &es[i]
		if e.err != nil {
			b.Errors = append(b.Errors, *e.err)
			continue
		}
		if e.note != "" {
			b.Notes = append(b.Notes, canon.Note{Record: e.line, Kind: e.noteKind, Text: e.note, Raw: e.raw})
			continue
		}
		if _, ok := groups[e.currency]; !ok {
			order = append(order, e.currency)
		}
		groups[e.currency] = append(groups[e.currency], e)
	}
	if opt.Account == "" {
		b.Notes = append(b.Notes, canon.Note{Kind: "file", Text: "the statement does not name its account: give it with --account; " +
			"a placeholder mto:" + app + ":account:<currency> is used"})
	}
	fees := "mto:" + app + ":fees"
	var seq int64
	ids := map[string]int{}
	for _, ccy := range order {
		group := groups[ccy]
		acct := opt.Account
		if acct == "" {
			acct = "mto:" + app + ":account:" + ccy
		}
		b.Accounts = append(b.Accounts, canon.Account{ID: acct, Kind: canon.KindMTO, Bank: app, Currency: ccy, Statement: true})
		per := Period{Statement: len(b.Statements)}
		st := canon.Statement{Account: acct, Currency: ccy}
		for _, e := range group {
			per.Entries++
			rerr := appTxns(b, e, acct, fees, &seq)
			if rerr != nil {
				per.Quarantined++
				if e.amount.IsPositive() {
					per.QuarantinedCredits = per.QuarantinedCredits.Add(e.amount)
				} else {
					per.QuarantinedDebits = per.QuarantinedDebits.Add(e.amount.Neg())
				}
				b.Errors = append(b.Errors, *rerr)
				continue
			}
			if e.pending {
				continue
			}
			if e.amount.IsPositive() {
				per.Credits = per.Credits.Add(e.amount)
			} else {
				per.Debits = per.Debits.Add(e.amount.Neg())
			}
			per.Debits = per.Debits.Add(e.fee)
		}
		reconcile(&per, &st, group)
		b.Statements = append(b.Statements, st)
		res.Periods = append(res.Periods, per)
	}
	for _, t := range b.Txns {
		if t.SourceID != "" {
			ids[t.SourceID]++
		}
	}
	for _, n := range ids {
		if n > 1 {
			for i := range b.Txns {
				b.Txns[i].SourceID = ""
			}
			b.Notes = append(b.Notes, canon.Note{Kind: "file", Text: "transaction ids repeat in this file: ids are derived from the file instead"})
			break
		}
	}
	if len(b.Statements) == 1 {
		b.StatementAccount = b.Statements[0].Account
	}
	if len(b.Txns) > 0 && hasFee(b.Txns, fees) {
		b.Accounts = append(b.Accounts, canon.Account{ID: fees, Kind: canon.KindMTO, Bank: app, HolderName: app})
	}
	sort.SliceStable(b.Errors, func(i, j int) bool { return b.Errors[i].Record < b.Errors[j].Record })
	b.Records = len(b.Errors)
	counted := map[int]bool{}
	for _, t := range b.Txns {
		if !counted[t.Record] {
			counted[t.Record] = true
			b.Records++
		}
	}
	return res
}

func hasFee(ts []canon.Txn, fees string) bool {
	for _, t := range ts {
		if t.To == fees {
			return true
		}
	}
	return false
}

// appTxns emits the transaction of one entry and, when it charges a fee, the fee.
func appTxns(b *canon.Batch, e *appEntry, acct, fees string, seq *int64) *canon.RecordError {
	ch := e.channel
	if ch == "" {
		ch = canon.ChannelTransfer
	}
	cp := fees
	if !e.isFee {
		id, _, warn := canon.CounterpartyAccount(ch, acct, e.iban, "", "", e.name)
		if warn != nil {
			b.Notes = append(b.Notes, canon.Warning(e.line, "counterparty account",
				warn.Error()+"; the entry is loaded with the counterparty kept as written, as "+id+" (unverified external account)", e.raw))
		}
		cp = id
	}
	t := canon.Txn{Record: e.line, SourceID: e.sourceID, Seq: *seq, BookedAt: e.booked, Amount: e.amount.Abs(),
		Currency: e.currency, Channel: ch, Reference: e.ref, Counterparty: strings.TrimSpace(e.name + " " + e.iban),
		BalanceAfter: e.balance, Pending: e.pending}
	if e.amount.IsPositive() {
		t.From, t.To = cp, acct
	} else {
		t.From, t.To = acct, cp
	}
	if e.fee.IsPositive() {
		t.BalanceAfter = decimal.NullDecimal{}
	}
	if !e.amount.IsZero() {
		b.Txns = append(b.Txns, t)
		*seq++
	}
	if e.fee.IsPositive() {
		f := canon.Txn{Record: e.line, Seq: *seq, BookedAt: e.booked, From: acct, To: fees, Amount: e.fee,
			Currency: e.currency, Channel: canon.ChannelFee, Reference: "fee: " + e.ref, BalanceAfter: e.balance, Pending: e.pending}
		if e.sourceID != "" {
			f.SourceID = e.sourceID + ":fee"
		}
		b.Txns = append(b.Txns, f)
		*seq++
	}
	return nil
}

// reconcile sets the period and balances of a statement from its entries' running balance.
// The file's order is taken as the booking order, reversed when the first row is booked
// after the last (newest-first exports); the opening balance is the first row's balance
// less its own net amount, the closing balance the last row's. Pending rows carry no
// balance and are left out.
func reconcile(per *Period, st *canon.Statement, group []*appEntry) {
	var booked []*appEntry
	for _, e := range group {
		if !e.pending {
			booked = append(booked, e)
		}
	}
	for _, e := range group {
		if st.PeriodStart.IsZero() || e.booked.Before(st.PeriodStart) {
			st.PeriodStart = e.booked
		}
		if e.booked.After(st.PeriodEnd) {
			st.PeriodEnd = e.booked
		}
	}
	if len(booked) == 0 {
		per.Notes = append(per.Notes, "no booked rows: no balances")
		return
	}
	if booked[0].booked.After(booked[len(booked)-1].booked) {
		per.Notes = append(per.Notes, "rows are newest first: read in reverse for the balances")
		for i, j := 0, len(booked)-1; i < j; i, j = i+1, j-1 {
			booked[i], booked[j] = booked[j], booked[i]
		}
	}
	first, last := booked[0], booked[len(booked)-1]
	if first.balance.Valid {
		per.Opening = decimal.NewNullDecimal(first.balance.Decimal.Sub(first.amount).Add(first.fee))
		st.Opening = per.Opening
	} else {
		per.Notes = append(per.Notes, fmt.Sprintf("line %d has no balance: no opening balance", first.line))
	}
	if last.balance.Valid {
		per.Closing = decimal.NewNullDecimal(last.balance.Decimal)
		st.Closing = per.Closing
	} else {
		per.Notes = append(per.Notes, fmt.Sprintf("line %d has no balance: no closing balance", last.line))
	}
	breaks := 0
	for i := 1; i < len(booked); i++ {
		p, e := booked[i-1], booked[i]
		if p.balance.Valid && e.balance.Valid && !p.balance.Decimal.Add(e.amount).Sub(e.fee).Equal(e.balance.Decimal) {
			breaks++
		}
	}
	if breaks > 0 {
		per.Notes = append(per.Notes, fmt.Sprintf("the running balance does not follow from the amounts at %d of %d rows", breaks, len(booked)-1))
	}
	per.Reconcile()
}
