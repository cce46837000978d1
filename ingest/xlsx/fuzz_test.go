package xlsx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to the reader with the built-in profiles and the test
// profile: it must never panic, and every row must be a transaction, a quarantined record
// or a reported skip, once, with a row number Excel can show. Seeds: the corpus
// workbooks (when present) and the generated test workbook; crashers are kept under
// testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add(testWorkbook(f))
	if d := corpus.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "xlsx", "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	profiles := []*csvprofile.Profile{mustProfile(f, testProfile)}
	for _, n := range Builtins() {
		p, err := Builtin(n)
		if err != nil {
			f.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Detect(data)
		for _, p := range profiles {
			r, err := Decode(data, p, Options{Account: ownIBAN, MaxUnzipSize: 8 << 20})
			if err != nil {
				continue
			}
			b := r.Batch
			if b.Records != len(b.Txns)+len(b.Errors) {
				t.Fatalf("%s: Records %d != %d txns + %d errors", p.Name, b.Records, len(b.Txns), len(b.Errors))
			}
			seen := map[int]bool{}
			check := func(line int, what string) {
				if line < 1 || line > 1<<20 {
					t.Fatalf("%s: %s on row %d", p.Name, what, line)
				}
				if seen[line] {
					t.Fatalf("%s: row %d reported twice", p.Name, line)
				}
				seen[line] = true
			}
			for _, x := range b.Txns {
				check(x.Record, "transaction")
				if !x.Amount.IsPositive() {
					t.Fatalf("%s: row %d amount %s", p.Name, x.Record, x.Amount)
				}
			}
			for _, e := range b.Errors {
				check(e.Record, "quarantined record")
				if e.Reason == "" {
					t.Fatalf("%s: row %d quarantined without reason", p.Name, e.Record)
				}
			}
			for _, s := range r.Skipped {
				check(s.Line, "skipped row")
			}
		}
	})
}
