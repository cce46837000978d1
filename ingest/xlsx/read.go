package xlsx

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/internal/canon"
)

// Options carries what the caller knows about the file.
type Options struct {
	// FileName names the file in error messages.
	FileName string
	// Account is the statement account given by the user (--account): a valid IBAN or a
	// canonical scheme:bank:number id. It wins over what the file says.
	Account string
	// MaxUnzipSize bounds the total uncompressed size of the workbook's parts in bytes;
	// zero means DefaultMaxUnzipSize. Larger workbooks are refused with ErrTooLarge.
	MaxUnzipSize int64
}

// Read reads a workbook with an XLSX profile (format: xlsx). Rows that cannot be read
// are quarantined in Batch.Errors with their spreadsheet row number, column and reason;
// the rest is loaded. Rows deliberately not loaded (balance, summary, zero-amount, empty
// and, with skip_hidden_rows, hidden rows) are in Batch.Notes with their row number,
// kind and reason, after the notes about the file. A non-nil error means nothing of the
// file should be stored: a *csvprofile.FileError wrapping ErrNotXLSX, ErrTooLarge,
// csvprofile.ErrLayout (sheet or header missing), csvprofile.ErrNoAccount, or
// csvprofile.ErrProfile.
func Read(data []byte, p *csvprofile.Profile, opt Options) (canon.Batch, error) {
	r, err := Decode(data, p, opt)
	if err != nil {
		return canon.Batch{}, err
	}
	for _, s := range r.Skipped {
		r.Batch.Notes = append(r.Batch.Notes, canon.Note{Record: s.Line, Kind: s.Kind, Text: s.Reason, Raw: s.Raw})
	}
	return r.Batch, nil
}

// Decode is Read that returns the skipped rows in Result.Skipped instead of adding them
// to Batch.Notes, as csvprofile.Decode does for CSV files.
func Decode(data []byte, p *csvprofile.Profile, opt Options) (csvprofile.Result, error) {
	fail := func(field string, err error) (csvprofile.Result, error) {
		return csvprofile.Result{}, &csvprofile.FileError{File: opt.FileName, Field: field, Err: err}
	}
	if p == nil {
		return csvprofile.Result{}, fmt.Errorf("%w: no profile", csvprofile.ErrProfile)
	}
	if err := p.Validate(); err != nil {
		return csvprofile.Result{}, err
	}
	if p.Format != "xlsx" {
		return csvprofile.Result{}, fmt.Errorf("%w %q: a CSV profile; an XLSX workbook needs a profile with format: xlsx (built-in: %s)",
			csvprofile.ErrProfile, p.Name, strings.Join(Builtins(), ", "))
	}
	sd, err := load(data, p.Sheet, opt.MaxUnzipSize)
	if err != nil {
		field := ""
		if errors.Is(err, csvprofile.ErrLayout) {
			field = "sheet"
		}
		return fail(field, err)
	}
	copt := csvprofile.Options{FileName: opt.FileName, Account: opt.Account}
	if copt.FileName != "" {
		copt.FileName += ":" + sd.name
	} else {
		copt.FileName = "sheet " + sd.name
	}
	r, err := csvprofile.DecodeRows(sd.rows, p, copt)
	if err != nil {
		return csvprofile.Result{}, err
	}
	r.Batch.Notes = append(sd.notes, r.Batch.Notes...)
	return r, nil
}

// load opens the workbook and reads one sheet. A panic inside the spreadsheet library on
// a malformed file becomes an error, so that one hostile file cannot stop an ingest run.
func load(data []byte, sheet string, limit int64) (sd sheetData, err error) {
	if limit <= 0 {
		limit = DefaultMaxUnzipSize
	}
	defer func() {
		if r := recover(); r != nil {
			sd, err = sheetData{}, fmt.Errorf("%w: malformed workbook (the spreadsheet library failed: %s)", ErrNotXLSX, short(r))
		}
	}()
	f, err := openWorkbook(data, limit)
	if err != nil {
		return sd, err
	}
	defer f.Close()
	return readSheet(f, sheet)
}

//go:embed profiles/*.yaml
var profileFS embed.FS

// Builtins returns the names of the built-in XLSX profiles, sorted.
func Builtins() []string { return csvprofile.ProfileNames(profileFS, "profiles") }

// Builtin returns a fresh copy of the built-in XLSX profile called name ("otp-hu-xlsx").
func Builtin(name string) (*csvprofile.Profile, error) {
	data, err := profileFS.ReadFile(path.Join("profiles", path.Base(name)+".yaml"))
	if err != nil || strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("%w %q (built-in XLSX profiles: %s)", csvprofile.ErrUnknownProfile, name, strings.Join(Builtins(), ", "))
	}
	p, err := csvprofile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in profile %s: %w", name, err)
	}
	if p.Name != name || p.Format != "xlsx" {
		return nil, fmt.Errorf("%w: built-in profile file %s.yaml is named %q, format %q", csvprofile.ErrProfile, name, p.Name, p.Format)
	}
	return p, nil
}

// Resolve returns the built-in XLSX profile called nameOrPath, or loads the YAML file at
// that path when it is not a built-in name (a path has a slash or a .yaml/.yml suffix).
// A loaded profile must say format: xlsx.
func Resolve(nameOrPath string) (*csvprofile.Profile, error) {
	if !strings.ContainsAny(nameOrPath, `/\`) && !strings.HasSuffix(nameOrPath, ".yaml") && !strings.HasSuffix(nameOrPath, ".yml") {
		return Builtin(nameOrPath)
	}
	p, err := csvprofile.Load(nameOrPath)
	if err != nil {
		return nil, err
	}
	if p.Format != "xlsx" {
		return nil, fmt.Errorf("%s: %w %q: an XLSX workbook needs a profile with format: xlsx", nameOrPath, csvprofile.ErrProfile, p.Name)
	}
	return p, nil
}
