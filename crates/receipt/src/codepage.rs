//! Single-byte code pages of thermal printers, and the text encoding for them.
//!
//! The tables live here rather than in the `escpos` crate because its tables map
//! ASCII `-` to 0xF0 (soft hyphen) in PC850/PC858 and list `Ô` twice in PC858
//! (so `Ô` would come out as `Ò`); and because a character the page cannot print
//! must be replaced by one visible character (keeping the columns), never sent
//! as raw UTF-8.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A code page the printer is switched to with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum CodePage {
    /// Multilingual Latin I with €: the default, it has umlauts, ß and €.
    #[default]
    Pc858,
    /// Multilingual Latin I (no €).
    Pc850,
    /// The original IBM PC page (umlauts and ß, no €).
    Pc437,
    /// Windows Latin 1 (has €).
    Wpc1252,
    /// Latin 9 (has €).
    Iso8859_15,
}

const PC437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";
const PC850_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}";
const PC858_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}";
/// 0x80–0x9F of Windows-1252; `\0` marks the five unassigned bytes.
const WPC1252_80_9F: &str = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ";

impl CodePage {
    /// The byte this page prints `ch` with, if it has it.
    pub fn encode_char(self, ch: char) -> Option<u8> {
        if (' '..='~').contains(&ch) {
            return Some(ch as u8);
        }
        let table = self.table();
        match table.latin1.get(ch as usize) {
            Some(0) | None => table.others.iter().find(|(c, _)| *c == ch).map(|(_, b)| *b),
            Some(byte) => Some(*byte),
        }
    }

    /// The reverse of the page's upper half, made once: a direct index for
    /// U+0000–U+00FF (umlauts, ß), a short list for the rest (€, box drawing).
    fn table(self) -> &'static Reverse {
        static TABLES: [OnceLock<Reverse>; 5] = [const { OnceLock::new() }; 5];
        let index = self as usize;
        TABLES[index].get_or_init(|| {
            let mut reverse = Reverse {
                latin1: [0; 256],
                others: Vec::new(),
            };
            for byte in 0x80..=0xFFu8 {
                if let Some(ch) = self.decode_high(byte) {
                    match reverse.latin1.get_mut(ch as usize) {
                        Some(slot) => *slot = byte,
                        None => reverse.others.push((ch, byte)),
                    }
                }
            }
            reverse
        })
    }

    /// The character byte `byte` (0x80–0xFF) prints on this page.
    fn decode_high(self, byte: u8) -> Option<char> {
        let i = (byte - 0x80) as usize;
        let from = |table: &str| table.chars().nth(i);
        match self {
            CodePage::Pc437 => from(PC437_HIGH),
            CodePage::Pc850 => from(PC850_HIGH),
            CodePage::Pc858 => from(PC858_HIGH),
            CodePage::Wpc1252 if byte < 0xA0 => from(WPC1252_80_9F).filter(|c| *c != '\0'),
            CodePage::Wpc1252 => char::from_u32(byte as u32),
            CodePage::Iso8859_15 => Some(match byte {
                0xA4 => '€',
                0xA6 => 'Š',
                0xA8 => 'š',
                0xB4 => 'Ž',
                0xB8 => 'ž',
                0xBC => 'Œ',
                0xBD => 'œ',
                0xBE => 'Ÿ',
                // C1 control codes: nothing printable.
                0x80..=0x9F => return None,
                _ => char::from_u32(byte as u32)?,
            }),
        }
    }

    /// Encodes `text` for this page, one byte per character: characters the page
    /// lacks become a look-alike or `?`, control characters become `?` (a stray
    /// ESC in an article text must never reach the printer as a command).
    pub fn encode_into(self, text: &str, out: &mut Vec<u8>) {
        for ch in text.chars() {
            let byte = self
                .encode_char(ch)
                .or_else(|| substitute(ch).and_then(|s| self.encode_char(s)))
                .unwrap_or(b'?');
            out.push(byte);
        }
    }

    /// Encodes `text` for this page (see [`CodePage::encode_into`]).
    pub fn encode(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        self.encode_into(text, &mut out);
        out
    }

    /// Whether every character of `text` prints as itself on this page.
    pub fn can_print(self, text: &str) -> bool {
        text.chars().all(|c| self.encode_char(c).is_some())
    }
}

struct Reverse {
    /// Byte for each of U+0000–U+00FF, 0 where the page has none.
    latin1: [u8; 256],
    others: Vec<(char, u8)>,
}

