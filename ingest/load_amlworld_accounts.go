package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/amlworld"
)

// amlworldAccountType is the ENUM type through which the transactions of an AMLworld file
// find their account numbers. It lives only inside the file's transaction.
const amlworldAccountType = "moneytrail_amlworld_accounts"

// storeAMLWorldAccounts adds the accounts of the staged good rows that are not yet in the
// case, numbered like every other loader's (after the case's last account_no, by id), and
// returns the SQL expressions of a staged row's two account numbers (over its account ids
// x.fa and x.ta) and the join they need.
//
// When the file's accounts hold consecutive numbers (always so for a file that brings only
// new accounts), an ENUM of their ids in number order turns an id into its number by a
// cast, and the insert needs no join: a join makes DuckDB give up its ordered batch insert
// (measured: 1M rows, storing transactions 2.06 s with the join, 1.65 s with the cast;
// 5M rows, the same 20 s either way but peak memory 1.44 instead of 1.86 GiB). Otherwise
// the rows are joined to accounts by id.
func storeAMLWorldAccounts(ctx context.Context, tx *sql.Tx, sid int64) (from, to, join string, err error) {
	// Two pairs can make one id (a bank or number holding ':'): the account keeps the least.
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw_accounts AS
		SELECT `+amlworld.AccountIDSQL("bank", "number")+` AS account_id, min(bank) AS bank, min(number) AS number
		FROM (SELECT DISTINCT c2 AS bank, c3 AS number FROM temp.aw WHERE chk IS NULL
			UNION SELECT DISTINCT c4, c5 FROM temp.aw WHERE chk IS NULL)
		GROUP BY 1`); err != nil {
		return "", "", "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts
		SELECT account_id, 'bank', NULL, NULL, bank, number, NULL, NULL, NULL, NULL, false, NULL, ?,
			CAST((SELECT coalesce(max(account_no), 0) FROM accounts) + row_number() OVER (ORDER BY account_id) AS INTEGER)
		FROM temp.aw_accounts
		WHERE account_id NOT IN (SELECT account_id FROM accounts)`, sid); err != nil {
		return "", "", "", err
	}
	var n, distinct int64
	var first, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT a.account_no), min(a.account_no), max(a.account_no)
		FROM temp.aw_accounts w JOIN accounts a USING (account_id)`).Scan(&n, &distinct, &first, &last); err != nil {
		return "", "", "", err
	}
	if n == 0 || distinct != n || last.Int64-first.Int64+1 != n {
		return "f.account_no", "t.account_no",
			`LEFT JOIN accounts f ON f.account_id = x.fa LEFT JOIN accounts t ON t.account_id = x.ta`, nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE TYPE `+amlworldAccountType+` AS ENUM (
		SELECT a.account_id FROM temp.aw_accounts w JOIN accounts a USING (account_id) ORDER BY a.account_no)`); err != nil {
		return "", "", "", err
	}
	no := func(id string) string {
		return fmt.Sprintf("CAST(enum_code(CAST(%s AS %s)) AS INTEGER) + %d", id, amlworldAccountType, first.Int64)
	}
	return no("x.fa"), no("x.ta"), "", nil
}

// dropAMLWorldAccountType removes the ENUM type of storeAMLWorldAccounts, if it made one,
// before the file's transaction commits.
func dropAMLWorldAccountType(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `DROP TYPE IF EXISTS `+amlworldAccountType)
	return err
}
