package camt

import (
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// channelOf classifies an entry by its bank transaction code (BkTxCd): the ISO domain, family
// and sub-family codes first, then a proprietary code in the German DK form
// "SWIFTCODE+GVC+..." (for example "NMSC+083+..."). Cash codes give cash_deposit or
// cash_withdrawal by the entry's direction; everything unrecognised is a transfer.
func channelOf(code *node, credit bool) string {
	cash := canon.ChannelCashWithdrawal
	if credit {
		cash = canon.ChannelCashDeposit
	}
	if code == nil {
		return canon.ChannelTransfer
	}
	domain := code.str("Domn/Cd")
	family := code.str("Domn/Fmly/Cd")
	sub := code.str("Domn/Fmly/SubFmlyCd")
	switch sub {
	case "CWDL", "BCWD", "CDPT", "BCDP":
		return cash
	case "CHRG", "COMM", "FEES", "COMT", "SUBS":
		return canon.ChannelFee
	case "INTR":
		return canon.ChannelInterest
	case "POSD", "POSC", "SMRT", "CDCB":
		if family == "CCRD" || family == "DCRD" || family == "MCRD" {
			return canon.ChannelCard
		}
	}
	if domain == "FORX" {
		return canon.ChannelFX
	}
	for _, pr := range code.children("Prtry") {
		if ch := proprietaryChannel(pr.str("Cd"), credit); ch != "" {
			return ch
		}
	}
	return canon.ChannelTransfer
}

// proprietaryChannel reads a DK-style proprietary code "NTRF+083+...": its SWIFT transaction
// type (NCHG charges, NINT interest) and its German business transaction code (GVC).
func proprietaryChannel(cd string, credit bool) string {
	f := strings.Split(cd, "+")
	if len(f) >= 2 {
		if ch := gvcChannel(f[1], credit); ch != "" {
			return ch
		}
	}
	switch f[0] {
	case "NCHG", "NCOM":
		return canon.ChannelFee
	case "NINT":
		return canon.ChannelInterest
	}
	return ""
}

// gvcChannel maps the German GVC codes whose meaning is unambiguous: 082 cash deposit
// (Einzahlung), 083 cash withdrawal (Auszahlung), 805 and 808 fees (Entgeltabschluss,
// Gebühren).
func gvcChannel(gvc string, credit bool) string {
	switch gvc {
	case "082", "083":
		if credit {
			return canon.ChannelCashDeposit
		}
		return canon.ChannelCashWithdrawal
	case "805", "808":
		return canon.ChannelFee
	}
	return ""
}
