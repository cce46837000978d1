// Package ledger reads and writes moneytrail's own plain interchange CSV (DESIGN.md §2): one
// transaction per row, ids kept exactly as written. It is the simplest way into a case.
package ledger

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// Header is the required header; Optional are the columns that may follow it.
var (
	Header   = []string{"txn_id", "booked_at", "from_account", "to_account", "amount", "currency"}
	Optional = []string{"channel", "reference"}
)

// Detect reports whether data starts with the ledger header (after an optional UTF-8 BOM).
func Detect(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	return strings.HasPrefix(string(line), strings.Join(Header, ","))
}

// ErrHeader reports a file whose first line is not the ledger header.
var ErrHeader = errors.New("not a ledger file")

// Read parses a ledger CSV. A file without the ledger header is an error; a bad row becomes a
// canon.RecordError naming its line and field, and the rest is read.
func Read(data []byte) (canon.Batch, error) {
	var b canon.Batch
	if !utf8.Valid(data) {
		return b, fmt.Errorf("%w: the file is not valid UTF-8 (ledger files are UTF-8)", ErrHeader)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return b, fmt.Errorf("%w: line 1: %v", ErrHeader, err)
	}
	if len(head) < len(Header) {
		return b, fmt.Errorf("%w: line 1: header %q, want %q", ErrHeader, strings.Join(head, ","), strings.Join(Header, ","))
	}
	for i, h := range Header {
		if strings.TrimSpace(head[i]) != h {
			return b, fmt.Errorf("%w: line 1, column %d: header %q, want %q", ErrHeader, i+1, head[i], h)
		}
	}
	for i, h := range head[len(Header):] {
		if i >= len(Optional) || strings.TrimSpace(h) != Optional[i] {
			return b, fmt.Errorf("%w: line 1, column %d: unexpected column %q (optional columns are %s, in that order)", ErrHeader, len(Header)+i+1, h, strings.Join(Optional, ","))
		}
	}
	width := len(head)
	seen := map[string]int{}
	lines := bytes.Count(data, []byte("\n")) + 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			b.Records++
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Reason: err.Error(), Raw: canon.Excerpt(rawLine(data, line), maxRaw)})
			// The lines the broken record ran over that start like rows are rows lost
			// inside it: each is quarantined too.
			if pe != nil && pe.Line > pe.StartLine {
				rest := data
				for l := 1; l <= pe.Line && len(rest) > 0; l++ {
					text, after, _ := bytes.Cut(rest, []byte("\n"))
					rest = after
					if l > pe.StartLine && rowStart.Match(text) {
						b.Records++
						b.Errors = append(b.Errors, canon.RecordError{Record: l, Raw: canon.Excerpt(strings.TrimRight(string(text), "\r"), maxRaw),
							Reason: fmt.Sprintf("inside the unreadable record that starts on line %d (%v)", pe.StartLine, err)})
					}
				}
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if line > lines {
			line = lines
		}
		if swallowed := swallowedRows(rec, r); len(swallowed) > 0 {
			// A quoted field that runs over lines starting like ledger rows: an unbalanced
			// quote swallowed them. The record and each such line are quarantined.
			reason := fmt.Sprintf("a quoted field runs over %d line(s) that start like ledger rows (an unbalanced quote?): quarantined with them", len(swallowed))
			b.Records++
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Raw: canon.Excerpt(strings.Join(rec, ","), maxRaw), Reason: reason})
			for _, sw := range swallowed {
				b.Records++
				b.Errors = append(b.Errors, canon.RecordError{Record: sw.line, Raw: canon.Excerpt(sw.text, maxRaw), Reason: reason})
			}
			continue
		}
		b.Records++
		if len(rec) != width {
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Raw: canon.Excerpt(strings.Join(rec, ","), maxRaw),
				Reason: fmt.Sprintf("row has %d fields, header has %d", len(rec), width)})
			continue
		}
		t, ferr := parseRow(rec, line)
		if ferr != nil {
			ferr.Raw = canon.Excerpt(strings.Join(rec, ","), maxRaw)
			b.Errors = append(b.Errors, *ferr)
			continue
		}
		if first, dup := seen[t.SourceID]; dup {
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Field: "txn_id", Raw: canon.Excerpt(strings.Join(rec, ","), maxRaw),
				Reason: fmt.Sprintf("duplicate txn_id %s, first on line %d", canon.Quote(t.SourceID), first)})
			continue
		}
		seen[t.SourceID] = line
		t.Seq = int64(len(b.Txns) + 1)
		b.Txns = append(b.Txns, t)
	}
	return b, nil
}

