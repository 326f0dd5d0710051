//! End-to-end behaviour of curation through the public API, reading the Parquet back with parquet's own
//! Arrow reader as a consumer would.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType};
use arrow_array::{Array, RecordBatch};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use proptest::prelude::*;
use twinpipe_curation::{
    Compression, CuratedFile, CurationError, ExistingKeys, curate, curate_with_existing, curated_schema,
};

const SOURCE: &str = "raw/date=2024-06-01/hour=00/abc.ndjson";

/// One curated row as read back, `value` as bits so rows compare exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    asset_id: String,
    sensor_id: String,
    ts: i64,
    value_bits: u64,
    unit: String,
    quality: String,
    attributes: Option<String>,
    source_object: String,
    ingested_at: Option<i64>,
}

impl Row {
    fn value(&self) -> f64 {
        f64::from_bits(self.value_bits)
    }
}

fn line(asset: &str, sensor: &str, ts: &str, value: f64, unit: &str) -> String {
    format!(
        r#"{{"asset_id":"{asset}","sensor_id":"{sensor}","ts":"{ts}","value":{value:?},"unit":"{unit}"}}"#
    )
}

fn read_batches(bytes: &Bytes) -> Vec<RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).unwrap().build().unwrap();
    reader.map(|b| b.unwrap()).collect()
}

fn read_rows(bytes: &Bytes) -> Vec<Row> {
    let mut out = Vec::new();
    for b in read_batches(bytes) {
        let s = |name: &str| b.column_by_name(name).unwrap().as_string::<i32>().clone();
        let t =
            |name: &str| b.column_by_name(name).unwrap().as_primitive::<TimestampMillisecondType>().clone();
        let (asset, sensor, unit, quality, attrs, source) =
            (s("asset_id"), s("sensor_id"), s("unit"), s("quality"), s("attributes"), s("source_object"));
        let (ts, ingested) = (t("ts"), t("ingested_at"));
        let value = b.column_by_name("value").unwrap().as_primitive::<Float64Type>().clone();
        for i in 0..b.num_rows() {
            out.push(Row {
                asset_id: asset.value(i).to_owned(),
                sensor_id: sensor.value(i).to_owned(),
                ts: ts.value(i),
                value_bits: value.value(i).to_bits(),
                unit: unit.value(i).to_owned(),
                quality: quality.value(i).to_owned(),
                attributes: attrs.is_valid(i).then(|| attrs.value(i).to_owned()),
                source_object: source.value(i).to_owned(),
                ingested_at: ingested.is_valid(i).then(|| ingested.value(i)),
            });
        }
    }
    out
}

fn all_rows(files: &[CuratedFile]) -> Vec<Row> {
    files.iter().flat_map(|f| read_rows(&f.bytes)).collect()
}

#[test]
fn fahrenheit_is_stored_as_celsius() {
    let text = line("pump-1", "t", "2024-06-01T00:00:00.000Z", 212.0, "degF");
    let out = curate(&text, SOURCE, Compression::default()).unwrap();
    let rows = all_rows(&out.files);
    assert_eq!(rows.len(), 1);
    assert!((rows[0].value() - 100.0).abs() < 1e-9, "{}", rows[0].value());
    assert_eq!(rows[0].unit, "degC");
}

#[test]
fn duplicates_within_a_file_are_dropped_first_occurrence_wins() {
    let text = [
        line("pump-1", "s", "2024-06-01T00:00:01.000Z", 1.0, "kPa"),
        line("pump-1", "s", "2024-06-01T00:00:00.000Z", 2.0, "kPa"),
        line("pump-1", "s", "2024-06-01T00:00:01.000Z", 3.0, "kPa"),
        // Same instant spelled with an offset: the same key.
        line("pump-1", "s", "2024-06-01T02:00:00.000+02:00", 4.0, "kPa"),
    ]
    .join("\n");
    let out = curate(&text, SOURCE, Compression::default()).unwrap();
    assert_eq!((out.rows_in, out.duplicates_dropped, out.rows_written()), (4, 2, 2));
    let values: Vec<(i64, f64)> = all_rows(&out.files).iter().map(|r| (r.ts, r.value())).collect();
    assert_eq!(values, [(1_717_200_000_000, 2.0), (1_717_200_001_000, 1.0)]);
}

#[test]
fn keys_already_curated_in_other_files_are_dropped() {
    let first = [
        line("a", "s", "2024-06-01T00:00:00.000Z", 1.0, "V"),
        line("a", "s", "2024-06-01T00:00:01.000Z", 1.0, "V"),
    ];
    let earlier = curate(&first.join("\n"), "raw/one.ndjson", Compression::default()).unwrap();
    let mut existing = ExistingKeys::new();
    let read = existing.extend_from_parquet(earlier.files[0].bytes.clone(), &earlier.files[0].key).unwrap();
    assert_eq!((read, existing.len()), (2, 2));
    assert!(existing.contains("a", "s", 1_717_200_001_000));

    let second = [
        line("a", "s", "2024-06-01T00:00:01.000Z", 9.0, "V"),
        line("a", "s", "2024-06-01T00:00:02.000Z", 2.0, "V"),
    ];
    let out =
        curate_with_existing(&second.join("\n"), "raw/two.ndjson", Compression::default(), |date, hour| {
            assert_eq!((date, hour), ("2024-06-01", "00"));
            Ok(existing.clone())
        })
        .unwrap();
    assert_eq!((out.duplicates_dropped, out.rows_written()), (1, 1));
    let rows = all_rows(&out.files);
    assert_eq!(
        (rows[0].ts, rows[0].value(), rows[0].source_object.as_str()),
        (1_717_200_002_000, 2.0, "raw/two.ndjson")
    );
}

