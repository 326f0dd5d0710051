//! Python scalar semantics that smclarify's results depend on.
//!
//! Clarify's reference implementation is Python: configured values are JSON scalars that become Python
//! `int`, `float`, `bool` or `str`, and everything it prints goes through Python's `str()`. To produce
//! the same group memberships and the same strings (`"(40.0, 67.0]"`, `"1e-05"`), this module models exactly
//! the parts of Python's behaviour that matter: equality across numeric types, `str()`, and the `int()` /
//! `float()` / `bool()` / `str()` conversions smclarify applies when a configured value does not match the
//! column's type.

use std::fmt;

/// One Python scalar: a configured value (from JSON) or a cell of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Python `int` (and numpy `int64`).
    Int(i64),
    /// Python `float` (and numpy `float64`); a missing cell is `Float(NaN)`, as in pandas.
    Float(f64),
    /// Python `bool`.
    Bool(bool),
    /// Python `str`.
    Str(String),
}

/// The Python type a conversion targets (the type of a column's first cell, see [`Scalar::convert_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyType {
    /// `int` / `numpy.int64`.
    Int,
    /// `float` / `numpy.float64`.
    Float,
    /// `bool` / `numpy.bool_`.
    Bool,
    /// `str`.
    Str,
}

/// Why a Python conversion failed; the message is the one Python raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionError(pub String);

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Scalar {
    /// The value from a JSON scalar (`1` → int, `1.0` → float, as Python's `json` module reads them), or
    /// `None` for arrays, objects and `null`.
    pub fn from_json(value: &serde_json::Value) -> Option<Scalar> {
        match value {
            serde_json::Value::Bool(b) => Some(Scalar::Bool(*b)),
            serde_json::Value::String(s) => Some(Scalar::Str(s.clone())),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(Scalar::Int(i))
                } else {
                    n.as_f64().map(Scalar::Float)
                }
            }
            _ => None,
        }
    }

    /// The Python type of this value.
    pub fn py_type(&self) -> PyType {
        match self {
            Scalar::Int(_) => PyType::Int,
            Scalar::Float(_) => PyType::Float,
            Scalar::Bool(_) => PyType::Bool,
            Scalar::Str(_) => PyType::Str,
        }
    }

    /// The numeric value for `int`, `float` and `bool` (Python treats `True` as 1), `None` for `str`.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(*i as f64),
            Scalar::Float(x) => Some(*x),
            Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
            Scalar::Str(_) => None,
        }
    }

    /// Python `==`: numbers (bool included) compare by value across types, strings only with strings,
    /// NaN equals nothing.
    pub fn py_eq(&self, other: &Scalar) -> bool {
        match (self, other) {
            (Scalar::Str(a), Scalar::Str(b)) => a == b,
            (Scalar::Str(_), _) | (_, Scalar::Str(_)) => false,
            (Scalar::Int(a), Scalar::Int(b)) => a == b,
            _ => self.as_number() == other.as_number(),
        }
    }

    /// Python `bool(x)`: zero, NaN-free zero floats and the empty string are false.
    fn truthy(&self) -> bool {
        match self {
            Scalar::Int(i) => *i != 0,
            Scalar::Float(x) => *x != 0.0,
            Scalar::Bool(b) => *b,
            Scalar::Str(s) => !s.is_empty(),
        }
    }

    /// Python's `target(self)`: `int("1")`, `float("2.5")`, `bool("False")` (true: non-empty), `str(1.0)`.
    /// Errors carry Python's message, e.g. `invalid literal for int() with base 10: '1.5'`.
    pub fn convert_to(&self, target: PyType) -> Result<Scalar, ConversionError> {
        match target {
            PyType::Str => Ok(Scalar::Str(self.to_string())),
            PyType::Bool => Ok(Scalar::Bool(self.truthy())),
            PyType::Float => match self {
                Scalar::Str(s) => python_float(s).map(Scalar::Float).ok_or_else(|| {
                    ConversionError(format!("could not convert string to float: {}", py_repr_str(s)))
                }),
                other => Ok(Scalar::Float(other.as_number().unwrap_or(f64::NAN))),
            },
            PyType::Int => match self {
                Scalar::Int(i) => Ok(Scalar::Int(*i)),
                Scalar::Bool(b) => Ok(Scalar::Int(i64::from(*b))),
                Scalar::Float(x) if x.is_nan() => {
                    Err(ConversionError("cannot convert float NaN to integer".to_string()))
                }
                Scalar::Float(x) if x.is_infinite() => {
                    Err(ConversionError("cannot convert float infinity to integer".to_string()))
                }
                Scalar::Float(x) => Ok(Scalar::Int(x.trunc() as i64)),
                Scalar::Str(s) => python_int(s).map(Scalar::Int).ok_or_else(|| {
                    ConversionError(format!("invalid literal for int() with base 10: {}", py_repr_str(s)))
                }),
            },
        }
    }
}

