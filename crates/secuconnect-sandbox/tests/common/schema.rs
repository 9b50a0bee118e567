//! Checks an answer against a schema of `openapi-reconstructed.json` (the part
//! copied to `tests/fixtures/openapi-schemas.json`): `$ref`, `allOf`, object
//! properties, array items and scalar types.
//!
//! `null` is accepted anywhere: the provider sends it for unset fields (guides
//! 02, 03). Where the guides, which are the specification, show another type
//! than the schemas rebuilt from the SDKs, the guides' type is accepted too:
//! `trans_id` a string (guide 05), `code` a number (API notes),
//! `consent_for_communication` a boolean (guide 02), `articleNumber` an integer
//! (echoed from the request, guide 02).

use std::sync::OnceLock;

use serde_json::Value;

const GUIDE_TYPES: [(&str, &str); 4] = [
    ("trans_id", "string"),
    ("code", "integer"),
    ("consent_for_communication", "boolean"),
    ("articleNumber", "integer"),
];

fn schemas() -> &'static Value {
    static SCHEMAS: OnceLock<Value> = OnceLock::new();
    SCHEMAS.get_or_init(|| super::fixture("openapi-schemas.json")["schemas"].clone())
}

pub fn assert_valid(schema: &str, value: &Value) {
    let errors = validate(schema, value);
    assert!(
        errors.is_empty(),
        "answer does not match {schema}:\n{}\n{value:#}",
        errors.join("\n")
    );
}

pub fn validate(schema: &str, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let root = &schemas()[schema];
    assert!(root.is_object(), "no schema {schema}");
    check(root, value, "$", "", &mut errors);
    errors
}

fn type_ok(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    }
}

fn check(schema: &Value, value: &Value, path: &str, key: &str, errors: &mut Vec<String>) {
    if value.is_null() {
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        let target = &schemas()[name];
        assert!(target.is_object(), "schema {name} missing from the fixture");
        return check(target, value, path, key, errors);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(part, value, path, key, errors);
        }
    }
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let guide_ok = GUIDE_TYPES
            .iter()
            .any(|(k, t)| *k == key && type_ok(t, value));
        if !type_ok(ty, value) && !guide_ok {
            errors.push(format!("{path}: expected {ty}, got {value}"));
            return;
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (k, v) in obj {
            if let Some(prop) = props.get(k) {
                check(prop, v, &format!("{path}.{k}"), k, errors);
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check(items, v, &format!("{path}[{i}]"), key, errors);
        }
    }
}
