//! The benchmark data set, shared by the criterion bench and the `gen_ndjson` example so that the Rust
//! bench and the pyarrow peer read the very same bytes.
//!
//! Rows are in the shape of the peer's explicit schema (asset_id, sensor_id, ts, value, unit, no other
//! field): assets `pump-0..49` and sensors `s-0..7` in rotation, `ts` advancing 250 ms per row from
//! 2024-06-01T00:00:00Z, values ~N(50, 10) with four decimals, each sensor with one of six real units.
//! The random source is a fixed SplitMix64 with Box–Muller, written out here so the data never changes
//! with a dependency's version.

/// 2024-06-01T00:00:00Z in epoch milliseconds.
const START_MS: i64 = 1_717_200_000_000;
const STEP_MS: i64 = 250;
const ASSETS: usize = 50;
const SENSORS: usize = 8;
const UNITS: [&str; 6] = ["degC", "kPa", "rpm", "mm/s", "A", "V"];

/// The default seed of the published figures.
pub const SEED: u64 = 20_240_601;

/// `rows` NDJSON lines, each ending in `\n`.
pub fn generate(rows: usize, seed: u64) -> String {
    let mut rng = SplitMix64(seed);
    let mut out = String::with_capacity(rows * 104);
    for i in 0..rows {
        let asset = i % ASSETS;
        let sensor = (i / ASSETS) % SENSORS;
        let ts = twinpipe_domain::reading::format_ts_ms(START_MS + STEP_MS * i as i64);
        let value = 50.0 + 10.0 * rng.standard_normal();
        let unit = UNITS[sensor % UNITS.len()];
        out.push_str(&format!(
            "{{\"asset_id\":\"pump-{asset}\",\"sensor_id\":\"s-{sensor}\",\"ts\":\"{ts}\",\"value\":{value:.4},\"unit\":\"{unit}\"}}\n"
        ));
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
