package resolve

import (
	"strconv"
	"strings"

	"github.com/moneytrail/moneytrail/internal/table"
)

// PartiesTable lists every party with its cluster: party_id, name (the first spelling),
// cluster (its cluster's id), members (how many parties the cluster has), confidence (the
// cluster's), joined_by (the weakest kind of link the cluster needs: decision, identifier or
// probable, see Cluster.JoinedBy), suggestions (candidate links of the party still to
// decide). With joined, only the parties of clusters of two or more are listed.
func PartiesTable(r Result, ps []*Party, joined bool) *table.Table {
	t := &table.Table{Columns: []string{"party_id", "name", "cluster", "members", "confidence", "joined_by", "suggestions"}}
	byID := map[string]Cluster{}
	for _, c := range r.Clusters {
		byID[c.ID] = c
	}
	open := map[string]int{}
	for _, l := range r.Links {
		if l.Status == Suggested {
			open[l.A]++
			open[l.B]++
		}
	}
	for _, p := range ps {
		c := byID[r.ClusterOf[p.ID]]
		if joined && len(c.Parties) < 2 {
			continue
		}
		name := ""
		if ns := p.Names(); len(ns) > 0 {
			name = ns[0].Raw
		}
		t.Rows = append(t.Rows, cells(p.ID, name, c.ID, strconv.Itoa(len(c.Parties)), score(c.Confidence), c.JoinedBy, strconv.Itoa(open[p.ID])))
	}
	return t
}

// LinksTable lists the links, filtered by status when statuses are given: party_a,
// party_b, status, score, decision (its number, "" for none), reasons ("; "-separated).
func LinksTable(r Result, statuses ...string) *table.Table {
	t := &table.Table{Columns: []string{"party_a", "party_b", "status", "score", "decision", "reasons"}}
	for _, l := range r.Links {
		if len(statuses) > 0 && !contains(statuses, l.Status) {
			continue
		}
		d := ""
		if l.Decision > 0 {
			d = strconv.Itoa(l.Decision)
		}
		t.Rows = append(t.Rows, cells(l.A, l.B, l.Status, score(l.Score), d, strings.Join(l.Reasons, "; ")))
	}
	return t
}

// DecisionsTable lists decisions in the order made.
func DecisionsTable(ds []Decision) *table.Table {
	t := &table.Table{Columns: []string{"decision", "action", "party", "other_party", "author", "decided_at", "note"}}
	for _, d := range ds {
		t.Rows = append(t.Rows, cells(strconv.Itoa(d.No), d.Action, d.Party, d.Other, d.Author, d.At.UTC().Format("2006-01-02 15:04:05"), d.Note))
	}
	return t
}

func score(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cells makes a table row; empty strings are empty cells, not NULL.
func cells(vs ...string) []*string {
	out := make([]*string, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}
