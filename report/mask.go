package report

import (
	"context"
	"database/sql"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// listSep separates the ids of a list cell.
const listSep = "; "

// masker replaces account ids, party ids and names with masks for reports that leave the
// unit. A mask depends only on the value and on the case's other values of the same kind: when
// two values would get the same mask, the one later in sorted order gets "~2", "~3"…, so the
// same input always gets the same mask and different inputs never share one. A nil or
// disabled masker returns its input.
type masker struct {
	on       bool
	accounts map[string]string
	names    map[string]string
	parties  map[string]string
	text     *strings.Replacer
}

var ibanRe = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$`)

// exitPrefixes are the account-id prefixes of DESIGN.md §2 that name a kind of exit.
var exitPrefixes = []string{"cash:", "external:", "asset:"}

func newMasker(ctx context.Context, db *casedb.DB, on bool) (*masker, error) {
	m := &masker{on: on}
	if !on {
		return m, nil
	}
	var accounts, names, parties []string
	rows, err := db.QueryContext(ctx, `SELECT account_id, holder_name FROM accounts UNION ALL
		SELECT DISTINCT account_id, NULL FROM party_links`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var name sql.NullString
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		accounts = append(accounts, id)
		if name.Valid && name.String != "" {
			names = append(names, name.String)
		}
	}
	rows.Close()
	prow, err := db.QueryContext(ctx, `SELECT party_id, coalesce(name, '') FROM parties`)
	if err != nil {
		return nil, err
	}
	partyName := map[string]string{}
	for prow.Next() {
		var id, name string
		if err := prow.Scan(&id, &name); err != nil {
			prow.Close()
			return nil, err
		}
		parties = append(parties, id)
		partyName[id] = name
		if name != "" {
			names = append(names, name)
		}
	}
	prow.Close()
	m.accounts = unique(accounts, maskAccount)
	m.names = unique(names, maskName)
	m.parties = unique(parties, func(id string) string {
		if n := partyName[id]; n != "" {
			return "party:" + maskName(n)
		}
		return "party:" + maskName(strings.TrimPrefix(id, "party:"))
	})
	// Free text: replace the longest known value first, so an IBAN inside "cash:IBAN" or a
	// name inside a longer name is never half-masked.
	type pair struct{ from, to string }
	var pairs []pair
	for _, mp := range []map[string]string{m.accounts, m.parties, m.names} {
		for k, v := range mp {
			if k != v {
				pairs = append(pairs, pair{k, v})
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if len(pairs[i].from) != len(pairs[j].from) {
			return len(pairs[i].from) > len(pairs[j].from)
		}
		return pairs[i].from < pairs[j].from
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.from, p.to)
	}
	m.text = strings.NewReplacer(args...)
	return m, nil
}

// unique masks every distinct value with f and numbers the collisions in sorted order.
func unique(values []string, f func(string) string) map[string]string {
	sort.Strings(values)
	out := map[string]string{}
	seen := map[string]int{}
	for _, v := range values {
		if _, ok := out[v]; ok {
			continue
		}
		mv := f(v)
		seen[mv]++
		if n := seen[mv]; n > 1 {
			mv += "~" + strconv.Itoa(n)
		}
		out[v] = mv
	}
	return out
}

// maskAccount masks an account id: an IBAN keeps its country code and last four characters,
// scheme:bank:number keeps scheme and bank and the number's last four, an exit keeps its prefix
// and masks what follows when it holds an account number.
func maskAccount(id string) string {
	for _, p := range exitPrefixes {
		if rest, ok := strings.CutPrefix(id, p); ok {
			if name, ok := strings.CutPrefix(rest, "name:"); ok {
				// A payee known only by name (external:name:NAME): the name is the secret.
				return p + "name:" + maskName(name)
			}
			if digits(rest) >= 6 {
				return p + maskAccount(rest)
			}
			return id
		}
	}
	compact := strings.ToUpper(strings.ReplaceAll(id, " ", ""))
	if ibanRe.MatchString(compact) {
		return compact[:2] + "****" + compact[len(compact)-4:]
	}
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		return id[:i+1] + last4(id[i+1:])
	}
	return last4(id)
}

func last4(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// maskName reduces a name to its initials: "Stefan Jovanović" becomes "S.J.".
func maskName(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == ',' }) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToUpper(r))
				b.WriteByte('.')
				break
			}
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// Account masks an account id.
func (m *masker) Account(id string) string {
	if m == nil || !m.on || id == "" {
		return id
	}
	if v, ok := m.accounts[id]; ok {
		return v
	}
	return maskAccount(id)
}

// Name masks a name.
func (m *masker) Name(s string) string {
	if m == nil || !m.on || s == "" {
		return s
	}
	if v, ok := m.names[s]; ok {
		return v
	}
	return maskName(s)
}

// Party masks a party id.
func (m *masker) Party(id string) string {
	if m == nil || !m.on || id == "" || strings.HasPrefix(id, "(") {
		return id
	}
	if v, ok := m.parties[id]; ok {
		return v
	}
	return "party:" + maskName(strings.TrimPrefix(id, "party:"))
}

// Text masks every account id, party id and name of the case that occurs in s, and then
// anything else shaped like an IBAN (an id that embeds an account the case does not list,
// such as a bank's transaction id "HR64…:PBZ…").
func (m *masker) Text(s string) string {
	if m == nil || !m.on || m.text == nil {
		return s
	}
	return ibanIn.ReplaceAllStringFunc(m.text.Replace(s), maskAccount)
}

// ibanIn finds IBAN-shaped text inside a longer string: two capitals, two digits, then 11 to
// 30 capitals or digits (the shortest IBAN, Norway's, has 15 characters), not inside a
// longer run of them.
var ibanIn = regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\b`)

// cell masks one cell's text by the column's mask kind.
func (m *masker) cell(k maskKind, s string) string {
	if m == nil || !m.on {
		return s
	}
	switch k {
	case mAccount:
		return m.Account(s)
	case mName:
		return m.Name(s)
	case mParty:
		return m.Party(s)
	case mAccountList, mPartyList:
		f := strings.Split(s, listSep)
		for i, v := range f {
			if k == mAccountList {
				f[i] = m.Account(v)
			} else {
				f[i] = m.Party(v)
			}
		}
		return strings.Join(f, listSep)
	case mText:
		return m.Text(s)
	case mDrop:
		return ""
	}
	return s
}
