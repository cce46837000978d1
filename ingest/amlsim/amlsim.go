// Package amlsim reads the output files of IBM's AMLSim simulator: the older sample layout
// (tx.csv, cash_tx.csv, accounts.csv, alerts.csv with integer day steps), the current one of
// AMLSim's schema.json (transactions.csv, accounts.csv, alert_accounts.csv,
// alert_transactions.csv) and the graph layout of its published samples such as 20K_fanin200
// (nodes.csv with nodeid,isFraud and transactions.csv with sourceNodeId,targetNodeId,value,time).
// The SAR/fraud labels go to canon.Label for evaluation only.
package amlsim

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// Layout names one AMLSim file kind.
type Layout string

// The file kinds Read understands, recognised by their header.
const (
	OldTx               Layout = "tx"
	OldCashTx           Layout = "cash_tx"
	OldAccounts         Layout = "accounts-2019"
	OldAlerts           Layout = "alerts-2019"
	Transactions        Layout = "transactions"
	Accounts            Layout = "accounts"
	AlertAccounts       Layout = "alert_accounts"
	AlertTransactions   Layout = "alert_transactions"
	GraphNodes          Layout = "graph_nodes"
	GraphTransactions   Layout = "graph_transactions"
	defaultCurrency            = "USD"
	accountScheme              = "amlsim"
	maxHeaderColumnsLen        = 64
)

var signatures = []struct {
	layout Layout
	cols   []string
}{
	{OldTx, []string{"txn_id", "account_id", "counter_party_account_num", "txn_source_type_code", "txn_amount_orig", "start"}},
	{OldCashTx, []string{"txn_id", "account_id", "branch_id", "txn_source_type_code", "txn_amount_orig", "run_date"}},
	{OldAccounts, []string{"account_id", "primary_customer_id", "init_balance", "isfraud"}},
	{OldAlerts, []string{"alert_key", "account_id", "event_date", "check_name"}},
	{AlertTransactions, []string{"alert_id", "alert_type", "tran_id", "orig_acct", "bene_acct", "base_amt"}},
	{Transactions, []string{"tran_id", "orig_acct", "bene_acct", "tx_type", "base_amt", "tran_timestamp"}},
	{AlertAccounts, []string{"alert_id", "alert_type", "acct_id", "is_sar"}},
	{Accounts, []string{"acct_id", "initial_deposit"}},
	{GraphNodes, []string{"nodeid", "isfraud"}},
	{GraphTransactions, []string{"sourcenodeid", "targetnodeid", "value", "time"}},
}

// Options tunes Read.
type Options struct {
	// BaseDate is day 0 of the older layout's integer steps (AMLSim's default 2017-01-01).
	BaseDate time.Time
	// Currency of the amounts (AMLSim writes USD by default).
	Currency string
}

// ErrLayout reports a file that is not one of AMLSim's.
var ErrLayout = errors.New("not an AMLSim output file")

// DetectLayout returns the layout a header line belongs to.
func DetectLayout(data []byte) (Layout, bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line, _, _ := bytes.Cut(data, []byte("\n"))
	head := strings.Split(strings.ToLower(strings.TrimSpace(string(line))), ",")
	if len(head) > maxHeaderColumnsLen {
		return "", false
	}
	has := map[string]bool{}
	for _, h := range head {
		has[strings.TrimSpace(h)] = true
	}
	for _, s := range signatures {
		ok := true
		for _, c := range s.cols {
			if !has[c] {
				ok = false
				break
			}
		}
		if ok {
			return s.layout, true
		}
	}
	return "", false
}

// AccountID is the canonical id of AMLSim account n.
func AccountID(n string) string { return canon.AccountID(accountScheme, "", n) }

