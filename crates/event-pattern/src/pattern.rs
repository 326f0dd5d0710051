//! The compiled form of a pattern and the validation that builds it.
//!
//! Validation follows the rules of EventBridge's matcher (the open-source `aws/event-ruler`
//! `JsonRuleCompiler`), so that a pattern accepted here is one `PutRule` accepts and vice versa. The one
//! deliberate exception: `{"exactly": ..}`, which that library accepts but EventBridge does not document,
//! is rejected as an unknown operator.

use serde_json::{Map, Value};

use crate::error::{PatternError, child, index};
use crate::ip::{self, Cidr, Ip};
use crate::wildcard::Wildcard;

/// EventBridge represents numbers for `numeric` and numeric `anything-but` in a fixed-point form that
/// covers ±5e9 with six decimal places; operands outside that are rejected, and event values outside it
/// never satisfy a `numeric` condition.
pub(crate) const NUMERIC_LIMIT: f64 = 5.0e9;
const MAX_DECIMALS: usize = 6;

/// Field names that are operators, and so may not be used as field names inside `$or`, where they would
/// be ambiguous. The list is EventBridge's, including names it reserves for future operators.
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// One JSON object level of a pattern: every field must match, and every `$or` group must have a
/// matching branch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ObjectPattern {
    pub(crate) fields: Vec<(String, FieldPattern)>,
    pub(crate) any_of: Vec<Vec<ObjectPattern>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldPattern {
    /// `"field": { ... }`
    Nested(ObjectPattern),
    /// `"field": [ ... ]`: matches if any matcher accepts any of the field's values.
    Leaf(Vec<Matcher>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    /// A string literal. If it is an IP address literal it matches the same address however written.
    String {
        value: String,
        ip: Option<Ip>,
    },
    Number(f64),
    Bool(bool),
    Null,
    Prefix {
        value: String,
        ignore_case: bool,
    },
    Suffix {
        value: String,
        ignore_case: bool,
    },
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(Range),
    Exists(bool),
    Cidr(Cidr),
}

/// `anything-but`: matches any value the inner condition rejects (including values of other JSON types).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AnythingBut {
    Strings(Vec<String>),
    Numbers(Vec<f64>),
    Prefixes(Vec<String>),
    Suffixes(Vec<String>),
    EqualsIgnoreCase(Vec<String>),
    Wildcards(Vec<Wildcard>),
}

/// A `numeric` condition. One-sided conditions are bounded by ±5e9 on the open side, as in EventBridge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Range {
    pub(crate) low: f64,
    pub(crate) low_inclusive: bool,
    pub(crate) high: f64,
    pub(crate) high_inclusive: bool,
}

pub(crate) fn parse_root(value: &Value) -> Result<ObjectPattern, PatternError> {
    match value {
        Value::Object(map) => parse_object(map, "", false),
        _ => Err(PatternError::NotAnObject { path: String::new() }),
    }
}

fn parse_object(map: &Map<String, Value>, path: &str, in_or: bool) -> Result<ObjectPattern, PatternError> {
    if map.is_empty() {
        return Err(PatternError::EmptyObject { path: path.to_owned() });
    }
    let mut pattern = ObjectPattern { fields: Vec::new(), any_of: Vec::new() };
    for (name, value) in map {
        let field_path = child(path, name);
        if name == "$or" {
            pattern.any_of.push(parse_or(value, &field_path)?);
            continue;
        }
        if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
            return Err(PatternError::ReservedFieldName { path: field_path, name: name.clone() });
        }
        let field = match value {
            Value::Object(inner) => FieldPattern::Nested(parse_object(inner, &field_path, in_or)?),
            Value::Array(items) => FieldPattern::Leaf(parse_matchers(items, &field_path)?),
            _ => return Err(PatternError::NotObjectOrArray { path: field_path }),
        };
        pattern.fields.push((name.clone(), field));
    }
    Ok(pattern)
}

fn parse_or(value: &Value, path: &str) -> Result<Vec<ObjectPattern>, PatternError> {
    let invalid = |reason: &str| PatternError::InvalidOr { path: path.to_owned(), reason: reason.to_owned() };
    let Value::Array(branches) = value else {
        return Err(invalid("it must be an array of objects"));
    };
    if branches.len() < 2 {
        return Err(invalid("it must contain at least two objects"));
    }
    branches
        .iter()
        .enumerate()
        .map(|(i, branch)| match branch {
            Value::Object(map) => parse_object(map, &index(path, i), true),
            _ => Err(PatternError::NotAnObject { path: index(path, i) }),
        })
        .collect()
}

