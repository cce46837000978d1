package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// writeRecord writes the one-record result of a verb that makes something (a report, a
// verification): as JSON an object whose numbers are numbers and booleans booleans, as CSV
// a header and one row, as a table one "name: value" line each.
func writeRecord(w io.Writer, format string, cols []string, vals []any) error {
	switch format {
	case "json":
		var b []byte
		b = append(b, "{\n"...)
		for i, c := range cols {
			k, _ := json.Marshal(c)
			v, err := json.Marshal(vals[i])
			if err != nil {
				return err
			}
			b = append(append(append(append(b, "  "...), k...), ": "...), v...)
			if i < len(cols)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		b = append(b, "}\n"...)
		_, err := w.Write(b)
		return err
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(cols)
		rec := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				rec[i] = fmt.Sprint(v)
			}
		}
		cw.Write(rec)
		cw.Flush()
		return cw.Error()
	}
	for i, c := range cols {
		v := "-"
		if vals[i] != nil {
			v = fmt.Sprint(vals[i])
		}
		fmt.Fprintf(w, "%s: %s\n", c, v)
	}
	return nil
}

// nullable is s, or nil (JSON null, an empty CSV cell) when s is empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// orNone is s, or "none" for an empty run id in a sentence.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
