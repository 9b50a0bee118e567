//! Checks a JSON value against a type of the generated TypeScript file: the
//! subset of TypeScript ts-rs writes (primitives, literals, arrays, tuples,
//! object types, unions, intersections, names of other declarations).
//! Objects are exact: a key the type does not declare is an error, as is a
//! missing key that is not optional.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

#[derive(Debug, Clone)]
enum Ty {
    Number,
    String,
    Boolean,
    Null,
    Literal(String),
    Array(Box<Ty>),
    Tuple(Vec<Ty>),
    /// Fields (name, optional, type) and an index signature's value type.
    Object(Vec<(String, bool, Ty)>, Option<Box<Ty>>),
    Union(Vec<Ty>),
    Inter(Vec<Ty>),
    Named(String),
}

/// The declarations of a generated file, by name.
pub struct Contract {
    types: BTreeMap<String, Ty>,
}

impl Contract {
    pub fn parse(file: &str) -> Contract {
        let text = strip_comments(file);
        let mut types = BTreeMap::new();
        for decl in text.split("export type ").skip(1) {
            let (name, body) = decl.split_once('=').expect("a declaration has `=`");
            let body = body.trim().trim_end_matches(';');
            let mut p = Parser::new(body);
            let ty = p.ty();
            assert!(
                p.at_end(),
                "{name}: cannot read the type after {:?}",
                p.rest()
            );
            types.insert(name.trim().to_string(), ty);
        }
        Contract { types }
    }

    /// Whether `value` has the shape of the declaration `name`.
    pub fn check(&self, name: &str, value: &Value) -> Result<(), String> {
        self.check_ty(&Ty::Named(name.into()), value, true, name)
            .map(|_| ())
    }

