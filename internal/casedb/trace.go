package casedb

import "time"

// TraceMethods are the names of the tracing methods (DESIGN.md §4) as the command line, rule
// packs, runs and trace_positions.method write them, in the tracer's order.
var TraceMethods = []string{"fifo", "lifo", "prorata", "libr", "tainted-first", "poison"}

// PositionRow is one row of a trace's positions (trace_positions, positions.csv): where one
// origin's money sits after the last transaction traced.
type PositionRow struct {
	Method     string
	Holder     string
	HolderKind string // "account" or "exit"
	Origin     string
	Cents      int64
}

// FlowRow is one hop of a trace's evidence (trace_flows, flows.csv): the part of a
// transaction that carried one origin's money.
type FlowRow struct {
	Method   string
	TxnID    string
	BookedAt time.Time
	From, To string
	Origin   string
	Cents    int64
}
