//! The few DER encodings a TSE log message needs (ITU-T X.690): tag, length,
//! content. Written by hand: the message is a flat list of primitives.

/// `tag || length || content`, with the definite length form.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The content octets of an INTEGER: minimal two's complement, big-endian.
pub fn integer_content(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut out = Vec::with_capacity(9);
    // A set high bit would read as negative: a leading zero keeps it positive.
    if bytes[skip] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[skip..]);
    out
}

/// A whole INTEGER.
pub fn integer(value: u64) -> Vec<u8> {
    tlv(0x02, &integer_content(value))
}

/// The content octets of an OBJECT IDENTIFIER given in dotted form.
pub fn oid_content(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().expect("a dotted OID of numbers"))
        .collect();
    let mut out = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        // Base 128, most significant group first, all but the last with bit 8 set.
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    out
}

/// A whole OBJECT IDENTIFIER.
pub fn oid(dotted: &str) -> Vec<u8> {
    tlv(0x06, &oid_content(dotted))
}

/// A SEQUENCE of already encoded elements.
pub fn sequence(elements: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &elements.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(integer(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer(2), [0x02, 0x01, 0x02]);
        assert_eq!(integer(127), [0x02, 0x01, 0x7f]);
        assert_eq!(integer(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(integer(256), [0x02, 0x02, 0x01, 0x00]);
        assert_eq!(integer(1_577_833_200), [0x02, 0x04, 0x5e, 0x0b, 0xd2, 0xf0]);
    }

    #[test]
    fn oids_encode_as_x690_says() {
        // The transaction log type and ecdsa-plain-SHA256 of BSI TR-03111 / TR-03151.
        assert_eq!(
            oid("0.4.0.127.0.7.3.7.1.1"),
            [0x06, 0x09, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x03, 0x07, 0x01, 0x01]
        );
        assert_eq!(
            oid("0.4.0.127.0.7.1.1.4.1.3"),
            [0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x03]
        );
        // ecPublicKey: an arc above 127 takes two groups.
        assert_eq!(
            oid("1.2.840.10045.2.1"),
            [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
        );
    }

    #[test]
    fn long_contents_get_the_long_length_form() {
        let content = vec![0u8; 200];
        let encoded = tlv(0x04, &content);
        assert_eq!(&encoded[..3], &[0x04, 0x81, 200]);
        let encoded = tlv(0x04, &vec![0u8; 300]);
        assert_eq!(&encoded[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
