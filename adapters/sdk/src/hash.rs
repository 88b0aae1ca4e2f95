//! SHA-256 over canonical payload bytes. Receivers dedupe on (source, key) and keep the payload
//! hash: the same key with a different hash is a hard error (Stripe's idempotency rule).

use std::fmt::Write as _;

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = String::with_capacity(64);
    for b in digest.as_ref() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Hash of a JSON payload in its canonical form (see [`canonical_json`]).
pub fn payload_sha256(payload: &serde_json::Value) -> String {
    sha256_hex(canonical_json(payload).as_bytes())
}

/// Compact JSON with object keys sorted, independent of serde_json's `preserve_order` feature
/// (another crate in the build may switch it on). Python adapters get the same bytes with
/// `json.dumps(p, ensure_ascii=False, separators=(",", ":"), sort_keys=True)`.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_hash_ignores_key_order_and_matches_python_canonical_form() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":"受理"}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"a":"受理","b":1}"#).unwrap();
        assert_eq!(payload_sha256(&a), payload_sha256(&b));
        // python3 -c 'import json,hashlib;print(hashlib.sha256(json.dumps({"b":1,"a":"受理"},
        //   ensure_ascii=False,separators=(",",":"),sort_keys=True).encode()).hexdigest())'
        assert_eq!(sha256_hex(r#"{"a":"受理","b":1}"#.as_bytes()), payload_sha256(&a));
    }

    #[test]
    fn sha256_of_empty_input_is_the_standard_vector() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "[\\PC\u{2028}\u{2029}\"\\\\\n\t办件]{0,12}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-z申请人]{1,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn canonical_json_parses_back_to_the_same_value_and_is_stable(v in json_value()) {
            let text = canonical_json(&v);
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(&back, &v);
            proptest::prop_assert_eq!(canonical_json(&back), text.clone());
            proptest::prop_assert!(!text.contains('\n'), "compact: no raw newline");
        }
    }
}
