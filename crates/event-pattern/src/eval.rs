//! Matching a compiled pattern against an event.
//!
//! EventBridge "crushes" arrays out of events: a field whose value is an array is treated as having each
//! element as a value (recursively, for arrays of arrays). Leaf conditions look at the scalar values at
//! a path; nested patterns look at the objects at a path, and all conditions under one nested pattern
//! must be met by the *same* array element (EventBridge's "array consistency").

use serde_json::{Map, Value};

use crate::ip;
use crate::pattern::{AnythingBut, FieldPattern, Matcher, ObjectPattern, Range, as_f64};

type Object = Map<String, Value>;

impl ObjectPattern {
    /// `object` is `None` when the event has no object at this path, so only absence can match.
    pub(crate) fn matches(&self, object: Option<&Object>) -> bool {
        self.fields.iter().all(|(name, field)| field.matches(object.and_then(|o| o.get(name))))
            && self.any_of.iter().all(|branches| branches.iter().any(|b| b.matches(object)))
    }
}

impl FieldPattern {
    fn matches(&self, value: Option<&Value>) -> bool {
        match self {
            FieldPattern::Nested(inner) => {
                let mut saw_object = false;
                let matched = any_object(value, &mut |object| {
                    saw_object = true;
                    inner.matches(Some(object))
                });
                // No object at this path: the nested fields are all absent.
                matched || (!saw_object && inner.matches(None))
            }
            FieldPattern::Leaf(matchers) => {
                let mut saw_value = false;
                let matched = any_scalar(value, &mut |scalar| {
                    saw_value = true;
                    matchers.iter().any(|m| m.matches(scalar))
                });
                // A field with no scalar value (missing, `[]`, or an object) counts as absent.
                matched || (!saw_value && matchers.contains(&Matcher::Exists(false)))
            }
        }
    }
}

/// Calls `f` on each scalar at this path (arrays flattened, objects skipped) until it returns true.
fn any_scalar(value: Option<&Value>, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match value {
        None | Some(Value::Object(_)) => false,
        Some(Value::Array(items)) => items.iter().any(|item| any_scalar(Some(item), f)),
        Some(scalar) => f(scalar),
    }
}

/// Calls `f` on each object at this path (arrays flattened, scalars skipped) until it returns true.
fn any_object(value: Option<&Value>, f: &mut impl FnMut(&Object) -> bool) -> bool {
    match value {
        Some(Value::Object(object)) => f(object),
        Some(Value::Array(items)) => items.iter().any(|item| any_object(Some(item), f)),
        _ => false,
    }
}

impl Matcher {
    /// Whether this condition accepts one scalar value that is present in the event.
    fn matches(&self, value: &Value) -> bool {
        match self {
            Matcher::String { value: expected, ip } => match (value, ip) {
                (Value::String(s), Some(expected_ip)) => ip::parse(s) == Some(*expected_ip),
                (Value::String(s), None) => s == expected,
                _ => false,
            },
            Matcher::Number(expected) => number(value) == Some(*expected),
            Matcher::Bool(expected) => value.as_bool() == Some(*expected),
            Matcher::Null => value.is_null(),
            Matcher::Prefix { value: prefix, ignore_case } => value.as_str().is_some_and(|s| {
                if *ignore_case { starts_with_ignore_case(s, prefix) } else { s.starts_with(prefix.as_str()) }
            }),
            Matcher::Suffix { value: suffix, ignore_case } => value.as_str().is_some_and(|s| {
                if *ignore_case { ends_with_ignore_case(s, suffix) } else { s.ends_with(suffix.as_str()) }
            }),
            Matcher::EqualsIgnoreCase(expected) => {
                value.as_str().is_some_and(|s| equals_ignore_case(s, expected))
            }
            Matcher::Wildcard(wildcard) => value.as_str().is_some_and(|s| wildcard.matches(s)),
            Matcher::AnythingBut(excluded) => !excluded.excludes(value),
            Matcher::Numeric(range) => number(value).is_some_and(|n| range.contains(n)),
            Matcher::Exists(exists) => *exists,
            Matcher::Cidr(cidr) => value.as_str().and_then(ip::parse).is_some_and(|a| cidr.contains(a)),
        }
    }
}

impl AnythingBut {
    /// Whether `value` is one of the excluded values. Values of another JSON type are never excluded.
    fn excludes(&self, value: &Value) -> bool {
        let text = value.as_str();
        match self {
            AnythingBut::Strings(list) => text.is_some_and(|s| list.iter().any(|x| x == s)),
            AnythingBut::Numbers(list) => number(value).is_some_and(|n| list.contains(&n)),
            AnythingBut::Prefixes(list) => {
                text.is_some_and(|s| list.iter().any(|p| s.starts_with(p.as_str())))
            }
            AnythingBut::Suffixes(list) => text.is_some_and(|s| list.iter().any(|p| s.ends_with(p.as_str()))),
            AnythingBut::EqualsIgnoreCase(list) => {
                text.is_some_and(|s| list.iter().any(|x| equals_ignore_case(s, x)))
            }
            AnythingBut::Wildcards(list) => text.is_some_and(|s| list.iter().any(|w| w.matches(s))),
        }
    }
}

impl Range {
    fn contains(&self, n: f64) -> bool {
        let above = if self.low_inclusive { n >= self.low } else { n > self.low };
        let below = if self.high_inclusive { n <= self.high } else { n < self.high };
        above && below
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => Some(as_f64(n)),
        _ => None,
    }
}

/// Case-insensitive comparison of one character, in either direction of case mapping (EventBridge
/// accepts a character if it equals the pattern's character, its lower case or its upper case).
fn char_eq_ignore_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase()) || a.to_uppercase().eq(b.to_uppercase())
}

fn equals_ignore_case(value: &str, expected: &str) -> bool {
    value.chars().count() == expected.chars().count()
        && value.chars().zip(expected.chars()).all(|(a, b)| char_eq_ignore_case(a, b))
}

fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    let mut chars = value.chars();
    prefix.chars().all(|p| chars.next().is_some_and(|c| char_eq_ignore_case(c, p)))
}

fn ends_with_ignore_case(value: &str, suffix: &str) -> bool {
    let mut chars = value.chars().rev();
    suffix.chars().rev().all(|p| chars.next().is_some_and(|c| char_eq_ignore_case(c, p)))
}