/// A single look-alike character for one the page lacks; one for one, so that
/// the columns of the layout stay where they are.
fn substitute(ch: char) -> Option<char> {
    Some(match ch {
        '–' | '—' | '‐' | '‑' | '−' | '\u{AD}' => '-',
        '‚' => ',',
        '„' | '“' | '”' | '«' | '»' | '″' => '"',
        '‘' | '’' | '′' | '´' | '`' => '\'',
        '…' | '·' | '•' | '∙' => '.',
        '€' => 'E',
        '\u{A0}' | '\u{2007}' | '\u{202F}' | '\t' => ' ',
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Å' | 'Ā' | 'Ă' | 'Ą' => 'A',
        'ç' | 'ć' | 'č' => 'c',
        'Ç' | 'Ć' | 'Č' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' => 'I',
        'ł' => 'l',
        'Ł' => 'L',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ő' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' | 'Ő' => 'O',
        'ś' | 'š' | 'ş' => 's',
        'Ś' | 'Š' | 'Ş' => 'S',
        'ù' | 'ú' | 'û' | 'ű' | 'ů' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ű' | 'Ů' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' | 'Ÿ' => 'Y',
        'ź' | 'ż' | 'ž' => 'z',
        'Ź' | 'Ż' | 'Ž' => 'Z',
        _ => return None,
    })
}

impl CodePage {
    /// The code page a setting names (`cp858`, `cp437`, `cp850`, `cp1252`, `iso8859-15`;
    /// `pc858`, `wpc1252` too), or `None` for a name the till does not know.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "cp858" | "pc858" => Some(CodePage::Pc858),
            "cp850" | "pc850" => Some(CodePage::Pc850),
            "cp437" | "pc437" => Some(CodePage::Pc437),
            "cp1252" | "wpc1252" | "windows-1252" => Some(CodePage::Wpc1252),
            "iso8859-15" | "iso-8859-15" | "latin9" => Some(CodePage::Iso8859_15),
            _ => None,
        }
    }

    /// How the page is called on a test page and in the settings.
    pub fn label(self) -> &'static str {
        match self {
            CodePage::Pc858 => "CP858",
            CodePage::Pc850 => "CP850",
            CodePage::Pc437 => "CP437",
            CodePage::Wpc1252 => "Windows-1252",
            CodePage::Iso8859_15 => "ISO 8859-15",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_128_entries() {
        assert_eq!(PC437_HIGH.chars().count(), 128);
        assert_eq!(PC850_HIGH.chars().count(), 128);
        assert_eq!(PC858_HIGH.chars().count(), 128);
        assert_eq!(WPC1252_80_9F.chars().count(), 32);
    }

    #[test]
    fn every_byte_of_every_page_round_trips() {
        for page in [
            CodePage::Pc858,
            CodePage::Pc850,
            CodePage::Pc437,
            CodePage::Wpc1252,
            CodePage::Iso8859_15,
        ] {
            let mut printable = 0;
            for byte in 0x80..=0xFFu8 {
                if let Some(ch) = page.decode_high(byte) {
                    assert_eq!(page.encode_char(ch), Some(byte), "{page:?} {ch:?}");
                    printable += 1;
                }
            }
            assert!(printable >= 96, "{page:?}: {printable}");
        }
    }

    #[test]
    fn german_characters_on_pc858() {
        let bytes = CodePage::Pc858.encode("äöüÄÖÜß€");
        assert_eq!(bytes, [0x84, 0x94, 0x81, 0x8E, 0x99, 0x9A, 0xE1, 0xD5]);
        // ASCII stays ASCII (the escpos crate's table turns '-' into 0xF0).
        assert_eq!(CodePage::Pc858.encode("A-z 0,99"), b"A-z 0,99");
    }

    #[test]
    fn euro_where_the_page_has_it() {
        assert_eq!(CodePage::Wpc1252.encode("€"), [0x80]);
        assert_eq!(CodePage::Iso8859_15.encode("€ä"), [0xA4, 0xE4]);
        // PC437 and PC850 have no euro: one visible stand-in, same width.
        assert_eq!(CodePage::Pc437.encode("5 €"), b"5 E");
        assert_eq!(CodePage::Pc850.encode("ß"), [0xE1]);
    }

    #[test]
    fn unprintable_characters_are_replaced_one_for_one() {
        let text = "Kaffee „Spezial“ – 漢字 \u{1b}@ 🎉";
        let bytes = CodePage::Pc858.encode(text);
        assert_eq!(bytes.len(), text.chars().count());
        assert_eq!(bytes, b"Kaffee \"Spezial\" - ?? ?@ ?");
        assert!(!bytes.contains(&0x1B));
    }
}
