package report

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"
)

// defaultMaxNodes is how many accounts the flow diagram draws before it groups the smallest.
const defaultMaxNodes = 40

// diagram is the laid-out money-flow picture: columns from the seeds' payers through the hops
// to the exits, the smallest accounts of a column grouped into one "other" node.
type diagram struct {
	nodes    []*dnode
	edges    []*dedge
	layers   int
	accounts int // accounts in the network before grouping
	grouped  int // accounts folded into "other" nodes
	width    int
	height   int
}

type dnode struct {
	id, label, sub, kind string
	layer, pos           int
	members              int // > 0 for an "other" node
	in, out, held, exit  int64
	x, y                 int
	seed, isExit         bool
	bary                 float64
}

type dedge struct {
	from, to *dnode
	cents    int64
	txns     int
}

const (
	nodeW, nodeH = 168, 38
	colGap       = 250
	rowGap       = 16
	marginX      = 20
	marginTop    = 44
)

func weight(n *dnode) int64 { return max(n.in, n.out, n.held, n.exit) }

// layout places g's accounts in columns: a seed's payer in the first, every other account one
// column right of the first account that paid it tainted money (breadth-first), and the
// accounts that only received money and let it leave (exits) in the last.
func layout(g *flowGraph, maxNodes int) *diagram {
	if maxNodes <= 0 {
		maxNodes = defaultMaxNodes
	}
	d := &diagram{}
	all := map[string]*dnode{}
	var list []*dnode
	for _, n := range g.nodes {
		if n.party {
			continue
		}
		dn := &dnode{id: n.id, label: n.id, sub: n.name, kind: n.kind, in: n.in, out: n.out, held: n.held, exit: n.exited,
			seed: n.seedPayer, layer: -1}
		dn.isExit = dn.exit > 0 && dn.held == 0 && !dn.seed && (n.kind == "cash" || n.kind == "external" || n.kind == "asset" || outDegree(g, n.id) == 0)
		all[n.id] = dn
		list = append(list, dn)
	}
	d.accounts = len(list)
	out := map[string][]string{}
	for _, e := range g.edges {
		if e.from != e.to {
			out[e.from] = append(out[e.from], e.to)
		}
	}
	var queue []*dnode
	for _, n := range list {
		if n.seed || n.in == 0 {
			n.layer = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range out[u.id] {
			if w := all[v]; w.layer < 0 {
				w.layer = u.layer + 1
				queue = append(queue, w)
			}
		}
	}
	last := 0
	for _, n := range list {
		if n.layer < 0 {
			n.layer = 1
		}
		if !n.isExit {
			last = max(last, n.layer)
		}
	}
	hasExit := false
	for _, n := range list {
		if n.isExit {
			n.layer = last + 1
			hasExit = true
		}
	}
	d.layers = last + 1
	if hasExit {
		d.layers++
	}

	// Group the smallest accounts, one "other" node per column, when there are too many.
	shown := map[string]*dnode{}
	for _, n := range list {
		shown[n.id] = n
	}
	if len(list) > maxNodes {
		byWeight := slices.Clone(list)
		slices.SortFunc(byWeight, func(a, b *dnode) int { return cmp.Or(cmp.Compare(weight(b), weight(a)), cmp.Compare(a.id, b.id)) })
		keep := max(maxNodes-d.layers, 1)
		others := map[int]*dnode{}
		for _, n := range byWeight[keep:] {
			o := others[n.layer]
			if o == nil {
				o = &dnode{id: fmt.Sprintf("other:%d", n.layer), kind: "other", layer: n.layer, isExit: n.isExit}
				others[n.layer] = o
			}
			o.members++
			o.in, o.out, o.held, o.exit = o.in+n.in, o.out+n.out, o.held+n.held, o.exit+n.exit
			shown[n.id] = o
			d.grouped++
		}
		for _, o := range others {
			o.label = fmt.Sprintf("%d other accounts", o.members)
			o.sub = "grouped: smaller flows"
		}
	}
	seen := map[*dnode]bool{}
	for _, n := range list {
		if s := shown[n.id]; !seen[s] {
			seen[s] = true
			d.nodes = append(d.nodes, s)
		}
	}
	edges := map[[2]*dnode]*dedge{}
	for _, e := range g.edges {
		f, t := shown[e.from], shown[e.to]
		if f == t {
			continue
		}
		k := [2]*dnode{f, t}
		de := edges[k]
		if de == nil {
			de = &dedge{from: f, to: t}
			edges[k] = de
		}
		de.cents += e.cents
		de.txns += e.txns
	}
	for _, e := range edges {
		d.edges = append(d.edges, e)
	}
	slices.SortFunc(d.edges, func(a, b *dedge) int { return cmp.Or(cmp.Compare(a.from.id, b.from.id), cmp.Compare(a.to.id, b.to.id)) })
	d.order()
	return d
}

func outDegree(g *flowGraph, id string) int {
	n := 0
	for _, e := range g.edges {
		if e.from == id && e.to != id {
			n++
		}
	}
	return n
}

// order sorts each column by weight, then by a few barycentre sweeps so that edges cross less,
// and gives every node its coordinates.
func (d *diagram) order() {
	cols := make([][]*dnode, d.layers)
	for _, n := range d.nodes {
		cols[n.layer] = append(cols[n.layer], n)
	}
	for _, c := range cols {
		slices.SortFunc(c, func(a, b *dnode) int {
			return cmp.Or(cmp.Compare(a.members, b.members), cmp.Compare(weight(b), weight(a)), cmp.Compare(a.id, b.id))
		})
		for i, n := range c {
			n.pos = i
		}
	}
	in := map[*dnode][]*dedge{}
	out := map[*dnode][]*dedge{}
	for _, e := range d.edges {
		in[e.to] = append(in[e.to], e)
		out[e.from] = append(out[e.from], e)
	}
	sweep := func(c []*dnode, nb func(*dnode) ([]*dedge, bool)) {
		for _, n := range c {
			es, useFrom := nb(n)
			var sum, w float64
			for _, e := range es {
				o := e.to
				if useFrom {
					o = e.from
				}
				sum += float64(o.pos) * float64(e.cents)
				w += float64(e.cents)
			}
			n.bary = float64(n.pos)
			if w > 0 {
				n.bary = sum / w
			}
		}
		slices.SortStableFunc(c, func(a, b *dnode) int {
			return cmp.Or(cmp.Compare(a.members, b.members), cmp.Compare(a.bary, b.bary), cmp.Compare(a.id, b.id))
		})
		for i, n := range c {
			n.pos = i
		}
	}
	for range 3 {
		for _, c := range cols[1:] {
			sweep(c, func(n *dnode) ([]*dedge, bool) { return in[n], true })
		}
		for i := len(cols) - 2; i >= 0; i-- {
			sweep(cols[i], func(n *dnode) ([]*dedge, bool) { return out[n], false })
		}
	}
	tallest := 0
	for _, c := range cols {
		tallest = max(tallest, len(c))
	}
	d.width = marginX*2 + (d.layers-1)*colGap + nodeW
	d.height = marginTop + tallest*(nodeH+rowGap) + 60
	for li, c := range cols {
		// Centre shorter columns against the tallest.
		off := (tallest - len(c)) * (nodeH + rowGap) / 2
		for i, n := range c {
			n.x = marginX + li*colGap
			n.y = marginTop + off + i*(nodeH+rowGap)
		}
	}
	slices.SortFunc(d.nodes, func(a, b *dnode) int { return cmp.Or(cmp.Compare(a.layer, b.layer), cmp.Compare(a.pos, b.pos)) })
}

var nodeFill = map[string]string{
	"bank": "#cfe0f5", "mto": "#d8d0f0", "cash": "#f4d3a8", "external": "#e3e3e3", "asset": "#f2c7c7", "other": "#f0f0f0",
	"unknown": "#eeeeee",
}

// svg draws the diagram. Every node is one <g class="node">; the root says how many there are.
func (d *diagram) svg(currency string, shortID func(string) string) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg class="flow" data-nodes="%d" data-edges="%d" data-accounts="%d" data-grouped="%d" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="money-flow diagram">`,
		len(d.nodes), len(d.edges), d.accounts, d.grouped, d.width, d.height, d.width, d.height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>`)
	for l := 0; l < d.layers; l++ {
		title := fmt.Sprintf("hop %d", l)
		switch {
		case l == 0:
			title = "seed payers"
		case l == d.layers-1 && d.hasExitColumn():
			title = "exits"
		}
		fmt.Fprintf(&b, `<text class="col" x="%d" y="20">%s</text>`, marginX+l*colGap+nodeW/2, esc(title))
	}
	var top int64 = 1
	for _, e := range d.edges {
		top = max(top, e.cents)
	}
	labelled := slices.Clone(d.edges)
	slices.SortFunc(labelled, func(a, b *dedge) int { return cmp.Compare(b.cents, a.cents) })
	showLabel := map[*dedge]bool{}
	for _, e := range labelled[:min(len(labelled), 16)] {
		showLabel[e] = true
	}
	b.WriteString(`<g class="edges">`)
	for _, e := range d.edges {
		sw := 1.5 + 16*float64(e.cents)/float64(top)
		cls := "edge"
		if e.to.isExit {
			cls += " to-exit"
		}
		var path string
		var lx, ly int
		if e.to.layer > e.from.layer {
			x1, y1 := e.from.x+nodeW, e.from.y+nodeH/2
			x2, y2 := e.to.x, e.to.y+nodeH/2
			mx := (x1 + x2) / 2
			path = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, mx, y1, mx, y2, x2-2, y2)
			lx, ly = mx, (y1+y2)/2-4
		} else {
			// A payment back to an earlier column (or within one): an arc under the nodes.
			x1, y1 := e.from.x+nodeW/2, e.from.y+nodeH
			x2, y2 := e.to.x+nodeW/2+8, e.to.y+nodeH
			drop := max(y1, y2) + 40
			path = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1, drop, x2, drop, x2, y2+2)
			lx, ly = (x1+x2)/2, drop-6
		}
		fmt.Fprintf(&b, `<g class="%s"><path d="%s" stroke-width="%.1f" marker-end="url(#arrow)"/><title>%s → %s: %s %s in %d hop(s)</title>`,
			cls, path, sw, esc(e.from.label), esc(e.to.label), esc(groupThousands(centsText(e.cents))), esc(currency), e.txns)
		if showLabel[e] {
			fmt.Fprintf(&b, `<text class="amt" x="%d" y="%d">%s</text>`, lx, ly, esc(groupThousands(centsText(e.cents))))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</g>`)
	for _, n := range d.nodes {
		kind := n.kind
		fill := nodeFill[kind]
		if fill == "" {
			fill = nodeFill["unknown"]
		}
		fmt.Fprintf(&b, `<g class="node" data-id="%s" data-kind="%s" data-layer="%d"`, esc(n.id), esc(kind), n.layer)
		if n.seed {
			b.WriteString(` data-seed="true"`)
		}
		if n.held > 0 {
			b.WriteString(` data-holder="true"`)
		}
		if n.members > 0 {
			fmt.Fprintf(&b, ` data-members="%d"`, n.members)
		}
		fmt.Fprintf(&b, `><rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s"/>`, n.x, n.y, nodeW, nodeH, fill)
		label := n.label
		if n.members == 0 {
			label = shortID(n.label)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="id">%s</text>`, n.x+6, n.y+15, esc(clip(label, 26)))
		sub := n.sub
		switch {
		case n.held > 0:
			sub = "holds " + groupThousands(centsText(n.held))
		case n.exit > 0 && n.isExit:
			sub = "received " + groupThousands(centsText(n.exit))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="sub">%s</text>`, n.x+6, n.y+31, esc(clip(sub, 28)))
		fmt.Fprintf(&b, `<title>%s`, esc(n.label))
		if n.sub != "" {
			fmt.Fprintf(&b, "\n%s", esc(n.sub))
		}
		fmt.Fprintf(&b, "\nkind: %s\nreceived tainted: %s %s\npaid on: %s %s\nholds: %s %s\nleft through this exit: %s %s</title></g>",
			esc(kind), groupThousands(centsText(n.in)), esc(currency), groupThousands(centsText(n.out)), esc(currency),
			groupThousands(centsText(n.held)), esc(currency), groupThousands(centsText(n.exit)), esc(currency))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (d *diagram) hasExitColumn() bool {
	for _, n := range d.nodes {
		if n.isExit {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// groupThousands inserts thousands separators into an exact decimal: 1234567.50 → 1,234,567.50.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
