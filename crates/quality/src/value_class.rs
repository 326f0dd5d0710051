//! What kind of value a cell holds, and what type a column therefore has (Deequ's `DataType` analyzer).
//!
//! Model Monitor reads every cell as text and decides its class by regular expressions
//! (quality-monitoring.md §2.1); the column's type follows from the counts per class (§2.2). The classifier
//! here is hand-written for speed and is tested against those very expressions.

use serde::{Deserialize, Serialize};

/// The class of one cell, decided from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueClass {
    /// A null cell (empty CSV field, JSON `null`, Arrow null).
    Unknown,
    /// `^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$`, e.g. `1.5`, `1e5`, `-0.0`.
    Fractional,
    /// `^(-|\+)? ?\d+$`, e.g. `42`, `+4`, `- 6`.
    Integral,
    /// `true` or `false`, lower case only.
    Boolean,
    /// Anything else, e.g. `1.`, `.5`, `NaN`, `TRUE`, `0x10`.
    String,
}

impl ValueClass {
    /// True for the classes whose text is a number (and enters the numeric statistics).
    pub fn is_numeric(self) -> bool {
        matches!(self, ValueClass::Fractional | ValueClass::Integral)
    }
}

/// Classifies a non-null cell's text. ASCII digits only, exactly as the spec's anchored expressions.
pub fn classify(text: &str) -> ValueClass {
    match numeric_shape(text.as_bytes()) {
        Some(NumericShape::Integral) => ValueClass::Integral,
        Some(NumericShape::Fractional) => ValueClass::Fractional,
        None if text == "true" || text == "false" => ValueClass::Boolean,
        None => ValueClass::String,
    }
}

enum NumericShape {
    Integral,
    Fractional,
}

fn numeric_shape(b: &[u8]) -> Option<NumericShape> {
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    i = digits(b, i)?;
    if i == b.len() {
        return Some(NumericShape::Integral);
    }
    if b[i] == b'.' {
        i = digits(b, i + 1)?;
        if i == b.len() {
            return Some(NumericShape::Fractional);
        }
    }
    if !matches!(b[i], b'e' | b'E') {
        return None;
    }
    i += 1;
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    (digits(b, i)? == b.len()).then_some(NumericShape::Fractional)
}

/// Skips one or more ASCII digits from `start`; `None` when there is none.
fn digits(b: &[u8], start: usize) -> Option<usize> {
    let end = start + b[start.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    (end > start).then_some(end)
}

/// The value of a cell classified Integral or Fractional. The optional space after the sign (`"- 6"`)
/// that the expressions allow is dropped before parsing.
pub fn parse_numeric(text: &str) -> f64 {
    let parsed = match text.as_bytes() {
        [sign @ (b'-' | b'+'), b' ', rest @ ..] => {
            let mut s = String::with_capacity(rest.len() + 1);
            s.push(*sign as char);
            s.push_str(std::str::from_utf8(rest).unwrap_or_default());
            s.parse::<f64>()
        }
        [b' ', ..] => text[1..].parse::<f64>(),
        _ => text.parse::<f64>(),
    };
    parsed.unwrap_or(f64::NAN)
}

/// Counts per class over a column: Deequ's `DataTypeHistogram`. Mergeable by addition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeCounts {
    /// Null cells.
    pub unknown: u64,
    /// Cells classified Fractional.
    pub fractional: u64,
    /// Cells classified Integral.
    pub integral: u64,
    /// Cells classified Boolean.
    pub boolean: u64,
    /// Cells classified String.
    pub string: u64,
}

impl TypeCounts {
    /// Counts one more cell of `class`.
    pub fn add(&mut self, class: ValueClass, n: u64) {
        match class {
            ValueClass::Unknown => self.unknown += n,
            ValueClass::Fractional => self.fractional += n,
            ValueClass::Integral => self.integral += n,
            ValueClass::Boolean => self.boolean += n,
            ValueClass::String => self.string += n,
        }
    }

    /// Adds another column's counts.
    pub fn merge(&mut self, other: &TypeCounts) {
        self.unknown += other.unknown;
        self.fractional += other.fractional;
        self.integral += other.integral;
        self.boolean += other.boolean;
        self.string += other.string;
    }

    /// Non-null cells.
    pub fn present(&self) -> u64 {
        self.fractional + self.integral + self.boolean + self.string
    }

