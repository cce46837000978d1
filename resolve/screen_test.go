package resolve

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestScreen: the case's parties against three lists in their own layouts, with the same
// matcher as resolution: a shared passport decides, names with a birth date are probable,
// names alone suggest, a namesake born another year is no hit.
func TestScreen(t *testing.T) {
	db := newCase(t, "testdata/mto-variants.csv")
	ps, err := LoadParties(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, format string
		want         []string // party>entry=status, in order
	}{
		{"testdata/targets.simple.csv", ListSimple, []string{
			// Khan's listed birth year 1975 contradicts both men's full dates; the
			// namesake Đorđević born 1975 is not the listed one born 1980.
			"ardian hoxha|1990-02-03>NK-test-0003=probable",
			"ardijan hodza|AL>NK-test-0003=suggested",
			"dragan dordevic|1980-05-01>NK-test-0001=same",
			"dzordzevic dragan|1980-05-01>NK-test-0001=same",
		}},
		{"testdata/entities.ftm.json", ListFtM, []string{
			"ahmed khan|1992-07-15>ftm-test-3=probable",
			"dragan dordevic|1980-05-01>ftm-test-1=same",
			"dzordzevic dragan|1980-05-01>ftm-test-1=same",
		}},
		{"testdata/names.csv", ListNames, []string{
			"dragan dordevic|1975-11-30>line 2=probable",
		}},
	} {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		format, entries, errs, err := ReadList(c.file, data)
		if err != nil || len(errs) > 0 || format != c.format {
			t.Fatalf("%s: format %q, errors %v %v", c.file, format, errs, err)
		}
		var got []string
		for _, h := range Screen(ps, entries, DefaultParams()) {
			got = append(got, h.Party+">"+h.Entry.Party.ID+"="+h.Link.Status)
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s hits\n got %s\nwant %s", c.file, strings.Join(got, "\n     "), strings.Join(c.want, "\n     "))
		}
	}
}

func TestReadListErrors(t *testing.T) {
	for _, c := range []struct {
		data string
		want string
	}{
		{"id,label\n1,x\n", "no name, full_name or fullname column"},
		{"", "not a screening list"},
	} {
		if _, _, _, err := ReadList("l.csv", []byte(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.data, err, c.want)
		}
	}
	_, entries, errs, err := ReadList("l.csv", []byte("name,dob\nAna Kovač,1990-01-01\n,1991-01-01\n\"Bad \"quote,x\nMarko Marković,\n"))
	if err != nil || len(entries) != 2 || len(errs) != 2 || errs[0].Error() != "line 3, field name: no name" || !strings.HasPrefix(errs[1].Error(), "line 4: ") {
		t.Errorf("entries %d, errors %v %v", len(entries), errs, err)
	}
	_, entries, errs, _ = ReadList("l.json", []byte(`{"id":"a","schema":"Person","properties":{"name":["Ana"]}}`+"\n{oops\n"))
	if len(entries) != 1 || len(errs) != 1 || errs[0].Line != 2 {
		t.Errorf("ftm: entries %d, errors %v", len(entries), errs)
	}
}

func FuzzReadList(f *testing.F) {
	for _, p := range []string{"testdata/targets.simple.csv", "testdata/entities.ftm.json", "testdata/names.csv"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, entries, _, err := ReadList("fuzz", data)
		if err != nil && len(entries) > 0 {
			t.Fatal("entries with an error")
		}
		for _, e := range entries {
			if len(e.Party.Names()) == 0 {
				t.Fatalf("entry %q without a name", e.Party.ID)
			}
		}
	})
}
