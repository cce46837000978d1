package casetrace

import "time"

// ManifestOverdraft is an account the replay treated as overdrawn (its statements show its
// balance below zero, DESIGN.md §4): what it owed its bank, in the trace's currency. The
// bank's credit is the origin "overdraft:ACCOUNT"; repayments went to the exit of the same
// name.
type ManifestOverdraft struct {
	Account string `json:"account"`
	// FirstOverdrawn and DeepestOn are dates (YYYY-MM-DD), empty for a debt the account
	// opened with.
	FirstOverdrawn string `json:"first_overdrawn,omitempty"`
	Deepest        string `json:"deepest"`
	DeepestOn      string `json:"deepest_on,omitempty"`
	Drawn          string `json:"drawn"`
	Repaid         string `json:"repaid"`
	OwedAtEnd      string `json:"owed_at_end"`
	Debits         int32  `json:"debits_beyond_balance"`
}

// Overdrawn lists, by account id, the accounts that owed their bank during the replay (the
// manifest's overdrafts).
func (out *Outcome) Overdrawn() []ManifestOverdraft { return out.Manifest.Overdrafts }

// noteOverdrafts puts the report's overdrawn accounts in the manifest.
func (t *run) noteOverdrafts() {
	rep := t.out.Report
	if rep == nil {
		return
	}
	day := func(at int64) string {
		if at == 0 {
			return ""
		}
		return time.UnixMicro(at).UTC().Format(time.DateOnly)
	}
	for _, o := range rep.Overdrawn {
		t.out.Manifest.Overdrafts = append(t.out.Manifest.Overdrafts, ManifestOverdraft{
			Account: t.out.names.id(o.Account), FirstOverdrawn: day(o.FirstAt), Deepest: formatCents(o.Deepest),
			DeepestOn: day(o.DeepestAt), Drawn: formatCents(o.Drawn), Repaid: formatCents(o.Repaid),
			OwedAtEnd: formatCents(o.Owed), Debits: o.Debits})
	}
}
