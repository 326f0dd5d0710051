//! Shared helpers of the integration tests: building batches from cell texts.
#![allow(dead_code)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

/// A batch of text columns; `None` is a null cell.
pub fn text_batch(columns: &[(&str, Vec<Option<&str>>)]) -> RecordBatch {
    let fields: Vec<Field> = columns.iter().map(|(n, _)| Field::new(*n, DataType::Utf8, true)).collect();
    let arrays: Vec<ArrayRef> =
        columns.iter().map(|(_, cells)| Arc::new(StringArray::from(cells.clone())) as ArrayRef).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

/// A batch of one Float64 column.
pub fn float_batch(name: &str, values: &[f64]) -> RecordBatch {
    let schema = Schema::new(vec![Field::new(name, DataType::Float64, true)]);
    RecordBatch::try_new(Arc::new(schema), vec![Arc::new(Float64Array::from(values.to_vec())) as ArrayRef])
        .unwrap()
}

/// A deterministic pseudo-random stream (SplitMix64) for test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}
