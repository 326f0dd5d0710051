//! Amazon EventBridge event-pattern matching.
//!
//! The pipeline's routing lives in `infra/event-rules/*.json` as EventBridge event patterns. AWS
//! evaluates them in EventBridge; the local in-process bus evaluates them with this crate. For local runs
//! and tests to say anything about production, both must accept the same patterns and route the same
//! events, so this crate follows EventBridge's documented semantics and, where the documentation is
//! silent, the behaviour of its open-source matcher (`aws/event-ruler`):
//!
//! * A pattern is a JSON object mirroring the event. A field's value is either an object (nest into the
//!   event) or a non-empty array of match values, any of which may match. All fields must match.
//! * Match values: strings, numbers, `true`/`false`, `null`, and single-key operator objects: `prefix`,
//!   `suffix` (each also as `{"equals-ignore-case": ..}`), `equals-ignore-case`, `wildcard`,
//!   `anything-but` (a value, a list, or `prefix`/`suffix`/`equals-ignore-case`/`wildcard`), `numeric`,
//!   `exists`, `cidr`. `"$or": [{..}, {..}]` at any level requires one of its sub-patterns to match.
//! * Numbers compare numerically (`300` matches `3.0e2`). `numeric` only considers JSON numbers, only
//!   between -5e9 and 5e9, and its operands must have at most six decimal places.
//! * If the event field is an array, the field matches if any element does; arrays of objects are
//!   matched element-wise, with all conditions of one nested pattern met by the same element.
//! * A missing field fails every condition except `{"exists": false}`. `exists` looks at leaf values
//!   only: a field holding an object or `[]` does not "exist".
//!
//! Known differences from EventBridge, all in corners our rules do not use: field names containing `.`
//! are not conflated with nesting; `exists: false` on a field inside an array of objects asks whether
//! *some* element lacks it (EventBridge's answer depends on the order it visits fields); and a field
//! constrained both beside a `$or` and inside one of its branches must satisfy both here, where
//! EventBridge keeps only whichever comes later in the pattern text.
//!
//! ```
//! use twinpipe_event_pattern::EventPattern;
//!
//! let pattern = EventPattern::parse(
//!     r#"{"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "raw/"}]}}}"#,
//! )?;
//! let event = serde_json::json!({
//!     "source": "aws.s3",
//!     "detail-type": "Object Created",
//!     "detail": {"bucket": {"name": "data"}, "object": {"key": "raw/2024/01/01/a.json"}}
//! });
//! assert!(pattern.matches(&event));
//! # Ok::<(), twinpipe_event_pattern::PatternError>(())
//! ```

mod error;
mod eval;
mod ip;
mod pattern;
mod wildcard;

use serde_json::Value;

pub use error::PatternError;

/// A validated EventBridge event pattern, ready to match events.
///
/// Parse once (when rules are loaded) and match many times: validation happens up front so that a
/// pattern AWS would reject fails locally too, at load time rather than at the first event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPattern {
    root: pattern::ObjectPattern,
}

impl EventPattern {
    /// Parses and validates a pattern from its JSON text, as `PutRule`'s `EventPattern` takes it.
    pub fn parse(json: &str) -> Result<Self, PatternError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| PatternError::Json { message: e.to_string() })?;
        Self::from_value(&value)
    }

    /// Validates a pattern already parsed as JSON, e.g. the `event_pattern` member of a rule file.
    pub fn from_value(value: &Value) -> Result<Self, PatternError> {
        pattern::parse_root(value).map(|root| Self { root })
    }

    /// Whether `event`, a full EventBridge envelope (`version`, `id`, `detail-type`, `source`,
    /// `account`, `time`, `region`, `resources`, `detail`), matches this pattern.
    ///
    /// Never panics, whatever the event holds; a non-object event has no fields.
    pub fn matches(&self, event: &Value) -> bool {
        self.root.matches(event.as_object())
    }
}

impl std::str::FromStr for EventPattern {
    type Err = PatternError;

    /// Same as [`EventPattern::parse`].
    fn from_str(json: &str) -> Result<Self, Self::Err> {
        Self::parse(json)
    }
}

/// Deserializes and validates in one step, so a rule-file struct can hold an `EventPattern` field and an
/// invalid pattern is reported when the file is loaded.
impl<'de> serde::Deserialize<'de> for EventPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}
