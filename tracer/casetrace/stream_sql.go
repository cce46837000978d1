//go:build !duckdb_arrow

package casetrace

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/moneytrail/moneytrail/tracer"
)

// StreamPath names the way transactions reach the engine in this build.
const StreamPath = "database/sql"

// scanBatches runs q (columns k BIGINT, f INTEGER, tt INTEGER, c BIGINT, at BIGINT and
// optionally lb INTEGER, see run.streamQueryOrder) on conn and hands its rows to fn in batches, in query order. This is the
// fallback for builds without the duckdb_arrow tag: row-by-row scanning through database/sql.
func scanBatches(ctx context.Context, conn *sql.Conn, q string, fn func(*tracer.Batch) error) error {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	labelled := len(cols) == 6
	const size = 4096
	b := &tracer.Batch{
		Txn: make([]int64, 0, size), From: make([]int32, 0, size), To: make([]int32, 0, size),
		Cents: make([]int64, 0, size), At: make([]int64, 0, size),
	}
	if labelled {
		b.Label = make([]int32, 0, size)
	}
	var k, c, at int64
	var f, t, lb int32
	dest := []any{&k, &f, &t, &c, &at}
	if labelled {
		dest = append(dest, &lb)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		b.Txn, b.From, b.To, b.Cents, b.At = append(b.Txn, k), append(b.From, f), append(b.To, t), append(b.Cents, c), append(b.At, at)
		if labelled {
			b.Label = append(b.Label, lb)
		}
		if len(b.Txn) == size {
			if err := fn(b); err != nil {
				return err
			}
			b.Txn, b.From, b.To, b.Cents, b.At = b.Txn[:0], b.From[:0], b.To[:0], b.Cents[:0], b.At[:0]
			if labelled {
				b.Label = b.Label[:0]
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(b.Txn) > 0 {
		return fn(b)
	}
	return nil
}

// readNames reads the numbers, ids, kinds and parties of the accounts, row by row, and hands
// each account's to put.
func readNames(ctx context.Context, conn *sql.Conn, put func(no int32, id, kind, party string) error) error {
	rows, err := conn.QueryContext(ctx, namesQuery)
	if err != nil {
		return fmt.Errorf("account names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no int32
		var id, kind, party string
		if err := rows.Scan(&no, &id, &kind, &party); err != nil {
			return fmt.Errorf("account names: %w", err)
		}
		if err := put(no, id, kind, party); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("account names: %w", err)
	}
	return nil
}
