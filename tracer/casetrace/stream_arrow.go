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
	return arrowQuery(ctx, conn, q, func(rr array.RecordReader) error {
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

// readNames reads the numbers, ids, kinds and parties of the accounts through DuckDB's Arrow
// interface and hands each account's to put. The strings are views of the record batch's
// buffers, valid only during the call.
func readNames(ctx context.Context, conn *sql.Conn, put func(no int32, id, kind, party string) error) error {
	var putErr error
	err := arrowQuery(ctx, conn, namesQuery, func(rr array.RecordReader) error {
		for rr.Next() {
			rec := rr.RecordBatch()
			if rec.NumCols() != 4 {
				return fmt.Errorf("names query returned %d columns, want 4", rec.NumCols())
			}
			no, ok0 := rec.Column(0).(*array.Int32)
			id, ok1 := rec.Column(1).(*array.String)
			kind, ok2 := rec.Column(2).(*array.String)
			party, ok3 := rec.Column(3).(*array.String)
			if !ok0 || !ok1 || !ok2 || !ok3 {
				return fmt.Errorf("names query returned %s, want an int32 and three strings", rec.Schema())
			}
			if no.NullN()+id.NullN()+kind.NullN()+party.NullN() > 0 {
				return fmt.Errorf("names query returned NULLs")
			}
			for i, n := range no.Int32Values() {
				if putErr = put(n, id.Value(i), kind.Value(i), party.Value(i)); putErr != nil {
					return putErr
				}
			}
		}
		return rr.Err()
	})
	if putErr != nil {
		return putErr
	}
	if err != nil {
		return fmt.Errorf("account names: %w", err)
	}
	return nil
}

// arrowQuery runs q on conn through DuckDB's Arrow interface and hands the record reader to
// fn, releasing it afterwards.
func arrowQuery(ctx context.Context, conn *sql.Conn, q string, fn func(array.RecordReader) error) error {
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
		return fn(rr)
	})
}
