// Package corpus locates the shared corpus of real export files (../shared/corpus beside the
// project) for tests, and skips a test cleanly where it is absent, as in a user's clone.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Dir returns the corpus directory, found by walking up from the working directory to the
// module root (the folder holding go.mod) and looking beside it in ../shared/corpus. It
// returns "" when there is none.
func Dir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(d, "..", "shared", "corpus")
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// absent says once per test binary, on standard error, that the corpus is missing: a user's
// clone has none, and one line says why its corpus tests skip, not one per test.
var absent sync.Once

// Require returns the corpus directory, or skips t (saying once per test binary that the
// corpus is absent) when there is none.
func Require(t testing.TB) string {
	t.Helper()
	d := Dir()
	if d == "" {
		absent.Do(func() {
			fmt.Fprintln(os.Stderr, "corpus: ../shared/corpus is absent beside the project; the tests that read it skip")
		})
		t.SkipNow()
	}
	return d
}

// Path returns the path of a corpus file given relative to the corpus root (for example
// "csv-banks/nblock__ofxstatement-austrian__raiffeisen.csv"), skipping t when the corpus or
// the file is absent.
func Path(t testing.TB, rel string) string {
	t.Helper()
	d := Require(t)
	p := filepath.Join(d, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus file %s is absent", rel)
	}
	return p
}

// Read returns the bytes of a corpus file, skipping t when it is absent.
func Read(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Seed adds the corpus files matching pattern (relative to the corpus root, e.g.
// "camt/*.xml") of at most maxBytes bytes (0: any size) to a fuzz target's seed corpus, in
// name order. Without a corpus it adds nothing: the target runs on its own seeds.
func Seed(f *testing.F, pattern string, maxBytes int) {
	d := Dir()
	if d == "" {
		return
	}
	files, _ := filepath.Glob(filepath.Join(d, filepath.FromSlash(pattern)))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && (maxBytes == 0 || len(b) <= maxBytes) {
			f.Add(b)
		}
	}
}
