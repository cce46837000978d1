package canon

import "github.com/shopspring/decimal"

// Period is a reader's check of one statement period: opening + credits - debits = closing.
// Statement readers that know which entry belongs to which statement (camt, MT940, OFX,
// remittance apps) return one per statement; the loader stores it.
type Period struct {
	// Statement is the index of the statement in Batch.Statements.
	Statement int
	Opening   decimal.NullDecimal
	Closing   decimal.NullDecimal
	Credits   decimal.Decimal
	Debits    decimal.Decimal
	// Computed is Opening + Credits - Debits; null without an opening balance.
	Computed decimal.NullDecimal
	// Difference is Closing - Computed; null unless both are known.
	Difference decimal.NullDecimal
	// Reconciled is true when Difference is zero. A statement that does not reconcile is
	// still loaded, and flagged by this field; it is meaningless when Difference is null.
	Reconciled bool
	// ImpliedOpening is Closing - Credits + Debits, for formats without an opening balance
	// (OFX): information for a reader, not a check, never stored as an opening balance.
	ImpliedOpening decimal.NullDecimal
	// Entries and Quarantined count the statement's entries and those that went to
	// quarantine (a quarantined entry's amount is missing from Credits/Debits).
	Entries     int
	Quarantined int
	// QuarantinedCredits and QuarantinedDebits sum the quarantined entries whose amount and
	// side could still be read, so a difference they explain can be told apart from one
	// they do not.
	QuarantinedCredits decimal.Decimal
	QuarantinedDebits  decimal.Decimal
	// Notes lists what a reader of the check should know.
	Notes []string
}

// Reconcile fills Computed, Difference and Reconciled from Opening, Credits, Debits and
// Closing.
func (p *Period) Reconcile() {
	if !p.Opening.Valid {
		return
	}
	c := p.Opening.Decimal.Add(p.Credits).Sub(p.Debits)
	p.Computed = decimal.NewNullDecimal(c)
	if p.Closing.Valid {
		d := p.Closing.Decimal.Sub(c)
		p.Difference = decimal.NewNullDecimal(d)
		p.Reconciled = d.IsZero()
	}
}
