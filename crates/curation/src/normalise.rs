//! Unit normalisation: every value converted to the canonical unit of its quantity.
//!
//! Curated data holds one unit per quantity so that consumers never convert, and a model trained on an
//! asset reporting °C applies to one reporting °F. Each distinct spelling is looked up in the unit table
//! once per object, not once per row.

use twinpipe_domain::Unit;
use twinpipe_domain::units::known_symbols;

use crate::error::CurationError;
use crate::raw_reader::RawBatch;

/// A raw batch whose values are in canonical units, ready to partition.
#[derive(Debug, Clone)]
pub struct NormalisedBatch<'a> {
    pub(crate) raw: RawBatch<'a>,
    /// Canonical symbol per unit id of `raw.units`.
    pub(crate) canonical_symbol: Vec<&'static str>,
    /// Sort position per asset id and per sensor id (byte-wise string order).
    pub(crate) asset_rank: Vec<u32>,
    pub(crate) sensor_rank: Vec<u32>,
}

impl<'a> NormalisedBatch<'a> {
    /// Number of readings, duplicates included.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are no readings.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    pub(crate) fn asset(&self, row: u32) -> &str {
        self.raw.assets.get(self.raw.rows.asset[row as usize])
    }

    pub(crate) fn sensor(&self, row: u32) -> &str {
        self.raw.sensors.get(self.raw.rows.sensor[row as usize])
    }

    pub(crate) fn unit(&self, row: u32) -> &'static str {
        self.canonical_symbol[self.raw.rows.unit[row as usize] as usize]
    }

    /// Sort key of a row's series: asset rank then sensor rank, packed so that it compares as one integer.
    pub(crate) fn series_key(&self, row: u32) -> u64 {
        let rows = &self.raw.rows;
        let asset = self.asset_rank[rows.asset[row as usize] as usize];
        let sensor = self.sensor_rank[rows.sensor[row as usize] as usize];
        (u64::from(asset) << 32) | u64::from(sensor)
    }
}

/// Converts every value to its canonical unit, failing on the first line whose unit is not in the table.
pub fn normalise(mut raw: RawBatch<'_>) -> Result<NormalisedBatch<'_>, CurationError> {
    let units = resolve_units(&raw)?;
    convert_values(&mut raw.rows.value, &raw.rows.unit, &units);
    Ok(NormalisedBatch {
        canonical_symbol: units.iter().map(|u| u.canonical().symbol).collect(),
        asset_rank: raw.assets.sort_ranks(),
        sensor_rank: raw.sensors.sort_ranks(),
        raw,
    })
}

/// The table entry of each distinct unit spelling, by unit id.
fn resolve_units(raw: &RawBatch<'_>) -> Result<Vec<&'static Unit>, CurationError> {
    raw.units
        .values()
        .iter()
        .zip(&raw.unit_first_line)
        .map(|(spelling, &line)| {
            Unit::parse(spelling).ok_or_else(|| CurationError::UnknownUnit {
                line,
                unit: spelling.to_string(),
                known: known_symbols().collect::<Vec<_>>().join(", "),
            })
        })
        .collect()
}

fn convert_values(values: &mut [f64], unit_ids: &[u32], units: &[&'static Unit]) {
    if units.iter().all(|u| u.scale == 1.0 && u.offset == 0.0) {
        return;
    }
    for (value, &id) in values.iter_mut().zip(unit_ids) {
        *value = units[id as usize].to_canonical(*value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw_reader::parse_raw;

    fn line(unit: &str, value: f64) -> String {
        format!(
            r#"{{"asset_id":"a","sensor_id":"s","ts":"2024-06-01T00:00:00.000Z","value":{value},"unit":"{unit}"}}"#
        )
    }

    #[test]
    fn fahrenheit_becomes_celsius() {
        let text = [line("degF", 212.0), line("°F", 32.0), line("degC", 21.5)].join("\n");
        let b = normalise(parse_raw(&text).unwrap()).unwrap();
        let v = &b.raw.rows.value;
        assert!((v[0] - 100.0).abs() < 1e-9 && v[1].abs() < 1e-9 && v[2] == 21.5, "{v:?}");
        assert_eq!((0..3).map(|r| b.unit(r)).collect::<Vec<_>>(), ["degC"; 3]);
    }

    #[test]
    fn unknown_unit_names_its_first_line() {
        let text = [line("degC", 1.0), line("furlong", 1.0), line("furlong", 2.0)].join("\n");
        let err = normalise(parse_raw(&text).unwrap()).unwrap_err();
        assert!(
            matches!(&err, CurationError::UnknownUnit { line: 2, unit, .. } if unit == "furlong"),
            "{err:?}"
        );
        assert!(err.to_string().contains("degC, degF"), "{err}");
    }
}
