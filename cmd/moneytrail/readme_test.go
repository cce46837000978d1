package main

import (
	"cmp"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"
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

// helpExamples returns the example command lines of c's help (the lines of the paragraph
// after "Example:" or "Examples ...:", a line ending in a backslash going on with the next),
// and of its visible sub-verbs, by verb.
func helpExamples(c *cli.Command, path string, out map[string][]string) {
	if c.Hidden {
		return
	}
	name := strings.TrimSpace(path + " " + c.Name)
	var lines []string
	in := false
	for _, l := range strings.Split(c.UsageText+"\n"+c.Description, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "Example") && strings.HasSuffix(t, ":"):
			in = true
		case !in:
		case t == "":
			in = len(lines) == 0
		case len(lines) > 0 && strings.HasSuffix(lines[len(lines)-1], `\`):
			lines[len(lines)-1] += "\n" + t
		default:
			lines = append(lines, t)
		}
	}
	if path != "" {
		out[name] = lines
	}
	for _, s := range c.Commands {
		helpExamples(s, name, out)
	}
}

// TestHelpExamplesRun runs every example line of every verb's --help on the case the
// README's worked example makes, in the order the help gives them: each must exist and
// succeed.
func TestHelpExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the examples run on a whole generated case")
	}
	// Verbs whose examples do not end on their own or take minutes; each has its own test.
	notRun := map[string]string{
		"moneytrail serve": "serves until stopped (TestServe)",
		"moneytrail bench": "measures for minutes (moneytrail bench itself)",
		"moneytrail demo":  "generates and investigates a second case (TestDemo)",
		"moneytrail eval":  "generates and investigates a case per seed and variant (minutes); --truth names the user's own labels",
	}
	examples := map[string][]string{}
	helpExamples(newApp(&env{stdout: io.Discard, stderr: io.Discard}), "", examples)
	dir, env, _ := workedExample(t)
	// verify first: other examples add runs and decisions, which verify rightly reports as
	// changed inputs of the runs made before them.
	verbs := slices.SortedFunc(maps.Keys(examples), func(a, b string) int {
		first := func(v string) int {
			if v == "moneytrail verify" {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(first(a), first(b)), cmp.Compare(a, b))
	})
	for _, verb := range verbs {
		lines := examples[verb]
		if len(lines) == 0 {
			t.Errorf("%s --help shows no example", verb)
			continue
		}
		if _, skip := notRun[strings.Fields(verb + " x")[0]+" "+strings.Fields(verb + " x")[1]]; skip {
			continue
		}
		for _, l := range lines {
			if out, err := sh(t, dir, env, "export MONEYTRAIL_DB=case-2026-114.duckdb\n"+l); err != nil {
				t.Errorf("%s --help example fails (%v):\n%s", verb, err, out)
			}
		}
	}
}
