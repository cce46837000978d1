package xlsx

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/corpus"
)

// corpusCase is one corpus file with figures worked out from the raw sheet XML by
// testdata/figures.py (zipfile + ElementTree), not by this reader.
type corpusCase struct {
	file     string
	profile  string
	detect   bool
	stmt     string
	txns     int
	quar     []int // row numbers of quarantined records
	skipped  []int // row numbers of skipped rows
	pending  []int // row numbers of loaded pending transactions
	sum      string
	currency string
	start    string // statement period from the file, if it gives one
	end      string
	notXLSX  string // the file is refused with ErrNotXLSX mentioning this
}

var corpusCases = []corpusCase{
	{file: "frankIT__ofxstatement-fineco__movements.xlsx", profile: "fineco-it-xlsx", detect: true,
		stmt: "acct:03015:0000000", txns: 2, pending: []int{8}, sum: "140.63", currency: "EUR",
		start: "2024-01-01", end: "2024-12-31"},
	{file: "gyp__ofxstatement-otp__sample-old-format-pre-2026-06.xlsx", profile: "otp-hu-xlsx", detect: true,
		stmt: "acct::11773016-12345678", txns: 8, quar: []int{11}, skipped: []int{10}, sum: "335722.0", currency: "HUF"},
	{file: "frankIT__ofxstatement-fineco__my-cards.xls", profile: "fineco-it-xlsx", notXLSX: "legacy Excel 97-2003 workbook"},
}

func TestCorpus(t *testing.T) {
	for _, c := range corpusCases {
		t.Run(c.file, func(t *testing.T) {
			data := corpus.Read(t, "xlsx/"+c.file)
			p, err := Builtin(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			name, ok := Detect(data)
			if ok != c.detect || ok && name != c.profile {
				t.Errorf("Detect = %q, %v; want %q, %v", name, ok, c.profile, c.detect)
			}
			r, err := Decode(data, p, Options{FileName: c.file})
			if c.notXLSX != "" {
				if !errors.Is(err, ErrNotXLSX) || !strings.Contains(err.Error(), c.notXLSX) || !strings.Contains(err.Error(), "save it as") {
					t.Errorf("error %v, want ErrNotXLSX mentioning %q and what to do", err, c.notXLSX)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := r.Batch
			if b.StatementAccount != c.stmt {
				t.Errorf("statement account %q, want %q", b.StatementAccount, c.stmt)
			}
			sum := decimal.Zero
			var pending []int
			for _, x := range b.Txns {
				switch {
				case x.To == b.StatementAccount:
					sum = sum.Add(x.Amount)
				case x.From == b.StatementAccount:
					sum = sum.Sub(x.Amount)
				default:
					t.Errorf("row %d does not touch the statement account", x.Record)
				}
				if x.Currency != c.currency {
					t.Errorf("row %d currency %q", x.Record, x.Currency)
				}
				if x.Pending {
					pending = append(pending, x.Record)
				}
			}
			if len(b.Txns) != c.txns || !sum.Equal(decimal.RequireFromString(c.sum)) {
				t.Errorf("%d txns summing to %s, want %d and %s", len(b.Txns), sum, c.txns, c.sum)
			}
			var quar, skipped []int
			for _, e := range b.Errors {
				quar = append(quar, e.Record)
			}
			for _, s := range r.Skipped {
				skipped = append(skipped, s.Line)
			}
			if !reflect.DeepEqual(quar, c.quar) || !reflect.DeepEqual(skipped, c.skipped) || !reflect.DeepEqual(pending, c.pending) {
				t.Errorf("quarantined %v, skipped %v, pending %v; want %v, %v, %v", quar, skipped, pending, c.quar, c.skipped, c.pending)
			}
			if b.Records != len(b.Txns)+len(b.Errors) {
				t.Errorf("Records %d", b.Records)
			}
			if c.start != "" {
				if len(b.Statements) != 1 || b.Statements[0].PeriodStart.Format("2006-01-02") != c.start ||
					b.Statements[0].PeriodEnd.Format("2006-01-02") != c.end {
					t.Errorf("statements %+v, want period %s..%s", b.Statements, c.start, c.end)
				}
			}
		})
	}
}

// TestCorpusUnclaimed checks that every corpus file of another format is refused by
// Detect (conservative) and by Decode with ErrNotXLSX, never misread.
func TestCorpusUnclaimed(t *testing.T) {
	dir := corpus.Require(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	p, err := Builtin("otp-hu-xlsx")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.Contains(f, string(filepath.Separator)+"xlsx"+string(filepath.Separator)) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil || len(data) > 4<<20 {
			continue
		}
		n++
		if name, ok := Detect(data); ok {
			t.Errorf("%s: Detect claims %q", f, name)
		}
		if _, err := Decode(data, p, Options{}); !errors.Is(err, ErrNotXLSX) {
			t.Errorf("%s: Decode error %v, want ErrNotXLSX", f, err)
		}
	}
	t.Logf("%d files of other formats refused", n)
}
