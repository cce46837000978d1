//go:build duckdb_arrow

package casetrace

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/moneytrail/moneytrail/tracer"
)

// StreamPath names the way transactions reach the engine in this build.
const StreamPath = "arrow"

// scanBatches runs q (columns k BIGINT, f INTEGER, tt INTEGER, c BIGINT, at BIGINT and
// optionally lb INTEGER, see run.streamQueryOrder) on conn through DuckDB's Arrow interface and hands each record batch to fn
// as a tracer.Batch over the Arrow value buffers, without copying. The batch is only valid
// during fn. The connection is used only inside this call, never concurrently.
func scanBatches(ctx context.Context, conn *sql.Conn, q string, fn func(*tracer.Batch) error) error {
	return conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("not a driver connection: %T", dc)
		}
		ar, err := duckdb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rr.Release()
		var b tracer.Batch
		for rr.Next() {
			rec := rr.RecordBatch()
			nc := int(rec.NumCols())
			if nc != 5 && nc != 6 {
				return fmt.Errorf("stream query returned %d columns, want 5 or 6", nc)
			}
			for i := range nc {
				if rec.Column(i).NullN() > 0 {
					return fmt.Errorf("stream query column %s has NULLs", rec.ColumnName(i))
				}
			}
			k, ok1 := rec.Column(0).(*array.Int64)
			f, ok2 := rec.Column(1).(*array.Int32)
			t, ok3 := rec.Column(2).(*array.Int32)
			c, ok4 := rec.Column(3).(*array.Int64)
			at, ok5 := rec.Column(4).(*array.Int64)
			if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
				return fmt.Errorf("stream query returned %s, want int64, int32, int32, int64, int64", rec.Schema())
			}
			b.Txn, b.From, b.To, b.Cents, b.At = k.Int64Values(), f.Int32Values(), t.Int32Values(), c.Int64Values(), at.Int64Values()
			b.Label = nil
			if nc == 6 {
				lb, ok := rec.Column(5).(*array.Int32)
				if !ok {
					return fmt.Errorf("stream query returned %s, want an int32 label", rec.Schema())
				}
				b.Label = lb.Int32Values()
			}
			if err := fn(&b); err != nil {
				return err
			}
		}
		return rr.Err()
	})
}
