package demo

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// TestDemoFindsTheNetwork runs the whole demo on generated smuggling cases and checks what the
// smuggling pack (v2.1.x) finds against the ground truth.
//
// Measured (recall / precision, per true party):
//
//	seed 1 small:  collectors 1.00 / 1.00 (5 of 5), organizers 1.00 / 1.00 (4 of 4: 2 persons, 2 companies)
//	seed 2 small:  collectors 1.00 / 1.00 (5 of 5), organizers 1.00 / 1.00 (4 of 4)
//	seed 1 medium: collectors 1.00 / 1.00 (8 of 8), organizers 1.00 / 1.00 (6 of 6) (MONEYTRAIL_DEMO_MEDIUM=1, about 60 s)
//
// Where the traced money is (libr, the demo's trace from the collector rules' evidence):
// the operators pay the collectors' fees out in cash (173,857.63 of 286,857.63 traced, seed
// 1 small), leaving nothing in their operator accounts (a pay-out takes its send day's rate,
// so dollar transfers paid out on a later fixing day leave no revaluation); the same money
// re-enters the banks as the cash deposits that name a collector (collector_deposits). Of
// that banked cash, the organizers
// and their companies hold 68.1% (seed 1 small) and 67.1% (seed 2 small); of all traced
// money, 26.8% and 28.0%. Seeds 3-10 small also give 1.00 / 1.00 for both roles.
//
// From the TRUE proceeds (checkTrueProceedsShare: every fee payment and every deposit of
// collected cash in truth.json as seeds, the tracer checked to the cent against a reference
// replay written in the test), the organizers hold under libr 76,974.27 of the 180,168.58
// the migrants paid (42.7%) and of the 113,000.00 the collectors banked (68.1%) for seed 1
// small, and 80,337.17 of 173,501.18 (46.3%) and of 119,800.00 (67.1%) for seed 2; under
// tainted-first (proceeds spent first) 29,994.26 (16.6% / 26.5%) and 31,606.03 (18.2% /
// 26.4%). Under libr the rest of the banked cash went to a car dealer an organizer paid,
// or is still in the funnel accounts.
//
// Seed 1 medium (MONEYTRAIL_DEMO_MEDIUM=1, about 5 minutes here): collectors and organizers
// 1.00 / 1.00 (8 and 6); the demo's trace leaves 60.3% of the banked cash and 27.3% of all
// traced with the organizers; from the true proceeds, libr 376,778.39 of 962,729.12 paid
// (39.1%) and of 579,940.00 banked (65.0%), tainted-first 0.00 (over twelve months the
// organizers spend more than the proceeds they received, and tainted-first has every
// payment take the proceeds first).
func TestDemoFindsTheNetwork(t *testing.T) {
	type want struct {
		seed                     uint64
		scale                    string
		recall, precision        map[string]float64
		orgShareBanked, orgShare float64 // minimum shares held by the organizers (libr)
	}
	cases := []want{
		{1, fixtures.ScaleSmall, map[string]float64{"collector": 1, "organizer": 1}, map[string]float64{"collector": 1, "organizer": 1}, 0.65, 0.25},
		{2, fixtures.ScaleSmall, map[string]float64{"collector": 1, "organizer": 1}, map[string]float64{"collector": 1, "organizer": 1}, 0.65, 0.25},
	}
	if os.Getenv("MONEYTRAIL_DEMO_MEDIUM") != "" && !testing.Short() {
		cases = append(cases, want{1, fixtures.ScaleMedium, map[string]float64{"collector": 1, "organizer": 1}, map[string]float64{"collector": 1, "organizer": 1}, 0.55, 0.25})
	}
	for _, c := range cases {
		t.Run(c.scale+"-"+string(rune('0'+c.seed)), func(t *testing.T) {
			if testing.Short() && c.seed != 1 {
				t.Skip("-short: seed 1 only")
			}
			ctx := context.Background()
			out := t.TempDir()
			sum, err := Run(ctx, io.Discard, Options{Out: out, Output: "table", Seed: c.seed, Scale: c.scale, ToolVersion: "test",
				Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			for _, role := range []string{"collector", "organizer"} {
				t.Logf("%s: recall %.2f precision %.2f", role, sum.Recall[role], sum.Precision[role])
				if sum.Recall[role] < c.recall[role] || sum.Precision[role] < c.precision[role] {
					t.Errorf("%s: recall %.2f precision %.2f, want at least %.2f / %.2f", role,
						sum.Recall[role], sum.Precision[role], c.recall[role], c.precision[role])
				}
			}
			t.Logf("organizers found: %v", sum.OrganizersFound)

			// The share of the traced money in the organizers' accounts, by the ground truth.
			b, err := os.ReadFile(filepath.Join(out, "input", "truth.json"))
			if err != nil {
				t.Fatal(err)
			}
			var truth fixtures.Truth
			if err := json.Unmarshal(b, &truth); err != nil {
				t.Fatal(err)
			}
			role := map[string]string{}
			for _, p := range truth.Parties {
				for _, a := range p.Accounts {
					role[a] = p.Role
				}
			}
			db, err := casedb.Open(ctx, filepath.Join(out, "case.duckdb"), casedb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := db.QueryContext(ctx, `SELECT holder, holder_kind, CAST(round(amount * 100) AS BIGINT) FROM trace_positions
				WHERE run_id = ? AND method = 'libr' AND origin <> 'clean' AND origin NOT LIKE 'unexplained%'`, sum.TraceRunID)
			if err != nil {
				t.Fatal(err)
			}
			// Cents: traced in all, still in the collectors' operator accounts, paid out to the
			// collectors in cash by the operators, and held by the organizers.
			var total, collectors, collectorCash, organizers int64
			for rows.Next() {
				var holder, kind string
				var c int64
				if err := rows.Scan(&holder, &kind, &c); err != nil {
					t.Fatal(err)
				}
				total += c
				switch {
				case role[holder] == fixtures.RoleCollector:
					collectors += c
				case kind == "exit" && role[strings.TrimPrefix(holder, "cash:")] == fixtures.RoleCollector:
					collectorCash += c
				case role[holder] == fixtures.RoleOrganizer || role[holder] == fixtures.RoleCompany:
					if kind == "account" {
						organizers += c
					}
				}
			}
			rows.Close()
			banked := total - collectors - collectorCash
			if banked <= 0 {
				t.Fatalf("traced %d cents, %d with the collectors, %d paid out to them: nothing was banked", total, collectors, collectorCash)
			}
			shareBanked := float64(organizers) / float64(banked)
			shareAll := float64(organizers) / float64(total)
			t.Logf("libr: traced %s, with the collectors %s, paid out to them in cash %s, with the organizers %s (%.1f%% of the banked cash, %.1f%% of all)",
				casetrace.FormatCents(total), casetrace.FormatCents(collectors), casetrace.FormatCents(collectorCash),
				casetrace.FormatCents(organizers), 100*shareBanked, 100*shareAll)
			if shareBanked < c.orgShareBanked || shareAll < c.orgShare {
				t.Errorf("organizers hold %.1f%% of the banked cash and %.1f%% of all traced, want at least %.0f%% and %.0f%%",
					100*shareBanked, 100*shareAll, 100*c.orgShareBanked, 100*c.orgShare)
			}
			// The collectors' operator accounts are emptied by the pay-outs to the cent: a
			// pay-out takes the rate of its send day.
			if collectors != 0 {
				t.Errorf("%s still with the collectors after the pay-outs of %s, want 0.00", casetrace.FormatCents(collectors), casetrace.FormatCents(collectorCash))
			}

			shares := checkTrueProceedsShare(t, ctx, db, &truth)
			for _, m := range []string{"libr", "tainted-first"} {
				t.Logf("from the true proceeds, %s: %v", m, shares[m])
			}
			if s := shares["libr"]; float64(s.organizers) < c.orgShareBanked*float64(s.banked) {
				t.Errorf("from the true proceeds (libr) the organizers hold %v, want at least %.0f%% of the banked cash", s, 100*c.orgShareBanked)
			}
		})
	}
}
