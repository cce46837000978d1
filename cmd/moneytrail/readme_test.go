package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shellWithMoneytrail returns a directory to work in and the environment of a shell whose
// `moneytrail` is this test binary (TestMain runs the CLI when MONEYTRAIL_TEST_AS_CLI is
// set). It skips where there is no sh.
func shellWithMoneytrail(t *testing.T) (dir string, env []string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run the examples in")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	bin := filepath.Join(dir, ".bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(bin, "moneytrail")); err != nil {
		t.Skip("cannot link the test binary as moneytrail:", err)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "MONEYTRAIL_") {
			env = append(env, kv)
		}
	}
	return dir, append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "MONEYTRAIL_TEST_AS_CLI=1")
}

// sh runs script in dir, stopping at the first command that fails, and returns what it
// printed (each command echoed before its output).
func sh(t *testing.T, dir string, env []string, script string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-e", "-x", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// readmeBlock returns the first ```sh block after the heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, rest, ok = strings.Cut(rest, "```sh\n")
	if !ok {
		t.Fatalf("README.md: no ```sh block under %q", heading)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("README.md: the ```sh block under %q is not closed", heading)
	}
	return block
}

// workedExample runs the README's worked example in a fresh directory and returns it, with
// the shell environment, for tests that go on from the case it makes.
func workedExample(t *testing.T) (dir string, env []string, out string) {
	t.Helper()
	block := readmeBlock(t, "## A worked example")
	dir, env = shellWithMoneytrail(t)
	out, err := sh(t, dir, env, block)
	if err != nil {
		t.Fatalf("the README's worked example fails (%v):\n%s", err, out)
	}
	return dir, env, out
}

// TestREADMEWorkedExample runs every command of the README's worked example as written
// there, on the case it generates, and fails when the README and the CLI disagree.
func TestREADMEWorkedExample(t *testing.T) {
	if testing.Short() {
		t.Skip("the worked example generates and investigates a whole case")
	}
	dir, _, out := workedExample(t)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "moneytrail: ") {
			t.Errorf("the worked example printed an error: %s", line)
		}
	}
	for _, f := range []string{"findings/findings.csv", "findings/manifest.json", "trace/positions.csv", "trace/flows.csv",
		"report/report.html", "report/evidence.xlsx", "ledger.csv", "case-2026-114.duckdb"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("the worked example wrote no %s", f)
		}
	}
	// The report covers the rules run and the forward trace from its findings, not the
	// backward trace that came after them.
	_, rep, _ := strings.Cut(out, "+ moneytrail report --out report/\n")
	_, fwd, _ := strings.Cut(out, "+ moneytrail trace --seed finding:collection_account --method all --out trace/\n")
	runLine := func(s string) string {
		for _, l := range strings.Split(s, "\n") {
			if id, ok := strings.CutPrefix(l, "run "); ok {
				id, _, _ = strings.Cut(id, ":")
				return id
			}
		}
		return ""
	}
	if id := runLine(fwd); id == "" || !strings.Contains(rep, "trace run: "+id+"\n") {
		t.Errorf("report does not name the forward trace %q:\n%s", id, rep[:min(len(rep), 300)])
	}
	if !strings.Contains(out, "+ moneytrail verify\n") || strings.Contains(out, "DIFFERS") {
		t.Errorf("verify after the worked example:\n%s", out[strings.LastIndex(out, "+ moneytrail verify"):])
	}
}
