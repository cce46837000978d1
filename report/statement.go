package report

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// methodWords says in plain words what each tracing method does (DESIGN.md §4).
var methodWords = map[string]string{
	"fifo": "First in, first out (the rule in Clayton's case): a payment out of an account is taken from the " +
		"oldest money still in it.",
	"lifo": "Last in, first out: a payment out of an account is taken from the newest money in it.",
	"prorata": "Proportional (rolling charge): every payment out of an account carries every origin in the account in " +
		"proportion to its share of the balance at that moment; with a single payment this equals the pari passu " +
		"rule of Barlow Clowes.",
	"libr": "Lowest intermediate balance (Roscoe v Winder, Re Hallett): payments are taken from clean money first; " +
		"the tainted money in an account never exceeds the lowest balance the account fell to, and later clean " +
		"deposits do not restore it.",
	"tainted-first": "Tainted money first (Re Oatway, the claimant's choice): payments are taken from tainted money " +
		"first, oldest first, then from clean money; an upper bound of what left the account.",
	"poison": "Poison: once tainted money touches an account, the whole balance of the account and everything that " +
		"leaves it afterwards counts as tainted. An upper bound that does not conserve: its totals can exceed the " +
		"seed amounts.",
}

// summaryTable lists the facts of the report: case, runs, digests, as-of and headline totals.
func (c *caseData) summaryTable() *table {
	t := &table{name: "summary", sheet: "Summary", title: "Summary", cols: []column{{name: "item", mask: mText}, {name: "value", mask: mText}}}
	add := func(k, v string) { t.rows = append(t.rows, []any{k, v}) }
	caseName := c.path
	if c.opt.Mask {
		caseName = filepath.Base(c.path)
	}
	add("Case database", caseName)
	add("Base currency", c.base)
	if r := c.trace; r != nil {
		m := c.manifest
		add("Trace run", r.ID)
		add("Trace run started", r.StartedAt+" UTC")
		add("Trace manifest SHA-256", digest(r.ManifestJSON))
		add("Methods", strings.Join(m.Methods, ", "))
		add("Method shown in the diagram and party totals", c.method)
		asOf := m.AsOf
		if asOf == "" {
			asOf = "after the last transaction of the case"
		}
		add("As of", asOf)
		for _, s := range m.Seeds {
			add("Seed "+s.Given, idList(s.TxnIDs, 12))
		}
		add("Scope", fmt.Sprintf("%s: %d accounts, %d transactions replayed", m.Scope, m.AccountsInScope, m.TxnsReplayed))
		add("Amounts", fmt.Sprintf("%s in %s", m.Amounts, m.Currency))
		for _, name := range []string{"seed_credit", "traced", "held", "exited", "held_with_unexplained"} {
			i := c.totals.col(name)
			sum := decimal.Zero
			for _, row := range c.totals.rows {
				if row[0] == c.method {
					if d, ok := row[i].(decimal.Decimal); ok {
						sum = sum.Add(d)
					}
				}
			}
			add(fmt.Sprintf("Total %s (%s)", strings.ReplaceAll(name, "_", " "), c.method), moneyText(sum)+" "+m.Currency)
		}
		unexplained := decimal.Zero
		for _, row := range c.unexplained.rows {
			unexplained = unexplained.Add(row[2].(decimal.Decimal))
		}
		add("Unexplained funds", fmt.Sprintf("%s %s in %d account(s)", moneyText(unexplained), m.Currency, len(c.unexplained.rows)))
	}
	if r := c.rules; r != nil {
		add("Rules run", r.ID)
		add("Rules run started", r.StartedAt+" UTC")
		add("Rules manifest SHA-256", digest(r.ManifestJSON))
		for _, p := range c.rulesMan.Packs {
			add("Rule pack "+p.Name, fmt.Sprintf("version %s, SHA-256 %s", p.Version, p.SHA256))
		}
		add("Findings", fmt.Sprint(len(c.findings.rows)))
	}
	add("Sources", fmt.Sprintf("%d file(s), SHA-256 of each in the Sources sheet", len(distinctSources(c.sources))))
	add("Masked", fmt.Sprint(c.opt.Mask))
	if c.opt.ToolVersion != "" {
		add("Report written by", "moneytrail "+c.opt.ToolVersion)
	}
	return t
}

