package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// sourceOptions is sources.options_json: how ingest read the file, so that verify can read
// it again the same way, and where it lay relative to the case.
type sourceOptions struct {
	Account  string `json:"account,omitempty"`
	Operator string `json:"operator,omitempty"`
	Strict   bool   `json:"strict,omitempty"`
	// RelativeToCase is the file's path relative to the case database's folder (slashes),
	// "" when none can be given (an in-memory case, another volume).
	RelativeToCase string `json:"relative_to_case,omitempty"`
}

func optionsOf(db *casedb.DB, abs string, opt Options) sourceOptions {
	o := sourceOptions{Account: opt.Account, Operator: opt.Operator, Strict: opt.Strict}
	if db.Path != ":memory:" {
		if dir, err := filepath.Abs(filepath.Dir(db.Path)); err == nil {
			if rel, err := filepath.Rel(dir, abs); err == nil {
				o.RelativeToCase = filepath.ToSlash(rel)
			}
		}
	}
	return o
}

func (o sourceOptions) json() string {
	b, _ := json.Marshal(o)
	return string(b)
}

// SourceCheck is what VerifySources found about one source, or with SourceID 0 about the
// tables every file's loading built together (accounts, parties, party links).
type SourceCheck struct {
	SourceID int64
	FileName string
	// Path is where the file was found ("" when it was not).
	Path string
	// Problems name every difference found: the file missing or changed, the stored rows
	// differing from those recorded at ingest or from a re-reading of the file, row by row.
	Problems []string
	// Notes say what could not be checked and why (no digest recorded before schema 6).
	Notes []string
}

// OK is true when nothing differs.
func (c *SourceCheck) OK() bool { return len(c.Problems) == 0 }

// VerifyOptions direct VerifySources.
type VerifyOptions struct {
	// Dirs are folders to look for source files in, by SHA-256, when they are not where they
	// were loaded from nor at the same place relative to the case.
	Dirs []string
	// MaxRows is the number of differing rows named per table (0: 10).
	MaxRows int
}

