package amlsim

import "github.com/shopspring/decimal"

func nullDec(d decimal.Decimal) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: d, Valid: true}
}