    /// The column type these counts decide (§2.2, Deequ's `determineType`).
    pub fn column_type(&self) -> ColumnType {
        if self.present() == 0 {
            ColumnType::Unknown
        } else if self.string > 0 || (self.boolean > 0 && self.integral + self.fractional > 0) {
            ColumnType::String
        } else if self.boolean > 0 {
            ColumnType::Boolean
        } else if self.fractional > 0 {
            ColumnType::Fractional
        } else {
            ColumnType::Integral
        }
    }

    /// Non-null cells that satisfy an expected type (§2.6 `data_type_check`): Integral ← Integral;
    /// Fractional ← Fractional or Integral; String ← anything; Unknown ← nothing is checked.
    pub fn matching(&self, expected: InferredType) -> u64 {
        match expected {
            InferredType::Integral => self.integral,
            InferredType::Fractional => self.fractional + self.integral,
            InferredType::String | InferredType::Unknown => self.present(),
        }
    }
}

/// A column's type as Deequ decides it, Boolean included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Every cell null.
    Unknown,
    /// Any String cell, or Booleans mixed with numbers.
    String,
    /// Only Booleans (and nulls).
    Boolean,
    /// Numbers, at least one Fractional.
    Fractional,
    /// Only Integral numbers.
    Integral,
}

impl ColumnType {
    /// The `inferred_type` written to statistics/constraints. Model Monitor documents no Boolean type,
    /// so Boolean columns are written as String and their values treated as categories (§2.2, [ours]).
    pub fn inferred_type(self) -> InferredType {
        match self {
            ColumnType::Unknown => InferredType::Unknown,
            ColumnType::String | ColumnType::Boolean => InferredType::String,
            ColumnType::Fractional => InferredType::Fractional,
            ColumnType::Integral => InferredType::Integral,
        }
    }
}

/// The `inferred_type` of statistics.json and constraints.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InferredType {
    /// Whole numbers.
    Integral,
    /// Numbers with a fraction or an exponent (Integral values also satisfy it).
    Fractional,
    /// Text, and Boolean columns.
    String,
    /// No non-null value was seen.
    Unknown,
}

impl InferredType {
    /// True for Integral and Fractional.
    pub fn is_numeric(self) -> bool {
        matches!(self, InferredType::Integral | InferredType::Fractional)
    }

    /// The spelling used in files and descriptions.
    pub fn as_str(self) -> &'static str {
        match self {
            InferredType::Integral => "Integral",
            InferredType::Fractional => "Fractional",
            InferredType::String => "String",
            InferredType::Unknown => "Unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_examples_classify_as_stated() {
        for s in [" 5", "- 6", "+4", "0", "-12"] {
            assert_eq!(classify(s), ValueClass::Integral, "{s:?}");
        }
        for s in ["1e5", "1E-3", "-0.0", "2.5", "+ 3.25e+2"] {
            assert_eq!(classify(s), ValueClass::Fractional, "{s:?}");
        }
        for s in ["1.", ".5", "NaN", "TRUE", "0x10", "", "-", "1e", "1.5e", "5 ", "  5", "١٢"] {
            assert_eq!(classify(s), ValueClass::String, "{s:?}");
        }
        assert_eq!(classify("true"), ValueClass::Boolean);
        assert_eq!(classify("false"), ValueClass::Boolean);
    }

    #[test]
    fn numeric_text_parses_with_the_space_after_the_sign() {
        assert_eq!(parse_numeric("- 6"), -6.0);
        assert_eq!(parse_numeric("+ 3.25e+2"), 325.0);
        assert_eq!(parse_numeric(" 5"), 5.0);
        assert_eq!(parse_numeric("1E-3"), 0.001);
    }

    #[test]
    fn column_type_follows_deequ_determine_type() {
        let t = |fractional, integral, boolean, string, unknown| {
            TypeCounts { unknown, fractional, integral, boolean, string }.column_type()
        };
        assert_eq!(t(0, 0, 0, 0, 5), ColumnType::Unknown);
        assert_eq!(t(3, 3, 0, 1, 0), ColumnType::String);
        assert_eq!(t(0, 3, 1, 0, 0), ColumnType::String);
        assert_eq!(t(0, 0, 4, 0, 1), ColumnType::Boolean);
        assert_eq!(t(1, 9, 0, 0, 0), ColumnType::Fractional);
        assert_eq!(t(0, 9, 0, 0, 3), ColumnType::Integral);
        assert_eq!(ColumnType::Boolean.inferred_type(), InferredType::String);
    }
}
