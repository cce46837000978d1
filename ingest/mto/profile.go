package mto

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
)

// ErrProfile reports a profile that is not valid; the message names the YAML field.
var ErrProfile = errors.New("invalid MTO profile")

//go:embed profiles/*.yaml
var builtinFS embed.FS

// Profile describes one operator's CSV layout of transfer records. It is read from YAML
// (profiles/mto-generic.yaml is the commented reference); a Profile is never modified by
// Read, so one value may be shared by concurrent readers.
type Profile struct {
	// Name identifies the profile ("mto-generic").
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Operator names the operator of every record ("western-union"); a column
	// (Columns.Operator) or Options.Operator may give it instead.
	Operator string `yaml:"operator"`
	// Notation gives the encoding (utf-8 by default, or one of csvprofile.Encodings()),
	// the date_layouts of send and pay-out times, and the number notation of amounts
	// (number: decimal, thousands, strip), read and checked as in a bank CSV profile.
	csvprofile.Notation `yaml:",inline"`
	// Delimiter is one ASCII character or "tab"; default ",".
	Delimiter string `yaml:"delimiter"`
	// SkipLines is the number of lines before the header.
	SkipLines int `yaml:"skip_lines"`
	// BirthDateLayouts are Go layouts for birth dates; default DateLayouts.
	BirthDateLayouts []string `yaml:"birth_date_layouts"`
	// UTCOffset, when set ("+01:00"), is the offset of times written without one; they are
	// converted to UTC. Empty means the times are stored as written, as UTC.
	UTCOffset string `yaml:"utc_offset"`
	// Status lists, per canonical status, the operator's words for it (case-insensitive).
	Status struct {
		Paid      []string `yaml:"paid"`
		Cancelled []string `yaml:"cancelled"`
		Refunded  []string `yaml:"refunded"`
		Pending   []string `yaml:"pending"`
	} `yaml:"status"`
	// Columns maps canonical fields to header names.
	Columns Columns `yaml:"columns"`
}

// Columns maps the fields of a transfer record to header names; empty means absent.
type Columns struct {
	Operator            string `yaml:"operator"`
	MTCN                string `yaml:"mtcn"`
	Status              string `yaml:"status"`
	SendTime            string `yaml:"send_time"`
	PayoutTime          string `yaml:"payout_time"`
	SenderName          string `yaml:"sender_name"`
	SenderCountry       string `yaml:"sender_country"`
	SenderCity          string `yaml:"sender_city"`
	SenderBirthDate     string `yaml:"sender_birth_date"`
	SenderIDType        string `yaml:"sender_id_type"`
	SenderIDNumber      string `yaml:"sender_id_number"`
	SenderPhone         string `yaml:"sender_phone"`
	ReceiverName        string `yaml:"receiver_name"`
	ReceiverCountry     string `yaml:"receiver_country"`
	ReceiverCity        string `yaml:"receiver_city"`
	ReceiverBirthDate   string `yaml:"receiver_birth_date"`
	ReceiverIDType      string `yaml:"receiver_id_type"`
	ReceiverIDNumber    string `yaml:"receiver_id_number"`
	ReceiverPhone       string `yaml:"receiver_phone"`
	SendAmount          string `yaml:"send_amount"`
	SendCurrency        string `yaml:"send_currency"`
	Fee                 string `yaml:"fee"`
	PayoutAmount        string `yaml:"payout_amount"`
	PayoutCurrency      string `yaml:"payout_currency"`
	SendAgentID         string `yaml:"send_agent_id"`
	SendAgentLocation   string `yaml:"send_agent_location"`
	PayoutAgentID       string `yaml:"payout_agent_id"`
	PayoutAgentLocation string `yaml:"payout_agent_location"`
}

// ParseProfile reads and validates a profile from YAML. Unknown fields are errors, so a typo
// does not silently disable a column.
func ParseProfile(data []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Builtins lists the names of the built-in profiles, sorted.
func Builtins() []string { return csvprofile.ProfileNames(builtinFS, "profiles") }

// Builtin returns the built-in profile called name.
func Builtin(name string) (*Profile, error) {
	data, err := builtinFS.ReadFile("profiles/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w: no built-in profile %q (built-in: %v)", ErrProfile, name, Builtins())
	}
	return ParseProfile(data)
}

// Resolve returns the built-in profile called nameOrPath, or else reads the YAML file at that
// path. It is the one function here that reads a file, for the CLI's --profile.
func Resolve(nameOrPath string) (*Profile, error) {
	for _, b := range Builtins() {
		if b == nameOrPath {
			return Builtin(b)
		}
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is neither a built-in profile (%v) nor a readable file: %v", ErrProfile, nameOrPath, Builtins(), err)
	}
	p, err := ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", nameOrPath, err)
	}
	return p, nil
}

// Validate reports the first problem of the profile, naming the YAML field.
func (p *Profile) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w %q: %s: %s", ErrProfile, p.Name, field, fmt.Sprintf(format, args...))
	}
	if p.Name == "" {
		return bad("name", "required")
	}
	notation := func(err error) error {
		var fe *csvprofile.FieldError
		if errors.As(err, &fe) {
			return bad(fe.Field, "%s", fe.Reason)
		}
		return err
	}
	if _, err := p.Charmap(); err != nil {
		return notation(err)
	}
	if d := p.Delimiter; d != "" && d != "tab" && (len(d) != 1 || d[0] >= 0x80 || d[0] == '"' || d[0] == '\n' || d[0] == '\r') {
		return bad("delimiter", "want one ASCII character or \"tab\", got %q", d)
	}
	if p.SkipLines < 0 {
		return bad("skip_lines", "negative")
	}
	if err := p.CheckDates(); err != nil {
		return notation(err)
	}
	if p.UTCOffset != "" {
		if _, err := time.Parse("-07:00", p.UTCOffset); err != nil {
			return bad("utc_offset", "want +HH:MM or -HH:MM, got %q", p.UTCOffset)
		}
	}
	if _, err := p.Number.Money(); err != nil {
		return notation(err)
	}
	if len(p.Status.Paid) == 0 {
		return bad("status.paid", "at least one word for a paid transfer is required")
	}
	c := p.Columns
	for _, r := range []struct{ field, col string }{
		{"columns.mtcn", c.MTCN}, {"columns.status", c.Status}, {"columns.send_time", c.SendTime},
		{"columns.sender_name", c.SenderName}, {"columns.receiver_name", c.ReceiverName},
		{"columns.send_amount", c.SendAmount}, {"columns.send_currency", c.SendCurrency},
	} {
		if r.col == "" {
			return bad(r.field, "required")
		}
	}
	return nil
}

// delimiter gives the field separator.
func (p *Profile) delimiter() rune {
	switch p.Delimiter {
	case "":
		return ','
	case "tab":
		return '\t'
	}
	return rune(p.Delimiter[0])
}
