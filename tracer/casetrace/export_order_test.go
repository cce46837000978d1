package casetrace

// SetPageRows sets the rows a page of the replay stream aims at, for tests that need several
// pages of a small case; the returned function restores it.
func SetPageRows(n int64) (restore func()) {
	old := pageRows
	pageRows = n
	return func() { pageRows = old }
}
