package rules

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/shopspring/decimal"
)

// Parameter types.
const (
	TypeInt      = "int"
	TypeDecimal  = "decimal"
	TypeDuration = "duration"
	TypeString   = "string"
	TypeStrings  = "strings"
)

// ErrParam reports a parameter value that does not fit its declaration or names an unknown
// rule or parameter.
var ErrParam = errors.New("invalid rule parameter")

// Param declares one typed parameter of a rule. In the query it is $NAME, bound as a query
// parameter, never pasted into the text: int binds as BIGINT, decimal as its exact text (write
// CAST($NAME AS DECIMAL(38,6)) where the type cannot be inferred), duration as an INTERVAL,
// string as VARCHAR and strings as VARCHAR[].
type Param struct {
	Type    string `yaml:"type"`
	Default any    `yaml:"default"`
	Doc     string `yaml:"doc"`
	// Min and Max bound an int or decimal (inclusive), as text.
	Min string `yaml:"min"`
	Max string `yaml:"max"`
	// Pattern is a regular expression every string (or list element) must match in full.
	Pattern string `yaml:"pattern"`
	// Values, when given, are the only strings allowed.
	Values []string `yaml:"values"`
	// Version stamps an editable list (for example the route-country list): it is recorded
	// in the manifest with the value, and marked as overridden when the value is replaced.
	Version string `yaml:"version"`

	def     Value
	pattern *regexp.Regexp
}

// Value is a parameter's value: canonical text (Text) or, for strings, the list.
type Value struct {
	Type string
	Text string
	List []string
}

// MarshalJSON writes a value as the manifest stores it: a string, or a list of strings.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.Type == TypeStrings {
		l := v.List
		if l == nil {
			l = []string{}
		}
		return json.Marshal(l)
	}
	return json.Marshal(v.Text)
}

// UnmarshalJSON reads a value as MarshalJSON writes it.
func (v *Value) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		v.Type = TypeStrings
		return json.Unmarshal(b, &v.List)
	}
	return json.Unmarshal(b, &v.Text)
}

// Raw returns the value as --param text would give it (a JSON array for lists).
func (v Value) Raw() string {
	if v.Type == TypeStrings {
		b, _ := v.MarshalJSON()
		return string(b)
	}
	return v.Text
}

// arg returns the value bound to $name.
func (v Value) arg(name string) any {
	switch v.Type {
	case TypeInt:
		n, _ := strconv.ParseInt(v.Text, 10, 64)
		return sql.Named(name, n)
	case TypeDuration:
		iv, _ := parseDuration(v.Text)
		return sql.Named(name, iv)
	case TypeStrings:
		l := v.List
		if l == nil {
			l = []string{}
		}
		return sql.Named(name, l)
	}
	return sql.Named(name, v.Text)
}

func (p *Param) init(name string) error {
	if p == nil {
		return fmt.Errorf("param %s: empty declaration", name)
	}
	switch p.Type {
	case TypeInt, TypeDecimal, TypeDuration, TypeString, TypeStrings:
	default:
		return fmt.Errorf("param %s: type %q: want int, decimal, duration, string or strings", name, p.Type)
	}
	if p.Pattern != "" {
		re, err := regexp.Compile(`^(?:` + p.Pattern + `)$`)
		if err != nil {
			return fmt.Errorf("param %s: pattern: %w", name, err)
		}
		p.pattern = re
	}
	if p.Default == nil {
		return fmt.Errorf("param %s: no default", name)
	}
	v, err := p.fromYAML(p.Default)
	if err != nil {
		return fmt.Errorf("param %s: default: %w", name, err)
	}
	p.def = v
	return nil
}

// fromYAML converts a decoded YAML default.
func (p *Param) fromYAML(d any) (Value, error) {
	if p.Type == TypeStrings {
		l, ok := d.([]any)
		if !ok {
			return Value{}, fmt.Errorf("want a list of strings, got %v", d)
		}
		var ss []string
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				s = fmt.Sprint(e)
			}
			ss = append(ss, s)
		}
		return p.check(Value{Type: TypeStrings, List: ss})
	}
	switch d.(type) {
	case []any, map[string]any:
		return Value{}, fmt.Errorf("want a single %s, got %v", p.Type, d)
	}
	return p.Parse(fmt.Sprint(d))
}

// Parse reads a value given as text (--param RULE.NAME=TEXT): lists as comma-separated
// strings or as a JSON array.
func (p *Param) Parse(s string) (Value, error) {
	s = strings.TrimSpace(s)
	v := Value{Type: p.Type}
	switch p.Type {
	case TypeInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, fmt.Errorf("%q is not an integer", s)
		}
		v.Text = strconv.FormatInt(n, 10)
	case TypeDecimal:
		d, err := decimal.NewFromString(s)
		if err != nil || strings.ContainsAny(s, "eE") {
			return v, fmt.Errorf("%q is not a decimal number (digits with a dot)", s)
		}
		v.Text = d.String()
	case TypeDuration:
		if _, err := parseDuration(s); err != nil {
			return v, err
		}
		v.Text = s
	case TypeString:
		v.Text = s
	case TypeStrings:
		if strings.HasPrefix(s, "[") {
			if err := json.Unmarshal([]byte(s), &v.List); err != nil {
				return v, fmt.Errorf("%q is not a JSON array of strings: %w", s, err)
			}
		} else if s != "" {
			for _, e := range strings.Split(s, ",") {
				v.List = append(v.List, strings.TrimSpace(e))
			}
		}
	}
	return p.check(v)
}

