package mto

import (
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// partyID is the stable id of a person named in a record: "party:<name key>|<qualifier>",
// the qualifier being the birth date (YYYY-MM-DD), else the identity document's number as
// written without spaces (upper case), else the country as written (upper case), else
// "unknown". Two records name the same party only when both agree on it; a record with a
// birth date and one without give two parties, which entity resolution may join later with
// its reasons. The document comes before the country so that two namesakes of one country
// without birth dates stay two parties.
func partyID(s side) string {
	q := "unknown"
	switch {
	case !s.birthDate.IsZero():
		q = s.birthDate.Format("2006-01-02")
	case s.idNumber != "":
		q = strings.ToUpper(strings.Join(strings.Fields(s.idNumber), ""))
	case s.country != "":
		q = s.country
	}
	return "party:" + canon.NameKey(s.name) + "|" + q
}

// partyBook collects the parties, their pseudo-accounts and links of a file in first-seen
// order, merging what several records say about one party.
type partyBook struct {
	parties  []canon.Party
	pidx     map[string]int
	accounts []canon.Account
	aidx     map[string]int
	links    map[string]bool
	linkList []canon.PartyLink
}

func newPartyBook() *partyBook {
	return &partyBook{pidx: map[string]int{}, aidx: map[string]int{}, links: map[string]bool{}}
}

// add records a sender or receiver under operator opKey and returns its pseudo-account id
// "mto:<operator>:<party id>".
func (b *partyBook) add(opKey, op string, s side) string {
	pid := partyID(s)
	acct := "mto:" + opKey + ":" + pid
	i, ok := b.pidx[pid]
	if !ok {
		i = len(b.parties)
		b.pidx[pid] = i
		b.parties = append(b.parties, canon.Party{ID: pid, Name: s.name, Kind: "person", Country: s.country, BirthDate: s.birthDate})
	}
	p := &b.parties[i]
	if p.Country == "" {
		p.Country = s.country
	}
	if p.BirthDate.IsZero() {
		p.BirthDate = s.birthDate
	}
	var ids []string
	if s.idNumber != "" {
		t := strings.ToLower(strings.Join(strings.Fields(s.idType), "_"))
		if t == "" {
			t = "id"
		}
		ids = append(ids, t+":"+s.idNumber)
	}
	if s.phone != "" {
		ids = append(ids, "phone:"+strings.Join(strings.Fields(s.phone), ""))
	}
	if s.city != "" {
		ids = append(ids, "city:"+s.city)
	}
	for _, id := range ids {
		if !containsItem(p.Identifiers, id) {
			if p.Identifiers != "" {
				p.Identifiers += ", "
			}
			p.Identifiers += id
		}
	}
	b.account(canon.Account{ID: acct, Kind: canon.KindMTO, Bank: op, HolderName: s.name, Country: s.country})
	if key := pid + "\x00" + acct; !b.links[key] {
		b.links[key] = true
		b.linkList = append(b.linkList, canon.PartyLink{PartyID: pid, AccountID: acct, Role: "holder", Confidence: 1,
			Reason: "the operator's record names this person as sender or receiver of a transfer"})
	}
	return acct
}

// account records a pseudo-account once.
func (b *partyBook) account(a canon.Account) {
	if _, ok := b.aidx[a.ID]; ok {
		return
	}
	b.aidx[a.ID] = len(b.accounts)
	b.accounts = append(b.accounts, a)
}

// emit appends the parties, accounts and links to batch.
func (b *partyBook) emit(batch *canon.Batch) {
	batch.Parties = append(batch.Parties, b.parties...)
	batch.Accounts = append(batch.Accounts, b.accounts...)
	batch.PartyLinks = append(batch.PartyLinks, b.linkList...)
}

// containsItem reports whether the ", "-separated list holds item.
func containsItem(list, item string) bool {
	for _, x := range strings.Split(list, ", ") {
		if x == item {
			return true
		}
	}
	return false
}
