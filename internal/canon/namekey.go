package canon

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// cyrillic transliterates the lower-case Cyrillic letters of Serbian, Macedonian, Bulgarian,
// Russian and Ukrainian to Latin, in the Serbian Latin spelling where there is one (ђ -> đ,
// ћ -> ć), before diacritics are folded.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ђ': "đ", 'е': "e", 'ж': "ž", 'з': "z", 'и': "i",
	'ј': "j", 'к': "k", 'л': "l", 'љ': "lj", 'м': "m", 'н': "n", 'њ': "nj", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'ћ': "ć", 'у': "u", 'ф': "f", 'х': "h", 'ц': "c", 'ч': "č", 'џ': "dž", 'ш': "š",
	'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz", 'й': "j", 'ы': "y", 'э': "e", 'ю': "ju", 'я': "ja", 'ё': "jo",
	'щ': "šč", 'ъ': "", 'ь': "", 'є': "je", 'і': "i", 'ї': "ji", 'ґ': "g",
}

// latinSpecial folds Latin letters that have no decomposition into a base letter and a mark.
var latinSpecial = map[rune]string{
	'đ': "d", 'ł': "l", 'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'ı': "i", 'þ': "th", 'ð': "d",
}

// NameKey folds a name for matching the same person or company across banks, operators and
// alphabets: lower case; Cyrillic transliterated to Latin (Serbian spelling); diacritics
// removed (č ć -> c, š -> s, ž -> z, đ -> d); "dj" folded to "d", so that Đorđević,
// Djordjević, Dordevic and Ђорђевић share one key; punctuation dropped; runs of spaces
// collapsed. Word order is kept. A key is a candidate for the same party, not proof.
func NameKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if t, ok := cyrillic[r]; ok {
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	var folded strings.Builder
	for _, r := range norm.NFD.String(b.String()) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if t, ok := latinSpecial[r]; ok {
			folded.WriteString(t)
			continue
		}
		folded.WriteRune(r)
	}
	var out strings.Builder
	space := false
	for _, r := range norm.NFC.String(folded.String()) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && out.Len() > 0 {
				out.WriteByte(' ')
			}
			space = false
			out.WriteRune(r)
		default:
			space = true
		}
	}
	return strings.ReplaceAll(out.String(), "dj", "d")
}
