//! Timestamp parsing for raw lines: a fast path for the one spelling the pipeline writes, and chrono for
//! every other RFC 3339 form.
//!
//! Ingest always writes `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 bytes), and parsing it is a large share of
//! curation's time when done through a general RFC 3339 parser. The fast path accepts exactly that
//! layout and otherwise defers to chrono, so the two can never disagree on what a timestamp means.

use twinpipe_domain::validate::parse_rfc3339_ms;

const MS_PER_DAY: i64 = 86_400_000;

/// Parses an RFC 3339 timestamp with an offset into UTC epoch milliseconds (sub-millisecond digits
/// truncated); `None` when it is not RFC 3339.
pub(crate) fn parse_ts_ms(text: &str) -> Option<i64> {
    parse_canonical(text.as_bytes()).or_else(|| parse_rfc3339_ms(text))
}

/// The fast path: exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` with a real calendar date and no leap second.
fn parse_canonical(b: &[u8]) -> Option<i64> {
    let layout_ok = b.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z';
    if !layout_ok {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let milli = digits(&b[20..23])?;
    let date_ok = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    if !date_ok || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds_of_day = hour * 3600 + minute * 60 + second;
    Some(days_from_civil(year, month, day) * MS_PER_DAY + seconds_of_day * 1000 + milli)
}

/// The decimal value of a run of ASCII digits; `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        let d = c.wrapping_sub(b'0');
        (d < 10).then_some(acc * 10 + i64::from(d))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canonical_form_takes_the_fast_path() {
        assert_eq!(parse_canonical(b"1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_canonical(b"2024-06-01T00:00:00.250Z"), Some(1_717_200_000_250));
        assert_eq!(parse_canonical(b"2024-02-29T23:59:59.999Z"), Some(1_709_251_199_999));
        assert_eq!(parse_canonical(b"1969-12-31T23:59:59.999Z"), Some(-1));
    }

    #[test]
    fn invalid_dates_leave_the_fast_path() {
        for s in [
            "2023-02-29T00:00:00.000Z",
            "2024-13-01T00:00:00.000Z",
            "2024-06-01T24:00:00.000Z",
            "2024-06-01T00:00:60.000Z",
        ] {
            assert_eq!(parse_canonical(s.as_bytes()), None, "{s}");
        }
        assert_eq!(parse_ts_ms("2023-02-29T00:00:00.000Z"), None);
    }

    #[test]
    fn other_rfc3339_forms_fall_back_to_chrono() {
        assert_eq!(parse_ts_ms("2024-06-01T02:00:00.250+02:00"), Some(1_717_200_000_250));
        assert_eq!(parse_ts_ms("2024-06-01T00:00:00Z"), Some(1_717_200_000_000));
        assert_eq!(parse_ts_ms("2024-06-01t00:00:00.250123z"), Some(1_717_200_000_250));
        assert_eq!(parse_ts_ms("2024-06-01T00:00:00.250"), None);
        assert_eq!(parse_ts_ms("yesterday"), None);
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_chrono(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            let text = twinpipe_domain::reading::format_ts_ms(ms);
            prop_assert_eq!(parse_canonical(text.as_bytes()), Some(ms));
            prop_assert_eq!(parse_rfc3339_ms(&text), Some(ms));
        }
    }
}
