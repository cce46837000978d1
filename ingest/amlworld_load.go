package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/moneytrail/moneytrail/ingest/amlworld"
	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// FormatAMLWorld is IBM's AMLworld transactions CSV.
const FormatAMLWorld = "amlworld"

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlMap(table [][2]string, expr string) string {
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for _, kv := range table {
		b.WriteString(" WHEN " + sqlQuote(kv[0]) + " THEN " + sqlQuote(kv[1]))
	}
	b.WriteString(" END")
	return b.String()
}

// sqlAmount casts a validated amount text exactly: through DECIMAL(18,6) when it fits (the
// common case, about 40 times faster to parse than the 128-bit type) and directly otherwise.
func sqlAmount(expr string) string {
	return "coalesce(CAST(TRY_CAST(" + expr + " AS DECIMAL(18,6)) AS " + casedb.Money + "), CAST(" + expr + " AS " + casedb.Money + "))"
}

// loadAMLWorld streams an AMLworld file through DuckDB's CSV reader inside one transaction:
// each physical line is one record (AMLworld never quotes), split and checked in SQL with
// the rules of package amlworld, so a 5-million-row file never passes through Go row by row.
func loadAMLWorld(ctx context.Context, db *casedb.DB, path string, src sourceRow, opt Options, res Result) (Result, error) {
	head := make([]byte, len(amlworld.Header)+3)
	if _, err := openRead(path, head); err != nil || !amlworld.Detect(head) {
		return res, fmt.Errorf("%w: %s: line 1 is not the AMLworld header %q", ErrInput, path, amlworld.Header)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	progress(opt, "reading "+src.FileName)
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw AS
		SELECT ordinality + 1 AS line, l, string_split(l, ',') AS f
		FROM read_csv(?, header = true, delim = chr(1), quote = '', escape = '', columns = {'l': 'VARCHAR'},
			strict_mode = false, auto_detect = false) WITH ORDINALITY`, path); err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	amt := `regexp_full_match(%s, '` + amlworld.AmountPattern + `')`
	cur := func(i int) string { return sqlMap(amlworld.Currencies, fmt.Sprintf("f[%d]", i)) }
	check := `CASE
		WHEN l IS NULL OR l = '' THEN '|blank line'
		WHEN len(f) <> ` + fmt.Sprint(amlworld.Fields) + ` THEN '|row has ' || len(f) || ' fields, header has ` + fmt.Sprint(amlworld.Fields) + `'
		WHEN try_strptime(f[1], '` + amlworld.TimeLayoutSQL + `') IS NULL THEN 'Timestamp|' || '"' || f[1] || '" is not a timestamp (2022/09/01 00:20)'
		WHEN f[2] = '' OR f[3] = '' THEN 'From Bank/Account|empty'
		WHEN f[4] = '' OR f[5] = '' THEN 'To Bank/Account|empty'
		WHEN NOT ` + fmt.Sprintf(amt, "f[6]") + ` THEN 'Amount Received|"' || f[6] || '" is not an amount (digits, at most 6 decimals)'
		WHEN ` + cur(7) + ` IS NULL THEN 'Receiving Currency|unknown currency "' || f[7] || '"'
		WHEN NOT ` + fmt.Sprintf(amt, "f[8]") + ` THEN 'Amount Paid|"' || f[8] || '" is not an amount (digits, at most 6 decimals)'
		WHEN ` + sqlAmount("f[8]") + ` = 0 THEN 'Amount Paid|amount is zero'
		WHEN ` + cur(9) + ` IS NULL THEN 'Payment Currency|unknown currency "' || f[9] || '"'
		WHEN ` + sqlMap(amlworld.Channels, "f[10]") + ` IS NULL THEN 'Payment Format|unknown payment format "' || f[10] || '"'
		WHEN f[11] NOT IN ('0', '1') THEN 'Is Laundering|"' || f[11] || '" is neither 0 nor 1'
	END`
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw_bad AS
		SELECT line, l, split_part(c, '|', 1) AS field, substr(c, strpos(c, '|') + 1) AS reason
		FROM (SELECT line, l, `+check+` AS c FROM aw) WHERE c IS NOT NULL`); err != nil {
		return res, fmt.Errorf("check %s: %w", path, err)
	}
	var records, bad int64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM aw), (SELECT count(*) FROM aw_bad)`).Scan(&records, &bad); err != nil {
		return res, err
	}
	if opt.Strict && bad > 0 {
		errs, err := firstBad(ctx, tx)
		if err != nil {
			return res, err
		}
		return res, strictError(path, errs)
	}
	var sid int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&sid); err != nil {
		return res, err
	}
	var base string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'base_currency'`).Scan(&base); err != nil {
		return res, err
	}
	idPrefix := src.SHA256[:16] + ":"
	acct := func(b, a int) string {
		return fmt.Sprintf("'%s:' || f[%d] || ':' || f[%d]", amlworld.Scheme, b, a)
	}
	progress(opt, "storing "+src.FileName)
	if _, err := tx.ExecContext(ctx, `INSERT INTO transactions
		SELECT ? || line, ?, line, ? * CAST(? AS BIGINT) + line, strptime(f[1], '`+amlworld.TimeLayoutSQL+`'), NULL,
			`+acct(2, 3)+`, `+acct(4, 5)+`, amount, currency,
			CASE WHEN currency = ? THEN amount END, CASE WHEN currency = ? THEN currency END,
			CASE WHEN currency = ? THEN 1 END, CASE WHEN currency = ? THEN CAST(strptime(f[1], '`+amlworld.TimeLayoutSQL+`') AS DATE) END,
			`+sqlAmount("f[6]")+`, `+cur(7)+`, `+sqlMap(amlworld.Channels, "f[10]")+`, f[10],
			NULL, NULL, NULL, NULL, false, NULL
		FROM (SELECT *, `+sqlAmount("f[8]")+` AS amount, `+cur(9)+` AS currency FROM aw
			WHERE line NOT IN (SELECT line FROM aw_bad))
		ORDER BY line`, idPrefix, sid, sid, seqStride, base, base, base, base); err != nil {
		return res, fmt.Errorf("store transactions of %s: %w", path, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts
		SELECT account_id, 'bank', NULL, NULL, bank, number, NULL, NULL, NULL, NULL, false, NULL, ?
		FROM (SELECT DISTINCT `+acct(2, 3)+` AS account_id, f[2] AS bank, f[3] AS number FROM aw WHERE line NOT IN (SELECT line FROM aw_bad)
			UNION SELECT `+acct(4, 5)+`, f[4], f[5] FROM aw WHERE line NOT IN (SELECT line FROM aw_bad))
		ORDER BY account_id
		ON CONFLICT (account_id) DO NOTHING`, sid); err != nil {
		return res, fmt.Errorf("store accounts of %s: %w", path, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO labels
		SELECT ?, 'txn:' || ? || line, ?, '1', line FROM aw WHERE f[11] = '1' AND line NOT IN (SELECT line FROM aw_bad) ORDER BY line`,
		sid, idPrefix, amlworld.LabelName); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine SELECT ?, line, l, nullif(field, ''), reason FROM aw_bad ORDER BY line`, sid); err != nil {
		return res, err
	}
	loaded := records - bad
	if err := insertSource(ctx, tx, sid, src, records, loaded, bad, ""); err != nil {
		return res, err
	}
	missing, err := applyFX(ctx, tx, fmt.Sprintf("source_id = %d", sid))
	if err != nil {
		return res, err
	}
	errs, err := firstBad(ctx, tx)
	if err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.aw; DROP TABLE temp.aw_bad`); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit %s: %w", path, err)
	}
	res.SourceID, res.Records, res.Loaded, res.Quarantined, res.FXMissing, res.Problems = sid, records, loaded, bad, missing, errs
	return res, nil
}

func firstBad(ctx context.Context, tx *sql.Tx) ([]canon.RecordError, error) {
	rows, err := tx.QueryContext(ctx, `SELECT line, l, field, reason FROM temp.aw_bad ORDER BY line LIMIT `+fmt.Sprint(maxProblems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []canon.RecordError
	for rows.Next() {
		var e canon.RecordError
		var raw sql.NullString
		if err := rows.Scan(&e.Record, &raw, &e.Field, &e.Reason); err != nil {
			return nil, err
		}
		e.Raw = raw.String
		out = append(out, e)
	}
	return out, rows.Err()
}

func openRead(path string, buf []byte) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.ReadFull(f, buf)
}

func progress(opt Options, step string) {
	if opt.Progress != nil {
		opt.Progress(step)
	}
}
