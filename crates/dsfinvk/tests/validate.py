"""Checks a DSFinV-K export folder against its index.xml, independently of
the export code: every table's file, its header, the number of fields,
numbers with exactly the stated decimals, texts within their MaxLength,
UTF-8, CRLF; and the tie-outs: per receipt its VAT rows, payments and
lines add up to UMS_BRUTTO (per VAT key too), net + tax = gross in every VAT
row; per closing the payment rows are Z_SE_ZAHLUNGEN and Z_SE_BARZAHLUNGEN
and what the receipts paid per type, the cash per currency is the cash
paid, the business cases per key are the receipts' VAT rows and per case
their lines; cash movements (AVTransfer) are untaxed cash of a movement's
business case; references resolve to exported receipts; every TSE row is
signed by a TSE of its closing or names the failure, per TSE transaction
numbers and signature counters rise, and a TSE's certificate is one of its
public key (Python's `cryptography`). Per line MENGE x STK_BR, rounded
half up to the cent, is the line's price (a weighed line: kg at the price
per kg); per closing card and QR code each tie out by name; an aborted
receipt (AVBelegabbruch) pays nothing, is in no business case and has its
TSE row, signed as AVBelegabbruch or the failure named.

With the Z reports' figures (a JSON file, see `against_z_report`) it also
ties each closing's cash out against them.

Usage: python3 validate.py EXPORT_DIR [Z_REPORTS.json]
       (exit 1 and the problems on stderr)
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


# DSFinV-K 2.3, 3.1.2: the business cases (GV_TYP) of lines and closings.
BUSINESS_CASES = {
    "Anfangsbestand", "Umsatz", "Pfand", "PfandRueckzahlung", "MehrzweckgutscheinKauf",
    "MehrzweckgutscheinEinloesung", "EinzweckgutscheinKauf", "EinzweckgutscheinEinloesung",
    "Forderungsentstehung", "Forderungsaufloesung", "Anzahlungseinstellung", "Anzahlungsaufloesung",
    "Privateinlage", "Privatentnahme", "Geldtransit", "DifferenzSollIst", "TrinkgeldAG", "TrinkgeldAN",
    "Auszahlung", "Einzahlung", "Rabatt", "Aufschlag", "Lohnzahlung", "ZuschussEcht", "ZuschussUnecht",
}
# Cash put in or taken out without a sale.
MOVEMENTS = {"Anfangsbestand", "Privateinlage", "Privatentnahme", "Geldtransit", "Auszahlung", "Einzahlung", "DifferenzSollIst"}
IN_OUT = MOVEMENTS - {"Anfangsbestand", "DifferenzSollIst"}


def certificates(tse_rows):
    """Each TSE's certificate (TSE_ZERTIFIKAT_I + _II, base64 of the DER) is
    an X.509 certificate of the key TSE_PUBLIC_KEY names, and TSE_SERIAL is
    the SHA-256 of that key (TR-03153 7.5)."""
    import base64
    import hashlib
    problems = []
    for r in tse_rows:
        where = f"tse.csv: closing {r['Z_NR']}, TSE {r['TSE_ID']}"
        key = base64.b64decode(r["TSE_PUBLIC_KEY"])
        if hashlib.sha256(key).hexdigest() != r["TSE_SERIAL"].lower():
            problems.append(f"{where}: TSE_SERIAL is not the SHA-256 of TSE_PUBLIC_KEY")
        if len(r["TSE_ZERTIFIKAT_II"]) and len(r["TSE_ZERTIFIKAT_I"]) != 1000:
            problems.append(f"{where}: TSE_ZERTIFIKAT_II holds the rest only after 1000 characters in _I")
        cert = r["TSE_ZERTIFIKAT_I"] + r["TSE_ZERTIFIKAT_II"]
        if not cert:
            continue
        try:
            from cryptography import x509
            from cryptography.hazmat.primitives import serialization
        except ImportError:
            problems.append(f"{where}: a certificate, but no Python `cryptography` here to read it")
            continue
        try:
            parsed = x509.load_der_x509_certificate(base64.b64decode(cert))
        except ValueError as e:
            problems.append(f"{where}: the certificate is not X.509 DER ({e})")
            continue
        point = parsed.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        if point != key:
            problems.append(f"{where}: the certificate is of another key than TSE_PUBLIC_KEY")
    return problems


def against_z_report(rows, z_report, acc):
    """The export's cash per closing against the Z report's figures (a JSON
    list of {"z_number", "opening_float", "cash", "cash_in", "cash_out",
    "difference", "cash_counted"} in cents): float + takings + movements
    + difference = counted, each part as the export's receipts have it."""
    problems = []
    exported = {r["Z_NR"] for r in rows["cashpointclosing.csv"]}
    kind = {(r["Z_NR"], r["BON_ID"]): r["BON_TYP"] for r in rows["transactions.csv"]}
    takings = defaultdict(int)
    for r in rows["datapayment.csv"]:
        if r["ZAHLART_TYP"] == "Bar" and kind.get((r["Z_NR"], r["BON_ID"])) == "Beleg":
            takings[r["Z_NR"]] += cents(r["BASISWAEH_BETRAG"], acc("datapayment.csv", "BASISWAEH_BETRAG"))
    case = defaultdict(int)
    for r in rows["businesscases.csv"]:
        case[(r["Z_NR"], r["GV_TYP"])] += cents(r["Z_UMS_BRUTTO"], acc("businesscases.csv", "Z_UMS_BRUTTO"))
    in_cash = {r["Z_NR"]: cents(r["ZAHLART_BETRAG_WAEH"], 2) for r in rows["cash_per_currency.csv"] if r["ZAHLART_WAEH"] == "EUR"}
    for z in z_report:
        nr = str(z["z_number"])
        if nr not in exported:
            continue
        if z["opening_float"] + z["cash"] + z["cash_in"] - z["cash_out"] + z["difference"] != z["cash_counted"]:
            problems.append(f"Z report {nr}: its own cash figures do not add up")
        got = {
            "cash per currency": (in_cash.get(nr, 0), z["cash_counted"]),
            "Anfangsbestand": (case[(nr, "Anfangsbestand")], z["opening_float"]),
            "cash of the sales": (takings[nr], z["cash"]),
            "movements in and out": (sum(case[(nr, gv)] for gv in IN_OUT), z["cash_in"] - z["cash_out"]),
            "DifferenzSollIst": (case[(nr, "DifferenzSollIst")], z["difference"]),
        }
        for what, (export, report) in got.items():
            if export != report:
                problems.append(f"closing {nr}: {what} {export} in the export, {report} on the Z report")
    return problems


