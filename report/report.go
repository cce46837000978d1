// Package report writes the evidence outputs of a case (DESIGN.md §6): an XLSX workbook, a
// self-contained HTML report with the money-flow picture, CSV and Parquet tables, the run's
// manifest and the flow network as DOT and GraphML, every figure traceable to file and line.
package report

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// ErrNoRun reports a report that has nothing to show: no trace or rules run in the case, or an
// unknown run id. It wraps casedb.ErrInput, so the CLI exits with the input-error code.
var ErrNoRun = fmt.Errorf("%w: report: no such run", casedb.ErrInput)

// Options shape a report.
type Options struct {
	// Mask replaces account numbers and names with consistent masks (country code and the last
	// four characters of an IBAN, initials for names) for reports that leave the unit.
	Mask bool
	// Method is the tracing method the flow diagram, the graph files and the per-party totals
	// show; empty means the run's first method. Every method's rows are in the tables.
	Method string
	// MaxNodes caps the accounts drawn in the HTML flow diagram; the smallest are grouped into
	// one "other" node per column. 0 means 40.
	MaxNodes int
	// ToolVersion is written into the workbook's properties and the HTML footer.
	ToolVersion string
}

// Files written by Write, relative to its output directory.
const (
	WorkbookFile = "evidence.xlsx"
	HTMLFile     = "report.html"
	DOTFile      = "graph.dot"
	GraphMLFile  = "graph.graphml"
	ManifestFile = "manifest.json"
	// RulesManifestFile holds the rules run's manifest when the report has both a trace and a
	// rules run.
	RulesManifestFile = "rules-manifest.json"
	// ChecksumFile lists the SHA-256 of every other file written, in sha256sum format.
	ChecksumFile = "SHA256SUMS"
	CSVDir       = "csv"
	ParquetDir   = "parquet"
)

// run is a stored run: its row in runs and its parsed manifest.
type run struct {
	ID, Kind, StartedAt, ToolVersion string
	ManifestJSON                     string
}

// Write writes the report of runID into outDir (created if needed): the runs Runs names (with
// runID "" the case's latest rules run and forward trace). It reads db only,
// except for a temporary table per Parquet file, and needs DuckDB's file access for the
// Parquet files: open db read-only (casedb.Options.ReadOnly), not sealed. Errors about missing runs wrap ErrNoRun.
func Write(ctx context.Context, db *casedb.DB, runID string, outDir string, opt Options) error {
	c, err := load(ctx, db, runID, opt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(outDir, CSVDir), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(outDir, ParquetDir), 0o755); err != nil {
		return err
	}
	var written []string
	add := func(name string, err error) error {
		if err != nil {
			return fmt.Errorf("report %s: %w", name, err)
		}
		written = append(written, name)
		return nil
	}
	if err := add(WorkbookFile, writeWorkbook(filepath.Join(outDir, WorkbookFile), c)); err != nil {
		return err
	}
	for _, t := range c.tables() {
		name := filepath.Join(CSVDir, t.name+".csv")
		if err := add(name, writeCSVFile(filepath.Join(outDir, name), t, c.mask)); err != nil {
			return err
		}
	}
	for _, t := range c.tables() {
		name := filepath.Join(ParquetDir, t.name+".parquet")
		if err := add(name, writeParquet(ctx, db, filepath.Join(outDir, name), t, c.mask)); err != nil {
			return err
		}
	}
	g := c.graph()
	if err := add(DOTFile, writeFileWith(filepath.Join(outDir, DOTFile), g.writeDOT)); err != nil {
		return err
	}
	if err := add(GraphMLFile, writeFileWith(filepath.Join(outDir, GraphMLFile), g.writeGraphML)); err != nil {
		return err
	}
	if err := add(HTMLFile, writeFileWith(filepath.Join(outDir, HTMLFile), c.writeHTML)); err != nil {
		return err
	}
	if c.trace != nil || c.rules != nil {
		primary := c.trace
		if primary == nil {
			primary = c.rules
		}
		if err := add(ManifestFile, os.WriteFile(filepath.Join(outDir, ManifestFile), []byte(c.mask.Text(primary.ManifestJSON)), 0o644)); err != nil {
			return err
		}
		if c.trace != nil && c.rules != nil {
			if err := add(RulesManifestFile, os.WriteFile(filepath.Join(outDir, RulesManifestFile), []byte(c.mask.Text(c.rules.ManifestJSON)), 0o644)); err != nil {
				return err
			}
		}
	}
	return writeChecksums(outDir, written)
}

// caseData is everything a report shows, loaded once.
type caseData struct {
	path, base  string
	trace       *run
	rules       *run
	manifest    casetrace.Manifest
	rulesMan    rulesManifest
	methods     []string
	method      string // the method of the diagram, graphs and party totals
	mask        *masker
	opt         Options
	summary     *table
	totals      *table
	sources     *table
	findings    *table
	flows       *table
	positions   *table
	parties     *table
	exits       *table
	sensitivity *table
	unexplained *table
	statement   *table
	accounts    map[string]accountInfo
	links       []partyLink
}

// tables lists the tables of the report in workbook order.
func (c *caseData) tables() []*table {
	return []*table{c.summary, c.totals, c.sources, c.findings, c.flows, c.positions, c.parties, c.exits,
		c.sensitivity, c.unexplained, c.statement}
}

