// Package ofx reads Open Financial Exchange bank and credit-card statements (OFX 1.x SGML,
// OFX 2.x XML and Quicken's QFX) into canonical records: one canon.Statement per statement
// and one canon.Txn per STMTTRN.
//
// Read is pure: bytes in, a canon.Batch out; it never touches a database, a clock or a global.
// The body is read by a tolerant tokenizer that accepts both SGML (leaf end tags left out)
// and XML, expands no entity other than the five XML ones, and bounds size and nesting
// (MaxSize, MaxDepth).
//
// Numbering: Txn.Record and RecordError.Record are the 1-based number of the STMTTRN element
// counted across the whole file in document order, over all bank and card statements (OFX
// files are often written on one line, so a line number would say little).
//
// Direction follows the sign of TRNAMT (TRNTYPE is advisory and contradicts the sign in real
// files): a positive amount is money into the statement account, a negative one money out.
//
// Times: DTPOSTED and the other OFX date-times ("YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]") are
// converted to UTC. A value without an offset is UTC, as the OFX specification says; a bracket
// with a zone name but no number ("[-:EST]") takes the offset of the North-American zone
// name. A date-only value is midnight UTC of that day.
//
// Reconciliation: OFX carries a closing balance (LEDGERBAL) but no opening balance, so a
// statement is never reported as reconciled or not: Period.Opening, Computed and Difference
// stay null and the loader stores reconciled = NULL. Period.ImpliedOpening (closing - credits
// + debits) is given for information only; it is derived from the same figures and checks
// nothing.
package ofx

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// ErrNotOFX reports input that is not an OFX document: no <OFX> element, or a body that
// cannot be tokenised.
var ErrNotOFX = errors.New("not an OFX document")

// ErrNoStatement reports an OFX document that holds no bank or credit-card statement (an
// account listing, an empty <OFX/>).
var ErrNoStatement = errors.New("OFX document holds no bank or credit-card statement")

// ErrServer reports an OFX response whose statement request failed at the bank (STATUS with
// SEVERITY ERROR and no statement): the message is the bank's code and text.
var ErrServer = errors.New("OFX response is an error from the bank")

// ErrInvestment reports an OFX document that holds only investment statements (INVSTMTRS:
// 401(k), brokerage), which are not bank statements and are not read.
var ErrInvestment = errors.New("OFX investment statements are not read")

// ErrUnsafe reports a document refused for safety: a DTD or entity declaration (OFX needs
// none; an XML parser elsewhere might expand or fetch what it declares).
var ErrUnsafe = errors.New("unsafe OFX")

// Options tunes Read.
type Options struct {
	// FileName names the input in error messages; it is not opened.
	FileName string
	// Account, when not empty, overrides the statement account of every statement in the
	// file (the investigator knows which account the export is of). It is used as given.
	Account string
	// Encoding, when not empty, overrides the character set the file declares: UTF-8, 1252,
	// 1250, ISO-8859-1, ISO-8859-2 or ISO-8859-15.
	Encoding string
}

// Period is the reconciliation of one statement period (see canon.Period).
type Period = canon.Period

// Result is everything Parse got out of a file: the canonical batch and, index-aligned with
// Batch.Statements, the period of each statement. File-level facts (encoding used,
// investment statements skipped, header problems) are canon.Notes in Batch.Notes.
type Result struct {
	Batch   canon.Batch
	Periods []Period
	// Version is the OFX version the header declares ("102", "203"), or "" when none.
	Version string
}