/// Python `str(x)`: `1`, `1.0`, `1e-05`, `True`, `nan`, `inf`, strings as they are.
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => f.write_str(&py_float_repr(*x)),
            Scalar::Bool(true) => f.write_str("True"),
            Scalar::Bool(false) => f.write_str("False"),
            Scalar::Str(s) => f.write_str(s),
        }
    }
}

/// Python's `repr(s)` for the strings that appear in error messages (single quotes unless the string
/// contains one and no double quote).
fn py_repr_str(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', "\\'"))
    }
}

/// Python's `repr(float)` / `str(float)`: the shortest digits that round-trip, in positional notation when
/// the decimal exponent is in [-4, 16), else scientific with a signed, at least two-digit exponent.
/// Examples: `0.1`, `40.0`, `1e+16`, `1e-05`, `1.5e-07`, `-0.0`, `nan`, `inf`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".to_string() } else { "-inf".to_string() };
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` prints the shortest round-trip digits, like Python's repr.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("LowerExp always writes an exponent");
    let exponent: i32 = exponent.parse().expect("LowerExp writes an integer exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exponent + 1; // value = 0.DIGITS × 10^decpt
    let body = if !(-3..=16).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{first}{frac}e{exp_sign}{:02}", exponent.abs())
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat(decpt.unsigned_abs() as usize))
    } else {
        let point = decpt as usize;
        if point >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

/// Python `float(s)`: surrounding whitespace allowed, `inf`/`infinity`/`nan` in any case, `1e5`, `.5`, `5.`.
pub fn python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return t.to_ascii_lowercase().parse().ok();
    }
    if !is_decimal_literal(unsigned) {
        return None;
    }
    t.parse().ok()
}

/// Python `int(s)`: surrounding whitespace and a sign allowed, decimal digits only.
fn python_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `digits[.digits][e[+-]digits]` or `.digits[e…]` or `digits.` — the decimal float syntax shared by
/// Python and pandas' CSV parser (no sign, no whitespace).
pub(crate) fn is_decimal_literal(s: &str) -> bool {
    let (number, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int_part)
        && frac_part.is_none_or(all_digits)
        && (!int_part.is_empty() || frac_part.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (0.1, "0.1"),
            (40.0, "40.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (-0.0, "-0.0"),
            (123456.789, "123456.789"),
            (1e100, "1e+100"),
            (-2.5e-300, "-2.5e-300"),
            (-0.0791244970125596, "-0.0791244970125596"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want, "repr of {x:e}");
        }
    }

    #[test]
    fn equality_crosses_numeric_types_but_not_strings() {
        assert!(Scalar::Int(1).py_eq(&Scalar::Float(1.0)));
        assert!(Scalar::Bool(true).py_eq(&Scalar::Int(1)));
        assert!(!Scalar::Str("1".into()).py_eq(&Scalar::Int(1)));
        assert!(!Scalar::Float(f64::NAN).py_eq(&Scalar::Float(f64::NAN)));
    }

    #[test]
    fn conversions_follow_python() {
        assert_eq!(Scalar::Str(" 7 ".into()).convert_to(PyType::Int), Ok(Scalar::Int(7)));
        assert_eq!(
            Scalar::Str("1.5".into()).convert_to(PyType::Int),
            Err(ConversionError("invalid literal for int() with base 10: '1.5'".into()))
        );
        assert_eq!(Scalar::Str("False".into()).convert_to(PyType::Bool), Ok(Scalar::Bool(true)));
        assert_eq!(Scalar::Float(1.0).convert_to(PyType::Str), Ok(Scalar::Str("1.0".into())));
        assert_eq!(Scalar::Float(2.9).convert_to(PyType::Int), Ok(Scalar::Int(2)));
        assert_eq!(
            Scalar::Str("abc".into()).convert_to(PyType::Float),
            Err(ConversionError("could not convert string to float: 'abc'".into()))
        );
    }

    #[test]
    fn python_float_syntax() {
        assert_eq!(python_float(" 1e5 "), Some(1e5));
        assert_eq!(python_float(".5"), Some(0.5));
        assert_eq!(python_float("5."), Some(5.0));
        assert_eq!(python_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(python_float("1.5e"), None);
        assert_eq!(python_float("0x10"), None);
    }
}
