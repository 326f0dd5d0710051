//! The forecaster's artefact: a small versioned binary format with a checksum, and the summary a model
//! manifest records.
//!
//! Layout (little-endian): magic `TPFCAST1`, format version `u32`, payload, SHA-256 of everything before
//! it. The payload holds every field of [`LinearForecaster`] in a fixed order, so the same model always
//! encodes to the same bytes, and the fit itself uses no randomness: the same data and configuration give
//! byte-identical artefacts.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::intervals::{Calibration, QUANTILE_LEVELS};
use crate::linear::FitReport;
use crate::{ForecastError, LinearForecaster, ZScore};

const MAGIC: &[u8; 8] = b"TPFCAST1";
/// The artefact format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const CHECKSUM_LEN: usize = 32;

/// The parameters and held-out metrics of a forecaster, for a model manifest (`parameters`, `metrics`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecasterSummary {
    /// Always `"linear-forecaster"`.
    pub kind: &'static str,
    /// Artefact format version.
    pub format_version: u32,
    /// Channels, in input/output order.
    pub channels: Vec<String>,
    /// Steps forecast.
    pub horizon: usize,
    /// Look-back chosen on validation.
    pub lookback: usize,
    /// Ridge strength chosen on validation.
    pub ridge: f64,
    /// Nominal interval coverage.
    pub coverage: f64,
    /// Online interval adaptation rate.
    pub adaptation_rate: f64,
    /// Training rows `[start, end)`.
    pub train_rows: [usize; 2],
    /// Validation rows `[start, end)`.
    pub validation_rows: [usize; 2],
    /// Training windows over all channels.
    pub train_windows: usize,
    /// Validation windows over all channels.
    pub validation_windows: usize,
    /// Validation MSE (normalised scale).
    pub validation_mse: f64,
    /// Validation MAE (normalised scale).
    pub validation_mae: f64,
}

impl LinearForecaster {
    /// What a model manifest needs to describe this model.
    pub fn summary(&self) -> ForecasterSummary {
        let r = &self.report;
        ForecasterSummary {
            kind: "linear-forecaster",
            format_version: FORMAT_VERSION,
            channels: self.names.clone(),
            horizon: self.horizon,
            lookback: self.lookback,
            ridge: self.ridge,
            coverage: self.coverage,
            adaptation_rate: self.adaptation_rate,
            train_rows: [r.train_rows.start, r.train_rows.end],
            validation_rows: [r.validation_rows.start, r.validation_rows.end],
            train_windows: r.train_windows,
            validation_windows: r.validation_windows,
            validation_mse: r.validation_mse,
            validation_mae: r.validation_mae,
        }
    }

    /// Encodes the model; deterministic (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        w.len(self.names.len());
        for (c, name) in self.names.iter().enumerate() {
            w.len(name.len());
            w.0.extend_from_slice(name.as_bytes());
            w.f64(self.scaler.mean()[c]);
            w.f64(self.scaler.std()[c]);
        }
        w.len(self.horizon);
        w.len(self.lookback);
        for v in [self.ridge, self.coverage, self.adaptation_rate] {
            w.f64(v);
        }
        self.weights.iter().for_each(|&v| w.f64(v));
        self.calibration.quantiles().iter().for_each(|&v| w.f64(v));
        let r = &self.report;
        for v in [r.train_rows.start, r.train_rows.end, r.validation_rows.start, r.validation_rows.end] {
            w.len(v);
        }
        w.len(r.train_windows);
        w.len(r.validation_windows);
        w.f64(r.validation_mse);
        w.f64(r.validation_mae);
        w.len(r.candidates.len());
        for &(lookback, ridge, mse) in &r.candidates {
            w.len(lookback);
            w.f64(ridge);
            w.f64(mse);
        }
        let digest = Sha256::digest(&w.0);
        w.0.extend_from_slice(&digest);
        w.0
    }

    /// Decodes an artefact written by [`LinearForecaster::to_bytes`], rejecting other formats, other
    /// versions and any corruption (checksum, truncation, inconsistent sizes) with an error saying which.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ForecastError> {
        let bad = |m: String| ForecastError::Artefact(m);
        if bytes.len() < MAGIC.len() + 4 + CHECKSUM_LEN || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad("it does not start with the forecaster magic bytes `TPFCAST1`".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}; this build reads version {FORMAT_VERSION}: retrain the model or use a matching build"
            )));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if Sha256::digest(body).as_slice() != checksum {
            return Err(
                bad("checksum mismatch: the artefact is corrupt or truncated; fetch it again".into()),
            );
        }
        decode_body(&mut Reader { bytes: body, at: 12 })
    }
}

fn decode_body(r: &mut Reader<'_>) -> Result<LinearForecaster, ForecastError> {
    let channels = r.len(1 << 16)?;
    let (mut names, mut mean, mut std) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..channels {
        let n = r.len(1 << 16)?;
        let name = std::str::from_utf8(r.take(n)?)
            .map_err(|_| ForecastError::Artefact("a channel name is not UTF-8".into()))?;
        names.push(name.to_string());
        mean.push(r.f64()?);
        std.push(r.f64()?);
    }
    let horizon = r.len(1 << 20)?;
    let lookback = r.len(1 << 20)?;
    let (ridge, coverage, adaptation_rate) = (r.f64()?, r.f64()?, r.f64()?);
    let weights = r.f64s(lookback * horizon)?;
    let quantiles = r.f64s(horizon * QUANTILE_LEVELS)?;
    let calibration = Calibration::from_quantiles(quantiles, horizon).expect("length read to match");
    let rows: Vec<usize> = (0..4).map(|_| r.len(usize::MAX)).collect::<Result<_, _>>()?;
    let (train_windows, validation_windows) = (r.len(usize::MAX)?, r.len(usize::MAX)?);
    let (validation_mse, validation_mae) = (r.f64()?, r.f64()?);
    let n = r.len(1 << 16)?;
    let mut candidates = Vec::with_capacity(n);
    for _ in 0..n {
        candidates.push((r.len(1 << 20)?, r.f64()?, r.f64()?));
    }
    if r.at != r.bytes.len() {
        return Err(ForecastError::Artefact(format!(
            "{} unexpected bytes after the model",
            r.bytes.len() - r.at
        )));
    }
    if lookback < 2 || horizon == 0 || weights.iter().any(|v| !v.is_finite()) {
        return Err(ForecastError::Artefact("the model's sizes or weights are invalid".into()));
    }
    Ok(LinearForecaster {
        names,
        scaler: ZScore::from_parts(mean, std),
        horizon,
        lookback,
        ridge,
        weights,
        calibration,
        coverage,
        adaptation_rate,
        report: FitReport {
            train_rows: rows[0]..rows[1],
            validation_rows: rows[2]..rows[3],
            train_windows,
            validation_windows,
            validation_mse,
            validation_mae,
            candidates,
        },
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, v: usize) {
        self.0.extend_from_slice(&(v as u64).to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ForecastError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            ForecastError::Artefact(format!("truncated: {n} more bytes expected at offset {}", self.at))
        })?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn len(&mut self, max: usize) -> Result<usize, ForecastError> {
        let v = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(v).ok().filter(|&v| v <= max).ok_or_else(|| {
            ForecastError::Artefact(format!("a size field holds {v}, more than the limit {max}"))
        })
    }
    fn f64(&mut self) -> Result<f64, ForecastError> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, ForecastError> {
        let raw =
            self.take(n.checked_mul(8).ok_or_else(|| ForecastError::Artefact("size overflow".into()))?)?;
        Ok(raw.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
}
