package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/ingest/amlworld"
	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// FormatAMLWorld is IBM's AMLworld transactions CSV.
const FormatAMLWorld = "amlworld"

// loadAMLWorld streams an AMLworld file through DuckDB's CSV reader inside one transaction,
// checking every row in SQL with the rules of package amlworld, so a 5-million-row file never
// passes through Go row by row.
//
// Line numbers are the provenance, so they must be exact. The fast path parses the eleven
// columns in parallel and takes each row's line from its position (rowid + 2); it is used
// only when the file has no blank line (seen while hashing) and DuckDB then reads exactly one
// row per line, any other shape making the parse fail. Otherwise the file is read line by line
// (one column, split in SQL), slower but exact for any content.
func loadAMLWorld(ctx context.Context, db *casedb.DB, path string, src sourceRow, scan fileScan, opt Options, res Result) (Result, error) {
	head := make([]byte, len(amlworld.Header)+3)
	if _, err := openRead(path, head); err != nil || !amlworld.Detect(head) {
		return res, fmt.Errorf("%w: %s: line 1 is not the AMLworld header %q", ErrInput, path, amlworld.Header)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	// The staging table is scratch, connection-local and outside the case's transaction: a
	// temporary table created inside a transaction numbers its rows from 2^55, so row
	// positions are only usable from one created before it.
	progress(opt, "reading "+src.FileName)
	defer func() {
		for _, t := range []string{"aw", "aw_accounts"} {
			conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.`+t)
		}
	}()
	line, raw, err := stageAMLWorld(ctx, conn, path, &scan)
	if err != nil {
		return res, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	how := "read line by line (one column split in SQL): " + scan.slowReason
	if line != "line" {
		how = "read with DuckDB's parallel CSV parser: one row per line, line = row position + 2"
	}
	var records, bad int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(chk) FROM temp.aw`).Scan(&records, &bad); err != nil {
		return res, err
	}
	if opt.Strict && bad > 0 {
		errs, err := firstBad(ctx, tx, line, raw)
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
	// Accounts first: each transaction stores the account numbers of its sides.
	progress(opt, "storing accounts")
	fromNo, toNo, join, err := storeAMLWorldAccounts(ctx, tx, sid)
	if err != nil {
		return res, fmt.Errorf("store accounts of %s: %w", path, err)
	}
	progress(opt, "storing transactions")
	if _, err := tx.ExecContext(ctx, `INSERT INTO transactions
		SELECT ? || ln, ?, ln, ? * CAST(? AS BIGINT) + ln, ts, NULL,
			fa, ta, a8, cur9,
			CASE WHEN cur9 = ? THEN a8 END, CASE WHEN cur9 = ? THEN cur9 END,
			CASE WHEN cur9 = ? THEN 1 END, CASE WHEN cur9 = ? THEN CAST(ts AS DATE) END,
			a6, cur7, ch, c10, NULL, NULL, NULL, NULL, false, NULL,
			`+fromNo+`, `+toNo+`, CASE WHEN cur9 = ? THEN m8 END
		FROM (SELECT *, `+line+` AS ln, `+amlworld.AccountIDSQL("c2", "c3")+` AS fa, `+amlworld.AccountIDSQL("c4", "c5")+` AS ta FROM temp.aw WHERE chk IS NULL) x
		`+join,
		idPrefix, sid, sid, seqStride, base, base, base, base, base); err != nil {
		return res, fmt.Errorf("store transactions of %s: %w", path, err)
	}
	if err := dropAMLWorldAccountType(ctx, tx); err != nil {
		return res, err
	}
	progress(opt, "storing labels and quarantine")
	if _, err := tx.ExecContext(ctx, `INSERT INTO labels
		SELECT ?, 'txn:' || ? || ln, ?, '1', ln FROM (SELECT `+line+` AS ln FROM temp.aw WHERE c11 = '1' AND chk IS NULL) ORDER BY ln`,
		sid, idPrefix, amlworld.LabelName); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine
		SELECT ?, ln, raw, nullif(split_part(chk, '|', 1), ''), substr(chk, strpos(chk, '|') + 1)
		FROM (SELECT `+line+` AS ln, `+raw+` AS raw, chk FROM temp.aw WHERE chk IS NOT NULL) ORDER BY ln`, sid); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO source_notes VALUES (?, 0, 'file', ?, NULL)`, sid, how); err != nil {
		return res, err
	}
	loaded := records - bad
	progress(opt, "recording the source")
	// Every id is derived, one transaction per record (sources.ids_derived).
	facts := sourceFacts{records: records, loaded: loaded, quarantined: bad, idsDerived: true}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(min(ts), TIMESTAMP '0001-01-01'), coalesce(max(ts), TIMESTAMP '0001-01-01')
		FROM temp.aw WHERE chk IS NULL`).Scan(&facts.periodStart, &facts.periodEnd); err != nil {
		return res, err
	}
	if facts.periodStart.Year() == 1 {
		facts.periodStart, facts.periodEnd = time.Time{}, time.Time{}
	}
	if err := insertSource(ctx, tx, sid, src, facts); err != nil {
		return res, err
	}
	progress(opt, "base-currency amounts")
	missing, err := applyFX(ctx, tx, fmt.Sprintf("source_id = %d", sid))
	if err != nil {
		return res, err
	}
	errs, err := firstBad(ctx, tx, line, raw)
	if err != nil {
		return res, err
	}
	progress(opt, "rows digest")
	if err := casedb.RecordSourceRows(ctx, tx, sid); err != nil {
		return res, err
	}
	progress(opt, "commit")
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit %s: %w", path, err)
	}
	res.SourceID, res.Records, res.Loaded, res.Quarantined, res.FXMissing, res.Problems = sid, records, loaded, bad, missing, errs
	res.Transactions = loaded // one transaction per row
	return res, nil
}

// stageAMLWorld reads the file into temp.aw (the text fields the load still needs, the typed
// columns, chk, and the raw text of rows that break a rule) and returns the SQL expressions of
// a row's line number and raw text.
func stageAMLWorld(ctx context.Context, tx *sql.Conn, path string, scan *fileScan) (line, raw string, err error) {
	var cols, names []string
	for i := 1; i <= amlworld.Fields; i++ {
		cols = append(cols, fmt.Sprintf("'c%d': 'VARCHAR'", i))
		names = append(names, fmt.Sprintf("c%d", i))
	}
	if scan.slowReason == "" {
		// nullstr = chr(0): an empty field stays '' (the rules want it), never NULL. Only the
		// columns the load needs are kept; the raw text only for quarantined rows.
		_, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw AS
			SELECT c2, c3, c4, c5, c10, c11, ts, a6, cur7, a8, m8, cur9, ch, chk,
				CASE WHEN chk IS NOT NULL THEN `+strings.Join(names, " || ',' || ")+` END AS raw
			FROM (SELECT *, `+amlworld.CheckSQL(fmt.Sprint(amlworld.Fields), "false")+` AS chk
				FROM (SELECT *, `+amlworld.TypedSQL(casedb.Money)+`
					FROM read_csv(?, header = true, delim = ',', quote = '', escape = '', nullstr = chr(0),
						auto_detect = false, columns = {`+strings.Join(cols, ", ")+`})))`, path)
		if err == nil {
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM temp.aw`).Scan(&n); err != nil {
				return "", "", err
			}
			if n == scan.lines-1 {
				return "(rowid + 2)", "raw", nil
			}
			scan.slowReason = fmt.Sprintf("the parallel parser read %d rows from %d lines", n, scan.lines-1)
		}
		if err != nil {
			scan.slowReason = "the parallel parser refused the file: " + firstLine(err.Error())
		}
	}
	var fields []string
	for i := 1; i <= amlworld.Fields; i++ {
		fields = append(fields, fmt.Sprintf("f[%d] AS c%d", i, i))
	}
	_, err = tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE aw AS
		SELECT line, raw, `+strings.Join(names, ", ")+`, ts, a6, cur7, a8, m8, cur9, ch, `+amlworld.CheckSQL("nf", "raw IS NULL OR raw = ''")+` AS chk
		FROM (SELECT *, `+amlworld.TypedSQL(casedb.Money)+`
			FROM (SELECT ordinality + 1 AS line, l AS raw, len(f) AS nf, `+strings.Join(fields, ", ")+`
				FROM (SELECT ordinality, l, string_split(l, ',') AS f
					FROM read_csv(?, header = true, delim = chr(1), quote = '', escape = '', columns = {'l': 'VARCHAR'},
						strict_mode = false, auto_detect = false) WITH ORDINALITY)))`, path)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	return "line", "raw", nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func firstBad(ctx context.Context, tx *sql.Tx, line, raw string) ([]canon.RecordError, error) {
	rows, err := tx.QueryContext(ctx, `SELECT ln, raw, split_part(chk, '|', 1), substr(chk, strpos(chk, '|') + 1)
		FROM (SELECT `+line+` AS ln, `+raw+` AS raw, chk FROM temp.aw WHERE chk IS NOT NULL) ORDER BY ln LIMIT `+fmt.Sprint(maxProblems))
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
