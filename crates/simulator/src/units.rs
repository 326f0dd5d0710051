//! The handful of units the simulated sensors report in.
//!
//! Models compute in the pipeline's canonical units (those first listed per quantity in
//! `twinpipe_domain::units`), and each sensor converts to the unit its (simulated) vendor would send.
//! The scale/offset pairs mirror the domain table exactly (a test checks this), so that normalising a
//! simulated reading in curation recovers the model's value. The table is copied rather than depended
//! upon to keep this crate free of the domain crate at run time.

/// A unit a simulated sensor reports in: `canonical = reported * scale + offset`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OutUnit {
    pub symbol: &'static str,
    scale: f64,
    offset: f64,
}

impl OutUnit {
    const fn new(symbol: &'static str, scale: f64, offset: f64) -> OutUnit {
        OutUnit {
            symbol,
            scale,
            offset,
        }
    }

    /// Converts a canonical value into this unit.
    #[inline]
    pub fn express(self, canonical: f64) -> f64 {
        (canonical - self.offset) / self.scale
    }

    /// Converts a value in this unit back to canonical (tests only; the pipeline does this for real).
    #[cfg(test)]
    pub fn to_canonical(self, value: f64) -> f64 {
        value * self.scale + self.offset
    }
}

pub(crate) const DEG_C: OutUnit = OutUnit::new("degC", 1.0, 0.0);
pub(crate) const DEG_F: OutUnit = OutUnit::new("degF", 5.0 / 9.0, -32.0 * 5.0 / 9.0);
pub(crate) const KPA: OutUnit = OutUnit::new("kPa", 1.0, 0.0);
pub(crate) const PA: OutUnit = OutUnit::new("Pa", 0.001, 0.0);
pub(crate) const BAR: OutUnit = OutUnit::new("bar", 100.0, 0.0);
pub(crate) const PSI: OutUnit = OutUnit::new("psi", 6.894_757_293_168, 0.0);
pub(crate) const M3_H: OutUnit = OutUnit::new("m3/h", 1.0, 0.0);
pub(crate) const GPM: OutUnit = OutUnit::new("gpm", 0.227_124_707_2, 0.0);
pub(crate) const MM_S: OutUnit = OutUnit::new("mm/s", 1.0, 0.0);
pub(crate) const M_S: OutUnit = OutUnit::new("m/s", 1000.0, 0.0);
pub(crate) const IN_S: OutUnit = OutUnit::new("in/s", 25.4, 0.0);
pub(crate) const RPM: OutUnit = OutUnit::new("rpm", 1.0, 0.0);
pub(crate) const PERCENT: OutUnit = OutUnit::new("%", 1.0, 0.0);
pub(crate) const AMPERE: OutUnit = OutUnit::new("A", 1.0, 0.0);
pub(crate) const KW: OutUnit = OutUnit::new("kW", 1.0, 0.0);
pub(crate) const MW: OutUnit = OutUnit::new("MW", 1000.0, 0.0);
pub(crate) const HP: OutUnit = OutUnit::new("hp", 0.745_699_872, 0.0);
pub(crate) const COUNT: OutUnit = OutUnit::new("count", 1.0, 0.0);

/// Every unit above, for tests that check them against the domain table.
#[cfg(test)]
pub(crate) const ALL: &[OutUnit] = &[
    DEG_C, DEG_F, KPA, PA, BAR, PSI, M3_H, GPM, MM_S, M_S, IN_S, RPM, PERCENT, AMPERE, KW, MW, HP,
    COUNT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for u in ALL {
            for v in [-40.0, 0.0, 1.5, 1234.5] {
                let back = u.to_canonical(u.express(v));
                assert!(
                    (back - v).abs() < 1e-9 * v.abs().max(1.0),
                    "{}: {v} -> {back}",
                    u.symbol
                );
            }
        }
        assert!((DEG_F.express(100.0) - 212.0).abs() < 1e-9);
        assert!((PA.express(0.25) - 250.0).abs() < 1e-9);
    }

    #[test]
    fn matches_the_domain_table() {
        for u in ALL {
            let d = twinpipe_domain::units::Unit::parse(u.symbol)
                .expect("symbol accepted by the domain");
            assert_eq!(d.symbol, u.symbol, "use the preferred spelling");
            assert_eq!((d.scale, d.offset), (u.scale, u.offset), "{}", u.symbol);
        }
    }
}
