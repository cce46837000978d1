#!/usr/bin/env python3
"""Writes the camt.053 test statements of ingest/match from the specs below.

Run from this folder: python3 gen_camt.py. The output is checked in; this script only says how
it was made. Every figure is chosen by hand; every IBAN passes its mod-97 check.
"""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{msg}</MsgId><CreDtTm>{to}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{msg}-1</Id>
      <CreDtTm>{to}T18:00:00</CreDtTm>
      <FrToDt><FrDtTm>{frm}T00:00:00</FrDtTm><ToDtTm>{to}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{ccy}</Ccy><Ownr><Nm>{owner}</Nm></Ownr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="{ccy}">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{frm}</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="{ccy}">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{to}</Dt></Dt></Bal>
"""

ENTRY = """      <Ntry>
        <Amt Ccy="{ccy}">{amount}</Amt>
        <CdtDbtInd>{cdi}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{fmly}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>{e2e}</EndToEndId>{uetr}</Refs>
          <RltdPties><{side}><Nm>{name}</Nm></{side}>{acct}</RltdPties>
          <RmtInf><Ustrd>{text}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
"""

TAIL = """    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def write(path, msg, iban, owner, ccy, frm, to, opening, entries):
    """entries: (day, CRDT|DBIT, amount, counterparty name, counterparty IBAN or '', e2e, uetr, text)"""
    total = opening
    body = ""
    for i, (day, cdi, amount, name, cp, e2e, uetr, text) in enumerate(entries, 1):
        total += amount if cdi == "CRDT" else -amount
        side = "Dbtr" if cdi == "CRDT" else "Cdtr"
        acct = f"<{side}Acct><Id><IBAN>{cp}</IBAN></Id></{side}Acct>" if cp else ""
        body += ENTRY.format(ccy=ccy, amount=f"{amount:.2f}", cdi=cdi, day=day, ref=f"{msg}-{i:03d}",
                             fmly="RCDT" if cdi == "CRDT" else "ICDT", e2e=e2e or "NOTPROVIDED",
                             uetr=f"<UETR>{uetr}</UETR>" if uetr else "", side=side, name=name, acct=acct, text=text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD.format(msg=msg, iban=iban, owner=owner, ccy=ccy, frm=frm, to=to,
                            opening=f"{opening:.2f}", closing=f"{total:.2f}"))
        f.write(body)
        f.write(TAIL)
    print(path, "closing", f"{total:.2f}")


A, B, H, Y = "DE89370400440532013000", "AT611904300234573201", "RS70265100000012345678", "RS33160000000012345690"

# Bank A's camt.053 of the same three transfers that bank B's MT940 (two-banks/bank-b.sta) shows.
write("two-banks/bank-a.xml", "BANKA-2024-03", A, "Marko Petrović", "EUR", "2024-03-01", "2024-03-08", 5000.00, [
    ("2024-03-01", "CRDT", 2000.00, "Jovan Jovanović", Y, "", "", "loan"),
    ("2024-03-04", "DBIT", 1200.00, "Ana Horvat", B, "E2E-0001", "", "rent March"),
    ("2024-03-05", "DBIT", 750.00, "Ana Horvat", B, "", "", "transport"),
    ("2024-03-06", "DBIT", 430.50, "Ana Horvat", B, "", "", "loan back"),
    ("2024-03-07", "DBIT", 300.00, "Dragan Đorđević", H, "", "", "services"),
])

# A UETR pair: bank B credits 975.00 five days after bank A's 980.00 debit (fee, outside the
# 3-day window: only the UETR pairs them); bank B also shows an unrelated 980.00 credit from A
# on the debit's day, without a UETR, which must stay unpaired.
U = "eb6305c9-1f7f-49de-aed0-16487c27b42d"
write("uetr/bank-a.xml", "UETR-A", A, "Marko Petrović", "EUR", "2024-04-01", "2024-04-30", 3000.00, [
    ("2024-04-10", "DBIT", 980.00, "Ana Horvat", B, "INV-7", U, "invoice 7"),
])
write("uetr/bank-b.xml", "UETR-B", B, "Ana Horvat", "EUR", "2024-04-01", "2024-04-30", 0.00, [
    ("2024-04-10", "CRDT", 980.00, "Marko Petrović", A, "", "", "deposit"),
    ("2024-04-15", "CRDT", 975.00, "Marko Petrović", A, "INV-7", U, "invoice 7"),
])

# An EndToEndId pair: the same id, 1.50 less received (a fee) two days later.
write("end-to-end/bank-a.xml", "E2E-A", A, "Marko Petrović", "EUR", "2024-05-01", "2024-05-31", 3000.00, [
    ("2024-05-10", "DBIT", 400.00, "Ana Horvat", B, "PAY-2024-0510", "", "car parts"),
    ("2024-05-10", "DBIT", 400.00, "Ana Horvat", B, "PAY-2024-0511", "", "car parts 2"),
])
write("end-to-end/bank-b.xml", "E2E-B", B, "Ana Horvat", "EUR", "2024-05-01", "2024-05-31", 0.00, [
    ("2024-05-12", "CRDT", 398.50, "Marko Petrović", A, "PAY-2024-0510", "", "car parts"),
])