// Read parses one OFX or QFX file. A file that is not OFX, holds no statement, is an error
// response or holds only investment statements is an error; an entry that cannot be read
// becomes a canon.RecordError in Batch.Errors and the rest is read.
func Read(data []byte, opt Options) (canon.Batch, error) {
	r, err := Parse(data, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	return r.Batch, nil
}

// Detect reports whether data looks like an OFX or QFX file: an OFX 1.x header, an <?OFX?>
// instruction or an <OFX> element in the first 64 KiB. It is meant for --format auto.
func Detect(data []byte) bool {
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if u, ok := decodeUTF16(head); ok {
		head = u
	}
	return bytes.Contains(head, []byte("OFXHEADER")) || bytes.Contains(head, []byte("<?OFX")) || findOFX(head) >= 0
}

// Parse is Read returning also the period of every statement.
func Parse(data []byte, opt Options) (*Result, error) {
	if len(data) > MaxSize {
		return nil, wrapName(opt, fmt.Errorf("%w: file of %d bytes exceeds the %d-byte limit", ErrNotOFX, len(data), MaxSize))
	}
	var notes []string
	if u, ok := decodeUTF16(data); ok {
		data = u
		notes = append(notes, "UTF-16 with byte-order mark, decoded")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	at := findOFX(data)
	if at < 0 {
		return nil, wrapName(opt, fmt.Errorf("%w: no <OFX> element", ErrNotOFX))
	}
	h := readHeader(data[:at])
	text, encNotes, err := decodeText(data, h, opt.Encoding)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	notes = append(notes, encNotes...)
	// Decoding never moves the ASCII "<OFX" ahead of where it was in bytes for ASCII
	// prefixes, but a decoded prefix may change length: find it again.
	at = findOFX([]byte(text))
	if at < 0 {
		return nil, wrapName(opt, fmt.Errorf("%w: no <OFX> element", ErrNotOFX))
	}
	if n := strings.Count(strings.ToUpper(text[:at]), "<STMTTRN"); n > 0 {
		return nil, wrapName(opt, fmt.Errorf("%w: %d entries (<STMTTRN>) stand before the <OFX> element: a damaged file, refused rather than read without them", ErrNotOFX, n))
	}
	if hasDeclaration(text[:at]) {
		return nil, wrapName(opt, fmt.Errorf("%w: a DTD (<!DOCTYPE ...>) or other <!...> declaration before <OFX> is not allowed", ErrUnsafe))
	}
	root, repairs, err := parseBody(text[at:])
	if err != nil {
		return nil, wrapName(opt, err)
	}
	notes = append(notes, repairs...)
	ofx := root.child("OFX")
	if ofx == nil {
		return nil, wrapName(opt, fmt.Errorf("%w: no <OFX> element", ErrNotOFX))
	}
	p := &parser{body: text[at:], opt: opt, accounts: canon.AccountIndex{}, line: 1 + strings.Count(text[:at], "\n")}
	p.firstLine = p.line
	for _, n := range notes {
		p.batch.Notes = append(p.batch.Notes, canon.Note{Kind: "file", Text: n})
	}
	if err := p.document(ofx); err != nil {
		return nil, wrapName(opt, err)
	}
	p.strays(root)
	p.finish()
	return &Result{Batch: p.batch, Periods: p.periods, Version: h.fields["VERSION"]}, nil
}

// hasDeclaration reports a markup declaration (<!DOCTYPE, <!ENTITY, ...) other than a
// comment in the text before the OFX element.
func hasDeclaration(head string) bool {
	for i := 0; ; {
		j := strings.Index(head[i:], "<!")
		if j < 0 {
			return false
		}
		i += j
		if !strings.HasPrefix(head[i:], "<!--") {
			return true
		}
		e := strings.Index(head[i:], "-->")
		if e < 0 {
			return true
		}
		i += e + 3
	}
}

// document finds the statements of the OFX element and reads them.
func (p *parser) document(ofx *node) error {
	stmts := append(ofx.find("STMTRS"), ofx.find("CCSTMTRS")...)
	sortByStart(stmts)
	inv := ofx.find("INVSTMTRS")
	if len(stmts) == 0 {
		for _, rs := range append(ofx.find("STMTTRNRS"), append(ofx.find("CCSTMTTRNRS"), ofx.find("INVSTMTTRNRS")...)...) {
			if strings.EqualFold(rs.str("STATUS/SEVERITY"), "ERROR") {
				return fmt.Errorf("%w: status %s %s", ErrServer, rs.str("STATUS/CODE"), rs.str("STATUS/MESSAGE"))
			}
		}
		if s := ofx.child("SIGNONMSGSRSV1").child("SONRS"); strings.EqualFold(s.str("STATUS/SEVERITY"), "ERROR") {
			return fmt.Errorf("%w: sign-on status %s %s", ErrServer, s.str("STATUS/CODE"), s.str("STATUS/MESSAGE"))
		}
		if len(inv) > 0 {
			return fmt.Errorf("%w: the file holds %d investment statement(s) (INVSTMTRS) and no bank or credit-card statement", ErrInvestment, len(inv))
		}
		return ErrNoStatement
	}
	for _, s := range inv {
		p.batch.Notes = append(p.batch.Notes, canon.Note{Kind: "investment_statement",
			Text: fmt.Sprintf("investment statement of %s/%s not read (%d STMTTRN in INVBANKTRAN)", s.str("INVACCTFROM/BROKERID"), s.str("INVACCTFROM/ACCTID"), len(s.find("STMTTRN"))),
			Raw:  p.raw(s)})
	}
	for _, s := range inv {
		for _, e := range s.find("STMTTRN") {
			e.read = true
		}
	}
	for _, s := range stmts {
		p.statement(s)
	}
	return nil
}

// strays quarantines every STMTTRN of the body that no statement's BANKTRANLIST holds (a
// damaged file whose structure moved it out of its list, after </OFX>, or into a second
// <OFX>): each entry of the file is loaded, quarantined
// or the file refused, never dropped unseen.
func (p *parser) strays(root *node) {
	for _, n := range root.all() {
		if n.name != "STMTTRN" || n.read {
			continue
		}
		n.read = true
		p.entryNo++
		p.batch.Errors = append(p.batch.Errors, canon.RecordError{Record: p.entryNo, Field: "STMTTRN", Raw: p.raw(n),
			Reason: p.where(n) + "the entry is outside any statement's BANKTRANLIST (a damaged file?): it belongs to no statement and is not loaded"})
	}
}

// sortByStart orders nodes by their position in the file (insertion sort: a file holds few
// statements).
func sortByStart(ns []*node) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].start < ns[j-1].start; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

func wrapName(opt Options, err error) error {
	if opt.FileName == "" {
		return err
	}
	return fmt.Errorf("%s: %w", opt.FileName, err)
}
