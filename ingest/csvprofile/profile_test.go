package csvprofile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestValidateNamesField(t *testing.T) {
	tests := []struct {
		edit  [2]string // replace edit[0] by edit[1] in testProfile
		field string
	}{
		{[2]string{"name: test-de", "name: Test DE"}, "name"},
		{[2]string{"encoding: utf-8", "encoding: ebcdic"}, "encoding"},
		{[2]string{`delimiter: ";"`, `delimiter: ";;"`}, "delimiter"},
		{[2]string{`date_layouts: ["02.01.2006", "02.01.06"]`, "date_layouts: []"}, "date_layouts"},
		{[2]string{"model: signed", "model: guess"}, "amount.model"},
		{[2]string{"currency: EUR", "currency: euro"}, "currency"},
		{[2]string{"  booked_at: Buchung\n", ""}, "columns.booked_at"},
		{[2]string{"channel: cash_withdrawal", "channel: atm"}, "channels[0].channel"},
		{[2]string{"pattern: '^vorgemerkt$'", "pattern: '('"}, "pending.pattern"},
		{[2]string{`decimal: ","`, `decimal: ";"`}, "number.decimal"},
		{[2]string{"account: {source: option}", "account: {source: column}"}, "account.column"},
		{[2]string{"source_id: Id", "source_id: '#0'"}, "columns.source_id"},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			y := strings.Replace(testProfile, tc.edit[0], tc.edit[1], 1)
			if y == testProfile {
				t.Fatalf("edit %q did not apply", tc.edit[0])
			}
			_, err := Parse([]byte(y))
			if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), ": "+tc.field+": ") {
				t.Errorf("err = %v, want ErrProfile naming %s", err, tc.field)
			}
		})
	}
}

func TestParseRejectsUnknownField(t *testing.T) {
	_, err := Parse([]byte(testProfile + "delimitter: ','\n"))
	if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "delimitter") {
		t.Errorf("err = %v", err)
	}
}

func TestBuiltinAndResolve(t *testing.T) {
	if _, err := Builtin("no-such-bank"); !errors.Is(err, ErrUnknownProfile) || !strings.Contains(err.Error(), "raiffeisen-at") {
		t.Errorf("err = %v", err)
	}
	if _, err := Builtin("../profiles/x"); !errors.Is(err, ErrUnknownProfile) {
		t.Errorf("err = %v", err)
	}
	names := Builtins()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("Builtins not sorted: %v", names)
		}
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte(testProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Resolve(path)
	if err != nil || p.Name != "test-de" {
		t.Errorf("Resolve(file) = %v, %v", p, err)
	}
	if p, err := Resolve("ing-de"); err != nil || p.Name != "ing-de" {
		t.Errorf("Resolve(name) = %v, %v", p, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestDetectConservative(t *testing.T) {
	for _, in := range []string{"", "a,b,c\n1,2,3\n", "Datum,Bedrag,Rekening,Tegenrekening,Naam\n"} {
		if name, ok := Detect([]byte(in)); ok {
			t.Errorf("Detect(%q) = %q", in, name)
		}
	}
	if name, ok := Detect([]byte("\"Date\",\"Amount\",\"Account\",\"Counterparty\",\"Name\",\"Description\"\n")); !ok || name != "bunq-nl-en" {
		t.Errorf("Detect(bunq header) = %q, %v", name, ok)
	}
}

func TestProfileNames(t *testing.T) {
	fsys := fstest.MapFS{
		"p/zeta.yaml":      {Data: []byte("name: zeta")},
		"p/alpha.yaml":     {Data: []byte("name: alpha")},
		"p/README.md":      {Data: []byte("not a profile")},
		"p/beta.yml":       {Data: []byte("name: beta")},
		"p/sub/deep.yaml":  {Data: []byte("name: deep")},
		"other/gamma.yaml": {Data: []byte("name: gamma")},
	}
	if got, want := strings.Join(ProfileNames(fsys, "p"), ","), "alpha,zeta"; got != want {
		t.Errorf("ProfileNames = %q, want %q", got, want)
	}
	if got := ProfileNames(fsys, "absent"); got != nil {
		t.Errorf("ProfileNames of a missing directory = %v, want nil", got)
	}
}
