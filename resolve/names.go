package resolve

import (
	"sort"
	"strings"

	"github.com/hbollon/go-edlib"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Name is a name prepared for comparison: its words folded by canon.NameKey (case,
// diacritics, Cyrillic, đ/dj), with Arabic articles and the "Abd al-" compound joined, and
// each word's sound key.
type Name struct {
	// Raw is the name as the source wrote it.
	Raw string
	// Words are the folded words in the source's order.
	Words []string
	// Sounds are the words' sound keys (see Sound), in the same order.
	Sounds []string
	// Form is the legal form the name ended with (doo, gmbh, bv, ...), left out of Words:
	// "Zo Vital" and "Zo-vital B.V." are one name.
	Form string
	// spelled are the words with the spellings of one sound folded (see spell).
	spelled []string
}

// legalForms are company forms of the countries on the route and of the banks' home
// countries, folded as canon.NameKey writes them and with their dots' letters joined
// (d.o.o. is "d o o", then "doo").
var legalForms = map[string]bool{
	"doo": true, "dd": true, "ad": true, "dooel": true, "shpk": true, "sha": true, "ltd": true, "llc": true, "inc": true,
	"gmbh": true, "ag": true, "kg": true, "ev": true, "ug": true, "sa": true, "sarl": true, "sas": true, "srl": true, "spa": true,
	"bv": true, "nv": true, "plc": true, "oy": true, "ab": true, "as": true, "sro": true, "kft": true, "sp": true, "zoo": true,
}

// trimForm takes a legal form off the end of a name's words: one word (GmbH), or a run of
// single letters that spells one (d.o.o.), keeping at least one word. A form of two
// letters written as one word is taken only after two words or more, since it is also a
// surname (Mário Sá) or a particle.
func trimForm(words []string) ([]string, string) {
	for k := min(4, len(words)-1); k >= 1; k-- {
		tail := words[len(words)-k:]
		single := k > 1
		for _, w := range tail {
			single = single && len(w) == 1
		}
		short := k == 1 && len(tail[0]) <= 2 && len(words) < 3
		if (k == 1 || single) && !short && legalForms[strings.Join(tail, "")] {
			return words[:len(words)-k], strings.Join(tail, "")
		}
	}
	return words, ""
}

// particles are words that transliterations of Arabic and Persian names write, drop or join
// at will ("al-Hassan", "Alhassan", "Hassan"); they are left out of the comparison.
var particles = map[string]bool{"al": true, "el": true, "ul": true, "ad": true, "ar": true, "as": true, "an": true, "az": true}

// abdPrefixes are the spellings of "Abd al-" (servant of) that run into the next word:
// Abdul Rahman, Abdel Rahman, Abdurrahman, Abd al-Rahman are one name.
var abdPrefixes = []string{"abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdu", "abd"}

// ParseName prepares a name for comparison.
func ParseName(raw string) Name {
	words, form := trimForm(strings.Fields(canon.NameKey(raw)))
	var kept []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if particles[w] && len(words) > 2 {
			continue
		}
		for _, p := range abdPrefixes {
			if strings.HasPrefix(w, p) {
				rest := strings.TrimPrefix(w, p)
				if rest == "" && i+1 < len(words) {
					i++
					rest = words[i]
					if particles[rest] && i+1 < len(words) {
						i++
						rest = words[i]
					}
				}
				w = "abd" + rest
				break
			}
		}
		kept = append(kept, w)
	}
	n := Name{Raw: raw, Words: kept, Form: form}
	for _, w := range kept {
		n.Sounds = append(n.Sounds, Sound(w))
		n.spelled = append(n.spelled, spell(w))
	}
	return n
}

// Key is the name's words in alphabetical order: one key for "Dragan Đorđević" and
// "DJORDJEVIC DRAGAN".
func (n Name) Key() string {
	w := append([]string(nil), n.Words...)
	sort.Strings(w)
	return strings.Join(w, " ")
}

// SoundKey is the words' sound keys in alphabetical order: one key for Dzordzevic,
// Djordjevic and Đorđević, Mohammed and Muhamad, Jovanovich and Yovanovic.
func (n Name) SoundKey() string {
	w := append([]string(nil), n.Sounds...)
	sort.Strings(w)
	return strings.Join(w, " ")
}

// soundRules rewrite spellings of one sound, as different transliteration habits write it,
// to one letter, longest first. They cover Serbo-Croatian and Macedonian written by German,
// English, Polish or Albanian habits (dž, dz, dzh, xh, gj, đ; č, ć, ch, tch, tsch, cz, ç;
// š, sh, sch, sz; ž, zh), Albanian digraphs (dh, th, ll, rr, ë), and Arabic and Persian
// romanisations (kh, gh, q, ou, ee, w/v, ph).
var soundRules = []struct{ from, to string }{
	{"tsch", "c"}, {"dzh", "d"}, {"sch", "s"}, {"tch", "c"},
	{"xh", "d"}, {"dz", "d"}, {"gj", "d"}, {"dh", "d"},
	{"ch", "c"}, {"cz", "c"}, {"ts", "c"}, {"tz", "c"}, {"kj", "c"},
	{"sh", "s"}, {"sz", "s"}, {"zh", "z"}, {"kh", "h"}, {"gh", "g"}, {"ph", "f"}, {"th", "t"},
	{"ck", "k"}, {"q", "k"}, {"x", "ks"}, {"w", "v"}, {"y", "i"}, {"j", "i"},
}

// spell folds the spellings of one sound in a word (see soundRules), vowels kept.
func spell(word string) string {
	for _, r := range soundRules {
		word = strings.ReplaceAll(word, r.from, r.to)
	}
	return word
}

// Sound is a word's sound key: the spellings of one sound folded (see soundRules), then the
// first letter kept and only consonants after it, doubled letters once, and "a" for a final
// vowel. Vowels inside a word are what transliterations disagree on most (Mohammed, Muhammad,
// Mehmed; Hossein, Husain) while the consonant skeleton survives; a final vowel is kept as
// a mark because it often carries gender (Ivan, Ivana). A key groups candidates; it decides
// nothing.
func Sound(word string) string {
	w := spell(strings.TrimSuffix(word, "h"))
	var b strings.Builder
	var last rune
	finalVowel := false
	for i, r := range w {
		vowel := strings.ContainsRune("aeiou", r)
		finalVowel = vowel && i > 0
		if i > 0 && (vowel || r == 'h' && last != 0) {
			if vowel {
				last = 0
			}
			continue
		}
		if r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	if finalVowel {
		b.WriteByte('a')
	}
	return b.String()
}

// sameSound is the least Jaro-Winkler similarity of two words' folded spellings (vowels
// kept) for a shared sound key to count as one name transliterated twice. Sound keys drop
// inner vowels, so two different names can share one (Hasan and Husein, 0.73); the
// transliterations measured while writing this (Mohammed/Muhamad 0.80, Hoxha/Hodža 1.0 once
// folded, Jovanovich/Yovanovic 0.93, Hosseini/Husseini 0.93) are at or above it.
const sameSound = 0.8

// feminine reports whether one word is the other's feminine form in Slavic naming (Petrov,
// Petrova; Jovan, Jovana; Kowalski, Kowalska): usually a wife, sister or daughter, a
// different person whom spelling similarity alone would take for the same.
func feminine(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if b == a+"a" {
		return true
	}
	for _, e := range [][2]string{{"ski", "ska"}, {"sky", "ska"}, {"ki", "ka"}, {"y", "a"}} {
		if strings.HasSuffix(a, e[0]) && strings.HasSuffix(b, e[1]) && strings.TrimSuffix(a, e[0]) == strings.TrimSuffix(b, e[1]) ||
			strings.HasSuffix(b, e[0]) && strings.HasSuffix(a, e[1]) && strings.TrimSuffix(b, e[0]) == strings.TrimSuffix(a, e[1]) {
			return true
		}
	}
	return false
}

// hasDigit reports whether a word holds a digit.
func hasDigit(w string) bool { return strings.ContainsAny(w, "0123456789") }

// articles are Arabic articles that some spellings run into the word that follows
// (Alhassan for al-Hassan).
var articles = []string{"al", "el", "ul"}

// WordMatch is how one word of a name was matched in the other.
type WordMatch struct {
	A, B  string
	Score float64
	// How is "same", "sound" (same sound key: a transliteration), "article" (one runs an
	// Arabic article into the word), "initial" (one is the other's initial), "feminine" (one
	// is the other's feminine form), "number" (two different numbers), "joined" (one name
	// written as one word and as two) or
	// "spelling" (close letters: a typo or a variant).
	How string
}

// wordScore compares two folded words, given with their sound keys and folded spellings. Same sound key scores 0.95: a transliteration
// variant is nearly certain to be the same word; an initial 0.8, since it agrees with every
// name of that letter; a feminine form 0.5 (see feminine); otherwise the Jaro-Winkler
// similarity of the words, which weighs an agreeing beginning as names do.
func wordScore(a, b, sa, sb, pa, pb string) WordMatch {
	for _, art := range articles {
		if len(a) > len(art)+2 && strings.HasPrefix(a, art) && a[len(art):] == b ||
			len(b) > len(art)+2 && strings.HasPrefix(b, art) && b[len(art):] == a {
			return WordMatch{a, b, 0.95, "article"}
		}
	}
	switch {
	case a == b:
		return WordMatch{a, b, 1, "same"}
	case hasDigit(a) && hasDigit(b):
		// Numbers in names (a shop's branch, a placeholder's index) agree or they do not:
		// ALBERT HEIJN 1016 and 1438 are two shops, PAYERS NAME1 and NAME2 two payers.
		return WordMatch{a, b, 0, "number"}
	case feminine(a, b):
		return WordMatch{a, b, 0.5, "feminine"}
	case sa == sb && sa != "" && edlib.JaroWinklerSimilarity(pa, pb) >= sameSound:
		return WordMatch{a, b, 0.95, "sound"}
	case len(a) == 1 && strings.HasPrefix(b, a) || len(b) == 1 && strings.HasPrefix(a, b):
		return WordMatch{a, b, 0.8, "initial"}
	case len(a) == 1 || len(b) == 1:
		return WordMatch{a, b, 0, "spelling"}
	}
	// The folded spellings compare transliterations that differ in more than one sound
	// (Jovanovich, Yovanovic) as close as they are.
	s := max(edlib.JaroWinklerSimilarity(a, b), edlib.JaroWinklerSimilarity(pa, pb))
	return WordMatch{a, b, float64(s), "spelling"}
}

// NameMatch is the comparison of two names.
type NameMatch struct {
	Score float64
	// Words are the matched words, in the order of the name with fewer words.
	Words []WordMatch
	// Reordered is true when the matched words stand in another order (surname first).
	Reordered bool
	// Unmatched counts the words of the longer name left without a partner (a middle name,
	// a second surname).
	Unmatched int
}

// CompareNames scores how alike two names are, from 0 to 1, whatever the order of their
// words. Each word of the shorter name is paired with a word of the other, best pairs first
// (ties by position, so the result is the same every time); the score is the mean of the
// pairs' scores, less 0.05 for each word left unpaired (a middle name is common, but every
// missing word is a word that could disagree), and at most 0.75 when either name is a single
// word (a single word names too many people to suggest anything alone).
func CompareNames(a, b Name) NameMatch {
	if len(a.Words) == 0 || len(b.Words) == 0 {
		return NameMatch{}
	}
	if len(a.Words) != len(b.Words) && strings.Join(a.Words, "") == strings.Join(b.Words, "") {
		// Ali Reza and Alireza: one name written as one word or two.
		return NameMatch{Score: 0.95, Words: []WordMatch{{strings.Join(a.Words, " "), strings.Join(b.Words, " "), 0.95, "joined"}}}
	}
	swap := len(a.Words) > len(b.Words)
	if swap {
		a, b = b, a
	}
	type pair struct {
		i, j int
		m    WordMatch
	}
	var pairs []pair
	for i := range a.Words {
		for j := range b.Words {
			pairs = append(pairs, pair{i, j, wordScore(a.Words[i], b.Words[j], a.Sounds[i], b.Sounds[j], a.spelled[i], b.spelled[j])})
		}
	}
	sort.SliceStable(pairs, func(x, y int) bool { return pairs[x].m.Score > pairs[y].m.Score })
	usedA, usedB := make([]bool, len(a.Words)), make([]bool, len(b.Words))
	chosen := make([]int, len(a.Words))
	words := make([]WordMatch, len(a.Words))
	for _, p := range pairs {
		if usedA[p.i] || usedB[p.j] {
			continue
		}
		usedA[p.i], usedB[p.j] = true, true
		chosen[p.i] = p.j
		words[p.i] = p.m
		if swap {
			words[p.i].A, words[p.i].B = p.m.B, p.m.A
		}
	}
	var sum float64
	for _, w := range words {
		sum += w.Score
	}
	m := NameMatch{Words: words, Unmatched: len(b.Words) - len(a.Words)}
	m.Score = sum/float64(len(words)) - 0.05*float64(m.Unmatched)
	for i := 1; i < len(chosen); i++ {
		if chosen[i] < chosen[i-1] {
			m.Reordered = true
		}
	}
	if len(a.Words) == 1 && m.Score > 0.75 {
		m.Score = 0.75
	}
	if m.Score < 0 {
		m.Score = 0
	}
	return m
}
