//! Single-byte code pages of thermal printers, and the text encoding for them.
//!
//! The tables live here rather than in the `escpos` crate because its tables map
//! ASCII `-` to 0xF0 (soft hyphen) in PC850/PC858 and list `Ô` twice in PC858
//! (so `Ô` would come out as `Ò`); and because a character the page cannot print
//! must be replaced by one visible character (keeping the columns), never sent
//! as raw UTF-8.

use serde::{Deserialize, Serialize};

/// A code page the printer is switched to with `ESC t n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
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
        match self {
            CodePage::Pc437 => find(PC437_HIGH, ch),
            CodePage::Pc850 => find(PC850_HIGH, ch),
            CodePage::Pc858 => find(PC858_HIGH, ch),
            CodePage::Wpc1252 => {
                if ch == '\0' {
                    return None;
                }
                find(WPC1252_80_9F, ch).or_else(|| latin1_upper(ch))
            }
            CodePage::Iso8859_15 => match ch {
                '€' => Some(0xA4),
                'Š' => Some(0xA6),
                'š' => Some(0xA8),
                'Ž' => Some(0xB4),
                'ž' => Some(0xB8),
                'Œ' => Some(0xBC),
                'œ' => Some(0xBD),
                'Ÿ' => Some(0xBE),
                // The Latin-1 characters that Latin 9 replaced.
                '¤' | '¦' | '¨' | '´' | '¸' | '¼' | '½' | '¾' => None,
                _ => latin1_upper(ch),
            },
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

fn find(table: &str, ch: char) -> Option<u8> {
    table.chars().position(|c| c == ch).map(|i| 0x80 + i as u8)
}

fn latin1_upper(ch: char) -> Option<u8> {
    let code = ch as u32;
    (0xA0..=0xFF).contains(&code).then_some(code as u8)
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
