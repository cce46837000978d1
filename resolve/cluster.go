package resolve

import (
	"fmt"
	"sort"
	"time"
)

// Decision actions.
const (
	// ActConfirm confirms a candidate link: the two parties are one.
	ActConfirm = "confirm"
	// ActReject rejects a link: the two parties are different, whatever resolution finds.
	ActReject = "reject"
	// ActMerge joins two parties that resolution did not pair.
	ActMerge = "merge"
	// ActSplit takes a party out of its cluster: no automatic link of it counts, only
	// confirmations and merges decided after the split.
	ActSplit = "split"
)

// Decision is one of the investigator's decisions, in the order made (No 1, 2, ...).
type Decision struct {
	No     int
	Action string
	// Party and Other are the parties decided on; Other is empty for a split.
	Party, Other string
	Author       string
	At           time.Time
	Note         string
}

// Cluster is one person or company: its parties and the links that join them.
type Cluster struct {
	// ID is the cluster's smallest party id: stable while that party stays in it.
	ID      string
	Parties []string
	// Links are the joining links between its parties, in order.
	Links []Link
	// Confidence is the least score of the links that joined the cluster, strongest first
	// (so the weakest link of its best spanning tree); 1 for a single party.
	Confidence float64
	// Confirmed is true when every joining link the cluster needs was confirmed by the
	// investigator or decided by a shared identifier.
	Confirmed bool
	// JoinedBy is the weakest kind of link the cluster needs: "decision" (the investigator
	// confirmed or merged), "identifier" (a shared document or held account), "probable"
	// (names with a birth date or phone); "" for a party alone.
	JoinedBy string
}

// Result is a resolution: every candidate link (joining or not) and the clusters.
type Result struct {
	Links    []Link
	Clusters []Cluster
	// ClusterOf maps each party id to its cluster's id.
	ClusterOf map[string]string
}

