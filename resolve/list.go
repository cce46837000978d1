package resolve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// List formats ReadList knows.
const (
	// ListSimple is OpenSanctions' targets.simple.csv: id, schema, name, aliases,
	// birth_date, countries, addresses, identifiers, ... with several values in one cell
	// separated by ";".
	ListSimple = "opensanctions-simple"
	// ListFtM is FollowTheMoney entities, one JSON object a line (entities.ftm.json):
	// {"id", "schema", "properties": {"name": [...], "alias": [...], "birthDate": [...], ...}}.
	ListFtM = "ftm"
	// ListNames is any CSV with a name column (name, full_name or fullname) and optionally
	// birth_date (or dob, date_of_birth), id, aliases, country and identifiers.
	ListNames = "names"
)

// Entry is one entry of a screening list: its id (the list's own, else "line N"), its
// schema (Person, Company, ...; "" when the list does not say) and its attributes as a
// Party whose ID is the entry's.
type Entry struct {
	Schema string
	Party  *Party
}

// ListError is an entry of a list that could not be read.
type ListError struct {
	Line   int
	Field  string
	Reason string
}

// Error implements error: "line 12, field name: empty".
func (e ListError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, field %s: %s", e.Line, e.Field, e.Reason)
}

// ErrList reports a file that is no screening list ReadList can read.
var ErrList = errors.New("not a screening list")

// ftmSchemas are the FollowTheMoney schemas of parties; the other entities of an export
// (sanctions, addresses, identifications, ownerships) describe them and are left out.
var ftmSchemas = map[string]bool{"Person": true, "LegalEntity": true, "Company": true, "Organization": true, "PublicBody": true}

// ftmIDs are the FollowTheMoney properties holding document and registry numbers.
var ftmIDs = []string{"idNumber", "passportNumber", "taxNumber", "registrationNumber", "innCode", "ogrnCode", "vatCode", "leiCode", "swiftBic"}

// ReadList reads a screening list: the format from its first bytes (a JSON object: FtM;
// a CSV header with schema, name and aliases: OpenSanctions simple; else a CSV of names).
// It is a pure reader: the entries in file order, and the lines it could not read.
func ReadList(name string, data []byte) (format string, entries []Entry, errs []ListError, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		entries, errs = readFtM(name, data)
		return ListFtM, entries, errs, nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w: %s: %v", ErrList, name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	format = ListNames
	if _, ok := col["schema"]; ok {
		if _, ok := col["aliases"]; ok {
			format = ListSimple
		}
	}
	nameCol := first(col, "name", "full_name", "fullname")
	if nameCol < 0 {
		return "", nil, nil, fmt.Errorf("%w: %s: the header %q has no name, full_name or fullname column", ErrList, name, strings.Join(header, ","))
	}
	get := func(rec []string, keys ...string) string {
		if i := first(col, keys...); i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, ListError{Line: line, Reason: err.Error()})
			if pe == nil {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if nameCol >= len(rec) {
			errs = append(errs, ListError{Line: line, Field: header[nameCol], Reason: fmt.Sprintf("%d fields, the name is field %d", len(rec), nameCol+1)})
			continue
		}
		n := strings.TrimSpace(rec[nameCol])
		if n == "" || len(ParseName(n).Words) == 0 {
			errs = append(errs, ListError{Line: line, Field: header[nameCol], Reason: "no name"})
			continue
		}
		id := get(rec, "id")
		if id == "" {
			id = "line " + strconv.Itoa(line)
		}
		p := &Party{ID: id}
		add := func(kind, values string, sep string) {
			for _, v := range strings.Split(values, sep) {
				if v = strings.TrimSpace(v); v != "" {
					p.Attrs = append(p.Attrs, Attr{Kind: kind, Value: v, Source: name, Record: int64(line)})
				}
			}
		}
		add("name", n, "\x00")
		add("name", get(rec, "aliases"), ";")
		add("birth_date", get(rec, "birth_date", "dob", "date_of_birth"), ";")
		add("country", strings.ToUpper(get(rec, "countries", "country", "nationality")), ";")
		add("id:listed", get(rec, "identifiers"), ";")
		add("phone", get(rec, "phones", "phone"), ";")
		entries = append(entries, Entry{Schema: get(rec, "schema"), Party: p})
	}
	return format, entries, errs, nil
}

// readFtM reads FollowTheMoney JSON lines, keeping the entities that are parties.
func readFtM(name string, data []byte) ([]Entry, []ListError) {
	var entries []Entry
	var errs []ListError
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := i + 1
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var e struct {
			ID         string              `json:"id"`
			Schema     string              `json:"schema"`
			Properties map[string][]string `json:"properties"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			errs = append(errs, ListError{Line: line, Reason: "not a JSON entity: " + err.Error()})
			continue
		}
		if !ftmSchemas[e.Schema] {
			continue
		}
		p := &Party{ID: e.ID}
		if p.ID == "" {
			p.ID = "line " + strconv.Itoa(line)
		}
		add := func(kind string, props ...string) {
			for _, prop := range props {
				for _, v := range e.Properties[prop] {
					if v = strings.TrimSpace(v); v != "" {
						if kind == "country" {
							v = strings.ToUpper(v)
						}
						p.Attrs = append(p.Attrs, Attr{Kind: kind, Value: v, Source: name, Record: int64(line)})
					}
				}
			}
		}
		add("name", "name", "alias", "previousName", "weakAlias")
		if len(p.Names()) == 0 {
			errs = append(errs, ListError{Line: line, Field: "properties.name", Reason: "no name"})
			continue
		}
		add("birth_date", "birthDate", "incorporationDate")
		add("country", "nationality", "citizenship", "country", "jurisdiction")
		add("id:listed", ftmIDs...)
		add("phone", "phone")
		entries = append(entries, Entry{Schema: e.Schema, Party: p})
	}
	return entries, errs
}

// first is the column of the first of keys the header has, or -1.
func first(col map[string]int, keys ...string) int {
	for _, k := range keys {
		if i, ok := col[k]; ok {
			return i
		}
	}
	return -1
}
