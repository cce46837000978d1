package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// ErrNoRun reports a run id that is not in the case.
var ErrNoRun = errors.New("no such run")

// Report is what Verify found about one run.
type Report struct {
	RunID string
	Kind  string
	// Problems are differences in the inputs: source files missing or changed on disk,
	// sources added to or gone from the case, packs changed or unreadable, other digests.
	Problems []string
	// Missing are stored findings the re-run did not give; Extra are findings the re-run gave
	// that were not stored. Each is "rule subject amount score evidence detail".
	Missing, Extra []string
	// RerunID is the run id the re-run got (equal to RunID when nothing changed).
	RerunID string
	// Skipped says why a run was not re-run (e.g. a run kind this package does not verify).
	Skipped string
}

// OK is true when the inputs are unchanged and the re-run gave identical findings.
func (r *Report) OK() bool {
	return len(r.Problems) == 0 && len(r.Missing) == 0 && len(r.Extra) == 0 && r.Skipped == ""
}

// RunIDs returns the ids of the stored runs of a kind ("" for all), oldest first.
func RunIDs(ctx context.Context, db *casedb.DB, kind string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT run_id FROM runs WHERE ? = '' OR kind = ? ORDER BY started_at, run_id`, kind, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Verify re-checks a stored run. Every source file is re-hashed (found where it was loaded
// from or at its place relative to the case) and compared with sources.sha256. A rules run is re-run from its manifest: each pack reloaded
// from where it came from (a built-in pack that has moved on since, at the version the run
// used, from packs/released) and its SHA-256 compared, the packs re-run with the recorded
// parameters (nothing is stored) and the findings compared with the stored ones. A trace
// run is re-run the same way by tr (the tracer that also runs the packs' trace steps) and its
// positions compared row by row.
// Other kinds (match) get their sources re-hashed only. Differences are reported, not
// returned as errors; an error means the verification itself could not be done. Like Run's,
// db must be sealed (casedb.Options{Sealed: true}): verifying never writes to the case.
func Verify(ctx context.Context, db *casedb.DB, runID string, tr Tracer) (*Report, error) {
	return VerifyRun(ctx, db, runID, tr, nil)
}

// VerifyRun is Verify that also looks for source files by SHA-256 under dirs when they are
// neither where they were loaded from nor at their place relative to the case.
func VerifyRun(ctx context.Context, db *casedb.DB, runID string, tr Tracer, dirs []string) (*Report, error) {
	rep := &Report{RunID: runID}
	var manifestJSON sql.NullString
	err := db.QueryRowContext(ctx, `SELECT kind, manifest_json FROM runs WHERE run_id = ?`, runID).Scan(&rep.Kind, &manifestJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoRun, runID)
	}
	if err != nil {
		return nil, err
	}
	if err := checkSources(ctx, db, dirs, rep); err != nil {
		return nil, err
	}
	if rep.Kind == "trace" {
		if tr == nil {
			return nil, fmt.Errorf("run %s is a trace: verifying it needs a tracer", runID)
		}
		rerun, problems, missing, extra, err := tr.VerifyTrace(ctx, db, runID, manifestJSON.String)
		if err != nil {
			return nil, err
		}
		rep.RerunID = rerun
		rep.Problems = append(rep.Problems, problems...)
		rep.Missing, rep.Extra = missing, extra
		return rep, nil
	}
	if rep.Kind != "rules" {
		rep.Skipped = fmt.Sprintf("a %s run: sources re-hashed; re-run it with `moneytrail %s` and compare", rep.Kind, rep.Kind)
		return rep, nil
	}
	var m Manifest
	if err := json.Unmarshal([]byte(manifestJSON.String), &m); err != nil {
		return nil, fmt.Errorf("run %s: manifest: %w", runID, err)
	}
	compareSources(ctx, db, &m, rep)
	var packs []*Pack
	over := Overrides{}
	for _, mp := range m.Packs {
		p, err := Load(strings.TrimPrefix(mp.Origin, "builtin:"))
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("pack %s (%s) cannot be loaded: %v", mp.Name, mp.Origin, err))
			continue
		}
		if p.SHA256 != mp.SHA256 && strings.HasPrefix(mp.Origin, "builtin:") {
			if old, err := LoadReleased(p.Name, mp.Version); err == nil && old.SHA256 == mp.SHA256 {
				p = old
			}
		}
		if p.SHA256 != mp.SHA256 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("pack %s (%s) changed since the run: version %s, SHA-256 %s; now version %s, SHA-256 %s",
				mp.Name, mp.Origin, mp.Version, mp.SHA256, p.Version, p.SHA256))
		}
		var ids []string
		for _, id := range mp.Rules {
			if p.Rule(id) == nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("pack %s no longer has rule %s", mp.Name, id))
				continue
			}
			ids = append(ids, id)
			for name, v := range m.Params[id] {
				if v.Overridden && p.Rule(id).Params[name] != nil {
					over[id+"."+name] = v.Value.Raw()
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		if p, err = p.Subset(ids...); err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	if len(packs) == 0 {
		rep.Skipped = "no pack of the run can be loaded"
		return rep, nil
	}
	res, err := Run(ctx, db, packs, Options{Params: over, ToolVersion: m.ToolVersion, Tracer: tr})
	if res == nil {
		return nil, fmt.Errorf("re-run of %s: %w", runID, err)
	}
	rep.RerunID = res.RunID
	if res.Manifest.FXDigest != m.FXDigest {
		rep.Problems = append(rep.Problems, "the fx_rates table changed since the run")
	}
	if res.Manifest.DeclaredIncomeDigest != m.DeclaredIncomeDigest {
		rep.Problems = append(rep.Problems, "the declared_income table changed since the run")
	}
	if res.Manifest.MatchesDigest != m.MatchesDigest {
		rep.Problems = append(rep.Problems, "the matches changed since the run (`moneytrail match` or `match --undo`): other transactions count as duplicates")
	}
	if res.Manifest.Txns != m.Txns {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the case has %d transactions (txns view), the run saw %d", res.Manifest.Txns, m.Txns))
	}
	for _, f := range res.Failures {
		rep.Problems = append(rep.Problems, "re-run: "+f.Error())
	}
	stored, err := storedFindings(ctx, db, runID)
	if err != nil {
		return nil, err
	}
	var now []string
	for _, f := range res.Findings {
		now = append(now, findingKey(f))
	}
	rep.Missing, rep.Extra = diff(stored, now)
	return rep, nil
}

// checkSources re-hashes every source file of the case, found where it was loaded from, at
// its place relative to the case or by SHA-256 under dirs (casedb.LocateSource).
func checkSources(ctx context.Context, db *casedb.DB, dirs []string, rep *Report) error {
	rows, err := db.QueryContext(ctx, `SELECT source_id, path, file_name, sha256, bytes, coalesce(options_json, '{}') FROM sources ORDER BY source_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	caseDir := ""
	if db.Path != ":memory:" {
		caseDir, _ = filepath.Abs(filepath.Dir(db.Path))
	}
	for rows.Next() {
		var id, size int64
		var path, name, want, opts string
		if err := rows.Scan(&id, &path, &name, &want, &size, &opts); err != nil {
			return err
		}
		var o struct {
			Rel string `json:"relative_to_case"`
		}
		json.Unmarshal([]byte(opts), &o)
		found, changed := casedb.LocateSource(caseDir, path, o.Rel, name, want, size, dirs)
		switch {
		case found != "":
		case changed != "":
			got, _ := casedb.FileSHA256(changed)
			rep.Problems = append(rep.Problems, fmt.Sprintf("source %d: %s changed: SHA-256 %s, loaded as %s", id, changed, got, want))
		default:
			rep.Problems = append(rep.Problems, fmt.Sprintf("source %d: %s is missing", id, path))
		}
	}
	return rows.Err()
}

