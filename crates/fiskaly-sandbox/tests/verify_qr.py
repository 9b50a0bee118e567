#!/usr/bin/env python3
"""Checks a TSE signature from a receipt's DSFinV-K QR code alone.

Independent of the project's code: it rebuilds the bytes the TSE signed
(BSI TR-03151 transaction log, "FinishTransaction") from the QR code's
fields and verifies the ECDSA P-256 signature with the `cryptography`
package. Usage: verify_qr.py 'V0;...' ['V0;...' ...] prints one line per
QR code, "valid" or what is wrong, and exits 0 only when all are valid.
verify_qr.py --out PREFIX 'V0;...' also writes PREFIX.msg (the signed
bytes) and PREFIX.sig (the DER signature) for a check with openssl.
"""

import base64
import hashlib
import sys
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def integer_content(value):
    # Minimal two's complement of a non-negative number.
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def oid_content(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        groups = [arc & 0x7F]
        arc >>= 7
        while arc:
            groups.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(groups))
    return bytes(out)


def signed_bytes(fields):
    (_, client, process_type, process_data, tx_number, counter,
     _start, log_time, _alg, _fmt, _sig, public_key) = fields
    unix = int(datetime.fromisoformat(log_time.replace("Z", "+00:00")).timestamp())
    serial = hashlib.sha256(base64.b64decode(public_key)).digest()
    return b"".join([
        tlv(0x02, integer_content(2)),
        tlv(0x06, oid_content("0.4.0.127.0.7.3.7.1.1")),
        tlv(0x80, b"FinishTransaction"),
        tlv(0x81, client.encode("utf-8")),
        tlv(0x82, process_data.encode("utf-8")),
        tlv(0x83, process_type.encode("utf-8")),
        tlv(0x85, integer_content(int(tx_number))),
        tlv(0x04, serial),
        tlv(0x30, tlv(0x06, oid_content("0.4.0.127.0.7.1.1.4.1.3"))),
        tlv(0x02, integer_content(int(counter))),
        tlv(0x02, integer_content(unix)),
    ])


def check(qr, out):
    fields = qr.strip().split(";")
    if len(fields) != 12 or fields[0] != "V0":
        return "not a DSFinV-K V0 QR code"
    if fields[8] != "ecdsa-plain-SHA256" or fields[9] != "unixTime":
        return "unsupported algorithm or time format: %s %s" % (fields[8], fields[9])
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), base64.b64decode(fields[11]))
    plain = base64.b64decode(fields[10])
    if len(plain) != 64:
        return "a plain P-256 signature has 64 bytes, not %d" % len(plain)
    der = encode_dss_signature(int.from_bytes(plain[:32], "big"), int.from_bytes(plain[32:], "big"))
    message = signed_bytes(fields)
    if out:
        # For a second check with openssl: the message and the DER signature.
        with open(out + ".msg", "wb") as f:
            f.write(message)
        with open(out + ".sig", "wb") as f:
            f.write(der)
    try:
        key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "invalid signature"
    return "valid"


def main():
    args = sys.argv[1:]
    out = None
    if args[:1] == ["--out"]:
        out, args = args[1], args[2:]
    results = [check(qr, out) for qr in args]
    for result in results:
        print(result)
    return 0 if results and all(r == "valid" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
