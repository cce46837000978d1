package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// flowGraph is the network of tainted money under one method: accounts joined by the traced
// amounts that moved between them, and the parties linked to those accounts.
type flowGraph struct {
	method, currency string
	nodes            []*gnode // sorted by id
	edges            []*gedge // sorted by from, to
	links            []partyLink
	byID             map[string]*gnode
}

type gnode struct {
	id, kind, name string
	party          bool
	in, out        int64 // cents of tainted money received and paid on
	held, exited   int64
	firstAt        string
	seedPayer      bool
}

type gedge struct {
	from, to string
	cents    int64
	txns     int
}

func cents(d decimal.Decimal) int64 { return d.Shift(2).Round(0).IntPart() }

func isTainted(origin string) bool {
	return origin != "clean" && origin != "unexplained" && !strings.HasPrefix(origin, "unexplained:")
}

// graph builds the flow network of the report's method from the Flows and Positions tables.
func (c *caseData) graph() *flowGraph {
	g := &flowGraph{method: c.method, currency: c.manifest.Currency, byID: map[string]*gnode{}}
	node := func(id string) *gnode {
		n := g.byID[id]
		if n == nil {
			info := c.accounts[id]
			n = &gnode{id: id, kind: cmp.Or(info.Kind, "unknown"), name: info.Holder}
			g.byID[id] = n
		}
		return n
	}
	seeds := map[string]bool{}
	for _, s := range c.manifest.Seeds {
		for _, id := range s.TxnIDs {
			seeds[id] = true
		}
	}
	edges := map[[2]string]*gedge{}
	ft := c.flows
	iM, iT, iF, iTo, iO, iA, iB := ft.col("method"), ft.col("txn_id"), ft.col("from_account"), ft.col("to_account"), ft.col("origin"), ft.col("amount"), ft.col("booked_at")
	for _, r := range ft.rows {
		if r[iM] != c.method || !isTainted(r[iO].(string)) {
			continue
		}
		from, to := r[iF].(string), r[iTo].(string)
		amt := cents(r[iA].(decimal.Decimal))
		fn, tn := node(from), node(to)
		if seeds[r[iT].(string)] {
			fn.seedPayer = true
		}
		fn.out += amt
		tn.in += amt
		if tn.firstAt == "" {
			tn.firstAt = cellText(r[iB], kTime)
		}
		k := [2]string{from, to}
		e := edges[k]
		if e == nil {
			e = &gedge{from: from, to: to}
			edges[k] = e
		}
		e.cents += amt
		e.txns++
	}
	for _, t := range []*table{c.positions, c.exits} {
		iM, iH, iO, iA := t.col("method"), 1, t.col("origin"), t.col("amount")
		for _, r := range t.rows {
			if r[iM] != c.method || !isTainted(r[iO].(string)) {
				continue
			}
			n := node(r[iH].(string))
			if t == c.exits {
				n.exited += cents(r[iA].(decimal.Decimal))
			} else {
				n.held += cents(r[iA].(decimal.Decimal))
			}
		}
	}
	for _, l := range c.links {
		if _, ok := g.byID[l.Account]; ok {
			g.links = append(g.links, l)
		}
	}
	for _, n := range g.byID {
		g.nodes = append(g.nodes, n)
	}
	for _, l := range g.links {
		if g.byID[l.Party] == nil {
			p := &gnode{id: l.Party, kind: "party", name: l.Name, party: true}
			g.byID[l.Party] = p
			g.nodes = append(g.nodes, p)
		}
	}
	slices.SortFunc(g.nodes, func(a, b *gnode) int { return cmp.Compare(a.id, b.id) })
	for _, e := range edges {
		g.edges = append(g.edges, e)
	}
	slices.SortFunc(g.edges, func(a, b *gedge) int { return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to)) })
	c.maskGraph(g)
	return g
}

// maskGraph applies --mask to the graph's ids and names once, so every writer shows the same.
func (c *caseData) maskGraph(g *flowGraph) {
	if !c.mask.on {
		return
	}
	for _, n := range g.nodes {
		if n.party {
			n.id = c.mask.Party(n.id)
		} else {
			n.id = c.mask.Account(n.id)
		}
		n.name = c.mask.Name(n.name)
	}
	for _, e := range g.edges {
		e.from, e.to = c.mask.Account(e.from), c.mask.Account(e.to)
	}
	for i, l := range g.links {
		g.links[i] = partyLink{Party: c.mask.Party(l.Party), Name: c.mask.Name(l.Name), Account: c.mask.Account(l.Account), Role: l.Role}
	}
}

// centsText writes cents as an exact decimal with two places.
func centsText(c int64) string { return decimal.New(c, -2).StringFixed(2) }

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

