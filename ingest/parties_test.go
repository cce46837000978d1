package ingest

import (
	"testing"
)

// TestPartyAttributesWithProvenance: an operator's records give each person's documents,
// phone, birth date, country and city, and a statement gives its holder's account; every
// value is stored once per source with the record it was first read from.
func TestPartyAttributesWithProvenance(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "mto/testdata/mto-generic-sample.csv", Options{Format: FormatMTO, Profile: "mto-generic"})
	ingestFile(t, db, "../fixtures/sample/02-camt053-nlb-si.xml", Options{})
	checks := []struct{ q, want string }{
		// The receiver is named in Cyrillic on every record; the first is line 2.
		{`SELECT string_agg(kind || '=' || value || '@' || source_id || ':' || record, ' ' ORDER BY kind, value)
			FROM party_attributes WHERE party_id = 'dragan jovanovic|1979-06-21'`,
			"birth_date=1979-06-21@1:2 city=Beograd@1:2 country=RS@1:2 id:id_card=007654321@1:2 name=Драган Јовановић@1:2 phone=+381641112223@1:2"},
		// The sender's passport, written as the record wrote it without spaces.
		{`SELECT string_agg(value, ' ' ORDER BY value) FROM party_attributes WHERE party_id = 'marko petrovic|1985-03-12' AND kind LIKE 'id:%'`,
			"P1234567"},
		// A statement's holder holds the statement's account; the operators' pseudo-accounts
		// are not accounts a party holds.
		{`SELECT string_agg(value || '@' || source_id, ' ' ORDER BY value) FROM party_attributes WHERE party_id = 'transport kovac d o o' AND kind = 'account'`,
			"SI56263300012039086@2"},
		{`SELECT CAST(count(*) AS VARCHAR) FROM party_attributes WHERE kind = 'account' AND value LIKE 'mto:%'`, "0"},
		// One row per party, kind and value within a source.
		{`SELECT CAST(count(*) AS VARCHAR) FROM (SELECT party_id, kind, value, source_id FROM party_attributes GROUP BY ALL HAVING count(*) > 1)`, "0"},
	}
	for _, c := range checks {
		if got := one[string](t, db, c.q); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, got, c.want)
		}
	}
}
