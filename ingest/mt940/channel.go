package mt940

import (
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Keywords of posting texts (?00, or the :61: supplementary details) that name a channel.
// They are matched only there, never in the free remittance text, where "cash" or "Zinsen"
// may be anything.
var (
	cashWords     = []string{"BARGELD", "BARAUSZAHLUNG", "BAREINZAHLUNG", "GELDAUTOMAT", "GAA ", " ATM", "CASH ", "KESZPENZ", "KÉSZPÉNZ", "WYPLATA", "WYPŁATA"}
	feeWords      = []string{"ENTGELT", "GEBUEHR", "GEBÜHR", "CHARGES", "FEE ", "PROVISION", "DÍJ", "JUTALÉK", "KOSTEN", "PRICE FOR"}
	interestWords = []string{"ZINSEN", "ZINS ", "INTEREST", "KAMAT"}
)

// channelOf classifies a statement line by, in order: its German business transaction code
// (082 cash deposit, 083 cash withdrawal, 805/808 fees), its SWIFT transaction type (NCHG,
// FCHG, NCOM fees; NINT, FINT interest), then keywords in the posting text. Cash gives
// cash_deposit or cash_withdrawal by the line's direction; the default is transfer. A cheque
// (NCHK) stays a transfer: it pays a named party, it is not cash.
func channelOf(typ, gvc, posting string, credit bool) string {
	cash := canon.ChannelCashWithdrawal
	if credit {
		cash = canon.ChannelCashDeposit
	}
	switch gvc {
	case "082", "083":
		return cash
	case "805", "808":
		return canon.ChannelFee
	}
	switch typ {
	case "NCHG", "FCHG", "SCHG", "NCOM", "FCOM":
		return canon.ChannelFee
	case "NINT", "FINT", "SINT":
		return canon.ChannelInterest
	}
	up := " " + strings.ToUpper(posting) + " "
	for _, w := range cashWords {
		if strings.Contains(up, w) {
			return cash
		}
	}
	for _, w := range feeWords {
		if strings.Contains(up, w) {
			return canon.ChannelFee
		}
	}
	for _, w := range interestWords {
		if strings.Contains(up, w) {
			return canon.ChannelInterest
		}
	}
	return canon.ChannelTransfer
}