// maxRaw bounds the raw text kept with a quarantined row.
const maxRaw = 4 << 10

// rowStart matches a line that starts like a ledger row: an id and an ISO date.
var rowStart = regexp.MustCompile(`^[^,\n]*,[0-9]{4}-[0-9]{2}-[0-9]{2}`)

// swallowedLine is a line inside a quoted field that starts like a ledger row.
type swallowedLine struct {
	line int
	text string
}

// swallowedRows finds the lines inside the record's quoted fields (after a line break in
// a field) that start like ledger rows, with their file lines.
func swallowedRows(rec []string, r *csv.Reader) []swallowedLine {
	var out []swallowedLine
	for i, f := range rec {
		if !strings.Contains(f, "\n") {
			continue
		}
		start, _ := r.FieldPos(i)
		for k, l := range strings.Split(f, "\n")[1:] {
			if rowStart.MatchString(strings.TrimPrefix(l, "\r")) {
				out = append(out, swallowedLine{start + k + 1, l})
			}
		}
	}
	return out
}

func parseRow(rec []string, line int) (canon.Txn, *canon.RecordError) {
	fail := func(field, format string, a ...any) (canon.Txn, *canon.RecordError) {
		return canon.Txn{}, &canon.RecordError{Record: line, Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	t := canon.Txn{Record: line, SourceID: strings.TrimSpace(rec[0])}
	if t.SourceID == "" {
		return fail("txn_id", "empty")
	}
	at, err := ParseTime(strings.TrimSpace(rec[1]))
	if err != nil {
		return fail("booked_at", "%v", err)
	}
	t.BookedAt = at
	t.From, t.To = strings.TrimSpace(rec[2]), strings.TrimSpace(rec[3])
	if t.From == "" {
		return fail("from_account", "empty")
	}
	if t.To == "" {
		return fail("to_account", "empty")
	}
	amt, err := money.Parse(rec[4], money.Dot)
	if err != nil {
		return fail("amount", "%v", err)
	}
	if !amt.IsPositive() {
		return fail("amount", "amount %s is not positive (direction is from -> to)", canon.Quote(rec[4]))
	}
	t.Amount = amt
	cur := strings.TrimSpace(rec[5])
	if !canon.ValidCurrency(cur) {
		return fail("currency", "%s is not a three-letter upper-case currency code", canon.Quote(rec[5]))
	}
	t.Currency = cur
	t.Channel = canon.ChannelTransfer
	if len(rec) > 6 {
		if c := strings.TrimSpace(rec[6]); c != "" {
			if !canon.ValidChannel(c) {
				return fail("channel", "%s is not one of %s", canon.Quote(c), strings.Join(canon.Channels, ", "))
			}
			t.Channel = c
		}
	}
	if len(rec) > 7 {
		t.Reference = rec[7]
	}
	return t, nil
}

// timeLayouts are the ISO 8601 forms booked_at may take.
var timeLayouts = []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", time.RFC3339Nano}

// ParseTime reads an ISO 8601 date or date-time. A time with a zone offset is converted to UTC;
// one without is taken as written (case-local wall time, stored as UTC).
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s is not an ISO 8601 date or date-time (2006-01-02 or 2006-01-02T15:04:05)", canon.Quote(s))
}

func rawLine(data []byte, line int) string {
	if line <= 0 {
		return ""
	}
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return ""
		}
		data = data[j+1:]
	}
	l, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.TrimRight(string(l), "\r")
}
