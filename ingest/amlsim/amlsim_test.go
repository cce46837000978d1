package amlsim

import (
	"testing"
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
