package mto

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
	"github.com/shopspring/decimal"
)

// Canonical transfer statuses.
const (
	statusPaid      = "paid"
	statusCancelled = "cancelled"
	statusRefunded  = "refunded"
	statusPending   = "pending"
)

// transferReader holds the state of one Parse call over an operator file.
type transferReader struct {
	p       *Profile
	opt     Options
	t       *table
	idx     map[string]int
	loc     *time.Location
	amounts money.Notation
	status  map[string]string // operator word (lower case) -> canonical status
	batch   canon.Batch
	parties *partyBook
	seen    map[string]int // source id -> line of its first transfer
	seq     int64
}

// newTransferReader checks that every mapped column is in the header.
func newTransferReader(p *Profile, opt Options, t *table) (*transferReader, error) {
	tr := &transferReader{p: p, opt: opt, t: t, idx: t.index(), loc: time.UTC, status: map[string]string{},
		parties: newPartyBook(), seen: map[string]int{}}
	var missing []string
	for _, c := range p.Columns.all() {
		if _, ok := tr.idx[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: profile %q maps columns missing from the header: %s", ErrLayout, p.Name, strings.Join(missing, ", "))
	}
	// Validate has checked the notation.
	tr.amounts, _ = p.Number.Money()
	if p.UTCOffset != "" {
		z, _ := time.Parse("-07:00", p.UTCOffset)
		_, off := z.Zone()
		tr.loc = time.FixedZone(p.UTCOffset, off)
	}
	for st, words := range map[string][]string{statusPaid: p.Status.Paid, statusCancelled: p.Status.Cancelled,
		statusRefunded: p.Status.Refunded, statusPending: p.Status.Pending} {
		for _, w := range words {
			tr.status[strings.ToLower(strings.TrimSpace(w))] = st
		}
	}
	return tr, nil
}

// all lists the mapped column names.
func (c Columns) all() []string {
	var out []string
	for _, s := range []string{c.Operator, c.MTCN, c.Status, c.SendTime, c.PayoutTime, c.SenderName, c.SenderCountry,
		c.SenderCity, c.SenderBirthDate, c.SenderIDType, c.SenderIDNumber, c.SenderPhone, c.ReceiverName,
		c.ReceiverCountry, c.ReceiverCity, c.ReceiverBirthDate, c.ReceiverIDType, c.ReceiverIDNumber, c.ReceiverPhone,
		c.SendAmount, c.SendCurrency, c.Fee, c.PayoutAmount, c.PayoutCurrency, c.SendAgentID, c.SendAgentLocation,
		c.PayoutAgentID, c.PayoutAgentLocation} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// readAll reads every row, then emits the parties and their links.
func (tr *transferReader) readAll() {
	for i, b := range tr.t.bad {
		tr.batch.Errors = append(tr.batch.Errors, canon.RecordError{Record: b.line, Raw: b.raw, Reason: "CSV: " + tr.t.reason[i]})
	}
	for _, r := range tr.t.rows {
		if len(strings.Join(r.fields, "")) == 0 {
			continue
		}
		if err := tr.row(r); err != nil {
			tr.batch.Errors = append(tr.batch.Errors, *err)
		}
	}
	sort.SliceStable(tr.batch.Errors, func(i, j int) bool { return tr.batch.Errors[i].Record < tr.batch.Errors[j].Record })
	tr.parties.emit(&tr.batch)
	tr.batch.Records = len(tr.batch.Errors)
	counted := map[int]bool{}
	for _, t := range tr.batch.Txns {
		if !counted[t.Record] {
			counted[t.Record] = true
			tr.batch.Records++
		}
	}
}

// side is what a record says about the sender or the receiver.
type side struct {
	name, country, city, birth, idType, idNumber, phone string
	birthDate                                           time.Time
}

// row reads one transfer record.
func (tr *transferReader) row(r row) *canon.RecordError {
	c := tr.p.Columns
	f := func(col string) string { return get(r, tr.idx, col) }
	fail := func(field, format string, args ...any) *canon.RecordError {
		return &canon.RecordError{Record: r.line, Field: field, Raw: r.raw, Reason: fmt.Sprintf(format, args...)}
	}
	op := tr.opt.Operator
	if op == "" {
		op = f(c.Operator)
	}
	if op == "" {
		op = tr.p.Operator
	}
	opKey := strings.ReplaceAll(canon.NameKey(op), " ", "-")
	if opKey == "" {
		return fail(c.Operator, "no operator: give it in the operator column, the profile or --operator")
	}
	mtcn := strings.Join(strings.Fields(f(c.MTCN)), "")
	if mtcn == "" {
		return fail(c.MTCN, "no transfer number")
	}
	st, ok := tr.status[strings.ToLower(f(c.Status))]
	if !ok {
		return fail(c.Status, "unknown status %s (profile knows paid %v, cancelled %v, refunded %v, pending %v)",
			canon.Quote(f(c.Status)), tr.p.Status.Paid, tr.p.Status.Cancelled, tr.p.Status.Refunded, tr.p.Status.Pending)
	}
	sent, err := tr.parseTime(f(c.SendTime), tr.p.DateLayouts)
	if err != nil {
		return fail(c.SendTime, "%v", err)
	}
	var paidAt time.Time
	if v := f(c.PayoutTime); v != "" {
		if paidAt, err = tr.parseTime(v, tr.p.DateLayouts); err != nil {
			return fail(c.PayoutTime, "%v", err)
		}
		if paidAt.Before(sent) {
			return fail(c.PayoutTime, "pay-out time %s is before the send time %s", v, f(c.SendTime))
		}
	}
	amount, err := tr.amount(f(c.SendAmount))
	if err != nil {
		return fail(c.SendAmount, "%v", err)
	}
	if !amount.IsPositive() {
		return fail(c.SendAmount, "send amount %s is not positive", amount)
	}
	ccy := strings.ToUpper(f(c.SendCurrency))
	if !canon.ValidCurrency(ccy) {
		return fail(c.SendCurrency, "%s is not a currency code", canon.Quote(f(c.SendCurrency)))
	}
	fee := decimal.Zero
	if v := f(c.Fee); v != "" {
		if fee, err = tr.amount(v); err != nil {
			return fail(c.Fee, "%v", err)
		}
		if fee.IsNegative() {
			return fail(c.Fee, "fee %s is negative", fee)
		}
	}
	var received decimal.NullDecimal
	if v := f(c.PayoutAmount); v != "" {
		d, err := tr.amount(v)
		if err != nil {
			return fail(c.PayoutAmount, "%v", err)
		}
		if !d.IsPositive() {
			return fail(c.PayoutAmount, "pay-out amount %s is not positive", d)
		}
		received = decimal.NewNullDecimal(d)
	}
	rccy := strings.ToUpper(f(c.PayoutCurrency))
	if rccy != "" && !canon.ValidCurrency(rccy) {
		return fail(c.PayoutCurrency, "%s is not a currency code", canon.Quote(f(c.PayoutCurrency)))
	}
	if received.Valid && rccy == "" {
		rccy = ccy
	}
	sender, err1 := tr.side(f, c.SenderName, c.SenderCountry, c.SenderCity, c.SenderBirthDate, c.SenderIDType, c.SenderIDNumber, c.SenderPhone)
	if err1 != nil {
		return fail(err1.field, "%v", err1.err)
	}
	receiver, err2 := tr.side(f, c.ReceiverName, c.ReceiverCountry, c.ReceiverCity, c.ReceiverBirthDate, c.ReceiverIDType, c.ReceiverIDNumber, c.ReceiverPhone)
	if err2 != nil {
		return fail(err2.field, "%v", err2.err)
	}
	sourceID := opKey + ":" + mtcn
	if first, dup := tr.seen[sourceID]; dup {
		return fail(c.MTCN, "transfer number %s already on line %d", mtcn, first)
	}
	tr.seen[sourceID] = r.line

	if partyID(sender) == partyID(receiver) {
		return fail(c.ReceiverName, "sender and receiver are the same party (%s)", partyID(sender))
	}
	from := tr.parties.add(opKey, op, sender)
	to := tr.parties.add(opKey, op, receiver)
	switch st {
	case statusCancelled, statusRefunded:
		if st == statusCancelled || paidAt.IsZero() {
			tr.batch.Notes = append(tr.batch.Notes, canon.Note{Record: r.line, Kind: "mto_" + st,
				Text: fmt.Sprintf("transfer %s %s (%s): %s %s from %s to %s not loaded as a transaction", mtcn, st, f(c.Status), amount, ccy, sender.name, receiver.name),
				Raw:  r.raw})
			return nil
		}
		tr.batch.Notes = append(tr.batch.Notes, canon.Note{Record: r.line, Kind: "mto_refunded_after_payout",
			Text: fmt.Sprintf("transfer %s is marked %s but has a pay-out time: loaded as paid (the receiver was paid); the refund to the sender is not in the record", mtcn, f(c.Status)),
			Raw:  r.raw})
	}
	t := canon.Txn{
		Record: r.line, SourceID: sourceID, Seq: tr.seq, BookedAt: sent, From: from, To: to,
		Amount: amount, Currency: ccy, Received: received, Channel: canon.ChannelMTOSend,
		Reference:    reference(mtcn, f(c.SendAgentID), f(c.SendAgentLocation), f(c.PayoutAgentID), f(c.PayoutAgentLocation)),
		Counterparty: sender.name + " -> " + receiver.name,
		Pending:      st == statusPending,
	}
	if received.Valid {
		t.ReceivedCurrency = rccy
	}
	if !paidAt.IsZero() {
		t.ValueDate = time.Date(paidAt.Year(), paidAt.Month(), paidAt.Day(), 0, 0, 0, 0, time.UTC)
	}
	tr.seq++
	tr.batch.Txns = append(tr.batch.Txns, t)
	if fee.IsPositive() {
		feeAcct := "mto:" + opKey + ":fees"
		tr.parties.account(canon.Account{ID: feeAcct, Kind: canon.KindMTO, Bank: op, HolderName: op})
		tr.batch.Txns = append(tr.batch.Txns, canon.Txn{
			Record: r.line, SourceID: sourceID + ":fee", Seq: tr.seq, BookedAt: sent, From: from, To: feeAcct,
			Amount: fee, Currency: ccy, Channel: canon.ChannelFee, Reference: "fee for transfer " + mtcn,
			Counterparty: op, Pending: st == statusPending,
		})
		tr.seq++
	}
	if st != statusPending {
		tr.payout(r, payout{opKey: opKey, op: op, mtcn: mtcn, sourceID: sourceID, to: to, receiver: receiver, sent: sent,
			paidAt: paidAt, amount: amount, ccy: ccy, received: received, rccy: rccy,
			agent: strings.TrimSpace(f(c.PayoutAgentID) + " " + f(c.PayoutAgentLocation))})
	}
	return nil
}

// fieldErr is an error about one column.
type fieldErr struct {
	field string
	err   error
}

// side reads the sender's or receiver's columns.
func (tr *transferReader) side(f func(string) string, name, country, city, birth, idType, idNumber, phone string) (side, *fieldErr) {
	s := side{name: strings.Join(strings.Fields(f(name)), " "), country: strings.ToUpper(f(country)), city: f(city),
		birth: f(birth), idType: f(idType), idNumber: f(idNumber), phone: f(phone)}
	if canon.NameKey(s.name) == "" {
		return s, &fieldErr{name, fmt.Errorf("no name")}
	}
	if s.birth != "" {
		layouts := tr.p.BirthDateLayouts
		if len(layouts) == 0 {
			layouts = tr.p.DateLayouts
		}
		d, err := parseIn(s.birth, layouts, time.UTC)
		if err != nil {
			return s, &fieldErr{birth, err}
		}
		s.birthDate = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	return s, nil
}

// parseTime reads a send or pay-out time in the profile's layouts and zone, in UTC.
func (tr *transferReader) parseTime(s string, layouts []string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("no date")
	}
	t, err := parseIn(s, layouts, tr.loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// parseIn tries layouts in order.
func parseIn(s string, layouts []string, loc *time.Location) (time.Time, error) {
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s matches none of the layouts %v", canon.Quote(s), layouts)
}

// amount reads an amount in the profile's notation, without the symbols it strips.
func (tr *transferReader) amount(s string) (decimal.Decimal, error) {
	return money.Parse(tr.p.Number.StripSymbols(s), tr.amounts)
}

// reference writes the transfer number and the agents: "MTCN 1234; sent: A1 Wien; paid: B2 Beograd".
func reference(mtcn, sendID, sendLoc, payID, payLoc string) string {
	parts := []string{"MTCN " + mtcn}
	if s := strings.TrimSpace(sendID + " " + sendLoc); s != "" {
		parts = append(parts, "sent: "+s)
	}
	if s := strings.TrimSpace(payID + " " + payLoc); s != "" {
		parts = append(parts, "paid: "+s)
	}
	return strings.Join(parts, "; ")
}
