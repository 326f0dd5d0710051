//! The unit table: every unit a reading may carry, the physical quantity it measures and the affine
//! conversion to that quantity's canonical unit.
//!
//! Curated data always holds canonical units so that a model trained on one asset applies to another that
//! reports °F instead of °C. The table is closed on purpose: an unknown unit is a data error the sender
//! must fix, not something to guess at.

use std::fmt;

/// A physical quantity; each has exactly one canonical unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    Temperature,
    Pressure,
    VolumeFlow,
    MassFlow,
    Velocity,
    Acceleration,
    RotationalSpeed,
    Frequency,
    Current,
    Voltage,
    Power,
    Energy,
    Length,
    Ratio,
    Count,
}

/// A unit accepted on input: its spellings, quantity and conversion `canonical = value * scale + offset`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// The spelling written to curated data when this unit is canonical, and the preferred input spelling.
    pub symbol: &'static str,
    /// Other spellings accepted on input (case-sensitive: `mA` and `MA` differ by a factor of 10⁹).
    pub aliases: &'static [&'static str],
    pub quantity: Quantity,
    pub scale: f64,
    pub offset: f64,
}

/// The canonical unit of a quantity, as stored in the `unit` column of curated data.
pub type CanonicalUnit = &'static str;

macro_rules! unit {
    ($sym:expr, [$($alias:expr),*], $q:ident, $scale:expr, $offset:expr) => {
        Unit { symbol: $sym, aliases: &[$($alias),*], quantity: Quantity::$q, scale: $scale, offset: $offset }
    };
}

/// Every accepted unit. The first unit listed for a quantity is its canonical unit (scale 1, offset 0).
pub static UNITS: &[Unit] = &[
    unit!("degC", ["°C", "C", "celsius"], Temperature, 1.0, 0.0),
    unit!("degF", ["°F", "F", "fahrenheit"], Temperature, 5.0 / 9.0, -32.0 * 5.0 / 9.0),
    unit!("K", ["kelvin"], Temperature, 1.0, -273.15),
    unit!("kPa", [], Pressure, 1.0, 0.0),
    unit!("Pa", [], Pressure, 0.001, 0.0),
    unit!("MPa", [], Pressure, 1000.0, 0.0),
    unit!("bar", [], Pressure, 100.0, 0.0),
    unit!("mbar", [], Pressure, 0.1, 0.0),
    unit!("psi", [], Pressure, 6.894_757_293_168, 0.0),
    unit!("m3/h", ["m³/h"], VolumeFlow, 1.0, 0.0),
    unit!("L/s", ["l/s"], VolumeFlow, 3.6, 0.0),
    unit!("L/min", ["l/min", "lpm"], VolumeFlow, 0.06, 0.0),
    unit!("gpm", ["gal/min"], VolumeFlow, 0.227_124_707_2, 0.0),
    unit!("kg/s", [], MassFlow, 1.0, 0.0),
    unit!("kg/h", [], MassFlow, 1.0 / 3600.0, 0.0),
    unit!("mm/s", [], Velocity, 1.0, 0.0),
    unit!("m/s", [], Velocity, 1000.0, 0.0),
    unit!("in/s", ["ips"], Velocity, 25.4, 0.0),
    unit!("m/s2", ["m/s²"], Acceleration, 1.0, 0.0),
    unit!("g", [], Acceleration, 9.806_65, 0.0),
    unit!("rpm", ["RPM", "r/min"], RotationalSpeed, 1.0, 0.0),
    unit!("rad/s", [], RotationalSpeed, 60.0 / std::f64::consts::TAU, 0.0),
    unit!("Hz", [], Frequency, 1.0, 0.0),
    unit!("kHz", [], Frequency, 1000.0, 0.0),
    unit!("A", [], Current, 1.0, 0.0),
    unit!("mA", [], Current, 0.001, 0.0),
    unit!("V", [], Voltage, 1.0, 0.0),
    unit!("mV", [], Voltage, 0.001, 0.0),
    unit!("kV", [], Voltage, 1000.0, 0.0),
    unit!("kW", [], Power, 1.0, 0.0),
    unit!("W", [], Power, 0.001, 0.0),
    unit!("MW", [], Power, 1000.0, 0.0),
    unit!("hp", [], Power, 0.745_699_872, 0.0),
    unit!("kWh", [], Energy, 1.0, 0.0),
    unit!("Wh", [], Energy, 0.001, 0.0),
    unit!("MWh", [], Energy, 1000.0, 0.0),
    unit!("m", [], Length, 1.0, 0.0),
    unit!("mm", [], Length, 0.001, 0.0),
    unit!("cm", [], Length, 0.01, 0.0),
    unit!("ft", [], Length, 0.3048, 0.0),
    unit!("in", [], Length, 0.0254, 0.0),
    unit!("%", ["percent", "pct"], Ratio, 1.0, 0.0),
    unit!("ratio", [], Ratio, 100.0, 0.0),
    unit!("count", ["1"], Count, 1.0, 0.0),
];

