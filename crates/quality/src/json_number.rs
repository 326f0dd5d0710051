//! Numbers as Model Monitor and Clarify write them, read back bit for bit.
//!
//! The files carry IEEE-754 doubles, but undefined or infinite values appear as the strings `"NaN"`,
//! `"Infinity"` and `"-Infinity"` (bare `NaN` is not JSON), and counts appear both as `3` and `3.0`.
//! [`JsonF64`] writes and reads that convention. It reads the number's own text with Rust's correctly
//! rounded parser instead of serde_json's default (which is off by one unit in the last place for about
//! one number in ten), so a sketch or a sum written by us reads back identical.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A double that may be non-finite; see the module docs for its JSON form.
///
/// Deserialises only through serde_json's text deserialisers (`from_str`, `from_slice`, `from_reader`),
/// which is how every file of this crate is read.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct JsonF64(pub f64);

impl From<f64> for JsonF64 {
    fn from(v: f64) -> Self {
        JsonF64(v)
    }
}

impl Serialize for JsonF64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_finite() {
            s.serialize_f64(v)
        } else if v.is_nan() {
            s.serialize_str("NaN")
        } else if v > 0.0 {
            s.serialize_str("Infinity")
        } else {
            s.serialize_str("-Infinity")
        }
    }
}

impl<'de> Deserialize<'de> for JsonF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        parse_number_text(raw.get()).map(JsonF64).map_err(D::Error::custom)
    }
}

/// Parses the JSON text of a number, `"NaN"`, `"Infinity"`, `"-Infinity"`, a numeric string, or `null`
/// (read as NaN: "no value").
fn parse_number_text(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if text == "null" {
        return Ok(f64::NAN);
    }
    let unquoted = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => text,
    };
    match unquoted {
        "NaN" | "nan" => Ok(f64::NAN),
        "Infinity" | "inf" | "+Infinity" => Ok(f64::INFINITY),
        "-Infinity" | "-inf" => Ok(f64::NEG_INFINITY),
        other => other.parse::<f64>().map_err(|_| format!("expected a number, found {text}")),
    }
}

/// Counts: written as JSON integers, read from `3` or `3.0` (SageMaker writes both).
pub(crate) mod count {
    use super::*;

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = JsonF64::deserialize(d)?.0;
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 2f64.powi(53) {
            Ok(v as u64)
        } else {
            Err(D::Error::custom(format!("expected a count (a non-negative whole number), found {v}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_are_written_as_the_strings_sagemaker_uses() {
        let v = vec![JsonF64(1.5), JsonF64(f64::NAN), JsonF64(f64::INFINITY), JsonF64(f64::NEG_INFINITY)];
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"[1.5,"NaN","Infinity","-Infinity"]"#);
    }

    #[test]
    fn reads_numbers_strings_and_null() {
        let v: Vec<JsonF64> =
            serde_json::from_str(r#"[3, 3.0, "NaN", "Infinity", "-Infinity", null]"#).unwrap();
        assert_eq!(v[0].0, 3.0);
        assert_eq!(v[1].0, 3.0);
        assert!(v[2].0.is_nan());
        assert_eq!(v[3].0, f64::INFINITY);
        assert_eq!(v[4].0, f64::NEG_INFINITY);
        assert!(v[5].0.is_nan());
    }

    #[test]
    fn round_trips_bit_for_bit_where_serde_json_default_parsing_does_not() {
        // 441.66130716816645 reads back as 441.6613071681665 with serde_json's default parser.
        for v in [441.66130716816645, 925.9338926496359, 1.5860846119992697e-265, -1.81996730402717e-179] {
            let text = serde_json::to_string(&JsonF64(v)).unwrap();
            let back: JsonF64 = serde_json::from_str(&text).unwrap();
            assert_eq!(back.0.to_bits(), v.to_bits(), "{text}");
        }
    }

    #[test]
    fn counts_accept_floats_but_not_fractions() {
        #[derive(Deserialize)]
        struct C {
            #[serde(with = "count")]
            n: u64,
        }
        assert_eq!(serde_json::from_str::<C>(r#"{"n": 3.0}"#).unwrap().n, 3);
        assert_eq!(serde_json::from_str::<C>(r#"{"n": 7}"#).unwrap().n, 7);
        assert!(serde_json::from_str::<C>(r#"{"n": 2.5}"#).is_err());
        assert!(serde_json::from_str::<C>(r#"{"n": -1}"#).is_err());
    }
}
