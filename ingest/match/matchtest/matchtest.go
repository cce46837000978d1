// Package matchtest lets tests mark a transaction as the other side of another, as a match
// made after a run would: one row in matches and duplicate_of set on the duplicate.
package matchtest

import (
	"database/sql"
	"testing"
)

// Execer is what Mark needs of a database (a *casedb.DB or a *sql.DB).
type Execer interface {
	Exec(query string, args ...any) (sql.Result, error)
}

// Mark records match id pairing kept with dup (method "amount", score 0.9) made at the
// timestamp at ("2024-01-05"), and marks dup as a duplicate of kept.
func Mark(t testing.TB, db Execer, id int, kept, dup, at string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO matches VALUES (?, ?, ?, 'amount', 0.9, 0, 'EUR', 0, CAST(? AS TIMESTAMP), '')`, id, kept, dup, at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE transactions SET duplicate_of = ? WHERE txn_id = ?`, kept, dup); err != nil {
		t.Fatal(err)
	}
}