func distinctSources(t *table) map[any]bool {
	m := map[any]bool{}
	for _, r := range t.rows {
		m[r[0]] = true
	}
	return m
}

// statementTable explains the run's tracing rule and every assumption in plain words, from
// the manifest.
func (c *caseData) statementTable() *table {
	t := &table{name: "method_statement", sheet: "Method statement", title: "Method statement",
		note: "The tracing rule and every assumption behind the figures, generated from the runs' manifests.",
		cols: []column{{name: "topic", mask: mText}, {name: "statement", mask: mText}}}
	add := func(k, v string) { t.rows = append(t.rows, []any{k, v}) }
	if c.trace != nil {
		c.traceStatement(add)
	}
	if c.rules != nil {
		c.rulesStatement(add)
	}
	if c.opt.Mask {
		add("Masking", "Account numbers are shown with their country code and last four characters, names as initials; "+
			"the same account or name always gets the same mask in this report. Payment references and file paths are "+
			"left out. The manifest digests are those of the unmasked runs.")
	}
	return t
}

// traceStatement adds the statements about the trace run: the question, how the replay
// moves money under each method, its scope and exits, the amounts and the evidence read.
func (c *caseData) traceStatement(add func(topic, statement string)) {
	m := c.manifest
	var seeds []string
	for _, s := range m.Seeds {
		seeds = append(seeds, fmt.Sprintf("%s (%s)", s.Given, idList(s.TxnIDs, 12)))
	}
	add("Question", "Where did the money credited by the seed transactions go, how much of it is held where, and how much left "+
		"the traced accounts? Seeds: "+strings.Join(seeds, "; ")+".")
	add("Seeds", "A seed turns the money it credited into tainted money whose origin is the seed transaction. Parts of "+
		"a seed credit that were already another seed's money keep that origin, so no cent is counted twice; a seed's "+
		"traced amount is its credit less such parts.")
	add("Replay", fmt.Sprintf("Every transaction of the traced accounts is replayed once, in booking-time order and, "+
		"within the same time, in statement order. %d transactions were replayed. Transactions recognised as "+
		"duplicates of another export's record and pending transactions are left out.", m.TxnsReplayed))
	if o := m.SameDayOrder; o != nil {
		add("Same-day order", fmt.Sprintf("Each account's statement lists its entries in the bank's booking order, and a "+
			"transfer seen in the statements of both accounts is one event on both. The replay keeps every statement's "+
			"order (where a source gives booking times, they decide): %d replayed transactions are on statements linked "+
			"by matched transfers, %d of them were replayed later than their booking position so that a statement's "+
			"order holds.", o.Shared, o.Reordered))
		for _, c := range o.Contradictions {
			where := c.File
			if c.Account != "" {
				where += " (account " + c.Account + ")"
			}
			add("Order contradiction", fmt.Sprintf("%s books %s before %s; %s.", where, c.Before, c.After, c.Assumed))
		}
	}
	add("Lots", "Each account holds its money as lots (origin, amount) in arrival order. A payment out takes lots "+
		"according to the tracing method and passes them, origin kept, to the receiving account.")
	for _, name := range m.Methods {
		w := methodWords[name]
		if w == "" {
			w = "(no description for this method)"
		}
		add("Method "+name, w)
	}
	if len(m.Methods) > 1 {
		add("Several methods", fmt.Sprintf("The run replayed %d methods side by side (Sensitivity sheet). The diagram, the "+
			"graph files and the party totals show %s.", len(m.Methods), c.method))
	}
	switch m.Scope {
	case "all":
		add("Scope", "Every transaction of the case was replayed.")
	default:
		add("Scope", fmt.Sprintf("Only the accounts the seeds' money can reach forward in time were replayed (%d accounts), "+
			"with every transaction touching them; payments to any other account are exits. Money from accounts "+
			"outside the scope is clean.", m.AccountsInScope))
	}
	add("Exits", "Cash withdrawals, payments to external or unknown accounts, merchants and asset purchases are exits: "+
		"money reaching them leaves the traced accounts and is not followed further (Exits sheet).")
	add("Opening balances", "An account's known opening balance is clean money; where its first statement starts "+
		"in the middle of its history, that statement's opening balance is taken as clean money.")
	if len(m.StatementGaps) > 0 {
		add("Gaps between statements", fmt.Sprintf("%d break(s) in the statements of the traced accounts: a period no "+
			"statement covers, or a statement opening with another balance than the one before closed with. They are "+
			"not bridged: money that came in unseen shows as unexplained funds at the first payment that needs it. "+
			"Request these periods from the bank:", len(m.StatementGaps)))
		for _, g := range m.StatementGaps {
			what := "between " + g.After + " and " + g.Before
			if g.From != "" {
				what += fmt.Sprintf(", no statement from %s to %s", g.From, g.To)
			}
			if g.Change != "" {
				what += fmt.Sprintf(", balance %s %s then %s (%s)", g.PreviousClosing, g.Currency, g.Opening, g.Change)
			}
			add("Gap "+g.Account, what+".")
		}
	}
	add("Unexplained funds", fmt.Sprintf("When a payment exceeds what an account was seen to hold, the shortfall is "+
		"treated as money from outside the data (unexplained), shown per account and never hidden: %d account(s) "+
		"in this run.", len(c.unexplained.rows)))
	add("Overdrafts", "Where an account's statements show its balance below zero (a negative opening or closing "+
		"balance, or a booked balance under zero), the part of a payment beyond the balance is the bank's credit "+
		"(origin overdraft:ACCOUNT), not unexplained; money paid into the account while it owes the bank first repays "+
		"the bank (the exit overdraft:ACCOUNT, origins kept, taken from the payment in as the method takes any "+
		"payment out) and only the rest stays in the account. Without a statement balance a shortfall stays unexplained.")
	for _, o := range m.Overdrafts {
		when := "from its opening balance"
		if o.FirstOverdrawn != "" {
			when = "from " + o.FirstOverdrawn
		}
		deepest := o.Deepest + " " + m.Currency
		if o.DeepestOn != "" {
			deepest += " on " + o.DeepestOn
		}
		add("Overdrawn "+o.Account, fmt.Sprintf("Owed its bank %s; at most %s; drew %s %s in all, repaid %s, owed %s at the end.",
			when, deepest, o.Drawn, m.Currency, o.Repaid, o.OwedAtEnd))
	}
	amounts := fmt.Sprintf("Amounts are traced in %s as whole cents of the transaction's %s, rounded half away from "+
		"zero.", m.Currency, m.Amounts)
	if m.SubCentRounded > 0 {
		amounts += fmt.Sprintf(" %d amount(s) had more than two decimals and were rounded; an amount rounding to "+
			"zero is left out.", m.SubCentRounded)
	}
	add("Amounts", amounts+" A proportional split floors every share and hands the remaining cents to the largest "+
		"remainders (ties to the older lot), so the parts always add up to the whole; every method except poison "+
		"conserves each seed's traced amount to the cent.")
	if m.Amounts == "base_amount" {
		add("Currency conversion", "Foreign-currency transactions are converted with the historical rate stored with "+
			"each transaction (its rate and fixing day are in the case); a missing rate is an error, never an assumed rate.")
	}
	for _, c := range m.OpeningsConverted {
		add("Opening in "+c.Currency+" "+c.Account, fmt.Sprintf("The account opens on %s with %s %s, converted at %s %s per %s "+
			"(the case's rate of %s) to %s %s of clean money.", c.OpensOn, c.Opening, c.Currency, c.Rate, c.Currency, m.Currency,
			c.RateDay, c.Amount, m.Currency))
	}
	if m.AsOf != "" {
		add("As of", "Positions are as they stood at the end of "+m.AsOf+".")
	} else {
		add("As of", "Positions are as they stood after the last transaction of the case.")
	}
	flows := map[string]string{"tainted": "every hop of tainted money", "all": "every hop of every origin, clean included",
		"none": "no hops (positions only)"}[m.Flows]
	if flows != "" {
		add("Flows recorded", "The Flows sheet holds "+flows+"; each row names the transaction and the file and line "+
			"or entry it was read from.")
	}
	if m.GroupSeeds {
		add("Grouped seeds", "All seeds were traced as one origin (\"seeds\"); per-seed traced amounts are still reported.")
	}
	if m.GroupUnexplained {
		add("Grouped unexplained funds", "All unexplained funds share one origin (\"unexplained\") instead of one per account.")
	}
	var files []string
	for _, s := range m.Sources {
		files = append(files, s.FileName+" (SHA-256 "+s.SHA256+")")
	}
	add("Evidence", "The replay read these files: "+strings.Join(files, "; ")+fmt.Sprintf(". The run's manifest "+
		"(manifest.json, SHA-256 %s) identifies the run; `moneytrail verify` re-hashes the files and re-runs it.",
		digest(c.trace.ManifestJSON)))
	add("Party totals", "Holdings per party add up the tainted money in every account linked to the party "+
		"(party_links); an account linked to several parties counts in full for each of them.")
}

