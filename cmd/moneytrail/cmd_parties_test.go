package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPartiesDecisions: the listing shows who is who, a decision is recorded with its
// author and note and changes the next listing, and wrong use gets the right exit code.
func TestPartiesDecisions(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "ingest", "--format", "mto", "--profile", "mto-generic", "../../resolve/testdata/mto-variants.csv"); code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	code, out, errs := mt(t, "--db", db, "--output", "csv", "parties")
	if code != 0 {
		t.Fatalf("parties: %d %s", code, errs)
	}
	for _, row := range []string{
		"party_id,name,cluster,members,confidence,joined_by,suggestions\n",
		"dzordzevic dragan|1980-05-01,DZORDZEVIC DRAGAN,dragan dordevic|1980-05-01,2,1.000,identifier,0\n",
		"ardijan hodza|AL,Ardijan Hodza,ardian hoxha|1990-02-03,2,0.975,probable,0\n",
		"dragan dordevic|1975-11-30,Dragan Djordjevic,dragan dordevic|1975-11-30,1,1.000,,0\n",
	} {
		if !strings.Contains(out, row) {
			t.Errorf("parties lacks %q:\n%s", row, out)
		}
	}
	_, out, _ = mt(t, "--db", db, "--output", "csv", "parties", "--joined")
	if strings.Count(out, "\n") != 5 || strings.Contains(out, "ahmed khan") {
		t.Errorf("parties --joined lists the two clusters of two:\n%s", out)
	}
	code, out, errs = mt(t, "--db", db, "parties", "reject", "party:ardian hoxha|1990-02-03", "ardijan hodza|AL", "--author", "ana", "--note", "two brothers")
	if code != 0 || out != "decision 1: reject ardian hoxha|1990-02-03 ardijan hodza|AL by ana\n" {
		t.Fatalf("reject: %d %q %s", code, out, errs)
	}
	_, out, _ = mt(t, "--db", db, "--output", "csv", "parties", "links", "--status", "rejected")
	if !strings.HasPrefix(out, "party_a,party_b,status,score,decision,reasons\nardian hoxha|1990-02-03,ardijan hodza|AL,rejected,0.975,1,") ||
		!strings.Contains(out, "reject #1 by ana on ") || !strings.Contains(out, ": two brothers") || strings.Count(out, "\n") != 2 {
		t.Errorf("rejected links:\n%s", out)
	}
	_, out, _ = mt(t, "--db", db, "--output", "csv", "parties")
	if !strings.Contains(out, "ardijan hodza|AL,Ardijan Hodza,ardijan hodza|AL,1,1.000,,0\n") {
		t.Errorf("after the rejection:\n%s", out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"parties", "confirm", "ria", "--author", "ana"}, exitUsage, "takes PARTY OTHER"},
		{[]string{"parties", "split", "nobody", "--author", "ana"}, exitInput, `no party "nobody"`},
		{[]string{"parties", "links", "--status", "maybe"}, exitUsage, "--status"},
		{[]string{"parties", "--suggest", "1.5"}, exitUsage, "--suggest"},
	} {
		code, _, errs := mt(t, append([]string{"--db", db}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d %q, want %d with %q", c.args, code, errs, c.code, c.msg)
		}
	}
	_, out, _ = mt(t, "--db", db, "--output", "csv", "parties", "decisions")
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "1,reject,ardian hoxha|1990-02-03,ardijan hodza|AL,ana,") {
		t.Errorf("decisions:\n%s", out)
	}
}

func TestScreenList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "ingest", "--format", "mto", "--profile", "mto-generic", "../../resolve/testdata/mto-variants.csv"); code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	code, out, errs := mt(t, "--db", db, "--output", "csv", "screen", "--list", "../../resolve/testdata/entities.ftm.json")
	if code != 0 || !strings.Contains(errs, "entities.ftm.json: ftm, 2 entries, 0 lines not read") {
		t.Fatalf("screen: %d %s", code, errs)
	}
	if !strings.HasPrefix(out, "party_id,entry_id,entry_name,schema,status,score,reasons\nahmed khan|1992-07-15,ftm-test-3,Ahmed Khan,Person,probable,") ||
		!strings.Contains(out, "dragan dordevic|1980-05-01,ftm-test-1,Dragan Đorđević,Person,same,1.000,") || strings.Count(out, "\n") != 4 {
		t.Errorf("hits:\n%s", out)
	}
	if code, _, errs := mt(t, "--db", db, "screen"); code != exitUsage {
		t.Errorf("screen without --list: %d %s", code, errs)
	}
	if code, _, errs := mt(t, "--db", db, "screen", "--list", "no-such-list.csv"); code != exitInput {
		t.Errorf("screen of a missing list: %d %s", code, errs)
	}
}

// TestPartiesEval: the generator's identities case, loaded and scored as the help says.
func TestPartiesEval(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	people := filepath.Join(dir, "people")
	if code, out, errs := mt(t, "generate", "--scenario", "identities", "--seed", "5", "--persons", "30", "--out", people); code != 0 || !strings.Contains(out, "30 people in") {
		t.Fatalf("generate: %d %s %s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(people, "identities-*.csv"))
	args := append([]string{"--db", db, "ingest", "--format", "mto", "--profile", "mto-generic"}, files...)
	if code, _, errs := mt(t, args...); code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	code, out, errs := mt(t, "--db", db, "--output", "csv", "parties", "eval", "--truth", filepath.Join(people, "identities-truth.json"))
	if code != 0 || !strings.Contains(out, "mentions_without_party,0\n") || !strings.Contains(out, "\nprecision,") || !strings.Contains(out, "\nrecall,") {
		t.Errorf("parties eval: %d %s\n%s", code, errs, out)
	}
	if code, _, _ := mt(t, "--db", db, "parties", "eval", "--truth", filepath.Join(people, "identities-wu.csv")); code != exitInput {
		t.Errorf("eval with a file that is no truth: exit %d, want %d", code, exitInput)
	}
}
