package main

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/moneytrail/moneytrail"

// unit is one row of the floors table of docs/ARCHITECTURE.md.
type unit struct {
	floor int
	path  string // relative to the module root, e.g. "ingest"
}

// floorRow is a table row: "| 0 foundation | `internal/money` | ... |".
var floorRow = regexp.MustCompile("^\\|\\s*(\\d+)\\s+[a-z]+\\s*\\|\\s*`([^`]+)`\\s*\\|")

func readFloors(t *testing.T, root string) []unit {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var units []unit
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := floorRow.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[1])
			units = append(units, unit{floor: n, path: m[2]})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(units) == 0 {
		t.Fatal("docs/ARCHITECTURE.md has no floors table")
	}
	return units
}

// unitOf is the unit holding package dir (the longest row that is dir or a parent of it).
func unitOf(units []unit, dir string) (unit, bool) {
	var best unit
	found := false
	for _, u := range units {
		if (dir == u.path || strings.HasPrefix(dir, u.path+"/")) && len(u.path) > len(best.path) {
			best, found = u, true
		}
	}
	return best, found
}

// allowed is the rule: an import from a lower floor or from the package's own unit; the
// foundation (floor 0) is one floor that imports only itself, so its units may use each other.
func allowed(from, to unit) bool {
	return to.path == from.path || to.floor < from.floor || (from.floor == 0 && to.floor == 0)
}

// imports lists the module's packages (folders relative to the root) with the module
// packages their non-test files import, under any build tag.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if _, ok := out[dir]; !ok {
			out[dir] = nil
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if rel, ok := strings.CutPrefix(p, module+"/"); ok && !slices.Contains(out[dir], rel) {
				out[dir] = append(out[dir], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestArchitecture checks the floors of docs/ARCHITECTURE.md: every package is in a unit,
// and imports only from lower floors or from its own unit.
func TestArchitecture(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	units := readFloors(t, root)
	pkgs := imports(t, root)
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		from, ok := unitOf(units, dir)
		if !ok {
			t.Errorf("package %s is in no row of the floors table of docs/ARCHITECTURE.md: add it", dir)
			continue
		}
		for _, im := range pkgs[dir] {
			to, ok := unitOf(units, im)
			switch {
			case !ok:
				t.Errorf("%s imports %s, which is in no row of docs/ARCHITECTURE.md", dir, im)
			case !allowed(from, to):
				t.Errorf("%s (floor %d, %s) imports %s (floor %d, %s): a package imports only from lower floors or its own unit",
					dir, from.floor, from.path, im, to.floor, to.path)
			}
		}
	}
}

// The check must be able to fail: an import from a unit beside it, or from above, is caught.
func TestArchitectureRule(t *testing.T) {
	units := []unit{{0, "internal/money"}, {0, "internal/canon"}, {1, "ingest"}, {1, "rules"}, {3, "cmd/moneytrail"}}
	cases := []struct {
		from, to string
		ok       bool
	}{
		{"ingest/camt", "internal/money", true},
		{"ingest/mto", "ingest/csvprofile", true},
		{"rules", "ingest", false},
		{"internal/money", "rules", false},
		{"cmd/moneytrail/demo", "rules", true},
		{"internal/money", "internal/canon", true},
		{"internal/canon", "ingest", false},
		{"rules", "cmd/moneytrail/demo", false},
	}
	for _, c := range cases {
		f, _ := unitOf(units, c.from)
		to, _ := unitOf(units, c.to)
		if ok := allowed(f, to); ok != c.ok {
			t.Errorf("%s -> %s: allowed %v, want %v", c.from, c.to, ok, c.ok)
		}
	}
}
