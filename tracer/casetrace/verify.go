package casetrace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// Verification is what re-running a stored trace found.
type Verification struct {
	// RerunID is the id of the re-run: the stored run's id when the same trace of the same
	// case was made again.
	RerunID string
	// Problems are inputs or settings that differ from the stored manifest, in words.
	Problems []string
	// Missing are stored position rows the re-run did not give, Extra the re-run's rows that
	// were not stored ("method holder holder_kind origin cents").
	Missing, Extra []string
}

// OK reports whether the re-run reproduced the stored run exactly.
func (v *Verification) OK() bool {
	return len(v.Problems) == 0 && len(v.Missing) == 0 && len(v.Extra) == 0
}

// Verify re-runs the trace stored as runID from its manifest (the seeds as given, the
// methods, scope, as-of, grouping, flows, direction), stores nothing, and compares: the
// manifest field by field (the transactions each seed selects, the sources, the rates and
// matches digests, the number of transactions replayed) and the positions row by row with
// trace_positions. A seed that no longer resolves is a problem, not an error; an error means
// the verification itself could not be made.
func Verify(ctx context.Context, db *casedb.DB, runID, manifestJSON string) (*Verification, error) {
	var m Manifest
	if err := json.Unmarshal([]byte(manifestJSON), &m); err != nil {
		return nil, fmt.Errorf("run %s: manifest: %w", runID, err)
	}
	opt, err := m.options()
	if err != nil {
		return nil, fmt.Errorf("run %s: manifest: %w", runID, err)
	}
	v := &Verification{}
	out, err := Trace(ctx, db, opt)
	if errors.Is(err, ErrInput) {
		v.Problems = append(v.Problems, "the trace cannot be made again: "+err.Error())
		return v, nil
	}
	if err != nil {
		return nil, fmt.Errorf("re-run of %s: %w", runID, err)
	}
	v.RerunID = out.RunID
	v.Problems = compareManifests(&m, &out.Manifest)
	stored, err := storedPositions(ctx, db, runID)
	if err != nil {
		return nil, err
	}
	var now []string
	for _, r := range out.Positions() {
		now = append(now, positionKey(r.Method, r.Holder, r.HolderKind, r.Origin, r.Cents))
	}
	slices.Sort(now)
	v.Missing, v.Extra = casedb.SortedDiff(stored, now)
	return v, nil
}

// options rebuilds the trace's options from its manifest.
func (m *Manifest) options() (Options, error) {
	o := Options{Scope: m.Scope, AsOf: m.AsOf, GroupSeeds: m.GroupSeeds, GroupUnexplained: m.GroupUnexplained,
		ToolVersion: m.ToolVersion, Target: m.Target, OriginBy: m.OriginBy}
	if m.Direction == Backward {
		o.Direction = Backward
	}
	for _, s := range m.Seeds {
		o.Seeds = append(o.Seeds, s.Given)
	}
	ms, err := tracer.ParseMethods(strings.Join(m.Methods, ","))
	if err != nil {
		return o, err
	}
	o.Methods = ms
	if o.Flows, err = tracer.ParseFlowMode(m.Flows); err != nil {
		return o, err
	}
	if o.Direction == Backward {
		// A backward trace records no flows; its manifest says "none" whatever was asked.
		o.Flows = tracer.FlowsTainted
	}
	return o, nil
}

// compareManifests names every difference between the stored manifest and the re-run's.
func compareManifests(was, now *Manifest) []string {
	var p []string
	for i, s := range was.Seeds {
		if i < len(now.Seeds) && !slices.Equal(s.TxnIDs, now.Seeds[i].TxnIDs) {
			p = append(p, fmt.Sprintf("seed %s now selects %d transaction(s), the run had %d", s.Given, len(now.Seeds[i].TxnIDs), len(s.TxnIDs)))
		}
	}
	wasSrc := map[int64]ManifestSource{}
	for _, s := range was.Sources {
		wasSrc[s.SourceID] = s
	}
	for _, s := range now.Sources {
		w, ok := wasSrc[s.SourceID]
		switch {
		case !ok:
			p = append(p, fmt.Sprintf("source %d (%s) is read now, the run did not read it", s.SourceID, s.FileName))
		case w.SHA256 != s.SHA256:
			p = append(p, fmt.Sprintf("source %d (%s): SHA-256 %s, the run read %s", s.SourceID, s.FileName, s.SHA256, w.SHA256))
		}
		delete(wasSrc, s.SourceID)
	}
	for _, s := range was.Sources {
		if _, ok := wasSrc[s.SourceID]; ok {
			p = append(p, fmt.Sprintf("source %d (%s) was read by the run and is not now", s.SourceID, s.FileName))
		}
	}
	if was.FXDigest != now.FXDigest {
		p = append(p, "the fx_rates table changed since the run")
	}
	if was.MatchesDigest != now.MatchesDigest {
		p = append(p, "the matches changed since the run (`moneytrail match` or `match --undo`): other transactions count as duplicates")
	}
	if was.TxnsReplayed != now.TxnsReplayed {
		p = append(p, fmt.Sprintf("the re-run replays %d transactions, the run replayed %d", now.TxnsReplayed, was.TxnsReplayed))
	}
	if was.AccountsInScope != now.AccountsInScope {
		p = append(p, fmt.Sprintf("%d accounts in scope now, %d in the run", now.AccountsInScope, was.AccountsInScope))
	}
	if was.SubCentRounded != now.SubCentRounded || was.Currency != now.Currency || was.PoisonGrouped != now.PoisonGrouped {
		p = append(p, fmt.Sprintf("amounts: %s, %d rounded below a cent, poison grouped %v now; the run: %s, %d, %v",
			now.Currency, now.SubCentRounded, now.PoisonGrouped, was.Currency, was.SubCentRounded, was.PoisonGrouped))
	}
	return p
}

// storedPositions reads a run's trace_positions as sorted keys.
func storedPositions(ctx context.Context, db *casedb.DB, runID string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT method, holder, holder_kind, origin, CAST(amount * 100 AS BIGINT)
		FROM trace_positions WHERE run_id = ?`, runID)
	if err != nil {
		return nil, fmt.Errorf("stored positions of %s: %w", runID, err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var method, holder, kind, origin string
		var cents int64
		if err := rows.Scan(&method, &holder, &kind, &origin, &cents); err != nil {
			return nil, err
		}
		keys = append(keys, positionKey(method, holder, kind, origin, cents))
	}
	slices.Sort(keys)
	return keys, rows.Err()
}

func positionKey(method, holder, kind, origin string, cents int64) string {
	return method + " " + holder + " " + kind + " " + origin + " " + formatCents(cents)
}
