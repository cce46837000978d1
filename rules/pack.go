package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrPack reports a pack that cannot be read or does not validate. Errors wrapping it name the
// pack and, where the problem is in a rule, the rule.
var ErrPack = errors.New("invalid rule pack")

//go:embed packs/*.yaml
var builtinFS embed.FS

// Pack is one parsed rule pack (DESIGN.md §5).
type Pack struct {
	Name        string  `yaml:"pack"`
	Version     string  `yaml:"version"`
	Description string  `yaml:"description"`
	Rules       []*Rule `yaml:"rules"`

	// Origin is "builtin:NAME" for an embedded pack and the file path otherwise.
	Origin string `yaml:"-"`
	// SHA256 is the hex SHA-256 of the pack file's bytes.
	SHA256 string `yaml:"-"`
}

// Rule is one rule of a pack: an SQL query over the case's views, or a trace step that seeds
// the tracer with earlier rules' findings and queries the positions it leaves.
type Rule struct {
	ID        string            `yaml:"id"`
	Title     string            `yaml:"title"`
	Severity  string            `yaml:"severity"`
	Rationale string            `yaml:"rationale"`
	Params    map[string]*Param `yaml:"params"`
	SQL       string            `yaml:"sql"`
	Trace     *TraceStep        `yaml:"trace"`
}

// TraceStep is the trace part of a rule. The tracer is seeded with the evidence transactions
// of the named earlier rules' findings (credits into accounts that are not exits), replays the
// case under Method, and the rule's sql then runs over the temporary tables rule_positions
// (holder, holder_kind, party_id, origin, amount) and rule_flows (txn_id, booked_at,
// from_account, to_account, origin, amount) holding the tainted part of the result.
type TraceStep struct {
	// Seeds are ids of earlier rules of the same pack.
	Seeds []string `yaml:"seeds"`
	// Method is a tracing method name (fifo, lifo, prorata, libr, tainted-first, poison) or
	// $NAME of one of the rule's string parameters holding one.
	Method string `yaml:"method"`
	// GroupSeeds traces all seeds as one origin ("seeds").
	GroupSeeds bool `yaml:"group_seeds"`
}

// Severities a rule may declare.
var Severities = []string{"info", "low", "medium", "high"}

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	semverPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
)

// Builtins returns the names of the embedded packs, sorted.
func Builtins() []string {
	ents, _ := builtinFS.ReadDir("packs")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Load reads a pack given as a built-in pack's name or as the path of a YAML file and checks
// its structure (not its queries: see Check).
func Load(nameOrPath string) (*Pack, error) {
	if slices.Contains(Builtins(), nameOrPath) {
		b, err := builtinFS.ReadFile(path.Join("packs", nameOrPath+".yaml"))
		if err != nil {
			return nil, err
		}
		return Parse(b, "builtin:"+nameOrPath)
	}
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(nameOrPath, "./\\") {
			return nil, fmt.Errorf("%w: no built-in pack %q (built-in: %s) and no such file", ErrPack, nameOrPath, strings.Join(Builtins(), ", "))
		}
		return nil, fmt.Errorf("%w: %w", ErrPack, err)
	}
	return Parse(b, nameOrPath)
}

// Parse reads a pack from YAML bytes; origin names it in errors and in run manifests. Unknown
// keys are errors, so a misspelt field is not silently ignored. Every structural problem is
// reported, each naming its rule.
func Parse(b []byte, origin string) (*Pack, error) {
	var p Pack
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPack, origin, err)
	}
	sum := sha256.Sum256(b)
	p.SHA256 = hex.EncodeToString(sum[:])
	p.Origin = origin
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Rule returns the rule with the given id, or nil.
func (p *Pack) Rule(id string) *Rule {
	for _, r := range p.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// validate checks everything that needs no database: names, versions, unique ids, parameter
// declarations and defaults, and that trace steps name earlier rules.
func (p *Pack) validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: "+format, append([]any{ErrPack, p.Origin}, a...)...))
	}
	if !idPattern.MatchString(p.Name) {
		bad("pack name %q: want lower-case letters, digits and _", p.Name)
	}
	if !semverPattern.MatchString(p.Version) {
		bad("version %q is not semver (MAJOR.MINOR.PATCH)", p.Version)
	}
	if len(p.Rules) == 0 {
		bad("no rules")
	}
	seen := map[string]int{}
	for i, r := range p.Rules {
		where := fmt.Sprintf("rule %d", i+1)
		if r.ID != "" {
			where = "rule " + r.ID
		}
		rbad := func(format string, a ...any) { bad(where+": "+format, a...) }
		switch {
		case r.ID == "":
			rbad("no id")
		case !idPattern.MatchString(r.ID):
			rbad("id %q: want lower-case letters, digits and _", r.ID)
		case seen[r.ID] > 0:
			rbad("duplicate id (also rule %d)", seen[r.ID])
		}
		if r.ID != "" && seen[r.ID] == 0 {
			seen[r.ID] = i + 1
		}
		if strings.TrimSpace(r.Title) == "" {
			rbad("no title")
		}
		if !slices.Contains(Severities, r.Severity) {
			rbad("severity %q: want one of %s", r.Severity, strings.Join(Severities, ", "))
		}
		if strings.TrimSpace(r.Rationale) == "" {
			rbad("no rationale (the typology and its source)")
		}
		if strings.TrimSpace(r.SQL) == "" {
			rbad("no sql")
		}
		for _, name := range r.ParamNames() {
			if err := r.Params[name].init(name); err != nil {
				rbad("%v", err)
			}
		}
		if t := r.Trace; t != nil {
			if len(t.Seeds) == 0 {
				rbad("trace: no seeds (ids of earlier rules)")
			}
			for _, s := range t.Seeds {
				if seen[s] == 0 || seen[s] == i+1 {
					rbad("trace: seeds: %q is not an earlier rule of this pack", s)
				}
			}
			if _, err := r.traceMethod(nil); err != nil {
				rbad("trace: %v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// ParamNames returns the rule's parameter names, sorted.
func (r *Rule) ParamNames() []string {
	names := make([]string, 0, len(r.Params))
	for n := range r.Params {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Subset returns a copy of the pack holding only the named rules and the earlier rules their
// trace steps take seeds from, in pack order; an unknown id is an error. The copy keeps the
// pack's version and SHA-256: the manifest lists the rules that ran.
func (p *Pack) Subset(ids ...string) (*Pack, error) {
	want := map[string]bool{}
	for _, id := range ids {
		if p.Rule(id) == nil {
			return nil, fmt.Errorf("%w: pack %s has no rule %q", ErrPack, p.Name, id)
		}
		want[id] = true
	}
	for i := len(p.Rules) - 1; i >= 0; i-- {
		if r := p.Rules[i]; want[r.ID] && r.Trace != nil {
			for _, s := range r.Trace.Seeds {
				want[s] = true
			}
		}
	}
	q := *p
	q.Rules = nil
	for _, r := range p.Rules {
		if want[r.ID] {
			q.Rules = append(q.Rules, r)
		}
	}
	return &q, nil
}
