//! How a simulated transmitter turns a model's true value into a reading: noise, clamping to its
//! plausible range, conversion to its reporting unit and rounding to its resolution.

use twinpipe_domain::units::Unit;

/// One sensor of an asset model. Values are in the canonical unit of `unit`'s quantity (see
/// `twinpipe_domain::units`); `unit` is what the (simulated) vendor's transmitter reports in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SensorDef {
    pub id: &'static str,
    pub unit: &'static Unit,
    /// Additive Gaussian noise (1σ).
    pub noise_abs: f64,
    /// Multiplicative Gaussian noise (1σ, fraction of the value), so that a zero reads exactly zero.
    pub noise_rel: f64,
    /// Measured magnitudes below this read as zero (flow meters' low-flow cut-off).
    pub cutoff: f64,
    /// Physically plausible range; every reading is clamped into it.
    pub min: f64,
    pub max: f64,
    /// A typical operating span, which scales injected drift and spikes so they are visible but sane.
    pub span: f64,
    /// 10^decimals in the reporting unit: the transmitter's resolution.
    pub pow10: f64,
    /// Analog transmitters that drift (temperatures, pressures, flows, power, current); pulse counters and
    /// tachometers do not.
    pub drifts: bool,
    /// Event counters: no noise, no sensor faults.
    pub counter: bool,
}

impl SensorDef {
    /// A noise-free-by-default analog sensor reporting in the unit spelled `unit` (a symbol of the
    /// domain's unit table); refine with the builder methods below.
    ///
    /// # Panics
    ///
    /// If the domain does not know `unit`: a bug in a model, caught by any test that builds it.
    pub fn new(id: &'static str, unit: &str, min: f64, max: f64, span: f64) -> SensorDef {
        let unit = Unit::parse(unit)
            .unwrap_or_else(|| panic!("sensor {id}: unit {unit:?} is not in the domain's table"));
        SensorDef {
            id,
            unit,
            noise_abs: 0.0,
            noise_rel: 0.0,
            cutoff: 0.0,
            min,
            max,
            span,
            pow10: 100.0,
            drifts: true,
            counter: false,
        }
    }

    pub fn noise(mut self, abs: f64, rel: f64) -> SensorDef {
        self.noise_abs = abs;
        self.noise_rel = rel;
        self
    }

    pub fn cutoff(mut self, cutoff: f64) -> SensorDef {
        self.cutoff = cutoff;
        self
    }

    pub fn decimals(mut self, decimals: i32) -> SensorDef {
        self.pow10 = 10f64.powi(decimals);
        self
    }

    pub fn no_drift(mut self) -> SensorDef {
        self.drifts = false;
        self
    }

    pub fn counter(mut self) -> SensorDef {
        self.counter = true;
        self.drifts = false;
        self.pow10 = 1.0;
        self
    }

    /// Adds noise given one standard-normal draw, applies the cut-off.
    #[inline]
    pub fn measure(&self, truth: f64, z: f64) -> f64 {
        let v = truth + z * (self.noise_abs + self.noise_rel * truth.abs());
        if v.abs() < self.cutoff { 0.0 } else { v }
    }

    /// Clamps a canonical value, converts it to the reporting unit and rounds to the resolution.
    ///
    /// Dividing the rounded integer by an exact power of ten yields the double nearest to the decimal,
    /// so values print short (`12.3`, not `12.300000000000001`); adding `0.0` turns `-0.0` into `0.0`.
    #[inline]
    pub fn report(&self, canonical: f64) -> f64 {
        let v = self.unit.from_canonical(canonical.clamp(self.min, self.max));
        (v * self.pow10).round() / self.pow10 + 0.0
    }
}
