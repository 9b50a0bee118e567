"""Checks a DSFinV-K export folder against its index.xml, independently of
the export code: every table's file, its header, the number of fields,
numbers with exactly the stated decimals, texts within their MaxLength,
UTF-8, CRLF; and the tie-outs (per receipt VAT and payments = UMS_BRUTTO,
per closing the payment rows = Z_SE_ZAHLUNGEN).

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
    paid = sums("payment.csv", ("Z_NR",), "Z_ZAHLART_BETRAG")
    for r in rows["cashpointclosing.csv"]:
        z = (r["Z_NR"],)
        if paid.get(z, 0) != cents(r["Z_SE_ZAHLUNGEN"], 2):
            problems.append(f"payment.csv: closing {z} adds up to {paid.get(z, 0)}, Z_SE_ZAHLUNGEN {r['Z_SE_ZAHLUNGEN']}")
    return problems


if __name__ == "__main__":
    found = main(sys.argv[1])
    for p in found:
        print(p, file=sys.stderr)
    sys.exit(1 if found else 0)