fn parse_matchers(items: &[Value], path: &str) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(PatternError::EmptyArray { path: path.to_owned() });
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_path = index(path, i);
            Ok(match item {
                Value::String(s) => Matcher::String { value: s.clone(), ip: ip::parse(s) },
                Value::Number(n) => Matcher::Number(as_f64(n)),
                Value::Bool(b) => Matcher::Bool(*b),
                Value::Null => Matcher::Null,
                Value::Object(op) => parse_operator(op, &item_path)?,
                Value::Array(_) => return Err(PatternError::InvalidMatchValue { path: item_path }),
            })
        })
        .collect()
}

/// The single `(name, operand)` entry of an operator object.
fn single_entry<'a>(op: &'a Map<String, Value>, path: &str) -> Result<(&'a str, &'a Value), PatternError> {
    let mut entries = op.iter();
    match (entries.next(), entries.next()) {
        (Some((name, operand)), None) => Ok((name.as_str(), operand)),
        _ => Err(PatternError::OperatorKeyCount { path: path.to_owned(), count: op.len() }),
    }
}

fn invalid(path: &str, operator: &str, reason: impl Into<String>) -> PatternError {
    PatternError::InvalidOperand {
        path: path.to_owned(),
        operator: operator.to_owned(),
        reason: reason.into(),
    }
}

fn parse_operator(op: &Map<String, Value>, path: &str) -> Result<Matcher, PatternError> {
    let (name, operand) = single_entry(op, path)?;
    match name {
        "prefix" | "suffix" => {
            let (value, ignore_case) = match operand {
                Value::String(s) => (s.clone(), false),
                Value::Object(inner) => {
                    let inner_path = child(path, name);
                    match single_entry(inner, &inner_path)? {
                        ("equals-ignore-case", Value::String(s)) => (s.clone(), true),
                        ("equals-ignore-case", _) => {
                            return Err(invalid(&inner_path, "equals-ignore-case", "must be a string"));
                        }
                        (other, _) => {
                            return Err(invalid(
                                path,
                                name,
                                format!("`{other}` is not supported here; only `equals-ignore-case` is"),
                            ));
                        }
                    }
                }
                _ => {
                    return Err(invalid(path, name, "must be a string or {\"equals-ignore-case\": string}"));
                }
            };
            Ok(if name == "prefix" {
                Matcher::Prefix { value, ignore_case }
            } else {
                Matcher::Suffix { value, ignore_case }
            })
        }
        "equals-ignore-case" => match operand {
            Value::String(s) => Ok(Matcher::EqualsIgnoreCase(s.clone())),
            _ => Err(invalid(path, name, "must be a string")),
        },
        "wildcard" => match operand {
            Value::String(s) => {
                Wildcard::parse(s).map(Matcher::Wildcard).map_err(|reason| invalid(path, name, reason))
            }
            _ => Err(invalid(path, name, "must be a string")),
        },
        "exists" => match operand {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            _ => Err(invalid(path, name, "must be true or false")),
        },
        "cidr" => match operand {
            Value::String(s) => {
                Cidr::parse(s).map(Matcher::Cidr).map_err(|reason| invalid(path, name, reason))
            }
            _ => Err(invalid(path, name, "must be a string such as \"10.0.0.0/24\"")),
        },
        "numeric" => parse_numeric(operand, path).map(Matcher::Numeric),
        "anything-but" => parse_anything_but(operand, path).map(Matcher::AnythingBut),
        other => Err(PatternError::UnknownOperator { path: path.to_owned(), operator: other.to_owned() }),
    }
}

fn parse_anything_but(operand: &Value, path: &str) -> Result<AnythingBut, PatternError> {
    const OP: &str = "anything-but";
    match operand {
        Value::String(s) => Ok(AnythingBut::Strings(vec![s.clone()])),
        Value::Number(n) => Ok(AnythingBut::Numbers(vec![comparable(n, path, OP)?])),
        Value::Array(items) => {
            let list_path = child(path, OP);
            if items.is_empty() {
                return Err(PatternError::EmptyArray { path: list_path });
            }
            if items.iter().all(Value::is_string) {
                Ok(AnythingBut::Strings(strings(items)))
            } else if items.iter().all(Value::is_number) {
                let numbers = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_number().map(|n| (i, n)))
                    .map(|(i, n)| comparable(n, &index(&list_path, i), OP))
                    .collect::<Result<_, _>>()?;
                Ok(AnythingBut::Numbers(numbers))
            } else {
                Err(invalid(path, OP, "a list must hold only strings or only numbers"))
            }
        }
        Value::Object(inner) => {
            let inner_path = child(path, OP);
            let (name, value) = single_entry(inner, &inner_path)?;
            if !matches!(name, "prefix" | "suffix" | "equals-ignore-case" | "wildcard") {
                return Err(invalid(
                    path,
                    OP,
                    format!(
                        "`{name}` cannot be used inside anything-but; use a value, a list, \
                         prefix, suffix, equals-ignore-case or wildcard"
                    ),
                ));
            }
            let value_path = child(&inner_path, name);
            let texts = match value {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) if items.is_empty() => {
                    return Err(PatternError::EmptyArray { path: value_path });
                }
                Value::Array(items) if items.iter().all(Value::is_string) => strings(items),
                _ => {
                    return Err(invalid(&inner_path, name, "must be a string or a list of strings"));
                }
            };
            Ok(match name {
                "prefix" | "suffix" => {
                    if texts.iter().any(String::is_empty) {
                        return Err(invalid(&inner_path, name, "must not be empty"));
                    }
                    if name == "prefix" { AnythingBut::Prefixes(texts) } else { AnythingBut::Suffixes(texts) }
                }
                "equals-ignore-case" => AnythingBut::EqualsIgnoreCase(texts),
                _ => AnythingBut::Wildcards(
                    texts
                        .iter()
                        .map(|t| Wildcard::parse(t))
                        .collect::<Result<_, _>>()
                        .map_err(|reason| invalid(&inner_path, name, reason))?,
                ),
            })
        }
        Value::Bool(_) | Value::Null => Err(invalid(
            path,
            OP,
            "must be a string, a number, a list of either, or an object (prefix, suffix, \
             equals-ignore-case, wildcard)",
        )),
    }
}

