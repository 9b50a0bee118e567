//! A document laid out in fixed columns: the one form every renderer draws from,
//! so that the preview, the printout and the PDF show the same lines.

/// Where a line sits in its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// How a line is emphasised (`important` in the provider's lines, totals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub bold: bool,
    /// Double height (same width, so the columns still hold).
    pub tall: bool,
}

impl Style {
    pub const PLAIN: Style = Style {
        bold: false,
        tall: false,
    };
    pub const IMPORTANT: Style = Style {
        bold: true,
        tall: true,
    };
    pub const BOLD: Style = Style {
        bold: true,
        tall: false,
    };
}

/// One element of a laid-out document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One printed row, at most `width` columns wide. Left-aligned rows carry
    /// their inner spacing (name … value); centred and right-aligned ones only
    /// their text, each renderer places it.
    Line {
        text: String,
        align: Align,
        style: Style,
    },
    /// An empty row.
    Blank,
    /// A QR code with this content.
    Qr(String),
    /// A black-and-white picture, centred.
    Image(std::sync::Arc<crate::document::Logo>),
}

/// A document in rows of `width` columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub width: usize,
    pub blocks: Vec<Block>,
    style: Style,
}

impl Layout {
    pub fn new(width: usize) -> Self {
        Self {
            width: width.max(8),
            blocks: Vec::with_capacity(96),
            style: Style::PLAIN,
        }
    }

    /// Runs `f` with `style` for every row it adds.
    pub fn styled(&mut self, style: Style, f: impl FnOnce(&mut Self)) {
        let before = self.style;
        self.style = style;
        f(self);
        self.style = before;
    }

    fn push(&mut self, text: String, align: Align) {
        self.blocks.push(Block::Line {
            text,
            align,
            style: self.style,
        });
    }

    /// Left-aligned text, wrapped at word boundaries.
    pub fn text(&mut self, text: &str) {
        self.wrapped(text, Align::Left);
    }

    pub fn center(&mut self, text: &str) {
        self.wrapped(text, Align::Center);
    }

    pub fn right(&mut self, text: &str) {
        self.wrapped(text, Align::Right);
    }

    fn wrapped(&mut self, text: &str, align: Align) {
        if text.len() <= self.width || text.chars().count() <= self.width {
            return self.push(text.to_string(), align);
        }
        for chunk in wrap(text, self.width) {
            self.push(chunk, align);
        }
    }

    pub fn aligned(&mut self, text: &str, align: Align) {
        match align {
            Align::Left => self.text(text),
            Align::Center => self.center(text),
            Align::Right => self.right(text),
        }
    }

    pub fn blank(&mut self) {
        self.blocks.push(Block::Blank);
    }

    pub fn rule(&mut self, ch: char) {
        let rule: String = std::iter::repeat_n(ch, self.width).collect();
        self.push(rule, Align::Left);
    }

    /// A rule with a centred caption: `----- Kartenzahlung -----`.
    pub fn caption(&mut self, caption: &str) {
        let len = caption.chars().count() + 2;
        if len >= self.width {
            return self.center(caption);
        }
        let left = (self.width - len) / 2;
        let right = self.width - len - left;
        self.push(
            format!("{} {caption} {}", "-".repeat(left), "-".repeat(right)),
            Align::Left,
        );
    }

    /// Name on the left, value on the right; the name wraps when both don't fit.
    pub fn pair(&mut self, name: &str, value: &str) {
        let value_len = value.chars().count();
        let name_len = name.chars().count();
        if name_len + 1 + value_len <= self.width {
            let gap = self.width - name_len - value_len;
            let mut row = String::with_capacity(name.len() + gap + value.len());
            row.push_str(name);
            row.extend(std::iter::repeat_n(' ', gap));
            row.push_str(value);
            self.push(row, Align::Left);
        } else {
            // The value goes on the name's last row where it fits, else on its own row.
            let mut rows = wrap(name, self.width);
            let last = rows.pop().unwrap_or_default();
            for row in rows {
                self.push(row, Align::Left);
            }
            let last_len = last.chars().count();
            if last_len + 1 + value_len <= self.width {
                let gap = self.width - last_len - value_len;
                self.push(format!("{last}{}{value}", " ".repeat(gap)), Align::Left);
            } else {
                self.push(last, Align::Left);
                self.right(value);
            }
        }
    }

    pub fn image(&mut self, logo: std::sync::Arc<crate::document::Logo>) {
        self.blocks.push(Block::Image(logo));
    }

    pub fn qr(&mut self, content: &str) {
        self.blocks.push(Block::Qr(content.to_string()));
    }

    /// The row as it appears in `width` monospaced columns (no trailing spaces).
    pub fn place(&self, text: &str, align: Align) -> String {
        let len = text.chars().count();
        let pad = match align {
            Align::Left => 0,
            Align::Center => self.width.saturating_sub(len) / 2,
            Align::Right => self.width.saturating_sub(len),
        };
        let mut row = String::with_capacity(pad + text.len());
        row.extend(std::iter::repeat_n(' ', pad));
        row.push_str(text);
        row.truncate(row.trim_end().len());
        row
    }
}

/// Wraps at spaces; a word longer than the row is cut (counting characters, not
/// bytes: an umlaut is one column).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if text.chars().count() <= width {
        return vec![text.to_string()];
    }
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut row_len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        // A word that fits on no row: fill the current row, then cut the rest.
        while word.len() > width {
            let room = if row_len == 0 {
                width
            } else {
                width.saturating_sub(row_len + 1)
            };
            if room == 0 {
                rows.push(std::mem::take(&mut row));
                row_len = 0;
                continue;
            }
            if row_len > 0 {
                row.push(' ');
            }
            row.extend(word.drain(..room));
            rows.push(std::mem::take(&mut row));
            row_len = 0;
        }
        let needed = if row_len == 0 {
            word.len()
        } else {
            row_len + 1 + word.len()
        };
        if needed > width {
            rows.push(std::mem::take(&mut row));
            row_len = 0;
        }
        if row_len > 0 {
            row.push(' ');
            row_len += 1;
        }
        row.extend(word.iter());
        row_len += word.len();
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_cuts_long_words() {
        assert_eq!(wrap("Brötchen", 32), ["Brötchen"]);
        assert_eq!(
            wrap("Mineralwasser still Glasflasche", 12),
            ["Mineralwasse", "r still", "Glasflasche"]
        );
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("", 5), [""]);
        for width in [5, 12, 32] {
            for row in wrap("Sehr lange Artikelbezeichnung mit Überlänge ÄÖÜ", width) {
                assert!(row.chars().count() <= width, "{row:?}");
            }
        }
    }

    #[test]
    fn places_rows_in_their_columns() {
        let layout = Layout::new(10);
        assert_eq!(layout.place("ab", Align::Center), "    ab");
        assert_eq!(layout.place("ab", Align::Right), "        ab");
        assert_eq!(layout.place("ab  ", Align::Left), "ab");
    }
}