#[test]
fn a_partition_whose_rows_all_exist_writes_nothing() {
    let text = line("a", "s", "2024-06-01T00:00:00.000Z", 1.0, "V");
    let mut existing = ExistingKeys::new();
    existing.insert("a", "s", 1_717_200_000_000);
    let out =
        curate_with_existing(&text, SOURCE, Compression::default(), |_, _| Ok(existing.clone())).unwrap();
    assert!(out.files.is_empty());
    assert_eq!(out.duplicates_dropped, 1);
}

#[test]
fn rows_split_at_the_hour_boundary() {
    let text = [
        line("b", "s", "2024-06-01T01:00:00.000Z", 2.0, "A"),
        line("a", "s", "2024-06-01T00:59:59.999Z", 1.0, "A"),
        line("c", "s", "2024-06-01T01:30:00.000Z", 3.0, "A"),
    ]
    .join("\n");
    let out = curate(&text, SOURCE, Compression::default()).unwrap();
    let keys: Vec<&str> = out.files.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].starts_with("curated/date=2024-06-01/hour=00/part-"), "{keys:?}");
    assert!(keys[1].starts_with("curated/date=2024-06-01/hour=01/part-"), "{keys:?}");
    let event = out.to_event("bucket", SOURCE);
    assert_eq!(event.objects[0].assets, ["a"]);
    assert_eq!(event.objects[1].assets, ["b", "c"]);
    assert_eq!(
        (event.objects[1].min_ts.as_str(), event.objects[1].max_ts.as_str()),
        ("2024-06-01T01:00:00.000Z", "2024-06-01T01:30:00.000Z")
    );
    assert_eq!(
        (event.rows_in, event.rows_written, event.min_ts.as_deref()),
        (3, 3, Some("2024-06-01T00:59:59.999Z"))
    );
    assert_eq!(read_rows(&out.files[1].bytes).len(), 2);
}

#[test]
fn output_bytes_are_deterministic() {
    let text = sample_text();
    for compression in [Compression::default(), Compression::Snappy] {
        let a = curate(&text, SOURCE, compression).unwrap();
        let b = curate(&text, SOURCE, compression).unwrap();
        let bytes =
            |c: &twinpipe_curation::Curated| c.files.iter().map(|f| f.bytes.clone()).collect::<Vec<_>>();
        assert_eq!(bytes(&a), bytes(&b), "{compression:?}");
    }
}

fn sample_text() -> String {
    [
        r#"{"asset_id":"pump-2","sensor_id":"s-1","ts":"2024-06-01T00:00:00.500Z","value":68.0,"unit":"degF","quality":"uncertain","attributes":{"site":"north","line":"2"},"ingested_at":"2024-06-01T00:00:05.000Z"}"#,
        "",
        r#"{"asset_id":"pump-1","sensor_id":"s-0","ts":"2024-06-01T00:00:00.250Z","value":101.325,"unit":"kPa"}"#,
        r#"{"asset_id":"pump-1","sensor_id":"s-0","ts":"2024-06-01T00:00:00.000Z","value":1.5,"unit":"bar","quality":"bad"}"#,
    ]
    .join("\n")
}

