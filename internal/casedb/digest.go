package casedb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
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
