package ingest

import (
	"context"
	"strings"
	"testing"
)

// A counterparty IBAN that fails mod-97 (issue 17.5): the entry's movement loads, the
// counterparty is an unverified external account kept as written, the statement reconciles as
// it does in the file (100.00 + 50.00 - 30.25 = 119.75), and the quarantine listing shows the
// warning with the entry's line in the file (issue 17.6).
func TestBadCounterpartyIBANIsAWarning(t *testing.T) {
	db := newCase(t)
	res := ingestFile(t, db, "testdata/camt053-bad-counterparty-iban.xml", Options{})
	if res.Records != 2 || res.Loaded != 2 || res.Quarantined != 0 || res.Warnings != 1 {
		t.Fatalf("result %+v", res)
	}
	if got := one[string](t, db, `SELECT to_account || ' ' || kind || ' ' || CAST(amount AS VARCHAR) FROM transactions JOIN accounts ON account_id = to_account
		WHERE source_record = 2`); got != "external:unverified-iban:DE00000000000000000000 external 30.250000" {
		t.Errorf("debit %s", got)
	}
	if got := one[bool](t, db, `SELECT reconciled FROM statements WHERE source_id = ?`, res.SourceID); !got {
		t.Error("statement does not reconcile")
	}
	tb, err := Quarantine(context.Background(), db, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := tb.Write(&out, "csv"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || lines[0] != "source_id,file_name,outcome,line,field,reason,raw" {
		t.Fatalf("listing:\n%s", out.String())
	}
	want := `1,camt053-bad-counterparty-iban.xml,"loaded, warning",2,RltdPties/CdtrAcct/Id/IBAN,"entry 2 at line 12: invalid IBAN: ""DE00000000000000000000"" has check digits 00 (valid ones are 02 to 98); `
	if !strings.HasPrefix(lines[1], want) {
		t.Errorf("warning row\n%s\nwant prefix\n%s", lines[1], want)
	}
}