// rulesManifest is the part of a rules run's manifest the method statement reads.
type rulesManifest struct {
	Packs []struct {
		Name    string   `json:"name"`
		Version string   `json:"version"`
		Origin  string   `json:"origin"`
		SHA256  string   `json:"sha256"`
		Rules   []string `json:"rules"`
	} `json:"packs"`
	Params map[string]map[string]struct {
		Type       string `json:"type"`
		Value      any    `json:"value"`
		Overridden bool   `json:"overridden"`
	} `json:"params"`
	FXDigest string `json:"fx_digest"`
	Txns     int64  `json:"txns"`
	Failures []struct {
		Rule  string `json:"rule"`
		Error string `json:"error"`
	} `json:"failures"`
	Findings int `json:"findings"`
}

func load(ctx context.Context, db *casedb.DB, runID string, opt Options) (*caseData, error) {
	c := &caseData{path: db.Path, opt: opt}
	var err error
	if c.base, err = db.BaseCurrency(ctx); err != nil {
		return nil, err
	}
	if c.trace, c.rules, err = chooseRuns(ctx, db, runID); err != nil {
		return nil, err
	}
	if c.trace != nil {
		if err := json.Unmarshal([]byte(c.trace.ManifestJSON), &c.manifest); err != nil {
			return nil, fmt.Errorf("run %s: manifest: %w", c.trace.ID, err)
		}
		c.methods = c.manifest.Methods
		c.method = opt.Method
		if c.method == "" && len(c.methods) > 0 {
			c.method = c.methods[0]
		}
		if !slices.Contains(c.methods, c.method) {
			return nil, fmt.Errorf("%w: run %s has no method %q (it has %s)", ErrNoRun, c.trace.ID, c.method, strings.Join(c.methods, ", "))
		}
	}
	if c.rules != nil {
		if err := json.Unmarshal([]byte(c.rules.ManifestJSON), &c.rulesMan); err != nil {
			return nil, fmt.Errorf("run %s: manifest: %w", c.rules.ID, err)
		}
	}
	if c.mask, err = newMasker(ctx, db, opt.Mask); err != nil {
		return nil, err
	}
	if err := c.loadTables(ctx, db); err != nil {
		return nil, err
	}
	return c, nil
}

// Runs names the runs a report with the given --run covers: runID alone (as the trace or
// the rules run it is), or, without one, the case: the latest rules run and the latest
// forward trace, preferring one seeded from findings. An empty id means none of that kind.
func Runs(ctx context.Context, db *casedb.DB, runID string) (traceID, rulesID string, err error) {
	t, r, err := chooseRuns(ctx, db, runID)
	if t != nil {
		traceID = t.ID
	}
	if r != nil {
		rulesID = r.ID
	}
	return traceID, rulesID, err
}

// chooseRuns picks the runs of a report (see Runs). A backward trace is reported only when
// named: it decomposes one balance and has no flow from seeds to draw.
func chooseRuns(ctx context.Context, db *casedb.DB, runID string) (trace, rules *run, err error) {
	if runID != "" {
		r, err := readRun(ctx, db, `WHERE run_id = ?`, runID)
		if err != nil {
			return nil, nil, err
		}
		if r == nil {
			return nil, nil, fmt.Errorf("%w %q (see `moneytrail sql \"SELECT run_id, kind, started_at FROM runs\"`)", ErrNoRun, runID)
		}
		switch r.Kind {
		case "trace":
			return r, nil, nil
		case "rules":
			return nil, r, nil
		}
		return nil, nil, fmt.Errorf("%w: run %s is of kind %q, not trace or rules", ErrNoRun, runID, r.Kind)
	}
	if trace, err = readRun(ctx, db, `WHERE kind = 'trace' AND coalesce(json_extract_string(manifest_json, '$.direction'), 'forward') <> 'backward'
		ORDER BY len(list_filter(json_extract_string(manifest_json, '$.seeds[*].given'), g -> g LIKE 'finding:%')) > 0 DESC,
			started_at DESC, run_id DESC LIMIT 1`); err != nil {
		return nil, nil, err
	}
	if rules, err = readRun(ctx, db, `WHERE kind = 'rules' ORDER BY started_at DESC, run_id DESC LIMIT 1`); err != nil {
		return nil, nil, err
	}
	if trace == nil && rules == nil {
		return nil, nil, fmt.Errorf("%w: the case has no forward trace or rules run yet (run `moneytrail rules run` and `moneytrail trace` first)", ErrNoRun)
	}
	return trace, rules, nil
}

func readRun(ctx context.Context, db *casedb.DB, where string, args ...any) (*run, error) {
	var r run
	var man sql.NullString
	err := db.QueryRowContext(ctx, `SELECT run_id, kind, strftime(started_at, '%Y-%m-%d %H:%M:%S'), tool_version, manifest_json FROM runs `+where, args...).
		Scan(&r.ID, &r.Kind, &r.StartedAt, &r.ToolVersion, &man)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	r.ManifestJSON = man.String
	return &r, nil
}

// digest is the SHA-256 of a manifest as stored: the figure that ties the report to the run.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func writeFileWith(path string, write func(w *strings.Builder) error) error {
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func writeChecksums(outDir string, names []string) error {
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(outDir, n))
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h[:]), filepath.ToSlash(n))
	}
	return os.WriteFile(filepath.Join(outDir, ChecksumFile), []byte(b.String()), 0o644)
}
