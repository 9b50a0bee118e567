//! Lays out a declaration as ts-rs writes it (one line, field docs inline) for
//! reading: an object type one field a line, a long union one member a line.
//! Only whitespace changes, and the bar before a union's first member.

/// Unions longer than this go one member a line.
const WIDE: usize = 100;

pub fn lay_out(decl: &str) -> String {
    let Some((head, rhs)) = decl.split_once(" = ") else {
        return decl.to_string();
    };
    let rhs = rhs.strip_suffix(';').unwrap_or(rhs);
    if let Some(inner) = whole_object(rhs) {
        let fields: Vec<&str> = split_top(inner, ',')
            .into_iter()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            return decl.to_string();
        }
        let body: String = fields.iter().map(|f| format!("{},\n", indent(f))).collect();
        return format!("{head} = {{\n{body}}};");
    }
    let members = split_top(rhs, '|');
    if members.len() > 1 && rhs.len() > WIDE {
        let body: String = members
            .iter()
            .map(|m| format!("\n  | {}", m.trim()))
            .collect();
        return format!("{head} ={body};");
    }
    decl.to_string()
}

/// The inside of `{ … }` when the braces enclose all of `rhs`.
fn whole_object(rhs: &str) -> Option<&str> {
    let inner = rhs.strip_prefix('{')?.strip_suffix('}')?;
    // `{ a } & { b }` starts and ends with braces too: the first must close last.
    balanced(inner).then_some(inner)
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for (c, outside) in scan(s) {
        if outside {
            match c {
                '{' | '[' | '(' | '<' => depth += 1,
                '}' | ']' | ')' | '>' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
    }
    depth == 0
}

/// Splits at `sep` where it is outside brackets, strings and comments.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for ((i, c), (_, outside)) in s.char_indices().zip(scan(s)) {
        if !outside {
            continue;
        }
        match c {
            '{' | '[' | '(' | '<' => depth += 1,
            '}' | ']' | ')' | '>' => depth -= 1,
            _ if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Each character, and whether it is outside a string literal and a comment.
fn scan(s: &str) -> Vec<(char, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let (mut in_string, mut in_comment) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if in_comment {
            out.push((c, false));
            if c == '*' && next == Some('/') {
                out.push(('/', false));
                i += 1;
                in_comment = false;
            }
        } else if in_string {
            out.push((c, false));
            if c == '\\' {
                if let Some(n) = next {
                    out.push((n, false));
                    i += 1;
                }
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '/' && next == Some('*') {
            in_comment = true;
            out.push((c, false));
        } else if c == '"' {
            in_string = true;
            out.push((c, false));
        } else {
            out.push((c, true));
        }
        i += 1;
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {}", l.trim_start()))
        .map(|l| l.replacen("  *", "   *", 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::lay_out;

    #[test]
    fn an_object_goes_one_field_a_line_with_its_docs() {
        let one_line = "type A = { a: number, \n/**\n * Says \"x, y\".\n */\nb: Array<{ c: string, d: number }>, e?: string | null, };";
        assert_eq!(
            lay_out(one_line),
            "type A = {\n  a: number,\n  /**\n   * Says \"x, y\".\n   */\n  b: Array<{ c: string, d: number }>,\n  e?: string | null,\n};"
        );
    }

    #[test]
    fn only_the_layout_changes_in_the_contracts_types() {
        use ts_rs::TS;
        fn same<T: TS>() {
            let raw = T::decl(&crate::config());
            // A leading bar is the only other thing laying out adds; TypeScript ignores it.
            let squeeze = |s: &str| s.split_whitespace().collect::<String>().replace("=|", "=");
            assert_eq!(squeeze(&lay_out(&raw)), squeeze(&raw), "{raw}");
        }
        same::<till::CompletedSale>();
        same::<till::BasketLine>();
        same::<receipt::Receipt>();
        same::<catalog::import::LineProblem>();
        same::<catalog::ScanOutcome>();
        same::<catalog::UnknownCode>();
        same::<catalog::rights::Rule>();
        same::<catalog::codes::Measure>();
        same::<secuconnect::LockStatus>();
    }

    #[test]
    fn a_long_union_goes_one_member_a_line_and_short_ones_stay() {
        assert_eq!(
            lay_out("type K = \"a\" | \"b\";"),
            "type K = \"a\" | \"b\";"
        );
        let long = format!("type U = {{ \"t\": \"a\", x: number, }} | {{ \"t\": \"b\" }} & B | {{ \"t\": \"{}\" }};", "c".repeat(80));
        let laid = lay_out(&long);
        assert!(
            laid.starts_with(
                "type U =\n  | { \"t\": \"a\", x: number, }\n  | { \"t\": \"b\" } & B\n  | "
            ),
            "{laid}"
        );
        assert!(laid.ends_with("\" };"));
        // An intersection of two objects is not one object.
        assert_eq!(
            lay_out("type I = { a: A } & { b: B };"),
            "type I = { a: A } & { b: B };"
        );
    }
}
