//! The `constraint_violations.json` envelope shared by Clarify's monitors.

use serde::{Deserialize, Serialize};

/// `{"version": "1.0", "violations": [...]}`; `violations` may be empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstraintViolations<V> {
    /// Always `"1.0"`.
    pub version: String,
    /// One entry per violated constraint.
    pub violations: Vec<V>,
}

impl<V> ConstraintViolations<V> {
    /// The envelope around `violations`.
    pub fn new(violations: Vec<V>) -> Self {
        ConstraintViolations { version: "1.0".to_string(), violations }
    }
}
