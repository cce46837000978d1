// Package tracer replays a time-ordered stream of transactions and follows tainted money
// through accounts, lot by lot, under the allocation methods of DESIGN.md §4, in exact cents.
//
// # Feeding the engine
//
// Accounts are known by dense int32 indexes into Config.Accounts; transactions arrive as
// columnar Batches (Txn key, From, To, Cents, optional At) from a Source, ordered by
// (booked_at, seq) by the caller. New builds an Engine, Engine.Apply replays a batch, and
// Engine.Report returns positions, flows and summaries; Run does all three over a Source.
// Several methods replay side by side in one pass (Config.Methods = AllMethods for "method
// all"); Report.Sensitivity sets them side by side.
//
// # Semantics
//
// Every non-exit account holds lots (origin, cents) in arrival order. A known opening
// balance is a clean lot. A debit takes lots by the method and passes them, origin kept, to
// the receiver; money that reaches an exit stays there and is reported as the exit's
// position. Choices made where DESIGN.md §4 leaves room:
//
//   - Shortfall: when a debit exceeds the payer's balance, the difference first becomes a lot
//     of the payer's unexplained origin (newest lot), then the debit takes its lots, which is
//     then the whole balance. Unexplained funds are reported per account, method-independent.
//   - Untainted money is clean or unexplained; tainted money is a seed origin. LIBR spends
//     untainted lots first and tainted-first spends them last, in both cases oldest first.
//   - An exit that pays (a cash deposit, an incoming payment from outside) brings fresh clean
//     money: exits hold no lots, so nothing they received earlier flows back, and their
//     payments never create unexplained funds.
//   - A transfer to the same account moves nothing (a FIFO order is not reshuffled), except
//     that its shortfall, if any, is recorded; a seeded one is replayed so that it taints the
//     money it names.
//   - A seed relabels the untainted parts of its credit (clean or unexplained) with its
//     origin; parts that were another seed's money keep their origin. Traced = the
//     relabelled parts. Seeds may share an origin (Seed.Group) to keep proportional methods
//     cheap; their per-seed traced amounts are still reported.
//   - Proportional splits (prorata; LIBR among tainted origins) use the largest-remainder
//     rule, ties to the share that arrived first in the account (its origins are kept in
//     order of arrival), so the parts always sum to the debit.
//
// Poison reports, for each tainted origin that has ever reached an account, the account's
// whole current balance as its position; each debit from such an account carries the full
// debit amount once per such origin (recorded as flows only with Config.PoisonFlows), and an
// exit's position for an origin is the sum of those amounts that reached it. A seeded credit adds the seed's origin to the receiver
// and its traced amount is the whole credit. Clean and unexplained money are not reported
// under poison. Its figures are upper bounds: one cent can count for several origins and
// several holders, so Check only verifies that no origin exceeds its holder's balance.
//
// Every other method conserves: for each seed origin, traced = held + exited to the cent,
// and each account's positions sum to its balance; Report.Check verifies both.
//
// With Config.GroupPoison, Poison replays every seed as one origin ("all seeds", Group -1)
// while the other methods keep one origin per seed: per seed, Poison's state is accounts x
// origins, which on a large case with thousands of seeds runs to gigabytes.
//
// # Backward tracing
//
// Config.Labels and Batch.Label name the money that exits pay into the universe: a payment
// by an exit with label l brings money of origin Engine.LabelOrigin(l) (kind KindInflow)
// instead of clean money. Inflow origins count as tainted for every method, so LIBR spends
// opening balances and unexplained funds first and shares the rest rateably, and
// tainted-first spends them last. Config.Capture keeps the parts of chosen debits
// (Engine.Captured), and Engine.Holdings gives one account's holdings without building a
// whole Report: together they decompose a debit or a balance by origin.
package tracer
