package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// sheetPart is the part of testWorkbook the mutants damage: the statement sheet.
const sheetPart = "xl/worksheets/sheet2.xml"

// rowWithValue counts the sheet's data rows independently of the reader: <row> elements
// below the header row (3) that hold a value.
var rowWithValue = regexp.MustCompile(`<row r="([0-9]+)"[^>]*>(.*?)</row>`)

func dataRows(sheet []byte) int {
	n := 0
	for _, m := range rowWithValue.FindAllSubmatch(sheet, -1) {
		r, _ := strconv.Atoi(string(m[1]))
		if r > 3 && (bytes.Contains(m[2], []byte("<v>")) || bytes.Contains(m[2], []byte("<is>"))) {
			n++
		}
	}
	return n
}

// replacePart returns the package data with one part's bytes replaced.
func replacePart(t *testing.T, data []byte, part string, body []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == part {
			b = body
		}
		fw, _ := w.Create(f.Name)
		fw.Write(b)
	}
	w.Close()
	return buf.Bytes()
}

// TestMutants damages the statement sheet's XML the ways issue 19 lists (a repeated <row>,
// deleted end tags, cuts, digit runs) inside a sound package and checks that every data row
// is loaded, quarantined, noted or the workbook refused. The sheet XML is one line, so the
// line mutants are few; the tag and cut mutants carry the test.
func TestMutants(t *testing.T) {
	p := mustProfile(t, testProfile)
	wb := testWorkbook(t)
	sheet := []byte(partText(t, wb, sheetPart))
	// One row per line, so that line deletions, doublings and swaps act on rows.
	sheet = bytes.ReplaceAll(sheet, []byte("<row "), []byte("\n<row "))
	seeds := map[string][]byte{"own": sheet}
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Decode(replacePart(t, wb, sheetPart, b), p, Options{})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		for _, s := range r.Skipped {
			r.Batch.Notes = append(r.Batch.Notes, canon.Note{Record: s.Line, Kind: s.Kind, Text: s.Reason})
		}
		return r.Batch, nil, nil
	}, dataRows)
	t.Logf("xlsx: %d seeds, %s", len(seeds), tally)
}
