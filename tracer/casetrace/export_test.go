package casetrace

// SeedsNarrowed is the number of the trace's selectors whose transaction ids were all found
// through derivedFilter, for the external tests.
func (out *Outcome) SeedsNarrowed() int { return out.seedsNarrowed }
