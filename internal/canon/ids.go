package canon

// SoleAccount returns the account every statement is of, or "" when there is none or more
// than one: a Batch's StatementAccount for files that may hold several statements.
func SoleAccount(stmts []Statement) string {
	one := ""
	for i, s := range stmts {
		if i == 0 {
			one = s.Account
		} else if s.Account != one {
			return ""
		}
	}
	return one
}

// UseRefsAsIDs sets each transaction's SourceID to the bank's own reference at the same index
// when every reference is usable and no two are equal within the file, and reports whether it
// did; otherwise the loader derives ids from the file's hash and the record number. refs
// must be index-aligned with txns.
func UseRefsAsIDs(txns []Txn, refs []string, usable func(string) bool) bool {
	if len(refs) == 0 || len(refs) != len(txns) {
		return false
	}
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if r == "" || !usable(r) || seen[r] {
			return false
		}
		seen[r] = true
	}
	for i := range txns {
		txns[i].SourceID = refs[i]
	}
	return true
}
