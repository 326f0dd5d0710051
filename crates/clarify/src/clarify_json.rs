//! JSON conventions of Clarify files: non-finite numbers as strings, objects whose key order matters.
//!
//! Clarify writes infinite metric values as the strings `"Infinity"` / `"-Infinity"` (bare `Infinity` is not
//! JSON); we also write NaN as `"NaN"`. Readers accept those strings wherever a number is expected.
//! Facet maps and attribution maps keep the order they were written in.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number that may be non-finite, written the Clarify way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClarifyNumber(pub f64);

impl Serialize for ClarifyNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_nan() {
            serializer.serialize_str("NaN")
        } else if x == f64::INFINITY {
            serializer.serialize_str("Infinity")
        } else if x == f64::NEG_INFINITY {
            serializer.serialize_str("-Infinity")
        } else {
            serializer.serialize_f64(x)
        }
    }
}

impl<'de> Deserialize<'de> for ClarifyNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = ClarifyNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or one of \"Infinity\", \"-Infinity\", \"NaN\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ClarifyNumber, E> {
                Ok(ClarifyNumber(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ClarifyNumber, E> {
                Ok(ClarifyNumber(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ClarifyNumber, E> {
                Ok(ClarifyNumber(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ClarifyNumber, E> {
                match v {
                    "Infinity" | "inf" => Ok(ClarifyNumber(f64::INFINITY)),
                    "-Infinity" | "-inf" => Ok(ClarifyNumber(f64::NEG_INFINITY)),
                    "NaN" | "nan" => Ok(ClarifyNumber(f64::NAN)),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// A JSON object as an ordered list of entries (serde_json's map would sort the keys).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> OrderedMap<V> {
    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<OrderedMap<V>, A::Error> {
                let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(0));
                while let Some((k, v)) = access.next_entry::<String, V>()? {
                    entries.push((k, v));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_strings() {
        let json = serde_json::to_string(&[ClarifyNumber(f64::INFINITY), ClarifyNumber(-0.5)]).unwrap();
        assert_eq!(json, r#"["Infinity",-0.5]"#);
        let back: Vec<ClarifyNumber> = serde_json::from_str(r#"["-Infinity", 3, 0.25]"#).unwrap();
        assert_eq!(back, [ClarifyNumber(f64::NEG_INFINITY), ClarifyNumber(3.0), ClarifyNumber(0.25)]);
        assert!(serde_json::from_str::<ClarifyNumber>(r#""big""#).is_err());
    }

    #[test]
    fn ordered_maps_keep_their_order() {
        let map: OrderedMap<i32> = serde_json::from_str(r#"{"z": 1, "a": 2}"#).unwrap();
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"z":1,"a":2}"#);
    }
}
