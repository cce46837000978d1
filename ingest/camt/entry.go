package camt

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/shopspring/decimal"
)

// maxRaw bounds the raw text kept with a quarantined entry.
const maxRaw = 64 << 10

// part is one transaction cut from an entry: the whole entry, or one TxDtls of a batch.
type part struct {
	det    *node // the TxDtls the counterparty and references come from, or nil
	amount decimal.Decimal
	split  bool // det has its own amount and references (one Txn per TxDtls)
}

// entry reads one <Ntry> into one or more transactions. It returns a RecordError, and emits
// nothing, when the entry cannot be read as a whole.
func (p *parser) entry(e *node, st *stmt) *canon.RecordError {
	var amount decimal.Decimal
	credit, sided := false, false
	fail := func(field, format string, args ...any) *canon.RecordError {
		if sided && credit {
			st.period.QuarantinedCredits = st.period.QuarantinedCredits.Add(amount)
		} else if sided {
			st.period.QuarantinedDebits = st.period.QuarantinedDebits.Add(amount)
		}
		raw := p.data[e.start:e.end]
		if len(raw) > maxRaw {
			raw = raw[:maxRaw]
		}
		return &canon.RecordError{Record: p.entryNo, Field: field, Raw: string(raw), Reason: p.where(e) + fmt.Sprintf(format, args...)}
	}
	amtNode := e.child("Amt")
	amount, err := parseAmount(amtNode)
	if err != nil {
		return fail("Amt", "%v", err)
	}
	if amount.IsZero() {
		return fail("Amt", "entry amount is zero: nothing moved, so there is no transaction to load")
	}
	ccy := amtNode.attr("Ccy")
	if len(ccy) != 3 {
		return fail("Amt@Ccy", "currency %s is not a 3-letter ISO 4217 code", canon.Quote(ccy))
	}
	switch e.str("CdtDbtInd") {
	case "CRDT":
		credit, sided = true, true
	case "DBIT":
		sided = true
	default:
		return fail("CdtDbtInd", "%s is neither CRDT nor DBIT", canon.Quote(e.str("CdtDbtInd")))
	}
	reversal := e.str("RvslInd") == "true" || e.str("RvslInd") == "1"
	status := e.first("Sts/Cd", "Sts", "Sts/Prtry")
	pending := false
	switch status {
	case "BOOK", "":
	case "PDNG", "INFO", "FUTR":
		pending = true
		sided = false // a pending entry is outside the reconciliation either way
	default:
		return fail("Sts", "status %s is none of BOOK, PDNG, INFO, FUTR", canon.Quote(status))
	}
	booked, err := parseDateNode(e.child("BookgDt"))
	if err != nil {
		return fail("BookgDt", "%v", err)
	}
	value, err := parseDateNode(e.child("ValDt"))
	if err != nil {
		return fail("ValDt", "%v", err)
	}
	if booked.IsZero() {
		booked = value
	}
	if booked.IsZero() {
		return fail("BookgDt", "entry has neither a booking date nor a value date")
	}

	var dets []*node
	for _, nd := range e.children("NtryDtls") {
		dets = append(dets, nd.children("TxDtls")...)
	}
	parts := splitEntry(amount, ccy, e.str("CdtDbtInd"), dets)

	var txns []canon.Txn
	var refs []string
	var accts []canon.Account
	var warns []canon.Note
	for i, pt := range parts {
		t, acct, field, warn := p.build(e, pt, st.account, credit)
		if warn != nil {
			warns = append(warns, canon.Warning(p.entryNo, field, p.where(e)+warn.Error()+"; the entry is loaded with the counterparty kept as written, as "+acct.ID+" (unverified external account)", t.Counterparty))
		}
		t.Record = p.entryNo
		t.Amount = pt.amount
		t.Currency = ccy
		t.BookedAt = booked
		t.ValueDate = value
		t.Pending = pending
		if reversal {
			t.Reference = strings.TrimSpace("REVERSAL: " + t.Reference)
		}
		if len(dets) > 1 && !pt.split {
			t.Counterparty = strings.TrimSpace(fmt.Sprintf("batch of %d transactions, details of the first: %s", len(dets), t.Counterparty))
		}
		ref := e.str("AcctSvcrRef")
		if pt.split {
			ref = pt.det.str("Refs/AcctSvcrRef")
			if ref == "" {
				ref = fmt.Sprintf("\x00%d/%d", p.entryNo, i) // never unique-looking: disables SourceID
			}
		}
		txns = append(txns, t)
		refs = append(refs, ref)
		accts = append(accts, acct)
	}
	for i := range txns {
		p.seq++
		txns[i].Seq = p.seq
		if !txns[i].Pending {
			if credit {
				st.period.Credits = st.period.Credits.Add(txns[i].Amount)
			} else {
				st.period.Debits = st.period.Debits.Add(txns[i].Amount)
			}
		}
		p.accounts.Add(&p.batch, accts[i])
	}
	p.batch.Txns = append(p.batch.Txns, txns...)
	p.refs = append(p.refs, refs...)
	p.batch.Notes = append(p.batch.Notes, warns...)
	return nil
}

