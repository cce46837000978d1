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