    /// Checks `v` against `ty`; answers the keys the type accounts for, so that an
    /// intersection can tell whether every key of the value belongs to one of its parts.
    fn check_ty(
        &self,
        ty: &Ty,
        v: &Value,
        exact: bool,
        at: &str,
    ) -> Result<BTreeSet<String>, String> {
        let none = BTreeSet::new;
        let fail = |what: &str| Err(format!("{at}: expected {what}, got {v}"));
        match ty {
            Ty::Number if v.is_number() => Ok(none()),
            Ty::Number => fail("a number"),
            Ty::String if v.is_string() => Ok(none()),
            Ty::String => fail("a string"),
            Ty::Boolean if v.is_boolean() => Ok(none()),
            Ty::Boolean => fail("a boolean"),
            Ty::Null if v.is_null() => Ok(none()),
            Ty::Null => fail("null"),
            Ty::Literal(s) if v.as_str() == Some(s) => Ok(none()),
            Ty::Literal(s) => fail(&format!("{s:?}")),
            Ty::Array(item) => {
                let Some(items) = v.as_array() else {
                    return fail("an array");
                };
                for (i, item_v) in items.iter().enumerate() {
                    self.check_ty(item, item_v, true, &format!("{at}[{i}]"))?;
                }
                Ok(none())
            }
            Ty::Tuple(parts) => {
                let Some(items) = v.as_array().filter(|a| a.len() == parts.len()) else {
                    return fail(&format!("a tuple of {}", parts.len()));
                };
                for (i, (t, item_v)) in parts.iter().zip(items).enumerate() {
                    self.check_ty(t, item_v, true, &format!("{at}[{i}]"))?;
                }
                Ok(none())
            }
            // `{}`: anything but null and undefined.
            Ty::Object(fields, None) if fields.is_empty() && !v.is_object() => {
                if v.is_null() {
                    fail("a value")
                } else {
                    Ok(none())
                }
            }
            Ty::Object(fields, index) => {
                let Some(map) = v.as_object() else {
                    return fail("an object");
                };
                let mut keys = BTreeSet::new();
                for (name, optional, t) in fields {
                    keys.insert(name.clone());
                    match map.get(name) {
                        Some(field) => {
                            self.check_ty(t, field, true, &format!("{at}.{name}"))?;
                        }
                        None if *optional => {}
                        None => return Err(format!("{at}: the key `{name}` is missing in {v}")),
                    }
                }
                for (k, field) in map {
                    if keys.contains(k) {
                        continue;
                    }
                    match index {
                        Some(t) => {
                            self.check_ty(t, field, true, &format!("{at}.{k}"))?;
                            keys.insert(k.clone());
                        }
                        None if exact => {
                            return Err(format!("{at}: the key `{k}` is not in the type"))
                        }
                        None => {}
                    }
                }
                Ok(keys)
            }
            Ty::Union(members) => {
                let mut why = Vec::new();
                for m in members {
                    match self.check_ty(m, v, exact, at) {
                        Ok(keys) => return Ok(keys),
                        Err(e) => why.push(e),
                    }
                }
                Err(format!(
                    "{at}: no member of the union fits: {}",
                    why.join("; ")
                ))
            }
            Ty::Inter(parts) => {
                let mut keys = BTreeSet::new();
                for p in parts {
                    keys.extend(self.check_ty(p, v, false, at)?);
                }
                if let (true, Some(map)) = (exact, v.as_object()) {
                    if let Some(k) = map.keys().find(|k| !keys.contains(*k)) {
                        return Err(format!("{at}: the key `{k}` is not in the type"));
                    }
                }
                Ok(keys)
            }
            Ty::Named(name) => {
                let t = self
                    .types
                    .get(name)
                    .ok_or_else(|| format!("{at}: `{name}` is not declared"))?;
                self.check_ty(t, v, exact, at)
            }
        }
    }
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("a comment ends") + start + 2;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

struct Parser<'a> {
    s: &'a str,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Self {
        Parser { s }
    }

    fn rest(&self) -> &str {
        self.s
    }

    fn at_end(&mut self) -> bool {
        self.s = self.s.trim_start();
        self.s.is_empty()
    }

    fn eat(&mut self, token: &str) -> bool {
        self.s = self.s.trim_start();
        match self.s.strip_prefix(token) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, token: &str) {
        assert!(self.eat(token), "expected {token:?} at {:?}", self.s);
    }

    fn ty(&mut self) -> Ty {
        // A union laid out one member a line starts with a bar.
        self.eat("|");
        let mut members = vec![self.inter()];
        while self.eat("|") {
            members.push(self.inter());
        }
        if members.len() == 1 {
            members.remove(0)
        } else {
            Ty::Union(members)
        }
    }

    fn inter(&mut self) -> Ty {
        let mut parts = vec![self.primary()];
        while self.eat("&") {
            parts.push(self.primary());
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Inter(parts)
        }
    }

    fn word(&mut self) -> String {
        self.s = self.s.trim_start();
        let end = self
            .s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.s.len());
        assert!(end > 0, "expected a name at {:?}", self.s);
        let (w, rest) = self.s.split_at(end);
        self.s = rest;
        w.to_string()
    }

    fn string(&mut self) -> String {
        self.expect("\"");
        let end = self.s.find('"').expect("a string ends");
        let (lit, rest) = self.s.split_at(end);
        self.s = &rest[1..];
        lit.to_string()
    }

    fn key(&mut self) -> String {
        self.s = self.s.trim_start();
        if self.s.starts_with('"') {
            self.string()
        } else {
            self.word()
        }
    }

    fn primary(&mut self) -> Ty {
        self.s = self.s.trim_start();
        if self.eat("(") {
            let t = self.ty();
            self.expect(")");
            return t;
        }
        if self.s.starts_with('"') {
            return Ty::Literal(self.string());
        }
        if self.eat("[") {
            let mut parts = vec![self.ty()];
            while self.eat(",") {
                parts.push(self.ty());
            }
            self.expect("]");
            return Ty::Tuple(parts);
        }
        if self.eat("{") {
            return self.object();
        }
        match self.word().as_str() {
            "number" => Ty::Number,
            "string" => Ty::String,
            "boolean" => Ty::Boolean,
            "null" => Ty::Null,
            "Array" => {
                self.expect("<");
                let item = self.ty();
                self.expect(">");
                Ty::Array(Box::new(item))
            }
            name => Ty::Named(name.to_string()),
        }
    }

    fn object(&mut self) -> Ty {
        let mut fields = Vec::new();
        let mut index = None;
        loop {
            if self.eat("}") {
                return Ty::Object(fields, index);
            }
            if self.eat("[") {
                // `[key in string]: T`
                self.word();
                self.word();
                self.ty();
                self.expect("]");
                self.expect(":");
                index = Some(Box::new(self.ty()));
            } else {
                let name = self.key();
                let optional = self.eat("?");
                self.expect(":");
                fields.push((name, optional, self.ty()));
            }
            if !self.eat(",") {
                self.eat(";");
            }
        }
    }
}
