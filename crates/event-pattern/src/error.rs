//! Why a pattern was rejected, and where.

/// A pattern that EventBridge would refuse (`PutRule` fails with "Event pattern is not valid").
///
/// Every variant except [`PatternError::Json`] carries the path to the offending part of the pattern,
/// written like `detail.object.key[0]`: field names joined by dots, array positions in brackets, and
/// operator names as steps (`detail.size[0].numeric[2]`). The root is the empty path, shown as `(root)`.
/// The path is there because rule files are edited by hand: "unknown operator `prefx` at
/// `detail.object.key[0]`" is fixable without a debugger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The text is not JSON at all.
    #[error("event pattern is not valid JSON: {message}")]
    Json { message: String },

    /// The pattern (or a branch of `$or`) is not a JSON object.
    #[error("{}: expected a JSON object", show(.path))]
    NotAnObject { path: String },

    /// `{}` somewhere in the pattern; EventBridge rejects it rather than treating it as "match all".
    #[error("{}: empty objects are not allowed", show(.path))]
    EmptyObject { path: String },

    /// A field whose value is a bare string, number, boolean or null. Match values always go in an array.
    #[error(
        "{}: a field's value must be an object (to nest) or an array of match values",
        show(.path)
    )]
    NotObjectOrArray { path: String },

    /// `[]` as a list of match values (or as an operator's list of operands).
    #[error("{}: empty arrays are not allowed", show(.path))]
    EmptyArray { path: String },

    /// An element of a match-value array that is itself an array.
    #[error(
        "{}: a match value must be a string, number, boolean, null or an operator object",
        show(.path)
    )]
    InvalidMatchValue { path: String },

    /// An operator object (`{"prefix": ...}`) whose key is not an EventBridge operator.
    #[error("{}: unknown operator `{operator}`", show(.path))]
    UnknownOperator { path: String, operator: String },

    /// An operator object with no key, or with several (`{"prefix": "a", "suffix": "b"}`).
    #[error("{}: an operator object must have exactly one key, found {count}", show(.path))]
    OperatorKeyCount { path: String, count: usize },

    /// A known operator with an operand of the wrong type or value.
    #[error("{}: invalid `{operator}` operand: {reason}", show(.path))]
    InvalidOperand { path: String, operator: String, reason: String },

    /// `$or` that is not an array of at least two objects.
    #[error("{}: invalid `$or`: {reason}", show(.path))]
    InvalidOr { path: String, reason: String },

    /// A field inside `$or` named like an operator (`prefix`, `numeric`, ...), which EventBridge reserves there.
    #[error(
        "{}: `{name}` is reserved and cannot be used as a field name inside `$or`",
        show(.path)
    )]
    ReservedFieldName { path: String, name: String },
}

impl PatternError {
    /// The path to the offending part of the pattern (`""` for the root), or `None` for [`PatternError::Json`].
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Json { .. } => None,
            Self::NotAnObject { path }
            | Self::EmptyObject { path }
            | Self::NotObjectOrArray { path }
            | Self::EmptyArray { path }
            | Self::InvalidMatchValue { path }
            | Self::UnknownOperator { path, .. }
            | Self::OperatorKeyCount { path, .. }
            | Self::InvalidOperand { path, .. }
            | Self::InvalidOr { path, .. }
            | Self::ReservedFieldName { path, .. } => Some(path),
        }
    }
}

fn show(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

/// Builds the human-readable paths carried by [`PatternError`]. Only used while parsing.
pub(crate) fn child(path: &str, field: &str) -> String {
    if path.is_empty() { field.to_owned() } else { format!("{path}.{field}") }
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}
