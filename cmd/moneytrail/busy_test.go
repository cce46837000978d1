package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// TestMain lets the test binary stand in for a second moneytrail process: with
// MONEYTRAIL_TEST_HOLD set it opens that case for writing, says so, and keeps it open until
// its standard input closes.
func TestMain(m *testing.M) {
	if os.Getenv("MONEYTRAIL_TEST_AS_CLI") == "1" { // see shellWithMoneytrail
		os.Exit(run(os.Args, os.Stdout, os.Stderr))
	}
	if path := os.Getenv("MONEYTRAIL_TEST_HOLD"); path != "" {
		db, err := casedb.Open(context.Background(), path, casedb.Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("holding")
		bufio.NewReader(os.Stdin).ReadString('\n')
		db.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdCase starts a second process that holds db open for writing until release is called
// (or the test ends).
func holdCase(t *testing.T, db string) (pid int, release func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MONEYTRAIL_TEST_HOLD="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			stdin.Close()
			cmd.Wait()
		})
	}
	t.Cleanup(release)
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "holding" {
		t.Fatalf("the second process did not open the case: %q", line)
	}
	return cmd.Process.Pid, release
}

// TestBusyCase: while a second process writes to the case, every command that opens it (a
// writer or a reader: DuckDB allows one writing process and no reader beside it) fails with
// "the case is in use by PID N" and exit code 5, and the case is intact afterwards.
func TestBusyCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", "../../ingest/testdata/ledger-sample.csv"); code != 0 {
		t.Fatal(errs)
	}
	before := caseState(t, db)
	pid, release := holdCase(t, db)
	want := fmt.Sprintf("is in use by PID %d", pid)
	for _, args := range [][]string{
		{"ingest", "../../ingest/testdata/ecb-sample.csv"},
		{"rules", "run", "smuggling"},
		{"trace", "--seed", "txn:L001", "--method", "fifo"},
		{"trace", "--seed", "sql:SELECT 'L001' AS txn_id", "--method", "fifo"},
		{"match"},
		{"sources"},
		{"sql", "SELECT count(*) FROM txns"},
		{"report", "--out", filepath.Join(t.TempDir(), "r")},
		{"verify"},
		{"init"},
	} {
		code, _, errs := mt(t, append([]string{"--db", db}, args...)...)
		if args[0] == "init" {
			if code != exitInput || !strings.Contains(errs, "already exists") {
				t.Errorf("init on a held case: exit %d, %s", code, errs)
			}
			continue
		}
		if code != exitBusy || !strings.Contains(errs, want) || strings.Contains(errs, "-readonly") {
			t.Errorf("%v: exit %d, %s; want exit %d and %q", args, code, strings.TrimSpace(errs), exitBusy, want)
		}
	}
	release()
	if after := caseState(t, db); !mapsEqual(before, after) {
		t.Errorf("the case changed: %v", diffState(before, after))
	}
}

// TestConcurrentInit: of two processes creating the same case at the same moment one
// succeeds and the other is told it exists; neither removes what the other made.
func TestConcurrentInit(t *testing.T) {
	for round := range 8 {
		db := filepath.Join(t.TempDir(), "case.duckdb")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(os.Args[0], "-test.run=^TestInitChild$")
				cmd.Env = append(os.Environ(), "MONEYTRAIL_TEST_INIT="+db)
				out, err := cmd.CombinedOutput()
				if ee, ok := err.(*exec.ExitError); ok {
					codes[i] = ee.ExitCode()
				} else if err != nil {
					t.Error(err, string(out))
				}
			}()
		}
		wg.Wait()
		if codes[0]+codes[1] != 1 {
			t.Errorf("round %d: exit codes %v, want one success and one failure", round, codes)
		}
		if code, out, errs := mt(t, "--db", db, "sources"); code != 0 {
			t.Errorf("round %d: the case left behind does not open: %s %s", round, out, errs)
		}
	}
}

// TestInitChild is the child of TestConcurrentInit: it runs init on its case and exits 0 when
// it created it, 1 when told it exists.
func TestInitChild(t *testing.T) {
	db := os.Getenv("MONEYTRAIL_TEST_INIT")
	if db == "" {
		t.Skip("run by TestConcurrentInit")
	}
	code, _, errs := mt(t, "--db", db, "init")
	switch {
	case code == 0:
		os.Exit(0)
	case code == exitInput && strings.Contains(errs, "already exists"):
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "init: exit %d: %s", code, errs)
	os.Exit(2)
}
