package tracer

import (
	"cmp"
	"slices"
)

// Sensitivity sets the methods of a report side by side for the tainted origins: Cents[i],
// Traced[i] and so on belong to Methods[i].
type Sensitivity struct {
	Methods []Method
	// Holdings has one row per tainted origin and holder that any method reports, sorted by
	// (Origin, Holder); a method that puts nothing there shows 0, one that did not compute
	// the figure NotReplayed.
	Holdings []SensitivityRow
	// Origins has one row per tainted origin, sorted by Origin.
	Origins []OriginSensitivity
}

// SensitivityRow is what each method leaves of one origin with one holder.
type SensitivityRow struct {
	Origin Origin
	Holder int32
	Exit   bool
	Cents  []int64
}

// OriginSensitivity is one tainted origin's totals under each method.
type OriginSensitivity struct {
	Origin              Origin
	Traced              []int64
	Held                []int64
	Exited              []int64
	HeldWithUnexplained []int64
}

// Sensitivity builds the side-by-side table of the report's methods.
func (r *Report) Sensitivity() Sensitivity {
	n := len(r.Results)
	s := Sensitivity{}
	rows := map[uint64]int{}
	for i := range r.Results {
		s.Methods = append(s.Methods, r.Results[i].Method)
		for _, p := range r.Results[i].Positions {
			if !r.org.tainted(p.Origin) {
				continue
			}
			k := uint64(uint32(p.Origin))<<32 | uint64(uint32(p.Holder))
			j, ok := rows[k]
			if !ok {
				j = len(s.Holdings)
				rows[k] = j
				s.Holdings = append(s.Holdings, SensitivityRow{Origin: p.Origin, Holder: p.Holder, Exit: r.exit[p.Holder], Cents: make([]int64, n)})
			}
			s.Holdings[j].Cents[i] = p.Cents
		}
	}
	if r.org.allSeeds != 0 {
		r.groupedSensitivity(&s, rows)
	}
	slices.SortFunc(s.Holdings, func(a, b SensitivityRow) int {
		return cmp.Or(cmp.Compare(a.Origin, b.Origin), cmp.Compare(a.Holder, b.Holder))
	})
	for o := range r.org.seedOrigins {
		or := Origin(o + 1)
		row := OriginSensitivity{Origin: or, Traced: make([]int64, n), Held: make([]int64, n),
			Exited: make([]int64, n), HeldWithUnexplained: make([]int64, n)}
		for i := range r.Results {
			for _, sum := range r.Results[i].Origins {
				if sum.Origin != or && (or != r.org.allSeeds || r.Results[i].Method == Poison) {
					continue
				}
				row.Traced[i] += sum.Traced
				row.Held[i] += sum.Held
				row.Exited[i] += sum.Exited
				row.HeldWithUnexplained[i] += sum.HeldWithUnexplained
			}
			if r.org.allSeeds != 0 && r.Results[i].Method == Poison && or != r.org.allSeeds {
				row.Traced[i], row.Held[i], row.Exited[i], row.HeldWithUnexplained[i] = NotReplayed, NotReplayed, NotReplayed, NotReplayed
			}
		}
		s.Origins = append(s.Origins, row)
	}
	return s
}

// NotReplayed stands in a sensitivity table for a figure that the method did not compute:
// Poison's per-seed figures when it was replayed with all seeds as one origin
// (Config.GroupPoison).
const NotReplayed = -1

// groupedSensitivity completes a table whose Poison ran with all seeds as one origin: each
// "all seeds" row gets the other methods' totals of every seed with that holder, and the
// per-seed rows get NotReplayed under Poison. rows maps (origin, holder) keys to rows.
func (r *Report) groupedSensitivity(s *Sensitivity, rows map[uint64]int) {
	all := r.org.allSeeds
	for i := range r.Results {
		if r.Results[i].Method == Poison {
			continue
		}
		for _, p := range r.Results[i].Positions {
			if !r.org.seed(p.Origin) {
				continue
			}
			k := uint64(uint32(all))<<32 | uint64(uint32(p.Holder))
			j, ok := rows[k]
			if !ok {
				j = len(s.Holdings)
				rows[k] = j
				s.Holdings = append(s.Holdings, SensitivityRow{Origin: all, Holder: p.Holder, Exit: r.exit[p.Holder], Cents: make([]int64, len(r.Results))})
			}
			s.Holdings[j].Cents[i] += p.Cents
		}
	}
	for i := range r.Results {
		if r.Results[i].Method != Poison {
			continue
		}
		for j := range s.Holdings {
			if s.Holdings[j].Origin != all {
				s.Holdings[j].Cents[i] = NotReplayed
			}
		}
	}
}
