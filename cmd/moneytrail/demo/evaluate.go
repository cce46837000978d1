package demo

import (
	"context"
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
)

// evaluation compares the findings with the ground truth, per role: a finding's subject (an
// account, or a party of the case) is mapped to the true parties holding its accounts.
// Recall: the share of the true parties of the role that some finding names; precision: the
// share of the distinct true parties (or unmapped subjects) named by the role's rules that
// have the role.
type evaluation struct {
	// found are the subjects (accounts and parties) the role's rules flagged; hits and want
	// count true persons and companies of the role: found by the rules, and in the truth.
	found             map[string][]string
	hits, want        map[string]int
	recall, precision map[string]float64
}

// roleRules says which rules name which role, and which true roles count as a hit. The
// collector rules' evidence (money collected, and the collected cash banked) also seeds the
// demo's trace.
var roleRules = map[string]struct {
	rules []string
	roles []string
}{
	"collector": {[]string{"collection_account", "collection_party", "collector_deposits"}, []string{fixtures.RoleCollector}},
	"organizer": {[]string{"organizer_ranking"}, []string{fixtures.RoleOrganizer, fixtures.RoleCompany}},
}

func evaluate(ctx context.Context, db *casedb.DB, truth *fixtures.Truth, byRule map[string][]rules.Finding) (*evaluation, error) {
	owner := map[string]fixtures.TruthParty{} // account -> true party
	for _, p := range truth.Parties {
		for _, a := range p.Accounts {
			owner[a] = p
		}
	}
	// The case's parties, with their accounts.
	rows, err := db.QueryContext(ctx, `SELECT 'party:' || party_id, account_id FROM party_links WHERE role = 'holder' ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	partyAccounts := map[string][]string{}
	for rows.Next() {
		var p, a string
		if err := rows.Scan(&p, &a); err != nil {
			rows.Close()
			return nil, err
		}
		partyAccounts[p] = append(partyAccounts[p], a)
	}
	rows.Close()
	ev := &evaluation{found: map[string][]string{}, hits: map[string]int{}, want: map[string]int{},
		recall: map[string]float64{}, precision: map[string]float64{}}
	for role, rr := range roleRules {
		want := map[string]bool{}
		for _, p := range truth.Parties {
			for _, r := range rr.roles {
				if p.Role == r {
					want[p.ID] = true
				}
			}
		}
		// Precision is counted per true party, not per subject: a collector found as a party
		// and again through one of its accounts is one hit, and two accounts of one honest
		// person are one false alarm.
		hitParties := map[string]bool{}
		entities := map[string]bool{}
		subjects := map[string]bool{}
		for _, rule := range rr.rules {
			for _, f := range byRule[rule] {
				if subjects[f.Subject] {
					continue
				}
				subjects[f.Subject] = true
				accts := partyAccounts[f.Subject]
				if !strings.HasPrefix(f.Subject, "party:") {
					accts = []string{f.Subject}
				}
				entity := ""
				for _, a := range accts {
					p, ok := owner[a]
					if !ok {
						continue
					}
					if want[p.ID] {
						hitParties[p.ID] = true
						entity = p.ID
						break
					}
					if entity == "" {
						entity = p.ID
					}
				}
				if entity == "" {
					entity = "subject:" + f.Subject
				}
				entities[entity] = true
			}
		}
		var found []string
		for s := range subjects {
			found = append(found, s)
		}
		sort.Strings(found)
		ev.found[role] = found
		ev.hits[role], ev.want[role] = len(hitParties), len(want)
		if len(want) > 0 {
			ev.recall[role] = float64(len(hitParties)) / float64(len(want))
		}
		if len(entities) > 0 {
			ev.precision[role] = float64(len(hitParties)) / float64(len(entities))
		}
	}
	return ev, nil
}