// Resolve compares the parties pairwise within their blocks, replays the decisions in order
// and clusters the parties. The same parties, decisions and parameters give the same result.
func Resolve(ps []*Party, decisions []Decision, p Params) Result {
	sorted := append([]*Party(nil), ps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	byPair := map[[2]string]*Link{}
	var links []*Link
	for _, pr := range Pairs(sorted, p) {
		if l, ok := Compare(sorted[pr[0]], sorted[pr[1]], p); ok {
			c := l
			byPair[[2]string{l.A, l.B}] = &c
			links = append(links, &c)
		}
	}
	known := map[string]*Party{}
	for _, x := range sorted {
		known[x.ID] = x
	}
	split := map[string]int{}
	for _, d := range decisions {
		a, b := d.Party, d.Other
		if a > b {
			a, b = b, a
		}
		key := [2]string{a, b}
		switch d.Action {
		case ActSplit:
			split[d.Party] = d.No
			for _, l := range links {
				if (l.A == d.Party || l.B == d.Party) && l.Status == Confirmed {
					l.Status, l.Decision = Suggested, d.No
					l.Reasons = append(l.Reasons, fmt.Sprintf("confirmation undone by split #%d (%s)", d.No, d.Author))
				}
			}
		case ActConfirm, ActMerge, ActReject:
			l := byPair[key]
			if l == nil {
				if known[a] == nil || known[b] == nil {
					continue
				}
				l = &Link{A: a, B: b}
				byPair[key] = l
				links = append(links, l)
			}
			status := Confirmed
			if d.Action == ActReject {
				status = Rejected
			}
			l.Status, l.Decision = status, d.No
			if d.Action == ActConfirm || d.Action == ActMerge {
				l.Score = 1
			}
			r := fmt.Sprintf("%s #%d by %s on %s", d.Action, d.No, d.Author, d.At.UTC().Format("2006-01-02 15:04"))
			if d.Note != "" {
				r += ": " + d.Note
			}
			l.Reasons = append(l.Reasons, r)
		}
	}
	for _, l := range links {
		if l.Status != Same && l.Status != Probable {
			continue
		}
		if split[l.A] > 0 || split[l.B] > 0 {
			l.Status = Suggested
			l.Reasons = append(l.Reasons, "not joined: a party was split out of its cluster")
		}
	}
	sort.Slice(links, func(i, j int) bool {
		if links[i].A != links[j].A {
			return links[i].A < links[j].A
		}
		return links[i].B < links[j].B
	})
	r := Result{ClusterOf: map[string]string{}}
	for _, l := range links {
		r.Links = append(r.Links, *l)
	}
	r.Clusters, r.Links = cluster(sorted, r.Links)
	for _, c := range r.Clusters {
		for _, id := range c.Parties {
			r.ClusterOf[id] = c.ID
		}
	}
	return r
}

// statusOf is the link status behind each Cluster.JoinedBy.
var statusOf = map[string]string{"decision": Confirmed, "identifier": Same, "probable": Probable}

// rank orders joining links for clustering: decisions, then identifiers, then probable
// links by score.
func rank(s string) int {
	switch s {
	case Confirmed:
		return 0
	case Same:
		return 1
	}
	return 2
}

// cluster joins parties along the joining links, strongest first, never joining two groups
// that hold a rejected pair between them: a rejection is the investigator's word and
// outweighs any automatic link (a later link that would join the two is left out and says
// so in its reasons). It returns the clusters and the links left as candidates.
func cluster(ps []*Party, links []Link) ([]Cluster, []Link) {
	parent := map[string]string{}
	members := map[string][]string{}
	for _, p := range ps {
		parent[p.ID] = p.ID
		members[p.ID] = []string{p.ID}
	}
	var find func(string) string
	find = func(x string) string {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	born := map[string]map[string]bool{}
	for _, p := range ps {
		born[p.ID] = map[string]bool{}
		for v := range p.values("birth_date") {
			born[p.ID][v] = true
		}
	}
	rejected := map[[2]string]bool{}
	for _, l := range links {
		if l.Status == Rejected {
			rejected[[2]string{l.A, l.B}] = true
		}
	}
	order := make([]int, 0, len(links))
	for i, l := range links {
		if l.Joins() {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := links[order[i]], links[order[j]]
		if rank(a.Status) != rank(b.Status) {
			return rank(a.Status) < rank(b.Status)
		}
		return a.Score > b.Score
	})
	used := map[[2]string]bool{}
	for _, i := range order {
		l := links[i]
		ra, rb := find(l.A), find(l.B)
		if ra == rb {
			continue
		}
		if conflict(members[ra], members[rb], rejected) {
			links[i].Status = Suggested
			links[i].Reasons = append(links[i].Reasons, "not joined: it would put a rejected pair in one cluster")
			continue
		}
		// Two clusters with different birth dates are two people, whatever joins them
		// automatically: a number shared by namesakes is a party that mixes two people
		// (an operator's record without a birth date, filed under name and country).
		if l.Status != Confirmed && disjoint(born[ra], born[rb]) {
			links[i].Status = Suggested
			links[i].Reasons = append(links[i].Reasons, "not joined: the two clusters have different birth dates")
			continue
		}
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
		members[ra] = append(members[ra], members[rb]...)
		delete(members, rb)
		for v := range born[rb] {
			born[ra][v] = true
		}
		used[[2]string{l.A, l.B}] = true
	}
	// A suggestion between clusters whose birth dates differ is a namesake of someone
	// already resolved: no candidate, as it would be between the two parties themselves.
	kept := links[:0]
	for _, l := range links {
		if l.Status == Suggested && disjoint(born[find(l.A)], born[find(l.B)]) && find(l.A) != find(l.B) {
			continue
		}
		kept = append(kept, l)
	}
	links = kept
	var out []Cluster
	for _, ids := range members {
		sort.Strings(ids)
		out = append(out, Cluster{ID: ids[0], Parties: ids, Confidence: 1, Confirmed: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	idx := map[string]int{}
	for i, c := range out {
		idx[c.ID] = i
	}
	for _, l := range links {
		if !l.Joins() {
			continue
		}
		ca, cb := find(l.A), find(l.B)
		if ca != cb {
			continue
		}
		c := &out[idx[members[ca][0]]]
		c.Links = append(c.Links, l)
		if used[[2]string{l.A, l.B}] {
			c.Confidence = min(c.Confidence, l.Score)
			by := map[string]string{Confirmed: "decision", Same: "identifier", Probable: "probable"}[l.Status]
			if c.JoinedBy == "" || rank(l.Status) > rank(statusOf[c.JoinedBy]) {
				c.JoinedBy = by
			}
			if l.Status == Probable {
				c.Confirmed = false
			}
		}
	}
	return out, links
}

// disjoint reports whether two sets of birth dates are both known and share none.
func disjoint(a, b map[string]bool) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for v := range a {
		if b[v] {
			return false
		}
	}
	return true
}

// conflict reports whether joining groups a and b would put a rejected pair in one cluster.
func conflict(a, b []string, rejected map[[2]string]bool) bool {
	if len(rejected) == 0 {
		return false
	}
	for _, x := range a {
		for _, y := range b {
			if x > y {
				x, y = y, x
			}
			if rejected[[2]string{x, y}] {
				return true
			}
		}
	}
	return false
}
