package resolve

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Mention is one record side of a money-transfer file naming a known person: the truth an
// evaluation compares resolution with (the generator's identities-truth.json mentions).
type Mention struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Side   string `json:"side"` // sender | receiver
	Person string `json:"person"`
	// Account, when set, names the mention by an account instead of a record: the party
	// that holds it (the smuggling case's truth gives each account's holder).
	Account string `json:"account,omitempty"`
}

// Evaluation is how resolution did against the truth, pairwise over mentions: two
// mentions are predicted one person when their parties are in one cluster (or are one
// party), and are one person when the truth says so.
type Evaluation struct {
	Mentions, Unmapped, Persons, Parties, Clusters int
	// TruePairs, FalsePairs, MissedPairs count mention pairs joined rightly, joined
	// wrongly and not joined.
	TruePairs, FalsePairs, MissedPairs int64
	Precision, Recall                  float64
	// WithSuggestions are the same figures when every suggestion were confirmed.
	WithSuggestions struct {
		Precision, Recall float64
	}
	// Mixed lists clusters holding mentions of several persons ("cluster: P001 P007"),
	// Split the persons whose mentions lie in several clusters ("P003: c1 | c2"), at
	// most 20 of each.
	Mixed, Split []string
}

// mentionParties finds the party of each mention: the holder of the sending or receiving
// pseudo-account of the operator transfer stored from that file and line.
const mentionParties = `
	SELECT s.file_name, t.source_record, lf.party_id, lt.party_id
	FROM transactions t JOIN sources s USING (source_id)
	JOIN party_links lf ON lf.account_id = t.from_account AND lf.role = 'holder'
	JOIN party_links lt ON lt.account_id = t.to_account AND lt.role = 'holder'
	WHERE t.channel = 'mto_send'
	ORDER BY 1, 2`

// Evaluate resolves the case and scores the result against the truth's mentions.
func Evaluate(ctx context.Context, db *casedb.DB, truth []Mention, p Params) (Evaluation, error) {
	var ev Evaluation
	rows, err := db.QueryContext(ctx, mentionParties)
	if err != nil {
		return ev, fmt.Errorf("%w: read the parties of transfers: %v", casedb.ErrInternal, err)
	}
	defer rows.Close()
	partyOf := map[string]string{}
	for rows.Next() {
		var file, from, to string
		var line int
		if err := rows.Scan(&file, &line, &from, &to); err != nil {
			return ev, err
		}
		partyOf[fmt.Sprintf("%s:%d:sender", file, line)] = from
		partyOf[fmt.Sprintf("%s:%d:receiver", file, line)] = to
	}
	if err := rows.Err(); err != nil {
		return ev, err
	}
	holders, err := db.QueryContext(ctx, `SELECT account_id, min(party_id) FROM party_links WHERE role = 'holder' GROUP BY account_id`)
	if err != nil {
		return ev, fmt.Errorf("%w: read account holders: %v", casedb.ErrInternal, err)
	}
	defer holders.Close()
	for holders.Next() {
		var acct, party string
		if err := holders.Scan(&acct, &party); err != nil {
			return ev, err
		}
		partyOf["account:"+acct] = party
	}
	if err := holders.Err(); err != nil {
		return ev, err
	}
	r, err := ResolveCase(ctx, db, p)
	if err != nil {
		return ev, err
	}
	joined := r.ClusterOf
	// With suggestions: clusters joined further along every suggested link.
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if q, ok := parent[x]; ok && q != x {
			parent[x] = find(q)
			return parent[x]
		}
		return x
	}
	for _, l := range r.Links {
		if l.Status == Suggested {
			a, b := find(joined[l.A]), find(joined[l.B])
			if a != b {
				if b < a {
					a, b = b, a
				}
				parent[b] = a
			}
		}
	}
	suggested := map[string]string{}
	for id, c := range joined {
		suggested[id] = find(c)
	}
	persons, parties := map[string]bool{}, map[string]bool{}
	var cl, sg, who []string
	for _, m := range truth {
		ev.Mentions++
		key := fmt.Sprintf("%s:%d:%s", filepath.Base(m.File), m.Line, m.Side)
		if m.Account != "" {
			key = "account:" + m.Account
		}
		party, ok := partyOf[key]
		if !ok {
			ev.Unmapped++
			continue
		}
		persons[m.Person], parties[party] = true, true
		cl, sg, who = append(cl, joined[party]), append(sg, suggested[party]), append(who, m.Person)
	}
	ev.Persons, ev.Parties = len(persons), len(parties)
	ev.TruePairs, ev.FalsePairs, ev.MissedPairs = pairs(cl, who)
	ev.Precision, ev.Recall = ratio(ev.TruePairs, ev.TruePairs+ev.FalsePairs), ratio(ev.TruePairs, ev.TruePairs+ev.MissedPairs)
	tp, fp, fn := pairs(sg, who)
	ev.WithSuggestions.Precision, ev.WithSuggestions.Recall = ratio(tp, tp+fp), ratio(tp, tp+fn)
	ev.Clusters, ev.Mixed, ev.Split = errorsOf(cl, who)
	return ev, nil
}

// pairs counts, over all pairs of mentions, those in one cluster and of one person (true),
// in one cluster of two persons (false) and of one person in two clusters (missed), from
// the sizes of the cluster × person cells: no pair is visited.
func pairs(cluster, person []string) (tp, fp, fn int64) {
	c2 := func(n int64) int64 { return n * (n - 1) / 2 }
	cells, byCluster, byPerson := map[[2]string]int64{}, map[string]int64{}, map[string]int64{}
	for i := range cluster {
		cells[[2]string{cluster[i], person[i]}]++
		byCluster[cluster[i]]++
		byPerson[person[i]]++
	}
	var predicted, actual int64
	for _, n := range cells {
		tp += c2(n)
	}
	for _, n := range byCluster {
		predicted += c2(n)
	}
	for _, n := range byPerson {
		actual += c2(n)
	}
	return tp, predicted - tp, actual - tp
}

// errorsOf counts the clusters and lists those mixing persons and the persons split.
func errorsOf(cluster, person []string) (int, []string, []string) {
	pc, cp := map[string]map[string]bool{}, map[string]map[string]bool{}
	for i := range cluster {
		if cp[cluster[i]] == nil {
			cp[cluster[i]] = map[string]bool{}
		}
		if pc[person[i]] == nil {
			pc[person[i]] = map[string]bool{}
		}
		cp[cluster[i]][person[i]] = true
		pc[person[i]][cluster[i]] = true
	}
	list := func(m map[string]map[string]bool, sep string) []string {
		var out []string
		for _, k := range sortedKeys(m) {
			if len(m[k]) > 1 && len(out) < 20 {
				out = append(out, k+": "+strings.Join(sortedKeys(m[k]), sep))
			}
		}
		return out
	}
	mixed, split := list(cp, " "), list(pc, " | ")
	sort.Strings(mixed)
	return len(cp), mixed, split
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