fn strings(items: &[Value]) -> Vec<String> {
    items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// `numeric` operands: `[op, n]` for any of `= < <= > >=`, or `[> | >=, n, < | <=, m]` with `n < m`.
fn parse_numeric(operand: &Value, path: &str) -> Result<Range, PatternError> {
    const OP: &str = "numeric";
    let Value::Array(items) = operand else {
        return Err(invalid(path, OP, "must be an array such as [\">\", 0, \"<=\", 5]"));
    };
    let list_path = child(path, OP);
    if items.is_empty() {
        return Err(PatternError::EmptyArray { path: list_path });
    }
    let operator_at = |i: usize| -> Result<&str, PatternError> {
        match items.get(i) {
            Some(Value::String(s)) => Ok(s.as_str()),
            _ => Err(invalid(&index(&list_path, i), OP, "expected an operator (=, <, <=, >, >=)")),
        }
    };
    let number_at = |i: usize| -> Result<f64, PatternError> {
        match items.get(i) {
            Some(Value::Number(n)) => comparable(n, &index(&list_path, i), OP),
            _ => Err(invalid(&index(&list_path, i), OP, "expected a number")),
        }
    };
    let first = operator_at(0)?;
    let value = number_at(1)?;
    let (range, used) = match first {
        "=" => (Range { low: value, low_inclusive: true, high: value, high_inclusive: true }, 2),
        "<" | "<=" => (
            Range { low: -NUMERIC_LIMIT, low_inclusive: true, high: value, high_inclusive: first == "<=" },
            2,
        ),
        ">" | ">=" if items.len() > 2 => {
            let second = operator_at(2)?;
            if !matches!(second, "<" | "<=") {
                return Err(invalid(
                    &index(&list_path, 2),
                    OP,
                    format!("`{second}` cannot close a range; use < or <="),
                ));
            }
            let high = number_at(3)?;
            (Range { low: value, low_inclusive: first == ">=", high, high_inclusive: second == "<=" }, 4)
        }
        ">" | ">=" => {
            (Range { low: value, low_inclusive: first == ">=", high: NUMERIC_LIMIT, high_inclusive: true }, 2)
        }
        other => {
            return Err(invalid(
                &index(&list_path, 0),
                OP,
                format!("unknown operator `{other}`; use =, <, <=, >, >="),
            ));
        }
    };
    if items.len() > used {
        return Err(invalid(&index(&list_path, used), OP, "too many elements"));
    }
    if first != "=" && range.low >= range.high {
        return Err(invalid(path, OP, "the lower bound must be less than the upper bound"));
    }
    Ok(range)
}

pub(crate) fn as_f64(n: &serde_json::Number) -> f64 {
    // Without serde_json's `arbitrary_precision` every number converts; NaN would only mean "matches nothing".
    n.as_f64().unwrap_or(f64::NAN)
}

/// Checks that a `numeric`/`anything-but` operand fits EventBridge's fixed-point numbers.
fn comparable(n: &serde_json::Number, path: &str, operator: &str) -> Result<f64, PatternError> {
    let value = as_f64(n);
    if !(-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&value) {
        return Err(invalid(path, operator, "numbers must be between -5e9 and 5e9 inclusive"));
    }
    // `Display` for f64 is the shortest decimal that round-trips, never in exponent form.
    let decimals = value.to_string().split_once('.').map_or(0, |(_, frac)| frac.len());
    if decimals > MAX_DECIMALS {
        return Err(invalid(path, operator, "numbers may have at most 6 decimal places"));
    }
    Ok(value)
}
