// Package canontest holds the checks that the statement readers' tests make of a batch.
package canontest

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// CheckBatch asserts that every statement account is listed with Statement set, that
// StatementAccount is set exactly when all statements are of one account, and that every
// transaction has a valid channel, a currency, a booking time and both ends listed in
// Accounts. The last is a rule of the readers that list every account they name (camt,
// MT940), not of the loader, which adds unlisted ends itself.
func CheckBatch(t testing.TB, b canon.Batch) {
	t.Helper()
	ids := map[string]canon.Account{}
	for _, a := range b.Accounts {
		ids[a.ID] = a
	}
	distinct := map[string]bool{}
	for _, s := range b.Statements {
		distinct[s.Account] = true
		if !ids[s.Account].Statement {
			t.Errorf("statement account %s not listed with Statement=true", s.Account)
		}
	}
	if (len(distinct) == 1) != (b.StatementAccount != "") {
		t.Errorf("StatementAccount = %q with %d distinct statement accounts", b.StatementAccount, len(distinct))
	}
	for _, x := range b.Txns {
		if _, ok := ids[x.From]; !ok {
			t.Errorf("record %d: From %s not in Accounts", x.Record, x.From)
		}
		if _, ok := ids[x.To]; !ok {
			t.Errorf("record %d: To %s not in Accounts", x.Record, x.To)
		}
		if !canon.ValidChannel(x.Channel) || x.Currency == "" || x.BookedAt.IsZero() {
			t.Errorf("record %d: channel %q currency %q booked %v", x.Record, x.Channel, x.Currency, x.BookedAt)
		}
	}
}

// CheckBalance asserts that statement i's balance what is want (a decimal), or absent when
// want is "".
func CheckBalance(t testing.TB, i int, what string, got decimal.NullDecimal, want string) {
	t.Helper()
	if want == "" {
		if got.Valid {
			t.Errorf("statement %d: %s = %s, want none", i, what, got.Decimal)
		}
		return
	}
	if !got.Valid || !got.Decimal.Equal(decimal.RequireFromString(want)) {
		t.Errorf("statement %d: %s = %v, want %s", i, what, got, want)
	}
}

// CheckParsed asserts what a statement reader's output must keep for any input it accepts
// (the fuzz targets' invariant): one period per statement; every transaction with a positive
// amount, both ends named, a currency and a record number from 1 to records; every
// quarantined record numbered the same way with a reason. records <= 0 skips the upper
// bound for a reader that does not count its records.
func CheckParsed(t testing.TB, b canon.Batch, periods, records int) {
	t.Helper()
	if periods != len(b.Statements) {
		t.Fatalf("%d periods for %d statements", periods, len(b.Statements))
	}
	inRange := func(r int) bool { return r >= 1 && (records <= 0 || r <= records) }
	for _, x := range b.Txns {
		if !x.Amount.IsPositive() || !inRange(x.Record) || x.From == "" || x.To == "" || x.Currency == "" {
			t.Fatalf("bad txn %+v (records %d)", x, records)
		}
	}
	for _, e := range b.Errors {
		if !inRange(e.Record) || e.Reason == "" {
			t.Fatalf("bad error %+v (records %d)", e, records)
		}
	}
}