impl Unit {
    /// Looks a spelling up in the table; `None` means the sender used a unit we do not know.
    pub fn parse(spelling: &str) -> Option<&'static Unit> {
        UNITS.iter().find(|u| u.symbol == spelling || u.aliases.contains(&spelling))
    }

    /// The canonical unit of this unit's quantity.
    pub fn canonical(&self) -> &'static Unit {
        canonical_of(self.quantity)
    }

    /// Converts a value in this unit to the canonical unit of its quantity.
    pub fn to_canonical(&self, value: f64) -> f64 {
        if self.scale == 1.0 && self.offset == 0.0 { value } else { value * self.scale + self.offset }
    }

    /// Converts a value in the canonical unit of this unit's quantity to this unit: the inverse of
    /// [`Unit::to_canonical`].
    ///
    /// The pipeline itself only ever normalises towards canonical units; this direction exists for
    /// producers, such as the fleet simulator, that compute in canonical units and then express the value
    /// in the unit a vendor's transmitter would send. Using the same table both ways guarantees that
    /// normalising such a reading recovers the producer's value.
    #[inline]
    pub fn from_canonical(&self, canonical: f64) -> f64 {
        if self.scale == 1.0 && self.offset == 0.0 {
            canonical
        } else {
            (canonical - self.offset) / self.scale
        }
    }
}

/// The canonical unit of `quantity`: the first table entry for it.
pub fn canonical_of(quantity: Quantity) -> &'static Unit {
    UNITS.iter().find(|u| u.quantity == quantity).expect("every quantity has a canonical unit in UNITS")
}

/// The accepted spellings, for error messages that tell the sender what would have worked.
pub fn known_symbols() -> impl Iterator<Item = &'static str> {
    UNITS.iter().map(|u| u.symbol)
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(from: &str, v: f64) -> (f64, &'static str) {
        let u = Unit::parse(from).unwrap();
        (u.to_canonical(v), u.canonical().symbol)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn conversions_match_reference_values() {
        let cases = [
            ("degF", 212.0, 100.0, "degC"),
            ("°F", 32.0, 0.0, "degC"),
            ("K", 273.15, 0.0, "degC"),
            ("psi", 1.0, 6.894_757_293_168, "kPa"),
            ("bar", 1.0, 100.0, "kPa"),
            ("L/s", 1.0, 3.6, "m3/h"),
            ("gpm", 1.0, 0.227_124_707_2, "m3/h"),
            ("in/s", 1.0, 25.4, "mm/s"),
            ("rad/s", std::f64::consts::TAU, 60.0, "rpm"),
            ("ratio", 0.5, 50.0, "%"),
            ("kPa", 12.5, 12.5, "kPa"),
        ];
        for (from, v, want, canon) in cases {
            let (got, c) = convert(from, v);
            assert!(close(got, want), "{from} {v} -> {got}, want {want}");
            assert_eq!(c, canon);
        }
    }

    #[test]
    fn from_canonical_inverts_to_canonical() {
        for u in UNITS {
            for v in [-40.0, 0.0, 1.5, 1234.5] {
                let back = u.to_canonical(u.from_canonical(v));
                assert!(close(back, v), "{}: {v} -> {back}", u.symbol);
            }
        }
        let degf = Unit::parse("degF").unwrap();
        assert!(close(degf.from_canonical(100.0), 212.0));
        assert!(close(degf.from_canonical(-40.0), -40.0));
        assert!(close(Unit::parse("Pa").unwrap().from_canonical(0.25), 250.0));
        assert!(close(Unit::parse("psi").unwrap().from_canonical(6.894_757_293_168), 1.0));
    }

    #[test]
    fn every_canonical_unit_is_identity() {
        for u in UNITS {
            let c = u.canonical();
            assert_eq!(c.scale, 1.0, "{}", c.symbol);
            assert_eq!(c.offset, 0.0, "{}", c.symbol);
        }
    }

    #[test]
    fn spellings_are_unambiguous() {
        let mut seen = std::collections::HashSet::new();
        for u in UNITS {
            for s in std::iter::once(&u.symbol).chain(u.aliases) {
                assert!(seen.insert(*s), "spelling {s} listed twice");
            }
        }
    }
}