// splitEntry decides how an entry becomes transactions. A batch entry (several TxDtls) is
// split into one transaction per TxDtls only when every TxDtls states its own positive amount
// (AmtDtls/TxAmt/Amt, else TxDtls/Amt) in the entry's currency, none states the opposite
// CdtDbtInd, and the amounts sum exactly to the entry amount. Otherwise the entry is one
// transaction for the entry amount carrying the first TxDtls' counterparty and references,
// so the sum of the transactions always equals the entry amount.
func splitEntry(amount decimal.Decimal, ccy, cdi string, dets []*node) []part {
	if len(dets) > 1 {
		var parts []part
		sum := decimal.Zero
		ok := true
		for _, d := range dets {
			an := d.path("AmtDtls/TxAmt/Amt")
			if an == nil {
				an = d.child("Amt")
			}
			v, err := parseAmount(an)
			if err != nil || !v.IsPositive() || an.attr("Ccy") != ccy {
				ok = false
				break
			}
			if c := d.str("CdtDbtInd"); c != "" && c != cdi {
				ok = false
				break
			}
			sum = sum.Add(v)
			parts = append(parts, part{det: d, amount: v, split: true})
		}
		if ok && sum.Equal(amount) {
			return parts
		}
	}
	var d *node
	if len(dets) > 0 {
		d = dets[0]
	}
	return []part{{det: d, amount: amount}}
}

