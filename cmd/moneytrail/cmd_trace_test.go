package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTraceBackward(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", "../../tracer/casetrace/testdata/backward.csv"); code != 0 {
		t.Fatal(errs)
	}
	out1 := filepath.Join(dir, "b1")
	code, out, errs := mt(t, "--db", db, "trace", "--direction", "backward", "--target", "txn:B03", "--method", "fifo,prorata",
		"--origin-by", "channel", "--out", out1)
	if code != 0 || !strings.Contains(out, "debit B03 from T, 500.00, by origin (channel)") ||
		!strings.Contains(out, "prorata  channel:transfer            350.00  0.700000") {
		t.Fatalf("trace backward: %d\n%s\n%s", code, out, errs)
	}
	b, _ := os.ReadFile(filepath.Join(out1, "composition.csv"))
	if want := "method,origin,amount,share\nfifo,channel:cash_deposit,300.00,0.600000\nfifo,channel:transfer,200.00,0.400000\n" +
		"prorata,channel:transfer,350.00,0.700000\nprorata,channel:cash_deposit,150.00,0.300000\n"; string(b) != want {
		t.Errorf("composition.csv:\n%s", b)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"trace", "--direction", "backward", "--method", "fifo"}, exitUsage, "give --target"},
		{[]string{"trace", "--direction", "sideways", "--method", "fifo"}, exitUsage, `--direction "sideways"`},
		{[]string{"trace", "--direction", "backward", "--target", "account:T", "--origin-by", "bank", "--method", "fifo"}, exitUsage, "--origin-by"},
		{[]string{"trace", "--seed", "txn:B01", "--target", "account:T", "--method", "fifo"}, exitUsage, "go with --direction backward"},
		{[]string{"trace", "--direction", "backward", "--target", "account:nobody", "--method", "fifo"}, exitInput, "unknown account nobody"},
		{[]string{"trace", "--direction", "backward", "--target", "txn:B01", "--method", "fifo"}, exitInput, "outside the traced data"},
	} {
		code, _, errs := mt(t, append([]string{"--db", db}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d (want %d) %s", c.args, code, c.code, errs)
		}
	}
}

// TestShortCount: the progress bar's row counts.
func TestShortCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 950: "950", 9999: "9999", 12_345: "12.3k", 999_999: "1.00M", 999_000: "999.0k", 4_560_000: "4.56M", 2_000_000_000: "2.00G"} {
		if got := shortCount(n); got != want {
			t.Errorf("shortCount(%d) = %q, want %q", n, got, want)
		}
	}
}
