package mto

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// MaxSize is the largest file the readers accept, in bytes.
const MaxSize = 256 << 20

// row is one CSV record: its fields (trimmed), the 1-based physical line it starts on, and
// its raw text.
type row struct {
	line   int
	fields []string
	raw    string
}

// table is a decoded CSV file: the header (trimmed) and the data rows. Rows the CSV reader
// cannot split (a bare quote) are in bad with their line and reason.
type table struct {
	header []string
	rows   []row
	bad    []row    // records encoding/csv cannot split: line and raw text only
	reason []string // index-aligned with bad
}

// decode turns data into UTF-8 with the single-byte character map cm, or, when cm is nil,
// checks that it is UTF-8 and removes a byte-order mark. Invalid UTF-8 is an error naming
// the first bad line.
func decode(data []byte, cm *charmap.Charmap) (string, error) {
	if len(data) > MaxSize {
		return "", fmt.Errorf("file of %d bytes exceeds the %d-byte limit", len(data), MaxSize)
	}
	if cm != nil {
		out, err := cm.NewDecoder().Bytes(data)
		if err != nil {
			return "", err
		}
		return string(out), nil
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return "", fmt.Errorf("line %d: not valid UTF-8 (give the profile's encoding)", line)
	}
	return string(data), nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// readTable splits text into a header and rows with encoding/csv, after skip lines. Every
// field is trimmed of surrounding white space (Revolut's " ; " separator). Blank lines are
// skipped. A record the CSV reader cannot split is kept in bad with the reader's reason.
func readTable(text string, comma rune, skip int) (*table, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.SplitAfter(text, "\n")
	if skip > len(lines) {
		skip = len(lines)
	}
	body := strings.Join(lines[skip:], "")
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	t := &table{}
	rawOf := func(from, to int) string {
		// from and to are 1-based lines of body.
		if from < 1 || from > len(lines)-skip {
			return ""
		}
		if to > len(lines)-skip {
			to = len(lines) - skip
		}
		return strings.TrimRight(strings.Join(lines[skip+from-1:skip+to], ""), "\r\n")
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if t.header == nil {
					return nil, fmt.Errorf("line %d: header: %v", pe.StartLine+skip, pe.Err)
				}
				t.bad = append(t.bad, row{line: pe.StartLine + skip, raw: rawOf(pe.StartLine, pe.Line)})
				t.reason = append(t.reason, pe.Err.Error())
				continue
			}
			return nil, err
		}
		start, _ := r.FieldPos(0)
		end, _ := r.FieldPos(len(rec) - 1)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if t.header == nil {
			t.header = rec
			continue
		}
		t.rows = append(t.rows, row{line: start + skip, fields: rec, raw: rawOf(start, end)})
	}
	if t.header == nil {
		return nil, fmt.Errorf("no header line")
	}
	return t, nil
}

// index maps header names to positions (the first of equal names wins).
func (t *table) index() map[string]int {
	m := map[string]int{}
	for i, h := range t.header {
		if _, ok := m[h]; !ok {
			m[h] = i
		}
	}
	return m
}

// get returns the field of r in column col of idx, or "" when absent.
func get(r row, idx map[string]int, col string) string {
	if col == "" {
		return ""
	}
	i, ok := idx[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return r.fields[i]
}
