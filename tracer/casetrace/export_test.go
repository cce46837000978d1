package casetrace

// SeedsNarrowed is the number of the trace's selectors whose transaction ids were all found
// through derivedFilter, for the external tests.
func (out *Outcome) SeedsNarrowed() int { return out.seedsNarrowed }

// The tests trace on writable cases they build and query afterwards: their sql: seeds, test
// code rather than a user's, run there directly. Seeds a test means as a user's run on a
// sealed case (TestSQLSeedsSealed), where this does not apply.
func init() { trustTestSQL = true }
