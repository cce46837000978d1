//go:build !duckdb_arrow

package casetrace

import (
	"context"
	"database/sql"

	"github.com/moneytrail/moneytrail/tracer"
)

// StreamPath names the way transactions reach the engine in this build.
const StreamPath = "database/sql"

// scanBatches runs q (columns k BIGINT, f INTEGER, tt INTEGER, c BIGINT, at BIGINT, see
// run.streamQuery) on conn and hands its rows to fn in batches, in query order. This is the
// fallback for builds without the duckdb_arrow tag: row-by-row scanning through database/sql.
func scanBatches(ctx context.Context, conn *sql.Conn, q string, fn func(*tracer.Batch) error) error {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	const size = 4096
	b := &tracer.Batch{
		Txn: make([]int64, 0, size), From: make([]int32, 0, size), To: make([]int32, 0, size),
		Cents: make([]int64, 0, size), At: make([]int64, 0, size),
	}
	var k, c, at int64
	var f, t int32
	for rows.Next() {
		if err := rows.Scan(&k, &f, &t, &c, &at); err != nil {
			return err
		}
		b.Txn, b.From, b.To, b.Cents, b.At = append(b.Txn, k), append(b.From, f), append(b.To, t), append(b.Cents, c), append(b.At, at)
		if len(b.Txn) == size {
			if err := fn(b); err != nil {
				return err
			}
			b.Txn, b.From, b.To, b.Cents, b.At = b.Txn[:0], b.From[:0], b.To[:0], b.Cents[:0], b.At[:0]
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