#[test]
fn parquet_round_trips_with_the_curated_schema() {
    let out = curate(&sample_text(), SOURCE, Compression::default()).unwrap();
    let [file] = out.files.as_slice() else { panic!("one hour, one file") };
    let batches = read_batches(&file.bytes);
    assert_eq!(batches[0].schema(), curated_schema());
    let rows = read_rows(&file.bytes);
    let summary: Vec<(&str, &str, i64, f64, &str, &str)> = rows
        .iter()
        .map(|r| {
            (r.asset_id.as_str(), r.sensor_id.as_str(), r.ts, r.value(), r.unit.as_str(), r.quality.as_str())
        })
        .collect();
    assert_eq!(summary[0], ("pump-1", "s-0", 1_717_200_000_000, 150.0, "kPa", "bad"));
    assert_eq!(summary[1], ("pump-1", "s-0", 1_717_200_000_250, 101.325, "kPa", "good"));
    assert_eq!((summary[2].0, summary[2].4, summary[2].5), ("pump-2", "degC", "uncertain"));
    assert!((summary[2].3 - 20.0).abs() < 1e-9);
    assert_eq!(rows[2].attributes.as_deref(), Some(r#"{"line":"2","site":"north"}"#));
    assert_eq!(rows[2].ingested_at, Some(1_717_200_005_000));
    assert_eq!((rows[0].attributes.as_deref(), rows[0].ingested_at), (None, None));
    assert!(rows.iter().all(|r| r.source_object == SOURCE));
}

#[test]
fn asset_id_is_dictionary_encoded_and_compression_is_as_asked() {
    use parquet::basic::{Compression as Codec, Encoding};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    for (asked, want) in [(Compression::default(), "ZSTD"), (Compression::Snappy, "SNAPPY")] {
        let out = curate(&sample_text(), SOURCE, asked).unwrap();
        let reader = SerializedFileReader::new(out.files[0].bytes.clone()).unwrap();
        let column = reader.metadata().row_group(0).column(0);
        assert_eq!(column.column_path().string(), "asset_id");
        assert!(
            column.encodings().any(|e| e == Encoding::RLE_DICTIONARY),
            "{:?}",
            column.encodings().collect::<Vec<_>>()
        );
        assert!(matches!(column.compression(), Codec::ZSTD(_) | Codec::SNAPPY));
        assert!(format!("{:?}", column.compression()).starts_with(want));
    }
}

#[test]
fn malformed_line_error_names_the_line() {
    let text = format!("{}\n\nnot json\n", line("a", "s", "2024-06-01T00:00:00.000Z", 1.0, "V"));
    let err = curate(&text, SOURCE, Compression::default()).unwrap_err();
    assert!(matches!(err, CurationError::MalformedLine { line: 3, .. }), "{err:?}");
    assert!(err.to_string().starts_with("line 3: "), "{err}");
}

#[test]
fn unknown_unit_error_names_the_line_and_the_unit() {
    let text = [
        line("a", "s", "2024-06-01T00:00:00.000Z", 1.0, "V"),
        line("a", "s", "2024-06-01T00:00:01.000Z", 1.0, "volts"),
    ]
    .join("\n");
    let err = curate(&text, SOURCE, Compression::default()).unwrap_err();
    assert!(err.to_string().starts_with("line 2: unit \"volts\" is not a known unit"), "{err}");
}

#[test]
fn keys_of_a_file_that_is_not_curation_output_are_refused_with_its_key() {
    let mut existing = ExistingKeys::new();
    let err =
        existing.extend_from_parquet(Bytes::from_static(b"not parquet"), "curated/x.parquet").unwrap_err();
    assert!(
        err.to_string().starts_with("curated object curated/x.parquet: cannot read it as Parquet"),
        "{err}"
    );
}

/// Curates `lines` in chunks, as separate raw objects in order, each deduplicated against the files the
/// earlier chunks wrote to the same partition.
fn curate_in_chunks(lines: &[String], chunk_sizes: &[usize]) -> Vec<Row> {
    let mut written: HashMap<(String, String), Vec<CuratedFile>> = HashMap::new();
    let mut start = 0usize;
    for (i, &size) in chunk_sizes.iter().chain(std::iter::once(&usize::MAX)).enumerate() {
        let end = start.saturating_add(size).min(lines.len());
        let source = format!("raw/chunk-{i}.ndjson");
        let out = curate_with_existing(
            &lines[start..end].join("\n"),
            &source,
            Compression::Snappy,
            |date, hour| {
                let mut keys = ExistingKeys::new();
                for f in written.get(&(date.to_owned(), hour.to_owned())).into_iter().flatten() {
                    keys.extend_from_parquet(f.bytes.clone(), &f.key)?;
                }
                Ok(keys)
            },
        )
        .unwrap();
        for f in out.files {
            written.entry((f.summary.date.clone(), f.summary.hour.clone())).or_default().push(f);
        }
        start = end;
    }
    written.values().flatten().flat_map(|f| read_rows(&f.bytes)).collect()
}

fn without_source(mut rows: Vec<Row>) -> Vec<Row> {
    for r in &mut rows {
        r.source_object.clear();
    }
    rows.sort();
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Curating an object whole or in consecutive chunks stores the same rows: each key once, with the
    /// value of its first occurrence.
    #[test]
    fn chunked_curation_stores_the_same_rows(
        readings in prop::collection::vec((0..3u8, 0..2u8, 0..6i64, -50..50i32, 0..3usize), 1..40),
        chunk_sizes in prop::collection::vec(1..10usize, 0..6),
    ) {
        let units = ["degC", "degF", "kPa"];
        let lines: Vec<String> = readings
            .iter()
            .map(|&(a, s, t, v, u)| {
                let ts = twinpipe_domain::reading::format_ts_ms(1_717_200_000_000 + t * 25 * 60_000);
                line(&format!("pump-{a}"), &format!("s-{s}"), &ts, f64::from(v) / 4.0, units[u])
            })
            .collect();
        let whole = curate(&lines.join("\n"), "raw/whole.ndjson", Compression::Snappy).unwrap();
        let whole_rows = all_rows(&whole.files);
        let chunked_rows = curate_in_chunks(&lines, &chunk_sizes);
        prop_assert_eq!(without_source(chunked_rows), without_source(whole_rows.clone()));
        prop_assert_eq!(whole.rows_in as usize, lines.len());
        prop_assert_eq!(whole.rows_written() + whole.duplicates_dropped, whole.rows_in);
    }
}
