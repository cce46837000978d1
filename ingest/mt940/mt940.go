// Package mt940 reads SWIFT MT940 customer statements and MT942 interim transaction reports
// into canonical records: one canon.Statement per statement (a :20: ... :62: sequence) and
// one canon.Txn per :61: statement line.
//
// Read is pure: bytes in, a canon.Batch out; it never touches a database, a clock or a global.
//
// Numbering: Txn.Record and RecordError.Record are the 1-based line number, in the input
// file, of the line on which the :61: tag starts, so a reader can open the file at the entry.
//
// Direction: C is money into the statement account (From = counterparty, To = statement
// account), D money out. Reversals: RC is the reversal of a credit and is booked as a debit,
// RD the reversal of a debit and is booked as a credit; so the direction stored is the
// opposite of the letter after R, the amount stays positive, and Txn.Reference starts with
// "REVERSAL: ". That is how the :60:/:62: balances reconcile.
//
// Encodings: UTF-8 when the bytes are valid UTF-8, else the legacy code page the text scores
// best in (Windows-1252, Windows-1250 or CP852, which Hungarian and Czech banks still use),
// unless Options.Encoding names one. Control characters other than line ends and tabs (SWIFT
// SOH/ETX framing, a DOS end-of-file mark, stray binary bytes) are removed, and Result.Notes
// says how many.
package mt940

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Options tunes Read.
type Options struct {
	// FileName names the input in error messages; it is not opened.
	FileName string
	// Account, when not empty, overrides the statement account of every statement (the
	// investigator knows which account the export is of). It is used as given.
	Account string
	// Encoding names the file's character encoding ("utf-8", "cp852", "windows-1250",
	// "iso-8859-1", or any IANA name); empty means detect.
	Encoding string
}

// Period is the reconciliation of one statement period (see canon.Period).
type Period = canon.Period

// Result is everything Parse got out of a file: the canonical batch, the reconciliation of
// each statement (index-aligned with Batch.Statements), and file-level notes (the encoding
// used, control characters removed, tags ignored).
type Result struct {
	Batch   canon.Batch
	Periods []Period
	Notes   []string
}

// Read parses an MT940 or MT942 file. Input that is not MT940 at all returns an error; a
// statement line that cannot be read becomes a canon.RecordError and the rest is read.
func Read(data []byte, opt Options) (canon.Batch, error) {
	r, err := Parse(data, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	return r.Batch, nil
}

var (
	detectBlock = regexp.MustCompile(`\{1:F\d{2}[A-Z0-9]{8,12}`)
	detect20    = regexp.MustCompile(`(?m)^:20:`)
	detect25    = regexp.MustCompile(`(?m)^:(25|60F|60M):`)
)

// Detect reports whether data looks like MT940/MT942: a SWIFT {1: basic header block, or a
// :20: tag together with a :25: or :60F:/:60M: tag at line starts.
func Detect(data []byte) bool {
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	head = bytes.TrimLeft(head, "\x01\ufeff\r\n\t ")
	if detectBlock.Match(head) {
		return true
	}
	return detect20.Match(head) && detect25.Match(head)
}

// Parse is Read returning also the reconciliation of every statement and file-level notes.
func Parse(data []byte, opt Options) (*Result, error) {
	text, notes, err := decode(data, opt.Encoding)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	msgs, tagNotes, open := split(text)
	notes = append(notes, tagNotes...)
	p := &parser{opt: opt, accounts: canon.AccountIndex{}}
	for i, m := range msgs {
		p.statement(m, open && i == len(msgs)-1)
	}
	if len(p.batch.Statements) == 0 {
		return nil, wrapName(opt, fmt.Errorf("%w: no statement with a :25: account and a :60: opening balance or :61: line", ErrNotMT940))
	}
	p.finish()
	return &Result{Batch: p.batch, Periods: p.periods, Notes: append(notes, p.notes...)}, nil
}

func wrapName(opt Options, err error) error {
	if opt.FileName == "" {
		return err
	}
	return fmt.Errorf("%s: %w", opt.FileName, err)
}