// rulesStatement adds the statements about the rules run: each pack, the parameters of each
// rule (in rule-id and name order), the rules that failed and the run's evidence.
func (c *caseData) rulesStatement(add func(topic, statement string)) {
	rm := c.rulesMan
	for _, p := range rm.Packs {
		add("Rule pack "+p.Name, fmt.Sprintf("Version %s (SHA-256 %s, from %s) with rules %s.", p.Version, p.SHA256,
			p.Origin, strings.Join(p.Rules, ", ")))
	}
	rulesIDs := make([]string, 0, len(rm.Params))
	for id := range rm.Params {
		rulesIDs = append(rulesIDs, id)
	}
	sort.Strings(rulesIDs)
	for _, id := range rulesIDs {
		names := make([]string, 0, len(rm.Params[id]))
		for n := range rm.Params[id] {
			names = append(names, n)
		}
		sort.Strings(names)
		var parts []string
		for _, n := range names {
			p := rm.Params[id][n]
			s := fmt.Sprintf("%s = %v", n, p.Value)
			if p.Overridden {
				s += " (set for this run)"
			}
			parts = append(parts, s)
		}
		if len(parts) > 0 {
			add("Parameters of "+id, strings.Join(parts, "; ")+".")
		}
	}
	for _, f := range rm.Failures {
		add("Failed rule "+f.Rule, f.Error)
	}
	add("Rules evidence", fmt.Sprintf("%d findings over %d transactions; the rules manifest has SHA-256 %s.",
		len(c.findings.rows), rm.Txns, digest(c.rules.ManifestJSON)))
}

// idList names up to n transactions and counts the rest; the manifest lists them all.
func idList(ids []string, n int) string {
	switch {
	case len(ids) == 1:
		return "transaction " + ids[0]
	case len(ids) <= n:
		return fmt.Sprintf("%d transactions: %s", len(ids), strings.Join(ids, " "))
	}
	return fmt.Sprintf("%d transactions: %s and %d more (all in manifest.json)", len(ids), strings.Join(ids[:n], " "), len(ids)-n)
}
