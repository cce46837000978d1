package csvprofile

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed profiles/*.yaml
var profileFS embed.FS

// ErrUnknownProfile reports a profile name that is not built in.
var ErrUnknownProfile = errors.New("unknown profile")

// Builtins returns the names of the built-in profiles, sorted.
func Builtins() []string { return ProfileNames(profileFS, "profiles") }

// ProfileNames returns the names of the profiles in directory dir of fsys: its .yaml
// files without the suffix, sorted; nil when dir cannot be read. It lists the built-in
// profiles a package embeds (this one's, and the XLSX and operator profiles).
func ProfileNames(fsys fs.FS, dir string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Builtin returns a fresh copy of the built-in profile called name ("raiffeisen-at").
func Builtin(name string) (*Profile, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("%w %q (built-in profiles: %s)", ErrUnknownProfile, name, strings.Join(Builtins(), ", "))
	}
	data, err := profileFS.ReadFile(path.Join("profiles", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w %q (built-in profiles: %s)", ErrUnknownProfile, name, strings.Join(Builtins(), ", "))
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in profile %s: %w", name, err)
	}
	if p.Name != name {
		return nil, fmt.Errorf("%w: built-in profile file %s.yaml is named %q", ErrProfile, name, p.Name)
	}
	return p, nil
}

// Resolve returns the built-in profile called nameOrPath, or loads the YAML file at that
// path when it is not a built-in name (a path has a slash or a .yaml/.yml suffix).
func Resolve(nameOrPath string) (*Profile, error) {
	if strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") {
		return Load(nameOrPath)
	}
	return Builtin(nameOrPath)
}

// detectPrefix bounds how much of a file Detect looks at.
const detectPrefix = 64 << 10

// Detect picks the built-in profile whose header signature the file's header matches
// exactly (cells in order, trimmed), reading the header where that profile expects it.
// It is conservative: ok is false when no profile or more than one matches, and
// headerless layouts are never detected.
func Detect(data []byte) (name string, ok bool) {
	if len(data) > detectPrefix {
		data = data[:detectPrefix]
	}
	var found []string
	for _, n := range Builtins() {
		p, err := Builtin(n)
		if err != nil || len(p.Signature) == 0 {
			continue
		}
		if matchesSignature(data, p) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

func matchesSignature(data []byte, p *Profile) bool {
	pl, err := compile(p)
	if err != nil {
		return false
	}
	text, _, err := pl.enc.decode(data)
	if err != nil {
		return false
	}
	sc := newScanner(text, pl.delim, pl.quote, p.LazyQuotes)
	if pl.headerRE != nil {
		for {
			pos, line := sc.pos, sc.line
			t, ok := sc.skipLine()
			if !ok {
				return false
			}
			if pl.headerRE.MatchString(t) {
				sc.pos, sc.line = pos, line
				break
			}
		}
	} else {
		for i := 0; i < p.SkipLines; i++ {
			if _, ok := sc.skipLine(); !ok {
				return false
			}
		}
	}
	rec, ok := sc.next()
	if !ok || rec.err != "" || len(rec.fields) != len(p.Signature) {
		return false
	}
	for i, f := range rec.fields {
		if strings.TrimSpace(f) != p.Signature[i] {
			return false
		}
	}
	return true
}