var kindColour = map[string]string{
	"bank": "#cfe0f5", "mto": "#d8d0f0", "cash": "#f4d3a8", "external": "#e3e3e3", "asset": "#f2c7c7", "party": "#fff2b3",
	"unknown": "#eeeeee",
}

func (g *flowGraph) writeDOT(w *strings.Builder) error {
	fmt.Fprintf(w, "// moneytrail flow network: tainted money under %s, amounts in %s\n", g.method, g.currency)
	w.WriteString("digraph moneytrail {\n")
	fmt.Fprintf(w, "  graph [rankdir=LR, label=%s, labelloc=t];\n", dotQuote("tainted money, method "+g.method+", "+g.currency))
	w.WriteString("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n")
	w.WriteString("  edge [fontname=\"Helvetica\"];\n")
	for _, n := range g.nodes {
		label := n.id
		if n.name != "" && !n.party {
			label += "\n" + n.name
		} else if n.party && n.name != "" {
			label = n.name + "\n" + n.id
		}
		if n.held > 0 {
			label += "\nheld " + centsText(n.held)
		}
		if n.exited > 0 {
			label += "\nexited " + centsText(n.exited)
		}
		shape := ""
		if n.party {
			shape = ", shape=ellipse"
		}
		fmt.Fprintf(w, "  %s [label=%s, kind=%s, held=%s, exited=%s, fillcolor=%s%s];\n", dotQuote(n.id), dotQuote(label),
			dotQuote(n.kind), dotQuote(centsText(n.held)), dotQuote(centsText(n.exited)), dotQuote(kindColour[n.kind]), shape)
	}
	var top int64 = 1
	for _, e := range g.edges {
		top = max(top, e.cents)
	}
	for _, e := range g.edges {
		fmt.Fprintf(w, "  %s -> %s [label=%s, amount=%s, txns=%d, penwidth=%s];\n", dotQuote(e.from), dotQuote(e.to),
			dotQuote(centsText(e.cents)), dotQuote(centsText(e.cents)), e.txns, strconv.FormatFloat(1+5*float64(e.cents)/float64(top), 'f', 2, 64))
	}
	for _, l := range g.links {
		fmt.Fprintf(w, "  %s -> %s [label=%s, kind=\"party_link\", style=dashed, arrowhead=none];\n", dotQuote(l.Party), dotQuote(l.Account), dotQuote(l.Role))
	}
	w.WriteString("}\n")
	return nil
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (g *flowGraph) writeGraphML(w *strings.Builder) error {
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
  <key id="type" for="node" attr.name="type" attr.type="string"/>
  <key id="kind" for="node" attr.name="kind" attr.type="string"/>
  <key id="name" for="node" attr.name="name" attr.type="string"/>
  <key id="held" for="node" attr.name="held" attr.type="double"/>
  <key id="exited" for="node" attr.name="exited" attr.type="double"/>
  <key id="etype" for="edge" attr.name="type" attr.type="string"/>
  <key id="amount" for="edge" attr.name="amount" attr.type="double"/>
  <key id="txns" for="edge" attr.name="txns" attr.type="int"/>
  <key id="role" for="edge" attr.name="role" attr.type="string"/>
`)
	fmt.Fprintf(w, "  <graph id=%q edgedefault=\"directed\">\n", "tainted-"+g.method+"-"+g.currency)
	for _, n := range g.nodes {
		typ := "account"
		if n.party {
			typ = "party"
		}
		fmt.Fprintf(w, "    <node id=\"%s\">\n      <data key=\"type\">%s</data>\n      <data key=\"kind\">%s</data>\n", xmlText(n.id), typ, xmlText(n.kind))
		if n.name != "" {
			fmt.Fprintf(w, "      <data key=\"name\">%s</data>\n", xmlText(n.name))
		}
		if !n.party {
			fmt.Fprintf(w, "      <data key=\"held\">%s</data>\n      <data key=\"exited\">%s</data>\n", centsText(n.held), centsText(n.exited))
		}
		w.WriteString("    </node>\n")
	}
	i := 0
	for _, e := range g.edges {
		i++
		fmt.Fprintf(w, "    <edge id=\"e%d\" source=\"%s\" target=\"%s\">\n      <data key=\"etype\">flow</data>\n      <data key=\"amount\">%s</data>\n      <data key=\"txns\">%d</data>\n    </edge>\n",
			i, xmlText(e.from), xmlText(e.to), centsText(e.cents), e.txns)
	}
	for _, l := range g.links {
		i++
		fmt.Fprintf(w, "    <edge id=\"e%d\" source=\"%s\" target=\"%s\">\n      <data key=\"etype\">party_link</data>\n      <data key=\"role\">%s</data>\n    </edge>\n",
			i, xmlText(l.Party), xmlText(l.Account), xmlText(l.Role))
	}
	w.WriteString("  </graph>\n</graphml>\n")
	return nil
}
