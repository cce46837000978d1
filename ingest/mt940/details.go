package mt940

import (
	"regexp"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// details is what an :86: field says about a transaction.
type details struct {
	gvc          string // German business transaction code (first three digits)
	posting      string // ?00 posting text
	reference    string // remittance information
	bic, bank    string
	iban, number string
	name         string
	endToEnd     string
	counterparty string // raw counterparty text
	accountField string // the sub-field the account came from, for error messages
}

var (
	gvcStyle   = regexp.MustCompile(`^\d{3}\?`)
	subfield   = regexp.MustCompile(`\?(\d{2})`)
	slashStyle = regexp.MustCompile(`^/(TRTP|IBAN|NAME|REMI|EREF|CNTP|MARF|ORDP|BENM|PREF|ADDR|CSID|BIC)/`)
	slashKey   = regexp.MustCompile(`/(TRTP|IBAN|BIC|NAME|REMI|EREF|CNTP|MARF|CSID|ADDR|PREF|ULTC|ULTD|ULTB|PURP|RTRN|ISDT|ORDP|BENM|SVCL|BUSP|CDTRREF|CDTRREFTP|CD|TP|ISSR|CUR|FX|ACCW|ORDPBIC|BENMBIC)/`)
	sepaKey    = regexp.MustCompile(`(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+`)
	bicShape   = regexp.MustCompile(`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// parseDetails reads an :86: field: the German structured form ("GVC?00posting?20purpose...
// ?30bank?31account?32name"), the Dutch/Belgian slash form ("/TRTP/.../IBAN/.../NAME/...
// /REMI/..."), or free text, which is kept whole as the reference.
func parseDetails(info string) details {
	var d details
	flat := strings.ReplaceAll(info, "\n", "")
	switch {
	case gvcStyle.MatchString(flat):
		d.gvc = flat[:3]
		sub := map[string]string{}
		locs := subfield.FindAllStringSubmatchIndex(flat, -1)
		for i, l := range locs {
			end := len(flat)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			k := flat[l[2]:l[3]]
			sub[k] += flat[l[1]:end]
		}
		d.posting = strings.TrimSpace(sub["00"])
		var purpose strings.Builder
		for _, k := range []string{"20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"} {
			purpose.WriteString(sub[k])
		}
		d.reference = strings.Join(strings.Fields(purpose.String()), " ")
		bank, acct := strings.TrimSpace(sub["30"]), strings.TrimSpace(sub["31"])
		if bicShape.MatchString(bank) {
			d.bic = bank
		}
		d.bank = bank
		d.accountField = "?31"
		if canon.LooksLikeIBAN(acct) {
			d.iban = acct
		} else {
			d.number = acct
		}
		d.name = strings.TrimSpace(strings.TrimSpace(sub["32"]) + sub["33"])
		d.endToEnd = sepaValue(purpose.String(), "EREF")
		d.counterparty = joinNonEmpty(" | ", d.name, acct, bank)
	case slashStyle.MatchString(flat):
		kv := map[string]string{}
		locs := slashKey.FindAllStringSubmatchIndex(flat, -1)
		for i, l := range locs {
			end := len(flat)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			k := flat[l[2]:l[3]]
			if _, dup := kv[k]; !dup {
				kv[k] = strings.TrimSpace(flat[l[1]:end])
			}
		}
		d.accountField = "/IBAN/"
		acct := kv["IBAN"]
		d.bic, d.name = kv["BIC"], kv["NAME"]
		if c, ok := kv["CNTP"]; ok && acct == "" {
			// /CNTP/account/BIC/name/city/
			parts := strings.Split(c, "/")
			acct = parts[0]
			if len(parts) > 1 {
				d.bic = parts[1]
			}
			if len(parts) > 2 {
				d.name = parts[2]
			}
			d.accountField = "/CNTP/"
		}
		d.bank = d.bic
		if canon.LooksLikeIBAN(acct) {
			d.iban = acct
		} else {
			d.number = acct
		}
		d.reference = strings.Join(strings.Fields(kv["REMI"]), " ")
		if d.reference == "" {
			d.reference = strings.Join(strings.Fields(info), " ")
		}
		if e := kv["EREF"]; e != "NOTPROVIDED" {
			d.endToEnd = e
		}
		d.counterparty = joinNonEmpty(" | ", d.name, acct, d.bic)
	default:
		d.reference = strings.Join(strings.Fields(info), " ")
	}
	return d
}

// sepaValue returns the value of a SEPA keyword ("EREF+...") inside a German purpose text,
// up to the next keyword.
func sepaValue(purpose, key string) string {
	locs := sepaKey.FindAllStringSubmatchIndex(purpose, -1)
	for i, l := range locs {
		if purpose[l[2]:l[3]] != key {
			continue
		}
		end := len(purpose)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		v := strings.TrimSpace(purpose[l[1]:end])
		if v == "NOTPROVIDED" {
			return ""
		}
		return v
	}
	return ""
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