def main(folder, z_report=None):
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
    paid_nothing = {tuple(r[k] for k in key) for r in rows["transactions.csv"] if r["BON_TYP"] == "AVBelegabbruch"}
    for url, col in (("transactions_vat.csv", "BON_BRUTTO"), ("datapayment.csv", "BASISWAEH_BETRAG")):
        got = sums(url, key, col)
        for bon, total in totals.items():
            if url == "datapayment.csv" and bon in paid_nothing:
                continue
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
    # Per name too: card and QR code are both `Unbar`, each on a row of its own.
    paid_by_name = sums("payment.csv", ("Z_NR", "ZAHLART_TYP", "ZAHLART_NAME"), "Z_ZAHLART_BETRAG")
    receipts_by_name = sums("datapayment.csv", ("Z_NR", "ZAHLART_TYP", "ZAHLART_NAME"), "BASISWAEH_BETRAG")
    for k in set(paid_by_name) | set(receipts_by_name):
        if k[1] != "Bar" and paid_by_name.get(k, 0) != receipts_by_name.get(k, 0):
            problems.append(f"payment.csv: closing {k[0]}, {k[1]} {k[2]}: {paid_by_name.get(k, 0)}, the receipts paid {receipts_by_name.get(k, 0)}")
    for r in rows["cashpointclosing.csv"]:
        z = (r["Z_NR"],)
        if paid.get(z, 0) != cents(r["Z_SE_ZAHLUNGEN"], 2):
            problems.append(f"payment.csv: closing {z} adds up to {paid.get(z, 0)}, Z_SE_ZAHLUNGEN {r['Z_SE_ZAHLUNGEN']}")
        if paid_by_type.get((r["Z_NR"], "Bar"), 0) != cents(r["Z_SE_BARZAHLUNGEN"], 2):
            problems.append(f"payment.csv: closing {z} cash {paid_by_type.get((r['Z_NR'], 'Bar'), 0)}, Z_SE_BARZAHLUNGEN {r['Z_SE_BARZAHLUNGEN']}")
    # Business cases: per closing and VAT key all of them together are the
    # receipts' VAT rows; per case and key, what the receipts' lines of that
    # case add up to.
    # An aborted receipt (AVBelegabbruch) sold nothing: it is in no business
    # case and pays nothing, but its lines and VAT rows add up to its amount.
    bon_typ = {(r["Z_NR"], r["BON_ID"]): r["BON_TYP"] for r in rows["transactions.csv"]}
    aborted = {k for k, t in bon_typ.items() if t == "AVBelegabbruch"}
    for r in rows["datapayment.csv"]:
        if (r["Z_NR"], r["BON_ID"]) in aborted:
            problems.append(f"datapayment.csv: the aborted receipt {r['BON_ID']} names a payment")
    tse_of = {(r["Z_NR"], r["BON_ID"]): r for r in rows["transactions_tse.csv"]}
    for k in aborted:
        t = tse_of.get(k)
        if t is None:
            problems.append(f"transactions_tse.csv: the aborted receipt {k[1]} has no TSE row")
        elif not t["TSE_TA_FEHLER"] and not t["TSE_VORGANGSDATEN"].startswith("AVBelegabbruch^"):
            problems.append(f"transactions_tse.csv: the aborted receipt {k[1]} was signed as {t['TSE_VORGANGSDATEN']!r}")
    vat_by_key = defaultdict(int)
    for r in rows["transactions_vat.csv"]:
        if (r["Z_NR"], r["BON_ID"]) not in aborted:
            vat_by_key[(r["Z_NR"], r["UST_SCHLUESSEL"])] += cents(r["BON_BRUTTO"], acc("transactions_vat.csv", "BON_BRUTTO"))
    cases_by_key = sums("businesscases.csv", ("Z_NR", "UST_SCHLUESSEL"), "Z_UMS_BRUTTO")
    for k in set(vat_by_key) | set(cases_by_key):
        if vat_by_key.get(k, 0) != cases_by_key.get(k, 0):
            problems.append(f"businesscases.csv: closing {k[0]}, VAT key {k[1]}: {cases_by_key.get(k, 0)}, the receipts {vat_by_key.get(k, 0)}")
    line_case = {(r["Z_NR"], r["BON_ID"], r["POS_ZEILE"]): r["GV_TYP"] for r in rows["lines.csv"]}
    by_case = defaultdict(int)
    by_receipt_key = defaultdict(int)
    for r in rows["lines_vat.csv"]:
        gv = line_case.get((r["Z_NR"], r["BON_ID"], r["POS_ZEILE"]))
        if gv is None:
            problems.append(f"lines_vat.csv: receipt {r['BON_ID']} line {r['POS_ZEILE']} is not in lines.csv")
            continue
        if gv not in BUSINESS_CASES:
            problems.append(f"lines.csv: receipt {r['BON_ID']} line {r['POS_ZEILE']}: {gv!r} is no DSFinV-K business case")
        amount = cents(r["POS_BRUTTO"], acc("lines_vat.csv", "POS_BRUTTO"))
        if (r["Z_NR"], r["BON_ID"]) not in aborted:
            by_case[(r["Z_NR"], gv, r["UST_SCHLUESSEL"])] += amount
        by_receipt_key[(r["Z_NR"], r["BON_ID"], r["UST_SCHLUESSEL"])] += amount
    cases = sums("businesscases.csv", ("Z_NR", "GV_TYP", "UST_SCHLUESSEL"), "Z_UMS_BRUTTO")
    for k in set(by_case) | set(cases):
        if by_case.get(k, 0) != cases.get(k, 0):
            problems.append(f"businesscases.csv: closing {k[0]}, {k[1]} VAT key {k[2]}: {cases.get(k, 0)}, the lines {by_case.get(k, 0)}")
    # Per receipt and VAT key the lines (goods, discounts) are its VAT row.
    receipt_vat = sums("transactions_vat.csv", ("Z_NR", "BON_ID", "UST_SCHLUESSEL"), "BON_BRUTTO")
    for k in set(receipt_vat) | set(by_receipt_key):
        if receipt_vat.get(k, 0) != by_receipt_key.get(k, 0):
            problems.append(f"lines_vat.csv: receipt {k[1]} VAT key {k[2]}: the lines {by_receipt_key.get(k, 0)}, its VAT row {receipt_vat.get(k, 0)}")

    # Quantity and unit price: MENGE x STK_BR, rounded half up to the cent,
    # is the line's price before its own discount (the itemamounts'
    # base_amount where it has one, else POS_BRUTTO); a line in kg states
    # its weight to the gram, a line in pieces whole pieces.
    base = {(r["Z_NR"], r["BON_ID"], r["POS_ZEILE"]): cents(r["PF_BRUTTO"], acc("itemamounts.csv", "PF_BRUTTO"))
            for r in rows["itemamounts.csv"] if r["TYP"] == "base_amount"}
    line_gross = {(r["Z_NR"], r["BON_ID"], r["POS_ZEILE"]): cents(r["POS_BRUTTO"], acc("lines_vat.csv", "POS_BRUTTO"))
                  for r in rows["lines_vat.csv"]}
    for r in rows["lines.csv"]:
        k = (r["Z_NR"], r["BON_ID"], r["POS_ZEILE"])
        where = f"lines.csv: receipt {r['BON_ID']} line {r['POS_ZEILE']}"
        unit = r["EINHEIT"]
        qty = r["MENGE"]
        milli = int(qty.replace(",", "")) * 10 ** (3 - acc("lines.csv", "MENGE"))
        if unit not in ("kg", "Stück"):
            problems.append(f"{where}: unit {unit!r}")
        if unit == "Stück" and milli % 1000:
            problems.append(f"{where}: {qty} pieces")
        price = int(r["STK_BR"].replace(",", "")) * 10 ** (5 - acc("lines.csv", "STK_BR"))
        # thousandths of a unit x hundred-thousandths of a euro = 10^-8 euro
        product = milli * price
        amount = (abs(product) + 500_000) // 1_000_000 * (1 if product >= 0 else -1)
        expected = base.get(k, line_gross.get(k))
        if expected is not None and amount != expected:
            problems.append(f"{where}: MENGE {qty} x STK_BR {r['STK_BR']} is {amount} cents, the line {expected}")

    # Cash movements (AVTransfer): untaxed, paid in cash, of a movement's case.
    head = {(r["Z_NR"], r["BON_ID"]): r for r in rows["transactions.csv"]}
    for r in rows["lines.csv"]:
        bon = head.get((r["Z_NR"], r["BON_ID"]))
        if bon is not None and bon["BON_TYP"] == "AVTransfer" and r["GV_TYP"] not in MOVEMENTS:
            problems.append(f"lines.csv: AVTransfer {r['BON_ID']} with business case {r['GV_TYP']!r}")
    for url, col in (("transactions_vat.csv", "UST_SCHLUESSEL"), ("datapayment.csv", "ZAHLART_TYP")):
        for r in rows[url]:
            bon = head.get((r["Z_NR"], r["BON_ID"]))
            if bon is not None and bon["BON_TYP"] == "AVTransfer" and r[col] not in ("5", "Bar"):
                problems.append(f"{url}: AVTransfer {r['BON_ID']} with {col} {r[col]}")
    for (z, bon), r in head.items():
        if bool(r["BEDIENER_ID"]) != bool(r["BEDIENER_NAME"]):
            problems.append(f"transactions.csv: receipt {bon}: a cashier's id without the name or the other way round")

    # Per closing the cash: every receipt's cash payments are the cash
    # payments of the closing and its cash per currency.
    in_cash = sums("cash_per_currency.csv", ("Z_NR",), "ZAHLART_BETRAG_WAEH")
    for r in rows["cashpointclosing.csv"]:
        z = r["Z_NR"]
        if in_cash.get((z,), 0) != cents(r["Z_SE_BARZAHLUNGEN"], 2):
            problems.append(f"cash_per_currency.csv: closing {z}: {in_cash.get((z,), 0)}, Z_SE_BARZAHLUNGEN {r['Z_SE_BARZAHLUNGEN']}")

    # References: a receipt named in an exported closing is exported, and
    # the reference's date is that closing's.
    closed_at = {r["Z_NR"]: r["Z_ERSTELLUNG"] for r in rows["cashpointclosing.csv"]}
    for n, r in enumerate(rows["references.csv"], start=1):
        if r["REF_TYP"] != "Transaktion" or r["REF_Z_NR"] not in closed_at:
            continue
        if (r["REF_Z_NR"], r["REF_BON_ID"]) not in head:
            problems.append(f"references.csv row {n}: receipt {r['REF_BON_ID']} of closing {r['REF_Z_NR']} is not exported")
        if r["REF_DATUM"] != closed_at[r["REF_Z_NR"]]:
            problems.append(f"references.csv row {n}: REF_DATUM {r['REF_DATUM']}, closing {r['REF_Z_NR']} was made {closed_at[r['REF_Z_NR']]}")

    problems += certificates(rows["tse.csv"])

    if z_report:
        problems += against_z_report(rows, z_report, acc)

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
    import json
    z = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else None
    found = main(sys.argv[1], z)
    for p in found:
        print(p, file=sys.stderr)
    sys.exit(1 if found else 0)
