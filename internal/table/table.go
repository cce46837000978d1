// Package table holds query results as text cells and writes them as an aligned table, CSV or
// JSON: the three output forms of every listing command.
package table

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// Table is a result: column names and rows of cells. A nil cell is SQL NULL.
type Table struct {
	Columns []string
	Rows    [][]*string
}

// Query runs q on db and returns every row as text: DECIMAL exactly as stored, dates as
// 2006-01-02, timestamps as 2006-01-02 15:04:05 (fractions when present).
func Query(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) (*Table, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	types, _ := rows.ColumnTypes()
	t := &Table{Columns: cols}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v == nil {
				continue
			}
			dbType := ""
			if types != nil {
				dbType = types[i].DatabaseTypeName()
			}
			s := Cell(v, dbType)
			row[i] = &s
		}
		t.Rows = append(t.Rows, row)
	}
	return t, rows.Err()
}

// Cell formats one scanned value as text.
func Cell(v any, dbType string) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		if dbType == "DATE" {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() == 0 {
			return x.Format("2006-01-02 15:04:05")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case duckdb.Decimal:
		return decimalText(x)
	case *big.Int:
		return x.String()
	case float64:
		return fmt.Sprint(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	if m, ok := v.(map[string]any); ok {
		b, _ := json.Marshal(m)
		return string(b)
	}
	if s, ok := v.([]any); ok {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return fmt.Sprint(v)
}

func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	if d.Scale == 0 {
		return sign + s
	}
	sc := int(d.Scale)
	for len(s) <= sc {
		s = "0" + s
	}
	return sign + s[:len(s)-sc] + "." + s[len(s)-sc:]
}

// Write writes t to w as "table" (aligned columns), "csv" or "json" (an array of objects,
// NULL as null).
func (t *Table) Write(w io.Writer, format string) error {
	switch format {
	case "", "table":
		return t.writeAligned(w)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(t.Columns)
		for _, r := range t.Rows {
			rec := make([]string, len(r))
			for i, c := range r {
				if c != nil {
					rec[i] = *c
				}
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		out := make([]map[string]*string, len(t.Rows))
		for i, r := range t.Rows {
			m := make(map[string]*string, len(r))
			for j, c := range r {
				m[t.Columns[j]] = c
			}
			out[i] = m
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return fmt.Errorf("unknown output format %q (table, csv or json)", format)
}

func (t *Table) writeAligned(w io.Writer) error {
	width := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		width[i] = utf8.RuneCountInString(c)
	}
	text := func(c *string) string {
		if c == nil {
			return ""
		}
		return strings.NewReplacer("\n", "\\n", "\r", "\\r", "\t", " ").Replace(*c)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if n := utf8.RuneCountInString(text(c)); n > width[i] {
				width[i] = min(n, 60)
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if utf8.RuneCountInString(c) > width[i] {
				c = string([]rune(c)[:width[i]-1]) + "…"
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString("\n")
	}
	line(t.Columns)
	sep := make([]string, len(t.Columns))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = text(c)
		}
		line(cells)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
