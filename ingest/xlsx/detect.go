package xlsx

import (
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// detectRows bounds how many rows Detect reads looking for a header.
const detectRows = 100

// Detect picks the built-in XLSX profile whose header signature the workbook's header
// matches exactly (cells in order, trimmed), reading the header where that profile
// expects it (its sheet; header_row or header_pattern within the first 100 rows). It is
// conservative: ok is false when the data is not a workbook, or when no profile or more
// than one matches.
func Detect(data []byte) (name string, ok bool) {
	defer func() {
		if recover() != nil {
			name, ok = "", false
		}
	}()
	f, err := openWorkbook(data, DefaultMaxUnzipSize)
	if err != nil {
		return "", false
	}
	defer f.Close()
	var found []string
	for _, n := range Builtins() {
		p, err := Builtin(n)
		if err != nil || len(p.Signature) == 0 {
			continue
		}
		sheet, err := pickSheet(f, p.Sheet)
		if err != nil {
			continue
		}
		if h := header(f, sheet, p.HeaderRow, p.HeaderPattern); equal(h, p.Signature) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// header returns the trimmed cells of the header row: row headerRow (default 1), or the
// first row whose cells joined with a tab match pattern.
func header(f *excelize.File, sheet string, headerRow int, pattern string) []string {
	var re *regexp.Regexp
	if pattern != "" {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			return nil
		}
	}
	want := max(headerRow, 1)
	it, err := f.Rows(sheet)
	if err != nil {
		return nil
	}
	defer it.Close()
	for line := 1; line <= detectRows && it.Next(); line++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil
		}
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if re != nil && len(cells) > 0 && re.MatchString(strings.Join(cells, "\t")) || re == nil && line == want {
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			return cells
		}
	}
	return nil
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
