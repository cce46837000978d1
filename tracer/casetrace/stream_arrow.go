//go:build duckdb_arrow

package casetrace

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

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
// interface. Each record batch's string values become one Go string, of which
// every id and party is a slice: two allocations per batch instead of two per account.
func readNames(ctx context.Context, conn *sql.Conn) (nos []int32, ids, kinds, parties []string, err error) {
	// Sized once: grown by doubling, the slices took twice the fresh memory (10,000 page
	// faults for 250,000 accounts).
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("account names: %w", err)
	}
	nos, ids, kinds, parties = make([]int32, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	err = arrowQuery(ctx, conn, namesQuery, func(rr array.RecordReader) error {
		kindOf := map[string]string{} // a few kinds: one string each
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
			nos = append(nos, no.Int32Values()...)
			ids = appendStrings(ids, id)
			parties = appendStrings(parties, party)
			for i := range kind.Len() {
				k := kind.Value(i)
				if c, ok := kindOf[k]; ok {
					kinds = append(kinds, c)
					continue
				}
				c := strings.Clone(k)
				kindOf[c] = c
				kinds = append(kinds, c)
			}
		}
		return rr.Err()
	})
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("account names: %w", err)
	}
	return nos, ids, kinds, parties, nil
}

// appendStrings appends the values of a to out as slices of one copy of a's value buffer.
func appendStrings(out []string, a *array.String) []string {
	if a.Len() == 0 {
		return out
	}
	offs := a.ValueOffsets()
	first := offs[0]
	all := string(a.ValueBytes()[:offs[a.Len()]-first])
	for i := range a.Len() {
		out = append(out, all[offs[i]-first:offs[i+1]-first])
	}
	return out
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
