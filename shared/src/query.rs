//! A query type as the query string the server reads it from: the same struct serializes on
//! one side and deserializes on the other, so their fields cannot drift apart. Only flat
//! structs of plain values are query strings; a field that is `None` is left out.
//! Written as a small `serde::Serializer` rather than through `serde_json::Value`, which would
//! add its whole machinery to the UI's bundle.

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why a value is not a query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl ser::Error for QueryError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        QueryError(message.to_string())
    }
}

/// `?a=b&c=d` (or nothing when every field is `None`), each value percent-encoded.
pub fn to_query_string<T: Serialize>(query: &T) -> Result<String, QueryError> {
    let mut pairs = Pairs(Vec::new());
    query.serialize(&mut pairs)?;
    Ok(if pairs.0.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.0.join("&"))
    })
}

/// Percent-encodes all but the characters `encodeURIComponent` leaves as they are.
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

fn not_flat() -> QueryError {
    QueryError("a query string holds a struct of plain values".to_owned())
}

struct Pairs(Vec<String>);

/// One field's value as text; `None` when the field is left out.
struct Value;

macro_rules! plain {
    ($($method:ident: $type:ty),*) => {
        $(fn $method(self, value: $type) -> Result<Self::Ok, Self::Error> {
            Ok(Some(value.to_string()))
        })*
    };
}

macro_rules! refused {
    ($($method:ident($($argument:ty),*) -> $result:ty),*) => {
        $(fn $method(self, $(_: $argument),*) -> Result<$result, Self::Error> {
            Err(not_flat())
        })*
    };
}

impl ser::Serializer for Value {
    type Ok = Option<String>;
    type Error = QueryError;
    type SerializeSeq = Impossible<Self::Ok, QueryError>;
    type SerializeTuple = Impossible<Self::Ok, QueryError>;
    type SerializeTupleStruct = Impossible<Self::Ok, QueryError>;
    type SerializeTupleVariant = Impossible<Self::Ok, QueryError>;
    type SerializeMap = Impossible<Self::Ok, QueryError>;
    type SerializeStruct = Impossible<Self::Ok, QueryError>;
    type SerializeStructVariant = Impossible<Self::Ok, QueryError>;

    plain!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str);

    fn serialize_none(self) -> Result<Self::Ok, Self::Error> {
        Ok(None)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, Self::Error> {
        Ok(Some(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, Self::Error> {
        Err(not_flat())
    }

    refused!(serialize_bytes(&[u8]) -> Self::Ok, serialize_unit() -> Self::Ok,
        serialize_unit_struct(&'static str) -> Self::Ok,
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant);
}

impl ser::SerializeStruct for &mut Pairs {
    type Ok = ();
    type Error = QueryError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        if let Some(text) = value.serialize(Value)? {
            self.0.push(format!("{key}={}", encode(&text)));
        }
        Ok(())
    }

    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Pairs {
    type Ok = ();
    type Error = QueryError;
    type SerializeSeq = Impossible<(), QueryError>;
    type SerializeTuple = Impossible<(), QueryError>;
    type SerializeTupleStruct = Impossible<(), QueryError>;
    type SerializeTupleVariant = Impossible<(), QueryError>;
    type SerializeMap = Impossible<(), QueryError>;
    type SerializeStruct = &'a mut Pairs;
    type SerializeStructVariant = Impossible<(), QueryError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Self::Error> {
        Ok(self)
    }

    refused!(serialize_bool(bool) -> (), serialize_i8(i8) -> (), serialize_i16(i16) -> (),
        serialize_i32(i32) -> (), serialize_i64(i64) -> (), serialize_u8(u8) -> (),
        serialize_u16(u16) -> (), serialize_u32(u32) -> (), serialize_u64(u64) -> (),
        serialize_f32(f32) -> (), serialize_f64(f64) -> (), serialize_char(char) -> (),
        serialize_str(&str) -> (), serialize_bytes(&[u8]) -> (), serialize_none() -> (),
        serialize_unit() -> (), serialize_unit_struct(&'static str) -> (),
        serialize_unit_variant(&'static str, u32, &'static str) -> (),
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant);

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Self::Error> {
        Err(not_flat())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Self::Error> {
        Err(not_flat())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Volume,
        HostGroup,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Sample {
        search: Option<String>,
        limit: Option<u32>,
        destroyed: bool,
        kind: Option<Kind>,
    }

    #[test]
    fn fields_left_out_when_none_and_values_encoded() {
        let query = Sample {
            search: Some("db 1&x=é".to_owned()),
            limit: None,
            destroyed: true,
            kind: Some(Kind::HostGroup),
        };
        assert_eq!(
            to_query_string(&query).expect("flat"),
            "?search=db%201%26x%3D%C3%A9&destroyed=true&kind=host_group"
        );
    }

    #[test]
    fn only_flat_structs_are_query_strings() {
        assert!(to_query_string(&vec![1, 2]).is_err());
        assert!(to_query_string(&"text").is_err());
    }

    proptest! {
        #[test]
        fn what_the_server_reads_is_what_was_written(
            search in proptest::option::of(".{0,40}"),
            limit in proptest::option::of(any::<u32>()),
            destroyed in any::<bool>(),
            host_group in proptest::option::of(any::<bool>()),
        ) {
            let query = Sample {
                search,
                limit,
                destroyed,
                kind: host_group.map(|group| if group { Kind::HostGroup } else { Kind::Volume }),
            };
            let text = to_query_string(&query).expect("flat");
            let pairs: Vec<(String, String)> = text
                .trim_start_matches('?')
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').expect("key=value");
                    (key.to_owned(), percent_decoded(value))
                })
                .collect();
            let find = |name: &str| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
            prop_assert_eq!(find("search"), query.search.clone());
            prop_assert_eq!(find("limit"), query.limit.map(|limit| limit.to_string()));
            prop_assert_eq!(find("destroyed"), Some(query.destroyed.to_string()));
            prop_assert_eq!(find("kind").is_some(), query.kind.is_some());
        }
    }

    fn percent_decoded(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut decoded = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] == b'%' {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).expect("ascii");
                decoded.push(u8::from_str_radix(hex, 16).expect("hex"));
                index += 3;
            } else {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
        String::from_utf8(decoded).expect("utf-8")
    }
}
