package csvprofile

import (
	"strings"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader with a few profiles: it must never panic,
// every record must be a transaction, a quarantined record or a reported skip, and every
// line number must lie within the file.
func FuzzRead(f *testing.F) {
	seeds := []string{
		testHeader + "01.03.2024;;1.234,56;Anna;DE44500105175407324931;Miete;;A1\n",
		testHeader + "01.03.2024;;1,00;\"two\r\nlines\";;x;;\r02.03.2024;;-2,00;B;;y;vorgemerkt;\n",
		testHeader + "x\";\"y\n\"unterminated",
		"\xef\xbb\xbf" + testHeader + "\r\r\n;;;;;;;\n",
		testHeader + "01.03.2024;;0,00;A;;x;;\n11.11.1111;;1,00;A;;x;;\n",
		"Date,Out,In\n2024-01-01,5.00,\n",
		"K|32000|244081|EUR\n| POS|20190311|SHOP|-1.50|\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	profiles := []*Profile{mustParse(f, testProfile)}
	for _, n := range []string{"swedbank-lt", "raiffeisen-at", "kta-at", "ing-de-saldo", "bancoposta-it"} {
		p, err := Builtin(n)
		if err != nil {
			f.Fatal(err)
		}
		profiles = append(profiles, p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := physicalLines(data)
		for _, p := range profiles {
			r, err := Decode(data, p, Options{Account: ownIBAN})
			if err != nil {
				continue
			}
			b := r.Batch
			if b.Records != len(b.Txns)+len(b.Errors) {
				t.Fatalf("%s: Records %d != %d txns + %d errors", p.Name, b.Records, len(b.Txns), len(b.Errors))
			}
			seen := map[int]bool{}
			check := func(line int, what string) {
				if line < 1 || line > lines {
					t.Fatalf("%s: %s on line %d, file has %d lines", p.Name, what, line, lines)
				}
				if seen[line] {
					t.Fatalf("%s: line %d reported twice", p.Name, line)
				}
				seen[line] = true
			}
			for _, x := range b.Txns {
				check(x.Record, "transaction")
				if !x.Amount.IsPositive() || x.From == x.To && x.From != b.StatementAccount {
					t.Fatalf("%s: bad transaction %+v", p.Name, x)
				}
			}
			for _, e := range b.Errors {
				check(e.Record, "quarantined record")
				if e.Reason == "" {
					t.Fatalf("%s: line %d quarantined without reason", p.Name, e.Record)
				}
			}
			for _, s := range r.Skipped {
				check(s.Line, "skipped row")
			}
		}
	})
}

// physicalLines counts lines the way the reader does: CRLF, LF and CR each end one.
func physicalLines(data []byte) int {
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data))
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// FuzzProfile feeds arbitrary YAML to Parse, as a user's --profile file: it never panics,
// and a profile it accepts reads a small file without panicking, every record accounted for.
func FuzzProfile(f *testing.F) {
	f.Add([]byte(testProfile))
	for _, n := range []string{"raiffeisen-at", "ing-de-saldo", "bancoposta-it", "kta-at"} {
		if b, err := profileFS.ReadFile("profiles/" + n + ".yaml"); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("name: x\namount: {model: indicator, column: A, indicator: B, credit_values: [H], debit_values: [S]}\ncolumns: {booked_at: D}\nrows: [{kind: opening, columns: [A], pattern: '('}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		for _, in := range []string{testHeader + "01.03.2024;;1,00;A;;x;;1\n", "Date,Amount\n2024-01-01,1.00\n", "a;b\n1;2"} {
			r, err := Decode([]byte(in), p, Options{Account: ownIBAN})
			if err != nil {
				continue
			}
			if b := r.Batch; b.Records != len(b.Txns)+len(b.Errors) {
				t.Fatalf("Records %d != %d + %d", b.Records, len(b.Txns), len(b.Errors))
			}
		}
	})
}
