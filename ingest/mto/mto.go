// Package mto reads money-transfer-operator records (Western Union, MoneyGram, Ria and the
// like, as CSV described by a YAML profile) and remittance-app statements (Wise, Revolut)
// into canonical records.
//
// Operator records (Read, Parse): each paid transfer is one canon.Txn of channel mto_send
// from the sender's party pseudo-account to the receiver's, and its fee a second canon.Txn
// of channel fee from the sender to the operator's fee account; once paid out, a third of
// channel mto_payout from the receiver's pseudo-account to the receiver's cash at the
// pay-out time (see transferReader.payout for charges and currencies). Both people become
// canon.Party records with what the record says about them, linked to their pseudo-accounts.
// Pseudo-account and party ids (stable and deterministic, from the record alone):
//
//	party id:   party:<name key>|<birth date YYYY-MM-DD, else country, else "unknown">
//	account:    mto:<operator>:<party id>       e.g. mto:western-union:party:marko markovic|1985-03-12
//	fees:       mto:<operator>:fees
//	cash:       cash:mto:<operator>:<party id>    what the receiver collected
//
// The name key is canon.NameKey (accents removed, lower case, punctuation dropped); the
// operator is its name key with spaces as dashes. Cancelled and refunded transfers are not
// transactions: each is a canon.Note. A transfer refunded after a pay-out is loaded as paid
// (the receiver got the money) with a note that the refund is not in the record.
//
// Remittance-app statements (ParseApp, DetectApp) are statements of one app account, read
// like bank statements, with the reconciliation of each currency's period.
//
// Every reader is pure: bytes in, a canon.Batch out; no database, clock or global.
package mto

import (
	"errors"
	"fmt"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// ErrLayout reports a file whose header does not have the columns the profile or app layout
// needs; nothing of it should be stored.
var ErrLayout = errors.New("CSV layout does not match")

// Options tunes the readers.
type Options struct {
	// FileName names the input in error messages; it is not opened.
	FileName string
	// Operator names the operator of every record of an operator file, overriding the
	// profile and any operator column ("Western Union" becomes "western-union").
	Operator string
	// Account, for app statements, is the statement account (--account): the app account
	// of the person whose statement it is. It is used as given.
	Account string
}

// Period is the reconciliation of one statement period (see canon.Period).
type Period = canon.Period

// Result is everything a reader got out of a file: the canonical batch and, for app
// statements, the reconciliation of each statement (index-aligned with Batch.Statements).
// Operator files have no statements and no periods.
type Result struct {
	Batch   canon.Batch
	Periods []Period
	// Layout names what was read: the profile's name, or the app layout ("wise",
	// "revolut-2018", "revolut").
	Layout string
}

// Read parses an operator CSV file with profile p. A file whose header lacks a column the
// profile maps, or that cannot be decoded, is an error; a row that cannot be read becomes a
// canon.RecordError with its line and field, and the rest is read.
func Read(data []byte, p *Profile, opt Options) (canon.Batch, error) {
	r, err := Parse(data, p, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	return r.Batch, nil
}

// Parse is Read returning the Result (with the profile's name as Layout).
func Parse(data []byte, p *Profile, opt Options) (*Result, error) {
	if p == nil {
		return nil, wrapName(opt, fmt.Errorf("%w: no profile", ErrProfile))
	}
	if err := p.Validate(); err != nil {
		return nil, wrapName(opt, err)
	}
	cm, _ := p.Charmap() // Validate has checked it
	text, err := decode(data, cm)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	t, err := readTable(text, p.delimiter(), p.SkipLines)
	if err != nil {
		return nil, wrapName(opt, fmt.Errorf("%w: %v", ErrLayout, err))
	}
	tr, err := newTransferReader(p, opt, t)
	if err != nil {
		return nil, wrapName(opt, err)
	}
	tr.readAll()
	return &Result{Batch: tr.batch, Layout: p.Name}, nil
}

func wrapName(opt Options, err error) error {
	if opt.FileName == "" {
		return err
	}
	return fmt.Errorf("%s: %w", opt.FileName, err)
}
