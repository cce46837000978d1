package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// Variant is one scenario of the smuggling generator that the packs are measured on.
type Variant struct {
	// Name labels the variant in the table.
	Name string
	// Options are the generator's knobs (the seed is set per run).
	Options fixtures.SmugglingOptions
}

// Variants is the matrix `moneytrail eval` runs by default: each collection channel, a
// larger network over a year, odd amounts, half the network's banking seized, and honest
// look-alikes of collectors (two of each kind) beside every channel.
func Variants() []Variant {
	v := []Variant{
		{"mto", fixtures.SmugglingOptions{Channel: fixtures.ChannelMTO}},
		{"bank", fixtures.SmugglingOptions{Channel: fixtures.ChannelBank}},
		{"cash", fixtures.SmugglingOptions{Channel: fixtures.ChannelCash}},
		{"mixed", fixtures.SmugglingOptions{Channel: fixtures.ChannelMixed}},
	}
	for _, c := range fixtures.Channels {
		v = append(v, Variant{c + "+lookalikes", fixtures.SmugglingOptions{Channel: c, LookAlikes: 2}})
	}
	return append(v,
		Variant{"medium-12m", fixtures.SmugglingOptions{Channel: fixtures.ChannelMixed, Scale: fixtures.ScaleMedium, LookAlikes: 2}},
		Variant{"odd-amounts", fixtures.SmugglingOptions{Channel: fixtures.ChannelMixed, Amounts: fixtures.AmountsOdd, LookAlikes: 2}},
		Variant{"6-months", fixtures.SmugglingOptions{Channel: fixtures.ChannelBank, Months: 6, LookAlikes: 2}},
		Variant{"seized-half", fixtures.SmugglingOptions{Channel: fixtures.ChannelMixed, Seized: 0.5, LookAlikes: 2}},
	)
}

// MatrixRow is the measurement of the smuggling pack on one variant and seed.
type MatrixRow struct {
	Variant string
	Seed    uint64
	// CollectorRecall and CollectorPrecision score the collector rules' subjects against
	// the true collectors (per true party, as the demo does).
	CollectorRecall, CollectorPrecision float64
	// OrganizerRank is the rank among the suspects of the best-ranked true organizer or
	// organizer's company (1 = first); 0 when none is ranked.
	OrganizerRank int
	// Flagged is the number of accounts the findings name (account subjects and the accounts
	// of party subjects); FlaggedTrue of them a perfect investigation flags too.
	Flagged, FlaggedTrue int
	// LookAlikesFlagged counts the honest look-alike accounts among Flagged.
	LookAlikesFlagged int
}

// FlaggedPrecision is FlaggedTrue / Flagged (0 when nothing is flagged).
func (r MatrixRow) FlaggedPrecision() float64 {
	if r.Flagged == 0 {
		return 0
	}
	return float64(r.FlaggedTrue) / float64(r.Flagged)
}

// MatrixOptions shapes Matrix.
type MatrixOptions struct {
	// Variants to run (default Variants()) and Seeds of each (default 1, 2, 3).
	Variants []Variant
	Seeds    []uint64
	// Dir is a scratch folder for the generated files and case databases (default a
	// temporary folder, removed afterwards).
	Dir string
	// Pack is the smuggling pack to measure (default the built-in one).
	Pack *rules.Pack
	// Progress, if set, is told of each case done.
	Progress func(r MatrixRow)
}