// compareSources compares the case's sources with those the manifest recorded.
func compareSources(ctx context.Context, db *casedb.DB, m *Manifest, rep *Report) {
	var now Manifest
	if err := inputs(ctx, db, &now); err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("case sources: %v", err))
		return
	}
	key := func(s ManifestSource) string {
		return strconv.FormatInt(s.SourceID, 10) + " " + s.FileName + " " + s.SHA256
	}
	var a, b []string
	for _, s := range m.Sources {
		a = append(a, key(s))
	}
	for _, s := range now.Sources {
		b = append(b, key(s))
	}
	gone, added := diff(a, b)
	for _, s := range gone {
		rep.Problems = append(rep.Problems, "source gone from the case since the run: "+s)
	}
	for _, s := range added {
		rep.Problems = append(rep.Problems, "source added to the case since the run: "+s)
	}
}

// storedFindings returns the keys of a run's stored findings.
func storedFindings(ctx context.Context, db *casedb.DB, runID string) ([]string, error) {
	fs, err := Findings(ctx, db, runID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = findingKey(f)
	}
	return keys, nil
}

// Findings returns the stored findings of a run, by rule order of the run's packs, then
// subject.
func Findings(ctx context.Context, db *casedb.DB, runID string) ([]Finding, error) {
	rows, err := db.QueryContext(ctx, `SELECT rule_id, coalesce(pack, ''), coalesce(pack_version, ''), coalesce(subject, ''),
			coalesce(CAST(amount AS VARCHAR), '0.000000'), score, coalesce(evidence, ''), coalesce(detail, '')
		FROM findings WHERE run_id = ? ORDER BY rowid`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		var ev string
		var score sql.NullFloat64
		if err := rows.Scan(&f.RuleID, &f.Pack, &f.PackVersion, &f.Subject, &f.Amount, &score, &ev, &f.Detail); err != nil {
			return nil, err
		}
		if score.Valid {
			s := score.Float64
			f.Score = &s
		}
		f.Evidence = strings.Fields(ev)
		out = append(out, f)
	}
	return out, rows.Err()
}

// findingKey is a finding as one comparable line.
func findingKey(f Finding) string {
	score := ""
	if f.Score != nil {
		score = strconv.FormatFloat(*f.Score, 'g', -1, 64)
	}
	return strings.Join([]string{f.RuleID, f.Subject, f.Amount, score, strings.Join(f.Evidence, " "), f.Detail}, "\t")
}

// diff returns what is in a but not b and what is in b but not a, as multisets.
func diff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, k := range sortedKeys(count) {
		for n := count[k]; n > 0; n-- {
			onlyA = append(onlyA, k)
		}
		for n := count[k]; n < 0; n++ {
			onlyB = append(onlyB, k)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}
