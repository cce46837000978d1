package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// partText returns the text of one part of a zip package.
func partText(t *testing.T, data []byte, part string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == part {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no part %s", part)
	return ""
}

// A repeated or reordered <row r="N"> (issue 19.3) is never merged: the workbook is refused
// with ErrStructure naming the part and the rows.
func TestRepeatedRowRefused(t *testing.T) {
	p := mustProfile(t, testProfile)
	wb := testWorkbook(t)
	sheet := partText(t, wb, "xl/worksheets/sheet2.xml")
	i := strings.Index(sheet, `<row r="5"`)
	j := strings.Index(sheet[i:], "</row>") + i + len("</row>")
	row5 := sheet[i:j]
	for name, patched := range map[string][]byte{
		"repeated":  patchPart(t, wb, "xl/worksheets/sheet2.xml", row5, row5+row5),
		"reordered": patchPart(t, wb, "xl/worksheets/sheet2.xml", row5, strings.Replace(row5, `r="5"`, `r="3"`, 1)),
	} {
		_, err := Decode(patched, p, Options{FileName: "w.xlsx"})
		if !errors.Is(err, ErrStructure) || !strings.Contains(err.Error(), "xl/worksheets/sheet2.xml") {
			t.Errorf("%s row: %v, want ErrStructure naming the part", name, err)
		}
	}
	if _, err := Decode(wb, p, Options{}); err != nil {
		t.Errorf("the undamaged workbook: %v", err)
	}
}

// Sheets too wide or too large are refused by the streaming pre-scan, before the
// spreadsheet library holds them in memory, with the limit named (issue 19.4).
func TestHugeSheetsRefused(t *testing.T) {
	p := mustProfile(t, testProfile)
	wb := func(sheet string) []byte {
		return zipWith(t, map[string][]byte{"[Content_Types].xml": []byte(`<Types/>`), "xl/workbook.xml": []byte("<workbook/>"),
			"xl/worksheets/sheet1.xml": []byte(`<worksheet><sheetData>` + sheet + `</sheetData></worksheet>`)}, nil)
	}
	million := `<row r="1">` + strings.Repeat(`<c><v>1</v></c>`, 1_000_000) + `</row>`
	for name, tc := range map[string]struct {
		data  []byte
		limit string
	}{
		"column XFD":      {wb(`<row r="1"><c r="XFD1"><v>1</v></c></row>`), "MaxColumns"},
		"1M cells in row": {wb(million), "MaxColumns"},
	} {
		_, err := Decode(tc.data, p, Options{MaxUnzipSize: 1 << 30})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.limit) {
			t.Errorf("%s: %v, want ErrTooLarge naming %s", name, err, tc.limit)
		}
	}
	// The cell limit, at 1,000 for the test (MaxCells itself is 4 million): 3 rows of 400.
	sheet := `<sheetData>` + strings.Repeat(`<row>`+strings.Repeat(`<c><v>1</v></c>`, 400)+`</row>`, 3) + `</sheetData>`
	if err := scanSheet(strings.NewReader(sheet), "s.xml", 1000); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 1000 cells (MaxCells)") {
		t.Errorf("1,200 cells, limit 1,000: %v", err)
	}
	if err := scanSheet(strings.NewReader(sheet), "s.xml", 1200); err != nil {
		t.Errorf("1,200 cells, limit 1,200: %v", err)
	}
	// Comments, CDATA and quoted '>' do not fool the lexer; prefixed names count.
	tricky := `<x:sheetData><!-- <row r="1"/> --><x:row r="1" spans="1:2"><x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[<row r="1">]]></x:t></x:is></x:c></x:row><x:row r='2' a=">"><x:c r="A2"/></x:row></x:sheetData>`
	if err := scanSheet(strings.NewReader(tricky), "s.xml", 10); err != nil {
		t.Errorf("tricky but sound sheet: %v", err)
	}
	if err := scanSheet(strings.NewReader(strings.Replace(tricky, `r='2'`, `r='1'`, 1)), "s.xml", 10); !errors.Is(err, ErrStructure) {
		t.Errorf("prefixed repeated row: %v", err)
	}
}
