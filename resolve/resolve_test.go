package resolve

import (
	"strings"
	"testing"
	"time"
)

// party builds a party from "kind=value" attributes read from source "t.csv" record 1.
func party(id string, attrs ...string) *Party {
	p := &Party{ID: id}
	for _, a := range attrs {
		k, v, _ := strings.Cut(a, "=")
		p.Attrs = append(p.Attrs, Attr{Kind: k, Value: v, Source: "t.csv", Record: 1})
	}
	return p
}

func TestSound(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"dordevic", "dzordzevic"}, // Đorđević, Dzordzevic
		{"jovanovic", "yovanovich"},
		{"mohammed", "muhamad"},
		{"hoxha", "hodza"}, // Albanian xh, Serbian dž
		{"hosseini", "husseini"},
		{"petrovic", "petrowitsch"},
		{"fatima", "fatimah"},
		{"kasim", "qasim"},
		{"ahmed", "ahmad"},
	} {
		if Sound(c.a) != Sound(c.b) {
			t.Errorf("Sound(%q) = %q, Sound(%q) = %q: want one key", c.a, Sound(c.a), c.b, Sound(c.b))
		}
	}
	for _, c := range []struct{ a, b string }{{"ivan", "ivana"}, {"petrov", "petrova"}, {"markovic", "marinkovic"}} {
		if Sound(c.a) == Sound(c.b) {
			t.Errorf("Sound(%q) = Sound(%q) = %q: want two keys", c.a, c.b, Sound(c.a))
		}
	}
}

// TestCompareNames: scores worked out from the rules (word pairs averaged, 0.05 per
// unpaired word, single words capped at 0.75), with Jaro-Winkler worked by hand where a pair
// is "spelling".
func TestCompareNames(t *testing.T) {
	for _, c := range []struct {
		a, b      string
		min, max  float64
		reordered bool
	}{
		{"Dragan Đorđević", "DZORDZEVIC DRAGAN", 0.975, 0.975, true}, // (1 + 0.95) / 2
		{"Ђорђевић Драган", "Dragan Djordjevic", 1, 1, true},
		{"Abdul Rahman Karimi", "Abdurrahman Karimi", 1, 1, false},
		{"Mohammed Al-Hassan", "Muhamad Alhassan", 0.95, 0.95, false}, // sound, article
		{"Stefan Jovanović", "S. Jovanović", 0.9, 0.9, false},         // initial 0.8
		{"Ivan Petrov", "Ivana Petrova", 0.5, 0.5, false},             // two feminine forms
		{"Milan Nikolić", "Milan Nikolic Jr", 0.95, 0.95, false},      // one word more
		{"Ali Reza Tehrani", "Alireza Tehrani", 0.95, 0.95, false},
		{"Ali Reza", "Alireza", 0.95, 0.95, false},
		{"Stefan Jovanović", "Stefan Jovanovci", 0.9888, 0.9889, false}, // (1 + JW 0.97778) / 2: Jaro (1 + 1 + 8/9) / 3, prefix 4
		{"Khan", "Ahmed Khan", 0.75, 0.75, false},
		{"Hasan Ahmadi", "Husein Ahmadi", 0.86, 0.87, false}, // one sound key, not one name: (0.73 + 1) / 2
		{"Marko Petrović", "Stefan Nikolić", 0, 0.6, false},
		{"Zo Vital", "Zo-vital B.V.", 1, 1, false}, // the legal form left out
		{"Transport Kovač d.o.o.", "TRANSPORT KOVAC DOO", 1, 1, false},
		{"Telekom Srbija a.d.", "Telekom Srbija", 1, 1, false},
		{"J. R. Ewing", "Ewing J R", 1, 1, true}, // initials are no legal form
		{"Mário Sá", "Mario", 0.75, 0.75, false}, // a surname, not a company form: one word left unpaired
	} {
		m := CompareNames(ParseName(c.a), ParseName(c.b))
		if m.Score < c.min-1e-9 || m.Score > c.max+1e-9 || m.Reordered != c.reordered {
			t.Errorf("%q ~ %q: score %.4f reordered %v, want %.3f..%.3f reordered %v (%+v)", c.a, c.b, m.Score, m.Reordered, c.min, c.max, c.reordered, m.Words)
		}
	}
}

func TestCompare(t *testing.T) {
	p := DefaultParams()
	for _, c := range []struct {
		name   string
		a, b   *Party
		status string // "" for no candidate
		reason string
	}{
		{"same passport, name transliterated",
			party("a", "name=Dragan Đorđević", "id:passport=P 123 4567"), party("b", "name=Dzordzevic Dragan", "id:passport=P1234567"),
			Same, "same passport number"},
		{"same IBAN held",
			party("a", "name=Stefan Jovanović", "account=RS35260005601001611379"), party("b", "name=Стефан Јовановић", "account=RS35260005601001611379"),
			Same, "same account held RS35260005601001611379"},
		{"same account, unlike names: a family account",
			party("a", "name=Stefan Jovanović", "account=RS35260005601001611379"), party("b", "name=Mira Petrović", "account=RS35260005601001611379"),
			Suggested, "names differ"},
		{"names and birth date",
			party("a", "name=Mohammed Al-Hassan", "birth_date=1981-04-02"), party("b", "name=Muhamad Alhassan", "birth_date=1981-04-02"),
			Probable, "same birth date 1981-04-02"},
		{"names and phone in two notations",
			party("a", "name=Ardian Hoxha", "phone=+355 69 123 4567"), party("b", "name=Ardijan Hodža", "phone=0691234567"),
			Probable, "same phone"},
		{"namesakes: two Ahmed Khans born apart",
			party("a", "name=Ahmed Khan", "birth_date=1980-01-01"), party("b", "name=Ahmed Khan", "birth_date=1992-07-15"),
			"", ""},
		{"names alone only suggest",
			party("a", "name=Ahmed Khan"), party("b", "name=Ahmad Khan"),
			Suggested, "names alone"},
		{"a placeholder document number decides nothing",
			party("a", "name=Ahmed Khan", "id:passport=0"), party("b", "name=Jamal Said", "id:passport=0"),
			"", ""},
		{"unlike names, nothing shared",
			party("a", "name=Marko Petrović"), party("b", "name=Marko Marinković"),
			"", ""},
	} {
		l, ok := Compare(c.a, c.b, p)
		if c.status == "" {
			if ok {
				t.Errorf("%s: got a %s link %+v, want none", c.name, l.Status, l)
			}
			continue
		}
		if !ok || l.Status != c.status || !strings.Contains(strings.Join(l.Reasons, "; "), c.reason) {
			t.Errorf("%s: ok %v status %q reasons %q, want %q with %q", c.name, ok, l.Status, l.Reasons, c.status, c.reason)
		}
	}
}

