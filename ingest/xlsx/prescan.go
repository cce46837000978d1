package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// MaxColumns is the widest sheet the reader accepts: a bank statement has a few dozen
// columns; Excel allows 16,384, and a sheet that uses hundreds of them is no statement.
// Refusing it before the spreadsheet library loads the sheet keeps memory and time bounded
// (that library's per-cell look-ups grow with the row's width).
const MaxColumns = 1024

// MaxCells is the most cells the reader accepts in one sheet (about 40 columns of a
// 100,000-row statement): beyond it the sheet is refused before it is loaded.
const MaxCells = 4_000_000

// ErrStructure reports a sheet whose XML the reader refuses to interpret: a row number
// that repeats or goes backwards (rows would be merged or reordered), a cell reference
// that does not parse.
var ErrStructure = errors.New("damaged sheet structure")

// prescan streams every worksheet part of the package once, with constant memory, before
// the spreadsheet library parses anything: it refuses sheets wider than MaxColumns or with
// more than MaxCells cells (ErrTooLarge), and rows whose numbers repeat or go backwards
// (ErrStructure), which the library would merge silently.
func prescan(zr *zip.Reader) error {
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") || strings.Contains(f.Name[len("xl/worksheets/"):], "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%w: part %s: %v", ErrNotXLSX, f.Name, err)
		}
		err = scanSheet(rc, f.Name, MaxCells)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// scanSheet checks one worksheet part (see prescan), allowing maxCells cells. It lexes the XML itself, in one pass
// over the bytes with constant memory: only start tags matter (comments, CDATA sections,
// processing instructions and text are skipped, and text cannot hold a raw '<'), and
// encoding/xml costs about 2.7 s per million cells here, this a small fraction of it.
func scanSheet(r io.Reader, part string, maxCells int64) error {
	data, err := io.ReadAll(r) // bounded: the package's parts were size-checked before
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", ErrNotXLSX, part, err)
	}
	var row, col, cells int64
	for i := 0; i < len(data); {
		lt := bytes.IndexByte(data[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			e := bytes.Index(rest, []byte("-->"))
			if e < 0 {
				return fmt.Errorf("%w: part %s: comment never closed", ErrNotXLSX, part)
			}
			i += e + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			e := bytes.Index(rest, []byte("]]>"))
			if e < 0 {
				return fmt.Errorf("%w: part %s: CDATA never closed", ErrNotXLSX, part)
			}
			i += e + 3
			continue
		case len(rest) > 1 && (rest[1] == '/' || rest[1] == '?' || rest[1] == '!'):
			e := bytes.IndexByte(rest, '>')
			if e < 0 {
				return fmt.Errorf("%w: part %s: tag never closed", ErrNotXLSX, part)
			}
			i += e + 1
			continue
		}
		end, ok := tagEnd(rest)
		if !ok {
			return fmt.Errorf("%w: part %s: tag never closed", ErrNotXLSX, part)
		}
		tag := rest[1:end]
		i += end + 1
		n := 0
		for n < len(tag) && tag[n] != ' ' && tag[n] != '\t' && tag[n] != '\r' && tag[n] != '\n' && tag[n] != '/' {
			n++
		}
		name := tag[:n]
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		switch string(name) {
		case "row":
			next := row + 1
			if v, ok := attrR(tag[n:]); ok {
				m, err := strconv.ParseInt(v, 10, 64)
				if err != nil || m < 1 {
					return fmt.Errorf("%w: part %s: row number %q", ErrStructure, part, excerpt(v))
				}
				if m <= row {
					return fmt.Errorf("%w: part %s: row %d follows row %d (a repeated or reordered row would be merged or misplaced): the workbook is refused", ErrStructure, part, m, row)
				}
				next = m
			}
			row, col = next, 0
		case "c":
			next := col + 1
			if v, ok := attrR(tag[n:]); ok {
				m, err := columnOf(v)
				if err != nil {
					return fmt.Errorf("%w: part %s row %d: %v", ErrStructure, part, row, err)
				}
				next = m
			}
			col = next
			cells++
			if col > MaxColumns {
				return fmt.Errorf("%w: part %s row %d uses column %d or more; the reader accepts at most %d columns (MaxColumns)", ErrTooLarge, part, row, col, MaxColumns)
			}
			if cells > maxCells {
				return fmt.Errorf("%w: part %s has more than %d cells (MaxCells)", ErrTooLarge, part, maxCells)
			}
		}
	}
	return nil
}

// tagEnd gives the index of the '>' that ends the start tag at s[0], skipping quoted
// attribute values (which may hold '>').
func tagEnd(s []byte) (int, bool) {
	var q byte
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return i, true
		}
	}
	return 0, false
}

// attrR finds the value of the attribute named r (with or without a prefix) in the
// attribute text of a start tag.
func attrR(attrs []byte) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\r' || attrs[i] == '\n' || attrs[i] == '/') {
			i++
		}
		eq := bytes.IndexByte(attrs[i:], '=')
		if eq < 0 {
			return "", false
		}
		name := bytes.TrimSpace(attrs[i : i+eq])
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		j := i + eq + 1
		for j < len(attrs) && (attrs[j] == ' ' || attrs[j] == '\t' || attrs[j] == '\r' || attrs[j] == '\n') {
			j++
		}
		if j >= len(attrs) || (attrs[j] != '"' && attrs[j] != '\'') {
			return "", false
		}
		q := attrs[j]
		e := bytes.IndexByte(attrs[j+1:], q)
		if e < 0 {
			return "", false
		}
		if string(name) == "r" {
			return string(attrs[j+1 : j+1+e]), true
		}
		i = j + 1 + e + 1
	}
	return "", false
}

// columnOf reads the 1-based column of a cell reference ("AB12" is 28), up to MaxColumns+1.
func columnOf(ref string) (int64, error) {
	var n int64
	i := 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		n = n*26 + int64(ref[i]-'A'+1)
		if n > MaxColumns {
			return MaxColumns + 1, nil
		}
	}
	if i == 0 || i == len(ref) {
		return 0, fmt.Errorf("cell reference %q", excerpt(ref))
	}
	return n, nil
}

// short gives at most 200 bytes of what the spreadsheet library said (its messages quote
// cell references and values whole).
func short(v any) string { return canon.Excerpt(fmt.Sprint(v), 200) }

// excerpt quotes at most 32 bytes of hostile text in an error.
func excerpt(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
