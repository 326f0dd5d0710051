//! A validated sensor reading: the unit of data that flows from ingest to curation.

use std::collections::BTreeMap;

use crate::units::Unit;

/// How far a reading can be trusted, following OPC UA's three status classes so that values coming from
/// an OPC UA gateway keep their meaning. Serialises as its wire spelling (see [`Quality::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    #[default]
    Good,
    Uncertain,
    Bad,
}

impl Quality {
    /// The spelling used on the wire and in curated data.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Uncertain => "uncertain",
            Quality::Bad => "bad",
        }
    }

    /// Parses the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "good" => Some(Quality::Good),
            "uncertain" => Some(Quality::Uncertain),
            "bad" => Some(Quality::Bad),
            _ => None,
        }
    }
}

/// A reading that passed validation. Its timestamp is held as UTC epoch milliseconds: the pipeline's
/// precision, and the key (with asset and sensor) on which curation deduplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub asset_id: String,
    pub sensor_id: String,
    pub ts_ms: i64,
    pub value: f64,
    pub unit: &'static Unit,
    pub quality: Quality,
    pub attributes: BTreeMap<String, String>,
}

impl Reading {
    /// The timestamp as RFC 3339 UTC with milliseconds, the one spelling the pipeline writes.
    pub fn ts_rfc3339(&self) -> String {
        format_ts_ms(self.ts_ms)
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_ts_ms(ts_ms: i64) -> String {
    let mut out = String::with_capacity(24);
    write_ts_ms(&mut out, ts_ms);
    out
}

/// Appends `ts_ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (years 0000–9999; anything else as the bare number).
///
/// Hand-rolled civil-date arithmetic (Howard Hinnant's `civil_from_days`) instead of chrono's formatter:
/// ingest writes this for every reading, and the general formatter was a fifth of its time.
pub fn write_ts_ms(out: &mut String, ts_ms: i64) {
    const MIN: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    if !(MIN..=MAX).contains(&ts_ms) {
        out.push_str(&ts_ms.to_string());
        return;
    }
    let days = ts_ms.div_euclid(86_400_000);
    let ms_of_day = ts_ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    let digits = |out: &mut String, v: i64, width: u32| {
        for p in (0..width).rev() {
            out.push(char::from(b'0' + ((v / 10_i64.pow(p)) % 10) as u8));
        }
    };
    digits(out, y, 4);
    out.push('-');
    digits(out, m, 2);
    out.push('-');
    digits(out, d, 2);
    out.push('T');
    digits(out, h, 2);
    out.push(':');
    digits(out, min, 2);
    out.push(':');
    digits(out, s, 2);
    out.push('.');
    digits(out, ms, 3);
    out.push('Z');
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, SecondsFormat, Utc};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn formatting_matches_chrono(ts in -62_167_219_200_000i64..253_402_300_799_999) {
            let want = DateTime::<Utc>::from_timestamp_millis(ts).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true);
            prop_assert_eq!(format_ts_ms(ts), want);
        }
    }

    #[test]
    fn quality_serialises_as_its_wire_spelling() {
        for q in [Quality::Good, Quality::Uncertain, Quality::Bad] {
            assert_eq!(serde_json::to_value(q).unwrap(), q.as_str());
            assert_eq!(Quality::parse(q.as_str()), Some(q));
        }
    }
}
