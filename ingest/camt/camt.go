// Package camt reads ISO 20022 bank-to-customer cash management messages (camt.052 account
// reports, camt.053 statements, camt.054 debit/credit notifications, message versions 1 to 8)
// into canonical records: one canon.Statement per statement and one canon.Txn per entry.
//
// Read is pure: bytes in, a canon.Batch out; it never touches a database, a clock or a global.
// The XML is read safely: a DTD (and with it every entity declaration) is refused, undeclared
// entities are errors, and the size and nesting depth are bounded (MaxSize, MaxDepth).
//
// Numbering: Txn.Record and RecordError.Record are the 1-based number of the <Ntry> element
// counted across the whole file, in document order, over all statements. The transactions of
// a batch entry split by its TxDtls share their entry's Record and differ in Seq.
//
// Direction: a CRDT entry is money into the statement account (From = counterparty, To =
// statement account), a DBIT entry money out of it. Amounts are always positive.
//
// Reversals (RvslInd true) keep the direction of CdtDbtInd: ISO 20022 defines CdtDbtInd as the
// side the entry is booked on ("if CdtDbtInd is CRDT and RvslInd is true, the original
// operation was a debit"), and the statement balances only reconcile that way. A reversal is
// marked by the prefix "REVERSAL: " in Txn.Reference. This differs from MT940, where the
// letter after R in RC/RD names the original side and the booking is the opposite.
package camt

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Options tunes Read.
type Options struct {
	// FileName names the input in error messages; it is not opened.
	FileName string
	// Account, when not empty, overrides the statement account of every statement in the
	// file (the investigator knows which account the export is of). It is used as given.
	Account string
}

// Period is the reconciliation of one statement period (see canon.Period).
type Period = canon.Period

// Result is everything Parse got out of a file: the canonical batch and, index-aligned with
// Batch.Statements, the reconciliation of each statement period.
type Result struct {
	Batch   canon.Batch
	Periods []Period
}

// Read parses one camt.052, camt.053 or camt.054 document. A document that is not camt at all
// (another XML vocabulary, no statement, unsafe XML) is an error; an entry that cannot be read
// becomes a canon.RecordError in Batch.Errors and the rest is read.
func Read(data []byte, opt Options) (canon.Batch, error) {
	r, err := Parse(data, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	return r.Batch, nil
}

// Detect reports whether data looks like a camt.052/053/054 document, by the namespace of its
// root element, without parsing it fully. It is meant for --format auto.
func Detect(data []byte) bool {
	head := data
	if len(head) > 64<<10 { // leading comments can be long (the Finnish samples)
		head = head[:64<<10]
	}
	return bytes.Contains(head, []byte("urn:iso:std:iso:20022:tech:xsd:camt.05"))
}

// Parse is Read returning also the reconciliation of every statement period.
func Parse(data []byte, opt Options) (*Result, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	msg, kind, err := message(root)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	var stmts []*node
	for _, k := range msg.kids {
		switch k.name {
		case "Stmt", "Rpt", "Ntfctn":
			stmts = append(stmts, k)
		}
	}
	if len(stmts) == 0 {
		return nil, wrapName(opt, fmt.Errorf("%w: %s message has no Stmt, Rpt or Ntfctn element", ErrNotCamt, kind))
	}
	p := &parser{data: data, opt: opt, accounts: canon.AccountIndex{}, line: 1}
	for _, s := range stmts {
		p.statement(s)
	}
	p.strays(root)
	p.finish()
	return &Result{Batch: p.batch, Periods: p.periods}, nil
}

// strays quarantines every <Ntry> that is not a child of a statement element (a damaged
// file that nests one entry inside another, or moved it out of its statement): each entry
// of the file is loaded, quarantined or the file refused, never dropped unseen.
func (p *parser) strays(root *node) {
	for _, n := range root.all() {
		if n.name != "Ntry" || n.read {
			continue
		}
		n.read = true
		p.entryNo++
		p.batch.Records++
		raw := p.data[n.start:n.end]
		if len(raw) > maxRaw {
			raw = raw[:maxRaw]
		}
		p.batch.Errors = append(p.batch.Errors, canon.RecordError{Record: p.entryNo, Field: "Ntry", Raw: string(raw),
			Reason: p.where(n) + "the entry is not directly inside a statement (Stmt, Rpt or Ntfctn): a damaged file? It belongs to no statement and is not loaded"})
	}
}

// message checks the root and returns the message element and its camt kind.
func message(root *node) (*node, string, error) {
	const ns = "urn:iso:std:iso:20022:tech:xsd:camt.05"
	if root.name != "Document" || !strings.HasPrefix(root.space, ns) {
		return nil, "", fmt.Errorf("%w: root element is <%s> in namespace %q", ErrNotCamt, root.name, root.space)
	}
	kind := strings.TrimPrefix(root.space, "urn:iso:std:iso:20022:tech:xsd:")
	if !strings.HasPrefix(kind, "camt.052") && !strings.HasPrefix(kind, "camt.053") && !strings.HasPrefix(kind, "camt.054") {
		return nil, "", fmt.Errorf("%w: namespace %q", ErrNotCamt, root.space)
	}
	for _, k := range root.kids {
		if strings.HasPrefix(k.name, "BkToCstmr") {
			return k, kind, nil
		}
	}
	return nil, "", fmt.Errorf("%w: %s document has no BkToCstmr... message element", ErrNotCamt, kind)
}

func wrapName(opt Options, err error) error {
	if opt.FileName == "" {
		return err
	}
	return fmt.Errorf("%s: %w", opt.FileName, err)
}