// build makes the transaction of one part, without amount and dates, and the counterparty's
// account. warn, when not nil, is a problem of the field it names that did not stop the
// part from loading (a counterparty IBAN that fails its check).
func (p *parser) build(e *node, pt part, account string, credit bool) (canon.Txn, canon.Account, string, error) {
	d := pt.det
	side := "Cdtr"
	if credit {
		side = "Dbtr"
	}
	code := d.child("BkTxCd")
	if code == nil {
		code = e.child("BkTxCd")
	}
	ch := channelOf(code, credit)

	// The counterparty of a credit is the debtor, of a debit the creditor; but when that
	// party's account is the statement account itself (samples mislabel the side), the other
	// party is the counterparty, so that a transaction never runs from an account to itself.
	if own := d.first("RltdPties/"+side+"Acct/Id/IBAN", "RltdPties/"+side+"Acct/Id/Othr/Id"); own != "" {
		if v, err := canon.NormalizeIBAN(own); (err == nil && v == account) || own == account {
			other := map[string]string{"Cdtr": "Dbtr", "Dbtr": "Cdtr"}[side]
			if d.first("RltdPties/"+other+"Acct/Id/IBAN", "RltdPties/"+other+"Acct/Id/Othr/Id", "RltdPties/"+other+"/Nm") != "" {
				side = other
			}
		}
	}
	name := d.first("RltdPties/"+side+"/Nm", "RltdPties/"+side+"/Pty/Nm", "RltdPties/Ultmt"+side+"/Nm", "RltdPties/Ultmt"+side+"/Pty/Nm")
	ibanField := "RltdPties/" + side + "Acct/Id/IBAN"
	iban := d.str(ibanField)
	otherField := "RltdPties/" + side + "Acct/Id/Othr/Id"
	other := d.str(otherField)
	agent := "RltdAgts/" + side + "Agt/FinInstnId/"
	bic := d.first(agent+"BICFI", agent+"BIC")
	bank := bic
	if bank == "" {
		bank = d.first(agent+"ClrSysMmbId/MmbId", agent+"Nm")
	}
	id, kind, warn := canon.CounterpartyAccount(ch, account, iban, bank, other, name)
	field := ""
	if warn != nil {
		field = ibanField
		if strings.TrimSpace(iban) == "" {
			field = otherField
		}
	}
	cp := canon.Account{ID: id, Kind: kind, BIC: bic, HolderName: name}
	if kind == canon.KindBank {
		if strings.TrimSpace(iban) != "" || canon.LooksLikeIBAN(other) {
			cp.IBAN = id
			cp.Country = id[:2]
		} else {
			cp.Number = strings.Join(strings.Fields(other), "")
			cp.Bank = bank
		}
	}

	t := canon.Txn{
		Channel:      ch,
		Reference:    reference(e, d),
		Counterparty: joinNonEmpty(" | ", name, firstNonEmpty(iban, other), bic),
	}
	if d != nil {
		if v := d.str("Refs/EndToEndId"); v != "NOTPROVIDED" {
			t.EndToEnd = v
		}
		t.UETR = d.str("Refs/UETR")
	}
	if credit {
		t.From, t.To = id, account
	} else {
		t.From, t.To = account, id
	}
	return t, cp, field, warn
}

// where names the place of entry e in the file for a court: its line and its ordinal.
func (p *parser) where(e *node) string {
	return fmt.Sprintf("entry %d at line %d: ", p.entryNo, p.lineAt(e.start))
}

// lineAt gives the 1-based line of byte offset off. Entries are asked for in document order,
// so it counts on from the last offset asked and the whole file is counted once.
func (p *parser) lineAt(off int64) int {
	if off < p.lineOff {
		p.lineOff, p.line = 0, 1
	}
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	p.line += bytes.Count(p.data[p.lineOff:off], []byte{'\n'})
	p.lineOff = off
	return p.line
}

// reference gives the remittance information of a transaction: the unstructured lines
// (RmtInf/Ustrd), else the structured creditor references, else the additional transaction
// or entry information.
func reference(e, d *node) string {
	var lines []string
	for _, r := range d.children("RmtInf") {
		for _, u := range r.children("Ustrd") {
			lines = append(lines, u.text)
		}
	}
	if len(lines) == 0 {
		for _, r := range d.children("RmtInf") {
			for _, s := range r.children("Strd") {
				if v := s.str("CdtrRefInf/Ref"); v != "" {
					lines = append(lines, v)
				}
			}
		}
	}
	if len(lines) == 0 {
		lines = append(lines, d.str("AddtlTxInf"))
	}
	if strings.TrimSpace(strings.Join(lines, "")) == "" {
		lines = []string{e.str("AddtlNtryInf")}
	}
	return joinNonEmpty(" ", lines...)
}

// finish sets the batch-level fields once every statement is read: the statement account
// when all statements are of one account, and SourceID from AcctSvcrRef when every
// transaction carries one and no two are equal (otherwise none is set, so that the loader
// derives ids from the file hash and position).
func (p *parser) finish() {
	p.batch.StatementAccount = canon.SoleAccount(p.batch.Statements)
	canon.UseRefsAsIDs(p.batch.Txns, p.refs, func(r string) bool { return !strings.HasPrefix(r, "\x00") })

}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
