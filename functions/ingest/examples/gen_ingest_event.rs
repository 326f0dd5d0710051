//! Writes the ingest benchmark events (shared/specs/peer-benchmarks.md §1), so that the Rust example
//! (`ingest_throughput`) and the Powertools peer (`scripts/bench/ingest_peer.py`) read the very same bytes.
//! Usage: `gen_ingest_event OUT_DIR` → `OUT_DIR/sqs-ingest-clean.json` and `OUT_DIR/sqs-ingest-faults.json`.
//!
//! Each event is one SQS event of 100 records whose bodies are compact JSON arrays of 100 readings
//! (10,000 readings, ~1.26 MB). Readings: assets `pump-0..49` and sensors `s-0..7` in rotation, `ts`
//! advancing 250 ms per reading from 2024-06-01T00:00:00Z (RFC 3339 UTC, milliseconds, `Z`), values
//! ~N(50, 10) with four decimals, each sensor with one of six units from the unit table. These are the first
//! 10,000 rows of the curation benchmark's data set, from the same generator (`twinpipe-bench-data`). Every
//! record carries every field a real SQS event has (Powertools' `SqsRecordModel` requires them all),
//! including a genuine `md5OfBody`.
//!
//! The "faults" event differs in two ways: in messages 5, 15, …, 95 reading 42 has `"value":"n/a"`, and
//! message 17's body is `this is not json`.

use md5::{Digest as _, Md5};
use twinpipe_bench_data::{START_MS, STEP_MS};

const MESSAGES: usize = 100;
const READINGS_PER_MESSAGE: usize = 100;
/// The message whose body is not JSON in the faults event.
const NOT_JSON_MESSAGE: usize = 17;
/// The reading given `"value":"n/a"` in every tenth message of the faults event.
const BAD_READING: usize = 42;
const QUEUE_ARN: &str = "arn:aws:sqs:eu-west-1:123456789012:twinpipe-ingest";
const REGION: &str = "eu-west-1";

fn main() -> std::io::Result<()> {
    let out_dir = std::env::args().nth(1).expect("usage: gen_ingest_event OUT_DIR");
    let out_dir = std::path::Path::new(&out_dir);
    std::fs::create_dir_all(out_dir)?;
    for (name, faults) in [("sqs-ingest-clean.json", false), ("sqs-ingest-faults.json", true)] {
        let event = event(faults);
        let path = out_dir.join(name);
        std::fs::write(&path, &event)?;
        eprintln!(
            "wrote {} records, {} readings, {} bytes, to {}",
            MESSAGES,
            MESSAGES * READINGS_PER_MESSAGE,
            event.len(),
            path.display()
        );
    }
    Ok(())
}

/// The whole event as compact JSON.
fn event(faults: bool) -> String {
    // Every reading is drawn, faulty or not, so that a fault never shifts its neighbours' values.
    let mut readings = twinpipe_bench_data::peer_readings(twinpipe_bench_data::SEED);
    let mut records = Vec::with_capacity(MESSAGES);
    for m in 0..MESSAGES {
        let mut body = String::with_capacity(READINGS_PER_MESSAGE * 104);
        body.push('[');
        for (r, reading) in readings.by_ref().take(READINGS_PER_MESSAGE).enumerate() {
            if r > 0 {
                body.push(',');
            }
            let bad = faults && m % 10 == 5 && r == BAD_READING;
            reading.write_json(&mut body, bad.then_some("\"n/a\""));
        }
        body.push(']');
        if faults && m == NOT_JSON_MESSAGE {
            body = "this is not json".to_owned();
        }
        records.push(record(m, &body));
    }
    format!("{{\"Records\":[{}]}}", records.join(","))
}

/// One SQS record with every field Lambda delivers, in the order Lambda writes them. The message was
/// sent just after its last reading's timestamp and received shortly after.
fn record(m: usize, body: &str) -> String {
    let last_ts = START_MS + STEP_MS * ((m + 1) * READINGS_PER_MESSAGE) as i64;
    let sent = last_ts + 120;
    let received = sent + 35;
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        0x7a1c_0000 + m,
        m * 7,
        m,
        m * 3,
        0x5eed_0000_0000_u64 + m as u64
    );
    let receipt = format!(
        "AQEB{}/twinpipe+bench+receipt+handle+{m:03}+{}==",
        md5_hex(id.as_bytes()),
        md5_hex(body.as_bytes())
    );
    format!(
        concat!(
            "{{\"messageId\":\"{id}\",\"receiptHandle\":\"{receipt}\",\"body\":{body},",
            "\"attributes\":{{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"{sent}\",",
            "\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\",\"ApproximateFirstReceiveTimestamp\":\"{received}\"}},",
            "\"messageAttributes\":{{}},\"md5OfBody\":\"{md5}\",\"eventSource\":\"aws:sqs\",",
            "\"eventSourceARN\":\"{arn}\",\"awsRegion\":\"{region}\"}}"
        ),
        id = id,
        receipt = receipt,
        body = serde_json::to_string(body).expect("a string serialises"),
        sent = sent,
        received = received,
        md5 = md5_hex(body.as_bytes()),
        arn = QUEUE_ARN,
        region = REGION,
    )
}

/// MD5 as lowercase hex: SQS's `md5OfBody`.
fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}
