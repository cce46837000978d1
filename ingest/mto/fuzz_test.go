package mto

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to the operator reader (mto-generic profile) and to the app
// statement reader: neither may panic, and whatever they return must keep the batch
// invariants (positive amounts, both sides named and different, record numbers on real
// lines, quarantine records with a reason).
func FuzzRead(f *testing.F) {
	if b, err := os.ReadFile("testdata/mto-generic-sample.csv"); err == nil {
		f.Add(b)
	}
	if d := corpus.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "remittance", "*.csv"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	p, err := Builtin("mto-generic")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		check := func(res *Result) {
			b := res.Batch
			if len(res.Periods) != len(b.Statements) {
				t.Fatalf("%d periods for %d statements", len(res.Periods), len(b.Statements))
			}
			for _, x := range b.Txns {
				if !x.Amount.IsPositive() || x.Record < 1 || x.Record > lines || x.From == "" || x.To == "" || x.From == x.To || len(x.Currency) != 3 {
					t.Fatalf("bad txn %+v", x)
				}
			}
			for _, e := range b.Errors {
				if e.Record < 1 || e.Record > lines || e.Reason == "" {
					t.Fatalf("bad error %+v", e)
				}
			}
		}
		if res, err := Parse(data, p, Options{}); err == nil {
			check(res)
		}
		if res, err := ParseApp(data, Options{}); err == nil {
			check(res)
		}
	})
}

// FuzzProfile feeds arbitrary YAML to ParseProfile, as a user's --profile file: it never
// panics, and a profile it accepts reads the sample without panicking, every record
// accounted for.
func FuzzProfile(f *testing.F) {
	for _, n := range Builtins() {
		if b, err := builtinFS.ReadFile("profiles/" + n + ".yaml"); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("name: x\ncolumns: {send_time: T}\n"))
	sample, err := os.ReadFile("testdata/mto-generic-sample.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			return
		}
		r, err := Parse(sample, p, Options{})
		if err != nil {
			return
		}
		canontest.CheckAccounting(t, "fuzz", r.Batch, nil, 0)
	})
}
