package camt

import (
	"regexp"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// ntryTag counts the file's entries independently of the reader: <Ntry> start tags,
// prefixed or not.
var ntryTag = regexp.MustCompile(`<([A-Za-z0-9_]+:)?Ntry[\s>]`)

// TestMutants damages statements the ways issue 19 lists and checks that every <Ntry> of a
// damaged file is loaded, quarantined or the file refused, and that a reconciled statement
// adds up.
func TestMutants(t *testing.T) {
	own := doc("119.75",
		ntry("50.00", "CRDT", "", `<TxDtls><RltdPties><Dbtr><Nm>Ana</Nm></Dbtr><DbtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></DbtrAcct></RltdPties></TxDtls>`),
		ntry("24187.50", "DBIT", "", ""),
		ntry("24157.25", "CRDT", "<Sts>BOOK</Sts>", `<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">24000.00</Amt></TxAmt></AmtDtls></TxDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">157.25</Amt></TxAmt></AmtDtls></TxDtls>`))
	seeds := canontest.Seeds(t, own, "camt/*.xml", 8<<10)
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Parse(b, Options{})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		return r.Batch, r.Periods, nil
	}, func(b []byte) int { return len(ntryTag.FindAll(b, -1)) })
	t.Logf("camt: %d seeds, %s", len(seeds), tally)
}