// TestResolveAndDecisions: two operators' records of one person (same passport), his bank
// account under a name spelt another way with the same phone, a namesake born elsewhen,
// and a name-only suggestion; then the investigator's decisions, replayed in order.
func TestResolveAndDecisions(t *testing.T) {
	ps := []*Party{
		party("dragan dordevic|1980-05-01", "name=Dragan Đorđević", "birth_date=1980-05-01", "id:passport=P1234567", "phone=+381 64 111 2223"),
		party("dzordzevic dragan|1980-05-01", "name=DZORDZEVIC DRAGAN", "birth_date=1980-05-01", "id:passport=P1234567"),
		party("dragan djordjevic", "name=Dragan Djordjevic", "phone=064 111 2223", "account=RS35260005601001611379"),
		party("dragan dordevic|1975-11-30", "name=Dragan Đorđević", "birth_date=1975-11-30"),
		party("d dordevic", "name=D. Đorđević"),
		party("mira petrovic", "name=Mira Petrović"),
	}
	at := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	r := Resolve(ps, nil, DefaultParams())
	want := "d dordevic / dragan djordjevic,dragan dordevic|1980-05-01,dzordzevic dragan|1980-05-01 / dragan dordevic|1975-11-30 / mira petrovic"
	if got := clusters(r); got != want {
		t.Fatalf("clusters\n got %s\nwant %s", got, want)
	}
	c := r.Clusters[1]
	if c.Confirmed || c.Confidence >= 1 || c.Confidence < 0.9 {
		t.Errorf("cluster %s: confirmed %v confidence %.3f; want probable (a phone link) with confidence in [0.9, 1)", c.ID, c.Confirmed, c.Confidence)
	}
	// The initial suggests both Dragan Đorđevićs; the namesake born 1975 is no candidate
	// for the one born 1980.
	if got := statuses(r, "d dordevic"); got != "dragan djordjevic=suggested dragan dordevic|1975-11-30=suggested dragan dordevic|1980-05-01=suggested dzordzevic dragan|1980-05-01=suggested" {
		t.Errorf("links of d dordevic: %s", got)
	}
	if got := statuses(r, "dragan dordevic|1975-11-30"); strings.Contains(got, "1980") {
		t.Errorf("namesake linked: %s", got)
	}

	decisions := []Decision{
		{No: 1, Action: ActConfirm, Party: "d dordevic", Other: "dragan dordevic|1975-11-30", Author: "ana", At: at, Note: "same address in the lease"},
		{No: 2, Action: ActReject, Party: "dragan djordjevic", Other: "dragan dordevic|1980-05-01", Author: "ana", At: at},
		{No: 3, Action: ActMerge, Party: "mira petrovic", Other: "dragan dordevic|1975-11-30", Author: "ana", At: at},
		{No: 4, Action: ActSplit, Party: "mira petrovic", Author: "ana", At: at, Note: "merged by mistake"},
	}
	r = Resolve(ps, decisions, DefaultParams())
	// The rejection keeps the bank account holder apart although his phone still agrees
	// with the second operator's record: that link would join a rejected pair. The split
	// undoes the merge.
	want = "d dordevic,dragan dordevic|1975-11-30 / dragan djordjevic / dragan dordevic|1980-05-01,dzordzevic dragan|1980-05-01 / mira petrovic"
	if got := clusters(r); got != want {
		t.Errorf("clusters after decisions\n got %s\nwant %s", got, want)
	}
	if !r.Clusters[0].Confirmed || r.Clusters[0].Confidence != 1 {
		t.Errorf("confirmed cluster: %+v", r.Clusters[0])
	}
	// Replaying the same decisions gives the same result.
	if again := Resolve(ps, decisions, DefaultParams()); clusters(again) != clusters(r) || statuses(again, "d dordevic") != statuses(r, "d dordevic") {
		t.Error("a second replay differs")
	}
}

func clusters(r Result) string {
	var out []string
	for _, c := range r.Clusters {
		out = append(out, strings.Join(c.Parties, ","))
	}
	return strings.Join(out, " / ")
}

func statuses(r Result, id string) string {
	var out []string
	for _, l := range r.Links {
		switch id {
		case l.A:
			out = append(out, l.B+"="+l.Status)
		case l.B:
			out = append(out, l.A+"="+l.Status)
		}
	}
	return strings.Join(out, " ")
}