// Read parses one AMLSim output file; its layout is recognised from the header.
func Read(data []byte, opt Options) (canon.Batch, Layout, error) {
	if opt.BaseDate.IsZero() {
		opt.BaseDate = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opt.Currency == "" {
		opt.Currency = defaultCurrency
	}
	layout, ok := DetectLayout(data)
	if !ok {
		return canon.Batch{}, "", fmt.Errorf("%w: header not recognised", ErrLayout)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return canon.Batch{}, layout, fmt.Errorf("%w: line 1: %v", ErrLayout, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	rd := reader{opt: opt, col: col, width: len(head)}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		rd.b.Records++
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			rd.b.Errors = append(rd.b.Errors, canon.RecordError{Record: line, Reason: err.Error()})
			continue
		}
		line, _ := r.FieldPos(0)
		rd.line, rd.rec = line, rec
		if len(rec) != rd.width {
			rd.fail("", fmt.Sprintf("row has %d fields, header has %d", len(rec), rd.width))
			continue
		}
		switch layout {
		case OldTx, OldCashTx, Transactions, GraphTransactions:
			rd.txn(layout)
		case OldAccounts, Accounts, GraphNodes:
			rd.account(layout)
		case OldAlerts, AlertAccounts:
			rd.accountLabel(layout)
		case AlertTransactions:
			rd.txnLabel()
		}
	}
	return rd.b, layout, nil
}

type reader struct {
	opt   Options
	col   map[string]int
	width int
	line  int
	rec   []string
	b     canon.Batch
	seq   int64
}

func (r *reader) get(name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

func (r *reader) fail(field, reason string) {
	r.b.Errors = append(r.b.Errors, canon.RecordError{Record: r.line, Field: field, Raw: strings.Join(r.rec, ","), Reason: reason})
}

func (r *reader) txn(layout Layout) {
	t := canon.Txn{Record: r.line, Currency: r.opt.Currency, Channel: canon.ChannelTransfer}
	var amountCol string
	switch layout {
	case OldTx, OldCashTx:
		t.SourceID = r.get("txn_id")
		amountCol = "txn_amount_orig"
		stepCol := "start"
		if layout == OldCashTx {
			stepCol = "run_date"
		}
		step, err := strconv.Atoi(r.get(stepCol))
		if err != nil || step < 0 {
			r.fail(stepCol, fmt.Sprintf("%q is not a day step (a non-negative integer)", r.get(stepCol)))
			return
		}
		t.BookedAt = r.opt.BaseDate.AddDate(0, 0, step)
		acct := r.get("account_id")
		if acct == "" {
			r.fail("account_id", "empty")
			return
		}
		typ := strings.ToUpper(r.get("txn_source_type_code"))
		t.Reference = typ
		if layout == OldTx {
			cp := r.get("counter_party_account_num")
			if cp == "" {
				r.fail("counter_party_account_num", "empty")
				return
			}
			t.From, t.To = AccountID(acct), AccountID(cp)
		} else {
			switch typ {
			case "CASH-IN":
				t.From, t.To, t.Channel = "cash:"+AccountID(acct), AccountID(acct), canon.ChannelCashDeposit
			case "CASH-OUT":
				t.From, t.To, t.Channel = AccountID(acct), "cash:"+AccountID(acct), canon.ChannelCashWithdrawal
			default:
				r.fail("txn_source_type_code", fmt.Sprintf("%q is neither CASH-IN nor CASH-OUT", typ))
				return
			}
		}
	case GraphTransactions:
		// The graph layout has no transaction id: the loader derives one from the file's
		// SHA-256 and the line, as for AMLworld files.
		amountCol = "value"
		step, err := strconv.Atoi(r.get("time"))
		if err != nil || step < 0 {
			r.fail("time", fmt.Sprintf("%q is not a day step (a non-negative integer)", r.get("time")))
			return
		}
		t.BookedAt = r.opt.BaseDate.AddDate(0, 0, step)
		o, b := r.get("sourcenodeid"), r.get("targetnodeid")
		if o == "" || b == "" {
			r.fail("sourceNodeId", "source or target node is empty")
			return
		}
		t.From, t.To = AccountID(o), AccountID(b)
	case Transactions:
		t.SourceID = r.get("tran_id")
		amountCol = "base_amt"
		at, err := parseTimestamp(r.get("tran_timestamp"))
		if err != nil {
			r.fail("tran_timestamp", err.Error())
			return
		}
		t.BookedAt = at
		o, b := r.get("orig_acct"), r.get("bene_acct")
		if o == "" || b == "" {
			r.fail("orig_acct", "originator or beneficiary account is empty")
			return
		}
		t.From, t.To = AccountID(o), AccountID(b)
		t.Reference = r.get("tx_type")
		if sar := strings.ToLower(r.get("is_sar")); sar == "true" || sar == "1" {
			r.b.Labels = append(r.b.Labels, canon.Label{Subject: "txn:" + t.SourceID, Label: "is_sar", Value: "1", Record: r.line})
		}
	}
	if t.SourceID == "" && layout != GraphTransactions {
		r.fail("txn_id", "empty")
		return
	}
	amt, err := money.Parse(r.get(amountCol), money.Dot)
	if err != nil {
		r.fail(amountCol, err.Error())
		return
	}
	if !amt.IsPositive() {
		r.fail(amountCol, fmt.Sprintf("amount %s is not positive", amt))
		return
	}
	t.Amount = amt
	r.seq++
	t.Seq = r.seq
	r.b.Txns = append(r.b.Txns, t)
}

func (r *reader) account(layout Layout) {
	a := canon.Account{Kind: canon.KindBank, Currency: r.opt.Currency}
	var bal, balCol string
	switch layout {
	case OldAccounts:
		a.ID = r.get("account_id")
		a.HolderName = r.get("primary_customer_id")
		a.Country = r.get("country")
		balCol, bal = "init_balance", r.get("init_balance")
		if f := strings.ToLower(r.get("isfraud")); f == "true" {
			r.b.Labels = append(r.b.Labels, canon.Label{Subject: "account:" + AccountID(a.ID), Label: "is_fraud", Value: "1", Record: r.line})
		}
	case Accounts:
		a.ID = r.get("acct_id")
		a.HolderName = strings.TrimSpace(r.get("first_name") + " " + r.get("last_name"))
		if a.HolderName == "" {
			a.HolderName = r.get("dsply_nm")
		}
		a.Country = r.get("country")
		a.Bank = r.get("bank_id")
		if c := r.get("acct_rptng_crncy"); c != "" {
			a.Currency = c
		}
		balCol, bal = "initial_deposit", r.get("initial_deposit")
	case GraphNodes:
		a.ID = r.get("nodeid")
		if a.ID == "" {
			r.fail("nodeid", "empty")
			return
		}
		balCol, bal = "init_balance", r.get("init_balance")
		switch f := strings.ToLower(r.get("isfraud")); f {
		case "1", "true":
			r.b.Labels = append(r.b.Labels, canon.Label{Subject: "account:" + AccountID(a.ID), Label: "is_fraud", Value: "1", Record: r.line})
		case "0", "false":
		default:
			r.fail("isFraud", fmt.Sprintf("%q is neither 0 nor 1", r.get("isfraud")))
			return
		}
	}
	if a.ID == "" {
		r.fail("account_id", "empty")
		return
	}
	a.Number = a.ID
	a.ID = AccountID(a.ID)
	if bal != "" {
		d, err := money.Parse(bal, money.Dot)
		if err != nil {
			r.fail(balCol, err.Error())
			return
		}
		a.Opening = nullDec(d)
	}
	r.b.Accounts = append(r.b.Accounts, a)
}

func (r *reader) accountLabel(layout Layout) {
	switch layout {
	case OldAlerts:
		id := r.get("account_id")
		if id == "" {
			r.fail("account_id", "empty")
			return
		}
		r.b.Labels = append(r.b.Labels, canon.Label{Subject: "account:" + AccountID(id), Label: "alert:" + r.get("check_name"),
			Value: r.get("event_date"), Record: r.line})
	case AlertAccounts:
		id := r.get("acct_id")
		if id == "" {
			r.fail("acct_id", "empty")
			return
		}
		r.b.Labels = append(r.b.Labels, canon.Label{Subject: "account:" + AccountID(id), Label: "alert:" + r.get("alert_type"),
			Value: r.get("alert_id"), Record: r.line})
		if sar := strings.ToLower(r.get("is_sar")); sar == "true" || sar == "1" {
			r.b.Labels = append(r.b.Labels, canon.Label{Subject: "account:" + AccountID(id), Label: "is_sar", Value: "1", Record: r.line})
		}
	}
}

func (r *reader) txnLabel() {
	id := r.get("tran_id")
	if id == "" {
		r.fail("tran_id", "empty")
		return
	}
	r.b.Labels = append(r.b.Labels, canon.Label{Subject: "txn:" + id, Label: "alert:" + r.get("alert_type"), Value: r.get("alert_id"), Record: r.line})
}

func parseTimestamp(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "20060102"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp (2017-01-01T00:00:00Z or 20170101)", s)
}
