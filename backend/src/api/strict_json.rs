//! JSON read as strictly as the gate must: an object that names a key twice is refused, since
//! the gate (and the audit log, and an approver) would read one value where an array or a
//! handler might act on the other.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// `bytes` as JSON, refused when any object in it names a key twice.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("JSON")
    }

    fn visit_bool<E: Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut list = Vec::new();
        while let Some(item) = items.next_element_seed(Strict)? {
            list.push(item);
        }
        Ok(Value::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = fields.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(A::Error::custom(format_args!(
                    "the field {:?} is given twice",
                    name.chars().take(60).collect::<String>()
                )));
            }
            let value = fields.next_value_seed(Strict)?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth() {
        assert!(parse(br#"{"name": "x", "name": "y"}"#).is_err());
        assert!(parse(br#"{"a": 1, "a": 2}"#).is_err());
        assert!(parse(br#"{"x": [{"source": {"name": "a", "name": "b"}}]}"#).is_err());
        assert_eq!(
            parse(br#"{"a": [1, 2.5, "t", null, true], "b": {"c": -3}}"#).expect("JSON"),
            serde_json::json!({"a": [1, 2.5, "t", null, true], "b": {"c": -3}})
        );
        assert!(parse(b"{} x").is_err(), "trailing text");
        assert!(parse(br#"{"pad": 1e400}"#).is_err(), "out of range");
    }

    proptest! {
        #[test]
        fn objects_without_a_repeated_key_read_as_serde_json_reads_them(
            fields in proptest::collection::btree_map("[a-z]{1,5}", any::<i64>(), 0..8),
            list in proptest::collection::vec(any::<f32>(), 0..4),
        ) {
            let text = serde_json::json!({"fields": fields, "list": list}).to_string();
            let strict = parse(text.as_bytes()).expect("JSON");
            prop_assert_eq!(strict, serde_json::from_str::<Value>(&text).expect("JSON"));
        }

        #[test]
        fn reads_what_serde_json_reads_and_never_panics(text in ".{0,200}") {
            if let Ok(value) = parse(text.as_bytes()) {
                let loose = serde_json::from_str::<Value>(&text).ok();
                prop_assert_eq!(loose, Some(value));
            }
        }
    }
}