// check applies min, max, pattern and values.
func (p *Param) check(v Value) (Value, error) {
	switch p.Type {
	case TypeInt, TypeDecimal:
		d, _ := decimal.NewFromString(v.Text)
		if p.Min != "" {
			if m, err := decimal.NewFromString(p.Min); err != nil {
				return v, fmt.Errorf("min %q is not a number", p.Min)
			} else if d.LessThan(m) {
				return v, fmt.Errorf("%s is below the minimum %s", v.Text, p.Min)
			}
		}
		if p.Max != "" {
			if m, err := decimal.NewFromString(p.Max); err != nil {
				return v, fmt.Errorf("max %q is not a number", p.Max)
			} else if d.GreaterThan(m) {
				return v, fmt.Errorf("%s is above the maximum %s", v.Text, p.Max)
			}
		}
	case TypeString, TypeStrings:
		list := v.List
		if p.Type == TypeString {
			list = []string{v.Text}
		}
		for _, s := range list {
			if p.pattern != nil && !p.pattern.MatchString(s) {
				return v, fmt.Errorf("%q does not match %s", s, p.Pattern)
			}
			if len(p.Values) > 0 && !slices.Contains(p.Values, s) {
				return v, fmt.Errorf("%q: want one of %s", s, strings.Join(p.Values, ", "))
			}
		}
	}
	return v, nil
}

var durationPattern = regexp.MustCompile(`^([0-9]+)([wdhm])$`)

// parseDuration reads 30d, 2w, 36h or 90m (or a combination Go's time.ParseDuration reads,
// in whole minutes or more) as an INTERVAL.
func parseDuration(s string) (duckdb.Interval, error) {
	if m := durationPattern.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 32)
		if err != nil {
			return duckdb.Interval{}, fmt.Errorf("duration %q is too long", s)
		}
		switch m[2] {
		case "w":
			return duckdb.Interval{Days: int32(n * 7)}, nil
		case "d":
			return duckdb.Interval{Days: int32(n)}, nil
		case "h":
			return duckdb.Interval{Micros: n * 3600e6}, nil
		default:
			return duckdb.Interval{Micros: n * 60e6}, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return duckdb.Interval{}, fmt.Errorf("%q is not a duration (e.g. 30d, 2w, 36h, 90m)", s)
	}
	return duckdb.Interval{Micros: d.Microseconds()}, nil
}

// Overrides are --param values: "RULE.NAME" -> text.
type Overrides map[string]string

// ParseOverrides reads RULE.NAME=VALUE arguments.
func ParseOverrides(args []string) (Overrides, error) {
	o := Overrides{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		rule, name, ok2 := strings.Cut(k, ".")
		if !ok || !ok2 || rule == "" || name == "" {
			return nil, fmt.Errorf("%w: --param %q: want RULE.NAME=VALUE", ErrParam, a)
		}
		o[strings.TrimSpace(k)] = v
	}
	return o, nil
}

// RuleParams are one rule's resolved parameters.
type RuleParams map[string]ResolvedParam

// ResolvedParam is a parameter's value in a run, as the manifest records it.
type ResolvedParam struct {
	Type       string `json:"type"`
	Value      Value  `json:"value"`
	Overridden bool   `json:"overridden,omitempty"`
	Version    string `json:"version,omitempty"`
}

// resolve gives every parameter of the packs' rules its value: the override when given,
// else the default. An override naming no rule or parameter of the packs is an error.
func resolve(packs []*Pack, o Overrides) (map[string]RuleParams, error) {
	out := map[string]RuleParams{}
	used := map[string]bool{}
	var errs []error
	for _, p := range packs {
		for _, r := range p.Rules {
			rp := RuleParams{}
			for _, name := range r.ParamNames() {
				decl := r.Params[name]
				key := r.ID + "." + name
				v, over := decl.def, false
				if raw, ok := o[key]; ok {
					used[key] = true
					pv, err := decl.Parse(raw)
					if err != nil {
						errs = append(errs, fmt.Errorf("%w: --param %s (%s): %w", ErrParam, key, decl.Type, err))
						continue
					}
					v, over = pv, true
				}
				rp[name] = ResolvedParam{Type: decl.Type, Value: v, Overridden: over, Version: decl.Version}
			}
			out[r.ID] = rp
		}
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !used[k] {
			errs = append(errs, fmt.Errorf("%w: --param %s: no such rule parameter in the packs run", ErrParam, k))
		}
	}
	return out, errors.Join(errs...)
}

// traceMethod returns the method of the rule's trace step, reading $NAME from its parameters
// (their defaults when rp is nil).
func (r *Rule) traceMethod(rp RuleParams) (string, error) {
	m := strings.TrimSpace(r.Trace.Method)
	if name, ok := strings.CutPrefix(m, "$"); ok {
		decl := r.Params[name]
		if decl == nil || decl.Type != TypeString {
			return "", fmt.Errorf("method %s: not a string parameter of the rule", m)
		}
		m = decl.def.Text
		if v, ok := rp[name]; ok {
			m = v.Value.Text
		}
	}
	if m == "" {
		m = "libr"
	}
	name := strings.ToLower(m)
	if !slices.Contains(casedb.TraceMethods, name) {
		if name == "all" || strings.Contains(name, ",") {
			return "", fmt.Errorf("method %q: a trace step uses one method", m)
		}
		return "", fmt.Errorf("method: unknown method %q (want one of %s)", name, strings.Join(casedb.TraceMethods, ", "))
	}
	return name, nil
}

// DefaultArgs returns named arguments that bind every parameter of the rule at its default,
// in name order: for running the query directly, as `moneytrail bench` does for its floor.
// The driver binds by name and leaves an argument the query does not use aside.
func (r *Rule) DefaultArgs() []any {
	var args []any
	for _, name := range r.ParamNames() {
		args = append(args, r.Params[name].def.arg(name))
	}
	return args
}

// DefaultValue returns the parameter's default.
func (p *Param) DefaultValue() Value { return p.def }
