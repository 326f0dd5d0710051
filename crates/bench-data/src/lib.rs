//! The peer benchmarks' data set, in one place.
//!
//! Both peer benchmarks (shared/specs/peer-benchmarks.md) time twinpipe and its peer on the very same
//! bytes: curation reads these readings as NDJSON (`twinpipe-curation`'s bench and `gen_ndjson` example,
//! and the pyarrow peer), ingest reads the first 10,000 of them as SQS message bodies
//! (`twinpipe-ingest`'s `gen_ingest_event` example, and the Powertools peer). One generator keeps the two
//! data sets from drifting apart.
//!
//! Readings are in the shape of the curation peer's explicit schema (asset_id, sensor_id, ts, value,
//! unit, no other field): assets `pump-0..49` and sensors `s-0..7` in rotation, `ts` advancing 250 ms per
//! reading from 2024-06-01T00:00:00Z (RFC 3339 UTC, milliseconds, `Z`), values ~N(50, 10) written with
//! four decimals, each sensor with one of six units from `twinpipe_domain::units::UNITS` (so every reading
//! passes validation). The random source is a fixed SplitMix64 with Box–Muller, written out here so that
//! the data never changes with a dependency's version.

use std::fmt::Write as _;

/// 2024-06-01T00:00:00Z in epoch milliseconds: the first reading's timestamp.
pub const START_MS: i64 = 1_717_200_000_000;
/// The step between consecutive readings' timestamps.
pub const STEP_MS: i64 = 250;
/// Assets `pump-0..ASSETS`.
pub const ASSETS: usize = 50;
/// Sensors `s-0..SENSORS`.
pub const SENSORS: usize = 8;
/// Sensor `s-k` reads in `UNITS[k % 6]`.
pub const UNITS: [&str; 6] = ["degC", "kPa", "rpm", "mm/s", "A", "V"];

/// The seed of the published figures.
pub const SEED: u64 = 20_240_601;

/// One generated reading.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerReading {
    /// `pump-{asset}`.
    pub asset: usize,
    /// `s-{sensor}`.
    pub sensor: usize,
    /// Epoch milliseconds.
    pub ts_ms: i64,
    pub value: f64,
    pub unit: &'static str,
}

impl PeerReading {
    /// Appends the reading as a compact JSON object (no trailing newline):
    /// `{"asset_id":"pump-3","sensor_id":"s-0","ts":"…","value":51.2345,"unit":"degC"}`.
    /// `value_json`, when given, is written verbatim in place of the value (e.g. `"\"n/a\""` for a fault).
    pub fn write_json(&self, out: &mut String, value_json: Option<&str>) {
        let _ = write!(
            out,
            "{{\"asset_id\":\"pump-{}\",\"sensor_id\":\"s-{}\",\"ts\":\"",
            self.asset, self.sensor
        );
        twinpipe_domain::reading::write_ts_ms(out, self.ts_ms);
        out.push_str("\",\"value\":");
        match value_json {
            Some(text) => out.push_str(text),
            None => {
                let _ = write!(out, "{:.4}", self.value);
            }
        }
        let _ = write!(out, ",\"unit\":\"{}\"}}", self.unit);
    }
}

/// The endless sequence of readings for `seed`; `SEED` gives the published data set.
pub fn peer_readings(seed: u64) -> impl Iterator<Item = PeerReading> {
    let mut rng = SplitMix64(seed);
    (0usize..).map(move |i| {
        let sensor = (i / ASSETS) % SENSORS;
        PeerReading {
            asset: i % ASSETS,
            sensor,
            ts_ms: START_MS + STEP_MS * i as i64,
            value: 50.0 + 10.0 * rng.standard_normal(),
            unit: UNITS[sensor % UNITS.len()],
        }
    })
}

/// The first `rows` readings as NDJSON, each line ending in `\n`.
pub fn ndjson(rows: usize, seed: u64) -> String {
    let mut out = String::with_capacity(rows * 104);
    for reading in peer_readings(seed).take(rows) {
        reading.write_json(&mut out, None);
        out.push('\n');
    }
    out
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_rows_are_the_published_ones() {
        let text = ndjson(51, SEED);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 51);
        assert_eq!(
            lines[0],
            r#"{"asset_id":"pump-0","sensor_id":"s-0","ts":"2024-06-01T00:00:00.000Z","value":31.9700,"unit":"degC"}"#
        );
        assert_eq!(
            lines[50],
            r#"{"asset_id":"pump-0","sensor_id":"s-1","ts":"2024-06-01T00:00:12.500Z","value":53.8010,"unit":"kPa"}"#
        );
    }

    #[test]
    fn value_override_is_written_verbatim() {
        let reading = peer_readings(SEED).next().expect("endless");
        let mut out = String::new();
        reading.write_json(&mut out, Some("\"n/a\""));
        assert!(out.contains(",\"value\":\"n/a\",\"unit\":\"degC\"}"), "{out}");
    }
}
