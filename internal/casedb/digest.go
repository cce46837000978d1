package casedb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// Queryer is what the digests read through: a *DB, *sql.DB, *sql.Conn or *sql.Tx.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// FXDigest is the SHA-256 (hex) of the fx_rates table in key order, one line per rate:
// day, currency, base currency, rate and source, tab-separated. Runs record it in their
// manifests: the base amounts they read were converted with these rates.
func FXDigest(ctx context.Context, q Queryer) (string, error) {
	d, err := TableDigest(ctx, q, `SELECT strftime(day, '%Y-%m-%d'), currency, base_currency, CAST(rate AS VARCHAR), source
		FROM fx_rates ORDER BY day, currency, base_currency`)
	if err != nil {
		return "", fmt.Errorf("fx digest: %w", err)
	}
	return d, nil
}

// TableDigest is the SHA-256 (hex) of the rows of query, every column read as text (NULL as
// ""), the columns of a row tab-separated, one line per row: a query over a table in key
// order gives a digest of its content for a run's manifest.
func TableDigest(ctx context.Context, q Queryer, query string) (string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				h.Write([]byte{'\t'})
			}
			h.Write([]byte(v.String))
		}
		h.Write([]byte{'\n'})
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// MatchesDigest is the SHA-256 (hex) of the matches that decide which transactions count: one line
// "duplicate_txn_id TAB kept_txn_id TAB rule" per match, in duplicate_txn_id order, and the
// number of matches. Match ids, confidences, details and run times are left out: two cases
// with the same pairs have the same digest. An empty matches table has the digest of "".
func MatchesDigest(ctx context.Context, q Queryer) (string, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT duplicate_txn_id, kept_txn_id, rule FROM matches ORDER BY duplicate_txn_id`)
	if err != nil {
		return "", 0, fmt.Errorf("matches digest: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var dup, kept, rule string
		if err := rows.Scan(&dup, &kept, &rule); err != nil {
			return "", 0, fmt.Errorf("matches digest: %w", err)
		}
		fmt.Fprintf(h, "%s\t%s\t%s\n", dup, kept, rule)
		n++
	}
	if err := rows.Err(); err != nil {
		return "", 0, fmt.Errorf("matches digest: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// sourceSections are the rows a source produces, by table: the WHERE picks the source's own,
// the column list leaves out what later commands change on purpose (duplicate_of: match and
// later files; the base-currency columns and the dense numbers: a later rates file or
// account), where the file lies (path, options_json) and the source's number, so that a
// re-reading into a scratch case, where numbers may differ, gives the same digest.
var sourceSections = []struct{ table, cols string }{
	{"sources", `* EXCLUDE (source_id, path, options_json)`},
	{"transactions", `* EXCLUDE (source_id, duplicate_of, base_amount, base_currency, fx_rate, fx_date, base_micros, from_no, to_no)`},
	{"quarantine", `* EXCLUDE (source_id)`},
	{"statements", `* EXCLUDE (source_id)`},
	{"source_notes", `* EXCLUDE (source_id)`},
	{"labels", `* EXCLUDE (source_id)`},
	{"fx_rates", `* EXCLUDE (source_id)`},
	{"party_attributes", `* EXCLUDE (source_id)`},
	{"party_links", `* EXCLUDE (source_id)`},
}

// SourceRowsDigest is the digest (hex SHA-256) of the rows source sourceID produced in every
// table that records its source (sourceSections): each row as JSON, hashed; the hashes of a
// table in order, in 256 buckets by their first two hex digits, and the buckets hashed in
// turn, so that DuckDB works it out in parallel without holding a file's rows as one text.
// The rows' order is part of their content (record, seq), not of the digest. Ingest stores it
// in source_rows; verify compares it with the rows stored now and with a re-reading.
func SourceRowsDigest(ctx context.Context, q Queryer, sourceID int64) (string, error) {
	h := sha256.New()
	for _, sec := range sourceSections {
		d, n, err := tableRowsDigest(ctx, q, sec.table, sec.cols, "source_id = "+strconv.FormatInt(sourceID, 10))
		if err != nil {
			return "", fmt.Errorf("rows digest of source %d, %s: %w", sourceID, sec.table, err)
		}
		fmt.Fprintf(h, "%s\t%d\t%s\n", sec.table, n, d)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SourceRows returns the rows source sourceID produced in table (one of sourceSections),
// as JSON, sorted: to name the rows that differ when SourceRowsDigest does.
func SourceRows(ctx context.Context, q Queryer, table string, sourceID int64) ([]string, error) {
	for _, sec := range sourceSections {
		if sec.table != table {
			continue
		}
		return jsonRows(ctx, q, `SELECT CAST(to_json(r) AS VARCHAR) AS j FROM (SELECT `+sec.cols+` FROM `+table+` WHERE source_id = ?) AS r ORDER BY j`, sourceID)
	}
	return nil, fmt.Errorf("no source rows in table %s", table)
}

// SourceTables names the tables SourceRowsDigest reads, in its order.
func SourceTables() []string {
	var t []string
	for _, sec := range sourceSections {
		t = append(t, sec.table)
	}
	return t
}

// RecordSourceRows stores SourceRowsDigest of source sourceID in source_rows, inside the
// ingest's transaction tx.
func RecordSourceRows(ctx context.Context, tx interface {
	Queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, sourceID int64) error {
	d, err := SourceRowsDigest(ctx, tx, sourceID)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO source_rows VALUES (?, ?)`, sourceID, d)
	return err
}

// tableRowsDigest is the bucketed digest of the rows of table that match where (see
// SourceRowsDigest), and their number.
func tableRowsDigest(ctx context.Context, q Queryer, table, cols, where string) (string, int64, error) {
	rows, err := q.QueryContext(ctx, `WITH h AS (
			SELECT sha256(CAST(to_json(r) AS VARCHAR)) AS h FROM (SELECT `+cols+` FROM `+table+` WHERE `+where+`) AS r),
		b AS (SELECT substr(h, 1, 2) AS k, sha256(string_agg(h, '' ORDER BY h)) AS d, count(*) AS n FROM h GROUP BY 1)
		SELECT coalesce(sha256(string_agg(k || d, '' ORDER BY k)), ''), CAST(coalesce(sum(n), 0) AS BIGINT) FROM b`)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	var d string
	var n int64
	for rows.Next() {
		if err := rows.Scan(&d, &n); err != nil {
			return "", 0, err
		}
	}
	return d, n, rows.Err()
}

// derivedTables are what the loading of every file builds together: compared as a whole by
// verify, after reading every file again. party_id and account kinds come from the files;
// nothing but ingest writes these tables.
var derivedTables = []string{"accounts", "parties", "party_links"}

// DerivedTables names the tables built from all sources together (accounts, parties, links).
func DerivedTables() []string { return slices.Clone(derivedTables) }

// TableRows returns every row of table as JSON, sorted.
func TableRows(ctx context.Context, q Queryer, table string) ([]string, error) {
	return jsonRows(ctx, q, `SELECT CAST(to_json(r) AS VARCHAR) AS j FROM `+table+` AS r ORDER BY j`)
}

// jsonRows returns the one text column of query's rows: the rows as JSON, in its order.
func jsonRows(ctx context.Context, q Queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var j string
		if err := rows.Scan(&j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// SortedDiff returns what only a holds and what only b holds (both sorted, repeats
// counted): the rows verify finds stored but not made again, and made again but not stored.
func SortedDiff(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}
