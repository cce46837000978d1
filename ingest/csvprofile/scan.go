package csvprofile

import (
	"fmt"
	"strings"
)

// record is one CSV record as the scanner found it.
type record struct {
	// line is the physical 1-based line the record starts on; lines is how many physical
	// lines it spans (more than one when a quoted field holds line breaks).
	line, lines int
	fields      []string
	// raw is the record's text without its line terminator.
	raw string
	// err, when set, says why the record could not be split into fields; field is the
	// 1-based field position where it happened.
	err   string
	field int
	// unterminated marks a record that ends the text without a line break after it: where
	// the other records have one, the file may have been cut inside it.
	unterminated bool
	// sheet marks a spreadsheet row (DecodeRows): cells holds its typed cells, parallel to
	// fields, and hidden says the sheet hides it.
	sheet  bool
	cells  []Cell
	hidden bool
}

// scanner splits text into CSV records, counting physical lines the way an editor shows
// them: CRLF, LF and a bare CR each end a line, also inside quoted fields. It never stops
// at a malformed record: the record is returned with err set and scanning resumes on the
// next physical line.
type scanner struct {
	s     string
	pos   int
	line  int // physical line at pos, 1-based
	delim byte
	quote byte
	lazy  bool
}

func newScanner(s string, delim, quote byte, lazy bool) *scanner {
	return &scanner{s: s, line: 1, delim: delim, quote: quote, lazy: lazy}
}

// eol returns the length of the line terminator at i (0 if none).
func (sc *scanner) eol(i int) int {
	if i >= len(sc.s) {
		return 0
	}
	switch sc.s[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(sc.s) && sc.s[i+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// lineEnd returns the index of the terminator of the physical line containing i.
func (sc *scanner) lineEnd(i int) int {
	for i < len(sc.s) && sc.s[i] != '\n' && sc.s[i] != '\r' {
		i++
	}
	return i
}

// skipLine moves past the physical line at pos and returns its text.
func (sc *scanner) skipLine() (string, bool) {
	if sc.pos >= len(sc.s) {
		return "", false
	}
	end := sc.lineEnd(sc.pos)
	text := sc.s[sc.pos:end]
	sc.pos = end + sc.eol(end)
	sc.line++
	return text, true
}

// next returns the next record, or false at the end of the text.
func (sc *scanner) next() (record, bool) {
	if sc.pos >= len(sc.s) {
		return record{}, false
	}
	start, startLine := sc.pos, sc.line
	rec := record{line: startLine}
	fail := func(field int, format string, args ...any) (record, bool) {
		// Resume after the physical line where the problem is.
		end := sc.lineEnd(sc.pos)
		rec.raw = sc.s[start:end]
		rec.err = fmt.Sprintf(format, args...)
		rec.field = field
		sc.pos = end + sc.eol(end)
		sc.line++
		rec.lines = sc.line - startLine
		return rec, true
	}
	for {
		field := len(rec.fields) + 1
		if sc.quote != 0 && sc.pos < len(sc.s) && sc.s[sc.pos] == sc.quote {
			openLine := sc.line
			sc.pos++
			var b strings.Builder
			closed := false
			for sc.pos < len(sc.s) {
				c := sc.s[sc.pos]
				if c == sc.quote {
					if sc.pos+1 < len(sc.s) && sc.s[sc.pos+1] == sc.quote {
						b.WriteByte(c)
						sc.pos += 2
						continue
					}
					sc.pos++
					closed = true
					break
				}
				if n := sc.eol(sc.pos); n > 0 {
					b.WriteByte('\n')
					sc.pos += n
					sc.line++
					continue
				}
				b.WriteByte(c)
				sc.pos++
			}
			if !closed {
				// The file ends inside the quoted field: quarantine the record's first
				// line and read on from the line after it, so a stray quote or a cut-off
				// last record costs only its own line.
				end := sc.lineEnd(start)
				rec.raw = sc.s[start:end]
				rec.err = fmt.Sprintf("file ends inside the quoted field opened on line %d (truncated file or unbalanced quote)", openLine)
				rec.field = field
				rec.lines = 1
				sc.pos = end + sc.eol(end)
				sc.line = startLine + 1
				return rec, true
			}
			if sc.pos < len(sc.s) && sc.s[sc.pos] != sc.delim && sc.eol(sc.pos) == 0 {
				if !sc.lazy {
					return fail(field, "field %d: unexpected %q after the closing quote", field, sc.s[sc.pos])
				}
				// Lazy: keep the text after the closing quote as part of the field.
				j := sc.pos
				for j < len(sc.s) && sc.s[j] != sc.delim && sc.eol(j) == 0 {
					j++
				}
				b.WriteByte(sc.quote)
				b.WriteString(sc.s[sc.pos:j])
				sc.pos = j
			}
			rec.fields = append(rec.fields, b.String())
		} else {
			j := sc.pos
			for j < len(sc.s) && sc.s[j] != sc.delim && sc.s[j] != '\n' && sc.s[j] != '\r' {
				if sc.quote != 0 && sc.s[j] == sc.quote && !sc.lazy {
					sc.pos = j
					return fail(field, "field %d: quote character in an unquoted field (a missing opening quote?)", field)
				}
				j++
			}
			rec.fields = append(rec.fields, sc.s[sc.pos:j])
			sc.pos = j
		}
		if sc.pos < len(sc.s) && sc.s[sc.pos] == sc.delim {
			sc.pos++
			continue
		}
		// End of line or of text: the record is complete.
		rec.raw = sc.s[start:sc.pos]
		rec.unterminated = sc.eol(sc.pos) == 0
		sc.pos += sc.eol(sc.pos)
		sc.line++
		rec.lines = sc.line - startLine
		return rec, true
	}
}
