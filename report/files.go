package report

import (
	"context"
	"database/sql/driver"
	"encoding/csv"
	"fmt"
	"os"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// writeCSVFile writes t with a header row; amounts are exact decimals, times ISO 8601 in UTC.
func writeCSVFile(path string, t *table, m *masker) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	header := make([]string, len(t.cols))
	for i, c := range t.cols {
		header[i] = c.name
	}
	w.Write(header)
	rec := make([]string, len(t.cols))
	for _, r := range t.rows {
		for i, c := range t.cols {
			rec[i] = m.maskedText(c, r[i])
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parquetType is the DuckDB type each column kind gets in the Parquet files.
var parquetType = map[colKind]string{
	kText: "VARCHAR", kMoney: casedb.Money, kInt: "BIGINT", kFloat: "DOUBLE", kDate: "DATE", kTime: "TIMESTAMP", kBool: "BOOLEAN",
}

// writeParquet writes t with DuckDB: the (masked) rows go as text into a temporary table on one
// connection, and COPY casts them to their types on the way out, so amounts reach the file as
// exact DECIMAL values.
func writeParquet(ctx context.Context, db *casedb.DB, path string, t *table, m *masker) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tmp := "report_" + t.name
	var cols, casts []string
	for i, c := range t.cols {
		cols = append(cols, fmt.Sprintf("c%d VARCHAR", i))
		casts = append(casts, fmt.Sprintf(`CAST(c%d AS %s) AS "%s"`, i, parquetType[c.kind], c.name))
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+tmp+` (`+strings.Join(cols, ", ")+`)`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+tmp)
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", tmp)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, len(t.cols))
		for _, r := range t.rows {
			for i, c := range t.cols {
				if r[i] == nil || (c.kind == kText && c.mask == mDrop && m.on) {
					vals[i] = nil
					continue
				}
				vals[i] = m.maskedText(c, r[i])
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `COPY (SELECT `+strings.Join(casts, ", ")+` FROM `+tmp+`) TO '`+
		strings.ReplaceAll(path, "'", "''")+`' (FORMAT parquet)`)
	return err
}
