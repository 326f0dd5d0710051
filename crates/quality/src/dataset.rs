//! Datasets as the monitor reads them: CSV, JSON Lines or Parquet bytes → Arrow record batches.
//!
//! CSV and JSON Lines become text columns: every cell keeps its original text and is typed later from
//! that text (quality-monitoring.md §1.3); an empty CSV field and JSON `null` (or a missing key) are null.
//! Parquet keeps its column types, which the profile maps onto the same classes.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::QualityError;

/// A dataset file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetFormat {
    /// Comma-separated values (RFC 4180 quoting).
    Csv,
    /// One JSON object per line.
    JsonLines,
    /// Apache Parquet.
    Parquet,
}

impl DatasetFormat {
    /// The format a file name says: `.csv`; `.jsonl`, `.ndjson`, `.json`; `.parquet`, `.pq`.
    pub fn from_path(path: &Path) -> Option<DatasetFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(DatasetFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(DatasetFormat::JsonLines),
            "parquet" | "pq" => Some(DatasetFormat::Parquet),
            _ => None,
        }
    }
}

/// Where CSV column names come from (§1.3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CsvHeader {
    /// The first row holds the names.
    #[default]
    FirstRow,
    /// No header row; these names, in order.
    Names(Vec<String>),
    /// No header row; SageMaker's names `_c0`, `_c1`, ….
    Generated,
}

/// Reads a dataset into record batches. Errors name the line and what to fix (ragged rows, duplicate
/// column names, lines that are not JSON objects).
pub fn read_dataset(
    bytes: impl Into<Bytes>,
    format: DatasetFormat,
    header: &CsvHeader,
) -> Result<Vec<RecordBatch>, QualityError> {
    let bytes: Bytes = bytes.into();
    match format {
        DatasetFormat::Csv => read_csv(&bytes, header).map(|b| vec![b]),
        DatasetFormat::JsonLines => read_json_lines(&bytes).map(|b| vec![b]),
        DatasetFormat::Parquet => read_parquet(bytes),
    }
}

/// The column names of a batch list (the first batch's schema).
pub fn column_names(batches: &[RecordBatch]) -> Vec<String> {
    batches
        .first()
        .map(|b| b.schema().fields().iter().map(|f| f.name().clone()).collect())
        .unwrap_or_default()
}

fn read_csv(bytes: &[u8], header: &CsvHeader) -> Result<RecordBatch, QualityError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let csv_err = |e: csv::Error| QualityError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        reason: e.to_string(),
    };
    let mut names: Option<Vec<String>> = match header {
        CsvHeader::FirstRow => match records.next() {
            Some(r) => Some(
                r.map_err(csv_err)?.iter().map(|f| String::from_utf8_lossy(f).trim().to_owned()).collect(),
            ),
            None => return Err(QualityError::Unusable("the CSV file is empty: it has no header row".into())),
        },
        CsvHeader::Names(n) => Some(n.clone()),
        CsvHeader::Generated => None,
    };
    let mut columns: Vec<StringBuilder> = names.iter().flatten().map(|_| StringBuilder::new()).collect();
    let mut rows = 0usize;
    for record in records {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(0, |p| p.line());
        let expected =
            names.get_or_insert_with(|| (0..record.len()).map(|i| format!("_c{i}")).collect()).len();
        if columns.is_empty() {
            columns = (0..expected).map(|_| StringBuilder::new()).collect();
        }
        if record.len() != expected {
            return Err(QualityError::MismatchedRow { line, expected, found: record.len() });
        }
        for (builder, field) in columns.iter_mut().zip(record.iter()) {
            if field.is_empty() {
                builder.append_null();
            } else {
                let text = std::str::from_utf8(field)
                    .map_err(|_| QualityError::Csv { line, reason: "a field is not valid UTF-8".into() })?;
                builder.append_value(text);
            }
        }
        rows += 1;
    }
    let names = names.unwrap_or_default();
    text_batch(names, columns, rows)
}

fn text_batch(
    names: Vec<String>,
    mut columns: Vec<StringBuilder>,
    rows: usize,
) -> Result<RecordBatch, QualityError> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(QualityError::DuplicateColumn { name: name.clone() });
        }
    }
    columns.resize_with(names.len(), StringBuilder::new);
    let fields: Vec<Field> = names.iter().map(|n| Field::new(n, DataType::Utf8, true)).collect();
    let arrays: Vec<ArrayRef> = columns
        .iter_mut()
        .map(|b| {
            while b.len() < rows {
                b.append_null();
            }
            Arc::new(b.finish()) as ArrayRef
        })
        .collect();
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|e| QualityError::Unusable(format!("could not assemble the dataset: {e}")))
}

/// One JSON Lines object as (key, raw value text) pairs in document order.
struct LineObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for LineObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = LineObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    pairs.push((k, v));
                }
                Ok(LineObject(pairs))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The text of a JSON scalar as a cell: strings unquoted, numbers exactly as written, booleans as
