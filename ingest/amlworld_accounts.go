package ingest

import (
	"context"
	"database/sql"

	"github.com/moneytrail/moneytrail/ingest/amlworld"
)

// amlworldKey is the SQL expression of an account's join key from its bank and number
// texts: a 64-bit hash, so that each transaction finds its two account numbers by an
// integer join instead of a join on the account id text (about 2 s less CPU on 5M rows).
// The key is only trusted when no two distinct accounts of the file share it (checked on
// every load); tests replace it with a colliding one to exercise the fallback.
var amlworldKey = func(bank, number string) string { return "hash(" + bank + ", " + number + ")" }

// amlworldKeys are the staged key columns of the two sides of a row, computed in the
// parallel parse.
func amlworldKeys() string {
	return amlworldKey("c2", "c3") + " AS kf, " + amlworldKey("c4", "c5") + " AS kt"
}

// amlworldAccountID is the SQL expression of the canonical account id of a bank and number.
func amlworldAccountID(bank, number string) string {
	return "'" + amlworld.Scheme + ":' || " + bank + " || ':' || " + number
}

// storeAMLWorldAccounts adds the accounts of the staged good rows that are not yet in the
// case, numbered like every other loader's (after the case's last account_no, by id), and
// prepares what amlworldNumberJoin joins on. keyed reports whether the keys are
// collision-free, so that temp.aw_numbers maps each key to its account number; otherwise
// the transactions find their numbers by account id.
func storeAMLWorldAccounts(ctx context.Context, tx *sql.Tx, sid int64) (keyed bool, err error) {
	// One row per key; a key whose rows disagree on the bank or the number is a collision.
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw_keys AS
		SELECT k, min(bank) AS bank, min(number) AS number, min(bank) <> max(bank) OR min(number) <> max(number) AS clash
		FROM (SELECT kf AS k, c2 AS bank, c3 AS number FROM temp.aw WHERE chk IS NULL
			UNION ALL SELECT kt, c4, c5 FROM temp.aw WHERE chk IS NULL)
		GROUP BY k`); err != nil {
		return false, err
	}
	var clashes int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE clash) FROM temp.aw_keys`).Scan(&clashes); err != nil {
		return false, err
	}
	keyed = clashes == 0
	pairs := `SELECT bank, number FROM temp.aw_keys`
	if !keyed {
		pairs = `SELECT DISTINCT c2, c3 FROM temp.aw WHERE chk IS NULL UNION SELECT DISTINCT c4, c5 FROM temp.aw WHERE chk IS NULL`
	}
	// Two pairs can make one id (a bank or number holding ':'): the account keeps the least.
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts
		SELECT account_id, 'bank', NULL, NULL, bank, number, NULL, NULL, NULL, NULL, false, NULL, ?,
			CAST((SELECT coalesce(max(account_no), 0) FROM accounts) + row_number() OVER (ORDER BY account_id) AS INTEGER)
		FROM (SELECT `+amlworldAccountID("bank", "number")+` AS account_id, min(bank) AS bank, min(number) AS number
			FROM (`+pairs+`) p(bank, number) GROUP BY 1)
		WHERE account_id NOT IN (SELECT account_id FROM accounts)`, sid); err != nil {
		return false, err
	}
	if !keyed {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw_numbers AS
		SELECT k.k, a.account_no FROM temp.aw_keys k JOIN accounts a ON a.account_id = `+amlworldAccountID("k.bank", "k.number"))
	return err == nil, err
}

// amlworldNumberJoin joins the staged rows x (with their account ids fa, ta) to the account
// numbers f.account_no and t.account_no of their two sides.
func amlworldNumberJoin(keyed bool) string {
	if keyed {
		return `LEFT JOIN temp.aw_numbers f ON f.k = x.kf LEFT JOIN temp.aw_numbers t ON t.k = x.kt`
	}
	return `LEFT JOIN accounts f ON f.account_id = x.fa LEFT JOIN accounts t ON t.account_id = x.ta`
}
