#!/usr/bin/env python3
"""Independent figures for the corpus XLSX files (corpus_test.go), read from the raw
sheet XML with zipfile and ElementTree, not with the Go reader.

Usage: python3 figures.py ../../../shared/corpus/xlsx/*.xlsx
Prints, per file, every row (number, hidden flag, cells), then the figures the built-in
profile must reproduce: transactions, quarantined and hidden rows, signed sum.
"""
import sys, zipfile, xml.etree.ElementTree as ET
from decimal import Decimal

M = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'


def rows(path):
    z = zipfile.ZipFile(path)
    sst = []
    if 'xl/sharedStrings.xml' in z.namelist():
        for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall(M + 'si'):
            sst.append(''.join(t.text or '' for t in si.iter(M + 't')))
    ws = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))
    out = {}
    for r in ws.find(M + 'sheetData').findall(M + 'row'):
        cells = {}
        for c in r.findall(M + 'c'):
            col = ''.join(ch for ch in c.get('r') if ch.isalpha())
            t, v = c.get('t'), c.find(M + 'v')
            if t == 's':
                cells[col] = sst[int(v.text)]
            elif t == 'inlineStr':
                cells[col] = ''.join(x.text or '' for x in c.iter(M + 't'))
            elif v is not None:
                cells[col] = Decimal(v.text)
        out[int(r.get('r'))] = (cells, r.get('hidden') in ('1', 'true'))
    return out


def fineco(rs):
    # Header row: the row whose column A is "Data"; amounts: Entrate (B) - |Uscite| (C).
    hdr = next(n for n, (c, _) in rs.items() if c.get('A') == 'Data')
    data = [(n, c) for n, (c, h) in sorted(rs.items()) if n > hdr]
    total = sum(abs(c.get('B', Decimal(0))) - abs(c.get('C', Decimal(0))) for _, c in data)
    pending = [n for n, c in data if c.get('F') == 'Autorizzato']
    return dict(txns=len(data), sum=total, pending=pending)


def otp(rs):
    # Header in row 1; booking date in B; signed amount in K; D is J (in) or K (out).
    txns, quar, hidden, total = [], [], [], Decimal(0)
    for n, (c, h) in sorted(rs.items()):
        if n == 1:
            continue
        assert (c['K'] > 0) == (c['D'] == 'J'), n
        if h:
            hidden.append(n)
        elif not c.get('B'):
            quar.append(n)
        else:
            txns.append(n)
            total += c['K']
    return dict(txns=len(txns), quarantined=quar, hidden=hidden, sum=total)


for p in sys.argv[1:]:
    rs = rows(p)
    print('==', p)
    for n, (c, h) in sorted(rs.items()):
        print(n, 'hidden' if h else '', c)
    print('figures:', fineco(rs) if 'fineco' in p else otp(rs))
