//! The provider's list query: `q` (`prop:cond` with `?`/`*` wildcards,
//! `[min TO max]` ranges, `AND`, `OR`, `NOT`, parentheses or braces) and
//! `sort` (`field:asc,field:desc`).

use std::cmp::Ordering;

use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    All,
    Term { path: String, cond: Cond },
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Pattern(String),
    Range(String, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Term(String, Cond),
}

fn tokenize(q: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == '{' {
            out.push(Token::Open);
            i += 1;
        } else if c == ')' || c == '}' {
            out.push(Token::Close);
            i += 1;
        } else {
            // A word: up to whitespace or a bracket; a `prop:` word takes a condition.
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '{' | '}' | ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if i < chars.len() && chars[i] == ':' {
                i += 1;
                let cond = if i < chars.len() && chars[i] == '[' {
                    let end = chars[i..]
                        .iter()
                        .position(|c| *c == ']')
                        .ok_or("a range must end with ]")?;
                    let inner: String = chars[i + 1..i + end].iter().collect();
                    i += end + 1;
                    let parts: Vec<&str> = inner.split(" TO ").collect();
                    if parts.len() != 2 {
                        return Err(format!("range [{inner}] must be [min TO max]"));
                    }
                    Cond::Range(parts[0].trim().to_string(), parts[1].trim().to_string())
                } else if i < chars.len() && chars[i] == '"' {
                    let end = chars[i + 1..]
                        .iter()
                        .position(|c| *c == '"')
                        .ok_or("a quoted value must end with \"")?;
                    let v: String = chars[i + 1..i + 1 + end].iter().collect();
                    i += end + 2;
                    Cond::Pattern(v)
                } else {
                    let s = i;
                    while i < chars.len()
                        && !chars[i].is_whitespace()
                        && !matches!(chars[i], ')' | '}')
                    {
                        i += 1;
                    }
                    Cond::Pattern(chars[s..i].iter().collect())
                };
                if word.is_empty() {
                    return Err("a condition needs a property name".into());
                }
                out.push(Token::Term(word, cond));
            } else {
                match word.as_str() {
                    "AND" => out.push(Token::And),
                    "OR" => out.push(Token::Or),
                    "NOT" => out.push(Token::Not),
                    _ => return Err(format!("{word:?} is not of the form property:condition")),
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Query::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.pos += 1;
                }
                // Adjacent expressions are joined by AND.
                Some(Token::Open | Token::Not | Token::Term(..)) => {}
                _ => break,
            }
            let right = self.unary()?;
            left = Query::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Query, String> {
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Not) => {
                self.pos += 1;
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Some(Token::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err("missing closing parenthesis".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Token::Term(path, cond)) => {
                self.pos += 1;
                Ok(Query::Term { path, cond })
            }
            Some(other) => Err(format!("unexpected {other:?} in the query")),
            None => Err("the query ends too early".into()),
        }
    }
}

impl Query {
    pub fn parse(q: &str) -> Result<Query, String> {
        let tokens = tokenize(q)?;
        if tokens.is_empty() {
            return Ok(Query::All);
        }
        let mut parser = Parser { tokens, pos: 0 };
        let query = parser.or()?;
        if parser.pos != parser.tokens.len() {
            return Err("unexpected text at the end of the query".into());
        }
        Ok(query)
    }

    pub fn matches(&self, doc: &Value) -> bool {
        match self {
            Query::All => true,
            Query::And(a, b) => a.matches(doc) && b.matches(doc),
            Query::Or(a, b) => a.matches(doc) || b.matches(doc),
            Query::Not(a) => !a.matches(doc),
            Query::Term { path, cond } => lookup(doc, path).iter().any(|v| cond.matches(v)),
        }
    }
}

impl Cond {
    fn matches(&self, v: &Value) -> bool {
        let Some(text) = scalar_text(v) else {
            return false;
        };
        match self {
            Cond::Pattern(p) => wildcard(&p.to_lowercase(), &text.to_lowercase()),
            Cond::Range(min, max) => {
                let above = min == "*" || compare_text(&text, min) != Ordering::Less;
                let below = max == "*" || compare_text(&text, max) != Ordering::Greater;
                above && below
            }
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Numbers compare as numbers, everything else as text.
fn compare_text(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// `?` one character, `*` any number of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The values at a dotted path; arrays on the way are searched element-wise.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for key in path.split('.') {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Object(map) => {
                    if let Some(child) = map.get(key) {
                        match child {
                            Value::Array(items) => next.extend(items.iter()),
                            other => next.push(other),
                        }
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        if let Some(child) = item.get(key) {
                            next.push(child);
                        }
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// `field:asc,field:desc` (order defaults to asc).
/// One page of a list answer, `{count, data}`: `count` is the number of all
/// matches, `data` those from `offset` on, at most `count` of them.
pub(crate) fn page(docs: Vec<Value>, count: Option<usize>, offset: Option<usize>) -> Value {
    let total = docs.len();
    let data: Vec<Value> = docs
        .into_iter()
        .skip(offset.unwrap_or(0))
        .take(count.unwrap_or(usize::MAX))
        .collect();
    json!({"count": total, "data": data})
}

pub fn parse_sort(sort: &str) -> Result<Vec<(String, bool)>, String> {
    sort.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (field, order) = pair.split_once(':').unwrap_or((pair, "asc"));
            match order.to_ascii_lowercase().as_str() {
                "asc" => Ok((field.to_string(), false)),
                "desc" => Ok((field.to_string(), true)),
                other => Err(format!("sort order {other:?} must be asc or desc")),
            }
        })
        .collect()
}

/// Orders documents by the sort keys; a missing value sorts last.
pub fn compare_docs(a: &Value, b: &Value, keys: &[(String, bool)]) -> Ordering {
    for (field, desc) in keys {
        let va = lookup(a, field).first().and_then(|v| scalar_text(v));
        let vb = lookup(b, field).first().and_then(|v| scalar_text(v));
        let ord = match (va, vb) {
            (Some(x), Some(y)) => {
                let o = compare_text(&x, &y);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_combine_with_and_or_not_and_ranges() {
        let doc = json!({"status": "ok", "basket_info": {"sum": 796},
            "idents": [{"value": "9276004429942845"}], "merchantRef": "customer nr. 123"});
        let yes = [
            "status:ok",
            "status:OK AND basket_info.sum:[700 TO 800]",
            "idents.value:9276*",
            "merchantRef:\"customer nr. 123\"",
            "NOT status:failed",
            "(status:failed) OR (basket_info.sum:796)",
            "{status:failed} OR {status:o?}",
            "",
        ];
        for q in yes {
            assert!(Query::parse(q).unwrap().matches(&doc), "{q}");
        }
        let no = [
            "status:failed",
            "basket_info.sum:[800 TO *]",
            "status:ok NOT status:ok",
        ];
        for q in no {
            assert!(!Query::parse(q).unwrap().matches(&doc), "{q}");
        }
        for bad in ["status", "(status:ok", "status:[1 TO", "AND"] {
            assert!(Query::parse(bad).is_err(), "{bad}");
        }
    }
}
