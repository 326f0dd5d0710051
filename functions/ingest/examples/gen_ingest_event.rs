//! Writes the ingest benchmark events (shared/specs/peer-benchmarks.md §1), so that the Rust example
//! (`ingest_throughput`) and the Powertools peer (`scripts/bench/ingest_peer.py`) read the very same bytes.
//! Usage: `gen_ingest_event OUT_DIR` → `OUT_DIR/sqs-ingest-clean.json` and `OUT_DIR/sqs-ingest-faults.json`.
//!
//! Each event is one SQS event of 100 records whose bodies are compact JSON arrays of 100 readings
//! (10,000 readings, ~1.26 MB). Readings: assets `pump-0..49` and sensors `s-0..7` in rotation, `ts`
//! advancing 250 ms per reading from 2024-06-01T00:00:00Z (RFC 3339 UTC, milliseconds, `Z`), values
//! ~N(50, 10) with four decimals, each sensor with one of six units from the unit table. These are the first
//! 10,000 rows of the curation benchmark's data set (same SplitMix64 seed and Box–Muller draws). Every
//! record carries every field a real SQS event has (Powertools' `SqsRecordModel` requires them all),
//! including a genuine `md5OfBody`.
//!
//! The "faults" event differs in two ways: in messages 5, 15, …, 95 reading 42 has `"value":"n/a"`, and
//! message 17's body is `this is not json`.

use std::fmt::Write as _;

/// 2024-06-01T00:00:00Z in epoch milliseconds: the first reading.
const START_MS: i64 = 1_717_200_000_000;
const STEP_MS: i64 = 250;
const MESSAGES: usize = 100;
const READINGS_PER_MESSAGE: usize = 100;
const ASSETS: usize = 50;
const SENSORS: usize = 8;
/// Symbols from `twinpipe_domain::units::UNITS`, so that every reading passes our validation.
const UNITS: [&str; 6] = ["degC", "kPa", "rpm", "mm/s", "A", "V"];
/// The curation benchmark's seed (crates/curation/benches/support/peer_ndjson.rs).
const SEED: u64 = 20_240_601;
/// The message whose body is not JSON in the faults event.
const NOT_JSON_MESSAGE: usize = 17;
/// The reading given `"value":"n/a"` in every tenth message of the faults event.
const BAD_READING: usize = 42;
const QUEUE_ARN: &str = "arn:aws:sqs:eu-west-1:123456789012:twinpipe-ingest";
const REGION: &str = "eu-west-1";

fn main() -> std::io::Result<()> {
    let out_dir = std::env::args()
        .nth(1)
        .expect("usage: gen_ingest_event OUT_DIR");
    let out_dir = std::path::Path::new(&out_dir);
    std::fs::create_dir_all(out_dir)?;
    for (name, faults) in [
        ("sqs-ingest-clean.json", false),
        ("sqs-ingest-faults.json", true),
    ] {
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
    let mut rng = SplitMix64(SEED);
    let mut records = Vec::with_capacity(MESSAGES);
    for m in 0..MESSAGES {
        let mut body = String::with_capacity(READINGS_PER_MESSAGE * 104);
        body.push('[');
        for r in 0..READINGS_PER_MESSAGE {
            let i = m * READINGS_PER_MESSAGE + r;
            let asset = i % ASSETS;
            let sensor = (i / ASSETS) % SENSORS;
            let ts = twinpipe_domain::reading::format_ts_ms(START_MS + STEP_MS * i as i64);
            // Drawn for every reading, so that a fault never shifts its neighbours' values.
            let value = 50.0 + 10.0 * rng.standard_normal();
            let value = if faults && m % 10 == 5 && r == BAD_READING {
                "\"n/a\"".to_owned()
            } else {
                format!("{value:.4}")
            };
            let unit = UNITS[sensor % UNITS.len()];
            if r > 0 {
                body.push(',');
            }
            let _ = write!(
                body,
                "{{\"asset_id\":\"pump-{asset}\",\"sensor_id\":\"s-{sensor}\",\"ts\":\"{ts}\",\"value\":{value},\"unit\":\"{unit}\"}}"
            );
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

/// SplitMix64 (Steele, Lea, Flood 2014), as in the curation benchmark's generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit_interval(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// One standard normal draw (Box–Muller, cosine branch).
    fn standard_normal(&mut self) -> f64 {
        let (u1, u2) = (self.unit_interval(), self.unit_interval());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// MD5 (RFC 1321) as lowercase hex: SQS's `md5OfBody`. Written out to keep the example dependency-free.
fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for chunk in msg.chunks_exact(64) {
        let w: Vec<u32> = chunk
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(k[i])
                .wrapping_add(w[g])
                .rotate_left(S[i]);
            (a, d, c) = (d, c, b);
            b = b.wrapping_add(rotated);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter()
        .flat_map(|x| x.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}