/// `true`/`false`, `null` as null, arrays and objects as their compact JSON.
fn cell_text(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).ok(),
        Some(b'n') if text == "null" => None,
        _ => Some(text.to_owned()),
    }
}

fn read_json_lines(bytes: &[u8]) -> Result<RecordBatch, QualityError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| QualityError::JsonLine { line: 0, reason: format!("the file is not UTF-8 ({e})") })?;
    let mut names: Vec<String> = Vec::new();
    let mut columns: Vec<StringBuilder> = Vec::new();
    let mut rows = 0usize;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let object: LineObject = serde_json::from_str(line)
            .map_err(|e| QualityError::JsonLine { line: i as u64 + 1, reason: e.to_string() })?;
        let mut seen = vec![false; names.len()];
        for (key, raw) in object.0 {
            let idx = match names.iter().position(|n| *n == key) {
                Some(idx) => idx,
                None => {
                    names.push(key);
                    let mut b = StringBuilder::new();
                    (0..rows).for_each(|_| b.append_null());
                    columns.push(b);
                    seen.push(false);
                    names.len() - 1
                }
            };
            if seen[idx] {
                return Err(QualityError::JsonLine {
                    line: i as u64 + 1,
                    reason: format!("key '{}' appears twice", names[idx]),
                });
            }
            seen[idx] = true;
            columns[idx].append_option(cell_text(raw));
        }
        for (idx, was_seen) in seen.iter().enumerate() {
            if !was_seen {
                columns[idx].append_null();
            }
        }
        rows += 1;
    }
    text_batch(names, columns, rows)
}

fn read_parquet(bytes: Bytes) -> Result<Vec<RecordBatch>, QualityError> {
    let parquet_err = |e: &dyn std::fmt::Display| QualityError::Parquet { reason: e.to_string() };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .map_err(|e| parquet_err(&e))?
        .with_batch_size(65_536)
        .build()
        .map_err(|e| parquet_err(&e))?;
    reader.map(|b| b.map_err(|e| parquet_err(&e))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;

    fn csv(text: &str, header: CsvHeader) -> Result<RecordBatch, QualityError> {
        read_dataset(Bytes::from(text.to_owned()), DatasetFormat::Csv, &header).map(|mut b| b.remove(0))
    }

    #[test]
    fn csv_cells_keep_their_text_and_empty_fields_are_null() {
        let b = csv("a,b\n 5,\"x,y\"\n,1e5\n", CsvHeader::FirstRow).unwrap();
        let a = b.column(0).as_string::<i32>();
        assert_eq!(a.value(0), " 5");
        assert!(a.is_null(1));
        assert_eq!(b.column(1).as_string::<i32>().value(0), "x,y");
    }

    #[test]
    fn headerless_csv_gets_sagemaker_names() {
        let b = csv("1,2\n3,4\n", CsvHeader::Generated).unwrap();
        assert_eq!(column_names(&[b]), vec!["_c0", "_c1"]);
    }

    #[test]
    fn ragged_rows_and_duplicate_names_are_errors_that_say_where() {
        let e = csv("a,b\n1,2\n3\n", CsvHeader::FirstRow).unwrap_err();
        assert!(matches!(e, QualityError::MismatchedRow { line: 3, expected: 2, found: 1 }), "{e}");
        let e = csv("a,a\n1,2\n", CsvHeader::FirstRow).unwrap_err();
        assert!(matches!(e, QualityError::DuplicateColumn { .. }), "{e}");
    }

    #[test]
    fn json_lines_keep_number_text_and_union_keys() {
        let text = "{\"x\": 1e5, \"s\": \"RUN\"}\n\n{\"s\": null, \"flag\": true, \"o\": {\"k\": [1, 2]}}\n";
        let b = read_dataset(Bytes::from(text), DatasetFormat::JsonLines, &CsvHeader::FirstRow)
            .unwrap()
            .remove(0);
        assert_eq!(column_names(std::slice::from_ref(&b)), vec!["x", "s", "flag", "o"]);
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.column(0).as_string::<i32>().value(0), "1e5");
        assert!(b.column(0).is_null(1));
        assert!(b.column(1).is_null(1));
        assert_eq!(b.column(2).as_string::<i32>().value(1), "true");
        assert_eq!(b.column(3).as_string::<i32>().value(1), "{\"k\": [1, 2]}");
    }

    #[test]
    fn a_json_line_that_is_not_an_object_names_its_line() {
        let e =
            read_dataset(Bytes::from("{\"a\":1}\n[1,2]\n"), DatasetFormat::JsonLines, &CsvHeader::FirstRow)
                .unwrap_err();
        assert!(matches!(e, QualityError::JsonLine { line: 2, .. }), "{e}");
    }
}
