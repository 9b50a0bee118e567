"""Checks a DSFinV-K export folder against its index.xml, independently of
the export code: every table's file, its header, the number of fields,
numbers with exactly the stated decimals, texts within their MaxLength,
UTF-8, CRLF; and the tie-outs: per receipt its VAT rows, payments and
lines add up to UMS_BRUTTO, net + tax = gross in every VAT row; per closing
the payment rows are Z_SE_ZAHLUNGEN and Z_SE_BARZAHLUNGEN and what the
receipts paid per type, the sales' business cases are the receipts' VAT
per key; every TSE row is signed by a TSE of its closing or names the
failure, and per TSE transaction numbers and signature counters rise.

Usage: python3 validate.py EXPORT_DIR   (exit 1 and the problems on stderr)
"""

import csv
import io
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def tables(index):
    for t in ET.parse(index).getroot().iter("Table"):
        cols = []
        for c in t.find("VariableLength"):
            if c.tag not in ("VariableColumn", "VariablePrimaryKey"):
                continue
            if c.find("Numeric") is not None:
                acc = c.findtext("Numeric/Accuracy")
                cols.append((c.findtext("Name"), "num", int(acc or 0)))
            else:
                ml = c.findtext("MaxLength")
                cols.append((c.findtext("Name"), "text", int(ml) if ml else None))
        yield t.findtext("URL"), cols


def cents(value, acc):
    """An exported number as an integer of hundredths (no floats)."""
    neg = value.startswith("-")
    digits = value.lstrip("-").replace(",", "")
    n = int(digits) * 100 // (10 ** acc) if acc >= 2 else int(digits) * 10 ** (2 - acc)
    return -n if neg else n