// VerifySources checks what the case holds against its source files. For every source, in
// order: the file is found (where it was loaded from, at the same place relative to the
// case, or by SHA-256 in opt.Dirs) and re-hashed; the digest of the rows it produced
// (casedb.SourceRowsDigest) is worked out from the rows stored now and compared with the one
// ingest recorded; then every file found is read again, in the case's order, into a scratch
// in-memory case with the options ingest used, and each source's rows there are compared
// with the stored ones, the rows that differ named table by table. db is only read (a sealed
// or read-only handle does). An error means the check itself could not be done.
func VerifySources(ctx context.Context, db *casedb.DB, opt VerifyOptions) ([]SourceCheck, error) {
	if opt.MaxRows <= 0 {
		opt.MaxRows = 10
	}
	type src struct {
		id                         int64
		path, name, sum, format    string
		profile, options, recorded sql.NullString
		bytes                      int64
		at                         time.Time
	}
	rows, err := db.QueryContext(ctx, `SELECT s.source_id, s.path, s.file_name, s.sha256, s.format, s.profile, s.options_json, r.rows_sha256, s.bytes, s.ingested_at
		FROM sources s LEFT JOIN source_rows r USING (source_id) ORDER BY s.source_id`)
	if err != nil {
		return nil, err
	}
	var srcs []src
	for rows.Next() {
		var s src
		if err := rows.Scan(&s.id, &s.path, &s.name, &s.sum, &s.format, &s.profile, &s.options, &s.recorded, &s.bytes, &s.at); err != nil {
			rows.Close()
			return nil, err
		}
		srcs = append(srcs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	base, err := db.BaseCurrency(ctx)
	if err != nil {
		return nil, err
	}
	scratch, err := casedb.Open(ctx, ":memory:", casedb.Options{Create: true, BaseCurrency: base})
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	caseDir := ""
	if db.Path != ":memory:" {
		caseDir, _ = filepath.Abs(filepath.Dir(db.Path))
	}
	checks := make([]SourceCheck, len(srcs))
	for i, s := range srcs {
		c := &checks[i]
		c.SourceID, c.FileName = s.id, s.name
		now, err := casedb.SourceRowsDigest(ctx, db, s.id)
		if err != nil {
			return nil, err
		}
		switch {
		case !s.recorded.Valid:
			c.Notes = append(c.Notes, "no digest of its rows was recorded at ingest (loaded before schema 6): the rows are compared with a re-reading only")
		case s.recorded.String != now:
			c.Problems = append(c.Problems, "the rows stored for it differ from those ingest recorded (rows digest "+short(now)+", recorded "+short(s.recorded.String)+")")
		}
		var o sourceOptions
		if s.options.Valid {
			json.Unmarshal([]byte(s.options.String), &o)
		}
		path, changed := casedb.LocateSource(caseDir, s.path, o.RelativeToCase, s.name, s.sum, s.bytes, opt.Dirs)
		switch {
		case path == "" && changed != "":
			got, _ := casedb.FileSHA256(changed)
			c.Problems = append(c.Problems, fmt.Sprintf("%s changed: SHA-256 %s, loaded as %s", changed, got, s.sum))
			continue
		case path == "":
			c.Problems = append(c.Problems, fmt.Sprintf("the file is missing: not at %s, not beside the case, and not found by its SHA-256 in the folders given", s.path))
			continue
		}
		c.Path = path
		res, err := File(ctx, scratch, path, Options{Format: s.format, Profile: s.profile.String, Account: o.Account, Operator: o.Operator, Strict: o.Strict, Now: s.at})
		if err != nil {
			c.Problems = append(c.Problems, fmt.Sprintf("reading the file again failed: %v", err))
			continue
		}
		again, err := casedb.SourceRowsDigest(ctx, scratch, res.SourceID)
		if err != nil {
			return nil, err
		}
		if again == now && (!s.recorded.Valid || again == s.recorded.String) {
			continue
		}
		if again != now {
			diffs, err := diffSource(ctx, db, s.id, scratch, res.SourceID, opt.MaxRows)
			if err != nil {
				return nil, err
			}
			c.Problems = append(c.Problems, diffs...)
		} else {
			c.Problems = append(c.Problems, "reading the file again gives the rows stored now, not those recorded at ingest (a change of parser or of an earlier file?)")
		}
	}
	// What every file's loading built together (accounts, parties and their links) is
	// compared once every file was read again in order: then the scratch case numbers its
	// sources and accounts as the case does.
	all := len(srcs) > 0
	for i := range checks {
		all = all && checks[i].Path != "" && !strings.Contains(strings.Join(checks[i].Problems, "\n"), "reading the file again failed")
	}
	derived := SourceCheck{FileName: "accounts, parties and party links"}
	if !all {
		derived.Notes = append(derived.Notes, "not compared: not every file could be read again")
	} else {
		for _, table := range casedb.DerivedTables() {
			stored, err := casedb.TableRows(ctx, db, table)
			if err != nil {
				return nil, err
			}
			read, err := casedb.TableRows(ctx, scratch, table)
			if err != nil {
				return nil, err
			}
			derived.Problems = append(derived.Problems, namedDiff(table, stored, read, opt.MaxRows)...)
		}
	}
	return append(checks, derived), nil
}

// namedDiff names the rows only stored or only read again, at most max of each.
func namedDiff(table string, stored, read []string, max int) []string {
	var out []string
	only, extra := casedb.SortedDiff(stored, read)
	for i, r := range only {
		if i == max {
			out = append(out, fmt.Sprintf("%s: ... and %d more rows stored that the files do not give", table, len(only)-max))
			break
		}
		out = append(out, fmt.Sprintf("%s: stored, not in the files: %s", table, r))
	}
	for i, r := range extra {
		if i == max {
			out = append(out, fmt.Sprintf("%s: ... and %d more rows of the files not stored", table, len(extra)-max))
			break
		}
		out = append(out, fmt.Sprintf("%s: in the files, not stored: %s", table, r))
	}
	return out
}

// diffSource names the rows that differ between source id of db and source againID of the
// scratch case, table by table, at most max of each kind per table.
func diffSource(ctx context.Context, db *casedb.DB, id int64, scratch *casedb.DB, againID int64, max int) ([]string, error) {
	var out []string
	for _, table := range casedb.SourceTables() {
		stored, err := casedb.SourceRows(ctx, db, table, id)
		if err != nil {
			return nil, err
		}
		read, err := casedb.SourceRows(ctx, scratch, table, againID)
		if err != nil {
			return nil, err
		}
		out = append(out, namedDiff(table, stored, read, max)...)
	}
	return out, nil
}

func short(d string) string { return d[:min(len(d), 12)] }
