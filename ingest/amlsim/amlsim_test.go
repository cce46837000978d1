package amlsim

import (
	"testing"
	"time"
)

func TestCurrentLayout(t *testing.T) {
	tx := "tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id\n" +
		"1,10,20,TRANSFER,100.50,2017-01-01T00:00:00Z,false,-1\n" +
		"2,20,30,TRANSFER,99.00,2017-01-02T00:00:00Z,true,7\n" +
		"3,20,,TRANSFER,1.00,2017-01-02T00:00:00Z,false,-1\n" +
		"4,20,30,TRANSFER,abc,2017-01-02T00:00:00Z,false,-1\n"
	b, layout, err := Read([]byte(tx), Options{})
	if err != nil || layout != Transactions {
		t.Fatal(layout, err)
	}
	if len(b.Txns) != 2 || len(b.Errors) != 2 || len(b.Labels) != 1 || b.Labels[0].Subject != "txn:2" {
		t.Fatalf("%d txns %d errors labels %+v", len(b.Txns), len(b.Errors), b.Labels)
	}
	if b.Txns[0].From != "amlsim::10" || b.Txns[0].Amount.String() != "100.5" || b.Txns[0].Currency != "USD" {
		t.Errorf("%+v", b.Txns[0])
	}
	acc := "acct_id,dsply_nm,type,acct_stat,acct_rptng_crncy,prior_sar_count,branch_id,open_dt,close_dt,initial_deposit,tx_behavior_id,bank_id,first_name,last_name,country\n" +
		"10,C_10,SAV,A,EUR,false,1,0,1000000,50000.25,1,bank_a,Ana,Horvat,HR\n"
	b, layout, err = Read([]byte(acc), Options{})
	if err != nil || layout != Accounts || len(b.Accounts) != 1 {
		t.Fatal(layout, err, b)
	}
	if a := b.Accounts[0]; a.ID != "amlsim::10" || a.HolderName != "Ana Horvat" || a.Currency != "EUR" || a.Opening.Decimal.String() != "50000.25" {
		t.Errorf("%+v", a)
	}
	if _, _, err := Read([]byte("a,b,c\n1,2,3\n"), Options{}); err == nil {
		t.Error("unknown layout accepted")
	}
}

// FuzzRead checks that Read never panics and that every record is accounted for.
func FuzzRead(f *testing.F) {
	f.Add([]byte("TXN_ID,ACCOUNT_ID,COUNTER_PARTY_ACCOUNT_NUM,TXN_SOURCE_TYPE_CODE,tx_count,TXN_AMOUNT_ORIG,start,end\n2,15,25,CHECK,1,125.05,1,1\n"))
	f.Add([]byte("TXN_ID,ACCOUNT_ID,BRANCH_ID,TXN_SOURCE_TYPE_CODE,tx_count,TXN_AMOUNT_ORIG,RUN_DATE,end\n1,0,11,CASH-OUT,1,99.87,1,1\n3,0,12,CASH-SIDEWAYS,1,-1,x,2\n"))
	f.Add([]byte("nodeid,isFraud,init_balance,fraudStep\n0,0,184.44,-1\n7,1,1.5,3\n"))
	f.Add([]byte("sourceNodeId,targetNodeId,value,time\n360,18984,103.55,1\n1,2,x,-1\n"))
	f.Add([]byte("tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id\n1,1,2,T,1,2017-01-01,true,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, _, err := Read(data, Options{})
		if err != nil {
			return
		}
		for _, x := range b.Txns {
			if !x.Amount.IsPositive() || x.From == "" || x.To == "" {
				t.Fatalf("bad txn %+v", x)
			}
		}
	})
}

// TestGraphLayout reads the layout of AMLSim's published graph samples (20K_fanin200): nodes
// with isFraud labels and transfers without ids, whose time is a day step.
func TestGraphLayout(t *testing.T) {
	nodes := "nodeid,isFraud,init_balance,fraudStep\n0,0,184.44,-1\n7,1,99.50,12\n8,yes,1.00,-1\n,1,1.00,3\n"
	b, layout, err := Read([]byte(nodes), Options{})
	if err != nil || layout != GraphNodes {
		t.Fatal(layout, err)
	}
	if len(b.Accounts) != 2 || len(b.Errors) != 2 || len(b.Labels) != 1 {
		t.Fatalf("accounts %+v errors %+v labels %+v", b.Accounts, b.Errors, b.Labels)
	}
	if l := b.Labels[0]; l.Subject != "account:amlsim::7" || l.Label != "is_fraud" || l.Value != "1" {
		t.Errorf("label %+v", l)
	}
	if a := b.Accounts[1]; a.ID != "amlsim::7" || a.Opening.Decimal.String() != "99.5" {
		t.Errorf("account %+v", a)
	}
	if e := b.Errors[0]; e.Field != "isFraud" || e.Record != 4 {
		t.Errorf("error %+v", e)
	}
	tx := "sourceNodeId,targetNodeId,value,time\n360,18984,103.55,1\n269,9237,178.96,31\n1,2,-3,1\n1,2,3,x\n"
	b, layout, err = Read([]byte(tx), Options{})
	if err != nil || layout != GraphTransactions {
		t.Fatal(layout, err)
	}
	if len(b.Txns) != 2 || len(b.Errors) != 2 || b.Records != 4 {
		t.Fatalf("txns %+v errors %+v", b.Txns, b.Errors)
	}
	x := b.Txns[1]
	if x.SourceID != "" || x.From != "amlsim::269" || x.To != "amlsim::9237" || x.Amount.String() != "178.96" ||
		!x.BookedAt.Equal(time.Date(2017, 2, 1, 0, 0, 0, 0, time.UTC)) || x.Record != 3 || x.Seq != 2 {
		t.Errorf("txn %+v", x)
	}
	if b.Errors[0].Field != "value" || b.Errors[1].Field != "time" {
		t.Errorf("errors %+v", b.Errors)
	}
}