// Matrix generates every variant for every seed, loads it into a fresh case, runs the
// smuggling pack (with its trace steps) and scores the findings against the ground truth.
// Rows come in variant then seed order.
func Matrix(ctx context.Context, o MatrixOptions) ([]MatrixRow, error) {
	if o.Variants == nil {
		o.Variants = Variants()
	}
	if o.Seeds == nil {
		o.Seeds = []uint64{1, 2, 3}
	}
	if o.Pack == nil {
		p, err := rules.Load("smuggling")
		if err != nil {
			return nil, err
		}
		o.Pack = p
	}
	if o.Dir == "" {
		d, err := os.MkdirTemp("", "moneytrail-eval-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		o.Dir = d
	}
	var out []MatrixRow
	for _, v := range o.Variants {
		for _, seed := range o.Seeds {
			r, err := measure(ctx, o, v, seed)
			if err != nil {
				return nil, fmt.Errorf("variant %s, seed %d: %w", v.Name, seed, err)
			}
			if o.Progress != nil {
				o.Progress(r)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// measure runs one case of the matrix.
func measure(ctx context.Context, o MatrixOptions, v Variant, seed uint64) (MatrixRow, error) {
	row := MatrixRow{Variant: v.Name, Seed: seed}
	dir := filepath.Join(o.Dir, fmt.Sprintf("%s-%d", strings.ReplaceAll(v.Name, "+", "_"), seed))
	os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	opt := v.Options
	opt.Seed = seed
	truth, err := fixtures.GenerateSmuggling(filepath.Join(dir, "input"), opt)
	if err != nil {
		return row, err
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(dir, "case.duckdb")
	if err := load(ctx, path, filepath.Join(dir, "input"), truth, now); err != nil {
		return row, err
	}
	open := func(ctx context.Context, opt casedb.Options) (*casedb.DB, error) { return casedb.Open(ctx, path, opt) }
	rr, err := rules.RunCase(ctx, open, []*rules.Pack{o.Pack}, rules.Options{ToolVersion: "eval", StartedAt: now, Tracer: casetrace.Rules{}})
	if err != nil {
		return row, err
	}
	db, err := casedb.Open(ctx, path, casedb.Options{ReadOnly: true})
	if err != nil {
		return row, err
	}
	defer db.Close()
	byRule := map[string][]rules.Finding{}
	for _, f := range rr.Findings {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	ev, err := evaluate(ctx, db, truth, byRule)
	if err != nil {
		return row, err
	}
	row.CollectorRecall, row.CollectorPrecision = ev.recall["collector"], ev.precision["collector"]
	partyAccounts, err := holderAccounts(ctx, db)
	if err != nil {
		return row, err
	}
	flag, role := map[string]bool{}, map[string]string{}
	for _, a := range truth.Accounts {
		flag[a.ID], role[a.ID] = a.Flag, a.Role
	}
	owner := map[string]string{} // account -> true role of its holder
	for _, p := range truth.Parties {
		for _, a := range p.Accounts {
			owner[a] = p.Role
		}
	}
	// An account the truth does not know (an organizer's company seen only by name, as
	// external:name:...) is judged by the case's party that holds it: flagged when that party
	// holds a flagged account.
	partyOf := map[string]string{}
	for p, accts := range partyAccounts {
		for _, a := range accts {
			partyOf[a] = p
		}
	}
	judged := func(a string) bool {
		if _, known := role[a]; known {
			return flag[a]
		}
		return slices.ContainsFunc(partyAccounts[partyOf[a]], func(b string) bool { return flag[b] })
	}
	named := map[string]bool{}
	for _, f := range rr.Findings {
		if f.RuleID == rules.SuspectsRule {
			continue
		}
		if accts, ok := partyAccounts[f.Subject]; ok {
			for _, a := range accts {
				named[a] = true
			}
		} else if !strings.HasPrefix(f.Subject, "party:") {
			named[f.Subject] = true
		}
	}
	for a := range named {
		row.Flagged++
		if judged(a) {
			row.FlaggedTrue++
		}
		if role[a] == fixtures.RoleLookAlike || owner[a] == fixtures.RoleLookAlike {
			row.LookAlikesFlagged++
		}
	}
	// The organizer's rank among the suspects: a suspect is a true organizer when one of its
	// accounts is held by an organizer or an organizer's company.
	var suspects []rules.Finding
	for _, f := range byRule[rules.SuspectsRule] {
		suspects = append(suspects, f)
	}
	slices.SortStableFunc(suspects, func(a, b rules.Finding) int {
		sa, sb := scoreOf(a), scoreOf(b)
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	for i, f := range suspects {
		accts := partyAccounts[f.Subject]
		if !strings.HasPrefix(f.Subject, "party:") {
			accts = []string{f.Subject}
		}
		hit := slices.ContainsFunc(accts, func(a string) bool {
			return owner[a] == fixtures.RoleOrganizer || owner[a] == fixtures.RoleCompany
		})
		if hit {
			row.OrganizerRank = i + 1
			break
		}
	}
	return row, nil
}

// holderAccounts maps each party subject ("party:ID") to the accounts it holds.
func holderAccounts(ctx context.Context, db *casedb.DB) (map[string][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT 'party:' || party_id, account_id FROM party_links WHERE role = 'holder' ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var p, a string
		if err := rows.Scan(&p, &a); err != nil {
			return nil, err
		}
		out[p] = append(out[p], a)
	}
	return out, rows.Err()
}

func scoreOf(f rules.Finding) float64 {
	if f.Score == nil {
		return 0
	}
	return *f.Score
}

// load creates the case at path, loads every file of the generated case and pairs the
// transfers seen in two exports, on a handle closed before the rules run.
func load(ctx context.Context, path, in string, truth *fixtures.Truth, now time.Time) error {
	db, err := casedb.Open(ctx, path, casedb.Options{Create: true})
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range truth.Files {
		if _, err := ingest.File(ctx, db, filepath.Join(in, f.Name), ingest.Options{Format: f.Format, Profile: f.Profile,
			Account: f.Account, Operator: f.Operator, Now: now}); err != nil {
			return err
		}
	}
	_, err = match.Run(ctx, db, match.DefaultOptions())
	return err
}