def main(folder):
    problems = []
    rows = {}
    defs = {}
    for url, cols in tables(os.path.join(folder, "index.xml")):
        defs[url] = cols
        path = os.path.join(folder, url)
        if not os.path.exists(path):
            problems.append(f"{url}: missing")
            continue
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(f"{url}: not UTF-8 ({e})")
            continue
        if not text.endswith("\r\n"):
            problems.append(f"{url}: does not end with CRLF")
        if text.count("\n") != text.count("\r\n"):
            problems.append(f"{url}: a line end without CR")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
        header = next(reader)
        names = [c[0] for c in cols]
        if header != names:
            problems.append(f"{url}: header {header} is not {names}")
            continue
        table_rows = []
        for n, rec in enumerate(reader, start=1):
            if len(rec) != len(cols):
                problems.append(f"{url} row {n}: {len(rec)} fields, {len(cols)} columns")
                continue
            for (name, kind, arg), value in zip(cols, rec):
                if value == "":
                    continue
                if kind == "num":
                    pattern = r"-?\d+" if arg == 0 else r"-?\d+,\d{%d}" % arg
                    if not re.fullmatch(pattern, value):
                        problems.append(f"{url} row {n} {name}: {value!r} is not a number with {arg} decimals")
                elif arg is not None and len(value) > arg:
                    problems.append(f"{url} row {n} {name}: {len(value)} characters, at most {arg}")
            table_rows.append(dict(zip(names, rec)))
        rows[url] = table_rows
    if problems:
        return problems

    def acc(url, col):
        return next(a for (n, k, a) in defs[url] if n == col)

    def sums(url, key, col):
        out = defaultdict(int)
        for r in rows[url]:
            out[tuple(r[k] for k in key)] += cents(r[col], acc(url, col))
        return out

    key = ("Z_NR", "BON_ID")
    totals = {tuple(r[k] for k in key): cents(r["UMS_BRUTTO"], 2) for r in rows["transactions.csv"]}
    for url, col in (("transactions_vat.csv", "BON_BRUTTO"), ("datapayment.csv", "BASISWAEH_BETRAG")):
        got = sums(url, key, col)
        for bon, total in totals.items():
            if got.get(bon, 0) != total:
                problems.append(f"{url}: receipt {bon} adds up to {got.get(bon, 0)}, UMS_BRUTTO {total}")
    got = sums("lines_vat.csv", key, "POS_BRUTTO")
    for bon, total in totals.items():
        if got.get(bon, 0) != total:
            problems.append(f"lines_vat.csv: the lines of receipt {bon} add up to {got.get(bon, 0)}, UMS_BRUTTO {total}")
    for url, gross, net, tax in (
        ("transactions_vat.csv", "BON_BRUTTO", "BON_NETTO", "BON_UST"),
        ("lines_vat.csv", "POS_BRUTTO", "POS_NETTO", "POS_UST"),
        ("businesscases.csv", "Z_UMS_BRUTTO", "Z_UMS_NETTO", "Z_UST"),
    ):
        for n, r in enumerate(rows[url], start=1):
            g, nn, t = (cents(r[c], acc(url, c)) for c in (gross, net, tax))
            if nn + t != g:
                problems.append(f"{url} row {n}: net {nn} + tax {t} is not gross {g}")

    # Per closing: the payment rows are the Z report's figures, and they are
    # what the receipts' payments add up to, per type; the sales' business
    # cases are the receipts' VAT rows.
    paid = sums("payment.csv", ("Z_NR",), "Z_ZAHLART_BETRAG")
    paid_by_type = sums("payment.csv", ("Z_NR", "ZAHLART_TYP"), "Z_ZAHLART_BETRAG")
    receipts_by_type = sums("datapayment.csv", ("Z_NR", "ZAHLART_TYP"), "BASISWAEH_BETRAG")
    for k in set(paid_by_type) | set(receipts_by_type):
        if paid_by_type.get(k, 0) != receipts_by_type.get(k, 0):
            problems.append(f"payment.csv: closing {k[0]}, {k[1]}: {paid_by_type.get(k, 0)}, the receipts paid {receipts_by_type.get(k, 0)}")
    for r in rows["cashpointclosing.csv"]:
        z = (r["Z_NR"],)
        if paid.get(z, 0) != cents(r["Z_SE_ZAHLUNGEN"], 2):
            problems.append(f"payment.csv: closing {z} adds up to {paid.get(z, 0)}, Z_SE_ZAHLUNGEN {r['Z_SE_ZAHLUNGEN']}")
        if paid_by_type.get((r["Z_NR"], "Bar"), 0) != cents(r["Z_SE_BARZAHLUNGEN"], 2):
            problems.append(f"payment.csv: closing {z} cash {paid_by_type.get((r['Z_NR'], 'Bar'), 0)}, Z_SE_BARZAHLUNGEN {r['Z_SE_BARZAHLUNGEN']}")
    vat_by_key = sums("transactions_vat.csv", ("Z_NR", "UST_SCHLUESSEL"), "BON_BRUTTO")
    sold = defaultdict(int)
    for r in rows["businesscases.csv"]:
        if r["GV_TYP"] in ("Umsatz", "MehrzweckgutscheinKauf"):
            sold[(r["Z_NR"], r["UST_SCHLUESSEL"])] += cents(r["Z_UMS_BRUTTO"], acc("businesscases.csv", "Z_UMS_BRUTTO"))
    for k in set(vat_by_key) | set(sold):
        if vat_by_key.get(k, 0) != sold.get(k, 0):
            problems.append(f"businesscases.csv: closing {k[0]}, VAT key {k[1]}: {sold.get(k, 0)}, the receipts {vat_by_key.get(k, 0)}")

    # TSE: every receipt's row is a signed transaction of a TSE of its
    # closing or names the TSE's failure; per TSE the transaction numbers
    # and signature counters rise.
    serial = {(r["Z_NR"], r["TSE_ID"]): r["TSE_SERIAL"] for r in rows["tse.csv"]}
    last = {}
    for n, r in enumerate(rows["transactions_tse.csv"], start=1):
        where = f"transactions_tse.csv row {n} (receipt {r['BON_ID']})"
        if (r["Z_NR"], r["BON_ID"]) not in totals:
            problems.append(f"{where}: no such receipt in transactions.csv")
        if r["TSE_TA_FEHLER"]:
            if r["TSE_TA_SIG"] or r["TSE_TANR"]:
                problems.append(f"{where}: a failure with a signature")
            continue
        missing = [c for c in ("TSE_ID", "TSE_TANR", "TSE_TA_START", "TSE_TA_ENDE", "TSE_TA_SIGZ", "TSE_TA_SIG") if not r[c]]
        if missing:
            problems.append(f"{where}: neither signed nor a failure, {missing} empty")
            continue
        tse = serial.get((r["Z_NR"], r["TSE_ID"]))
        if tse is None:
            problems.append(f"{where}: TSE_ID {r['TSE_ID']} is not in tse.csv of closing {r['Z_NR']}")
            continue
        if r["TSE_TA_START"] > r["TSE_TA_ENDE"]:
            problems.append(f"{where}: ends before it starts")
        now = (int(r["TSE_TANR"]), int(r["TSE_TA_SIGZ"]))
        before = last.get(tse)
        if before is not None and not (now[0] > before[0] and now[1] > before[1]):
            problems.append(f"{where}: TSE_TANR/TSE_TA_SIGZ {now} do not rise after {before}")
        last[tse] = now
    return problems


if __name__ == "__main__":
    found = main(sys.argv[1])
    for p in found:
        print(p, file=sys.stderr)
    sys.exit(1 if found else 0)
