//! The ingest function's configuration, read once at start-up from the environment.

use std::sync::Arc;

use twinpipe_domain::ValidationPolicy;

/// A source of "now" in UTC epoch milliseconds; tests pin it so that fixed sample events stay valid.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// How ingest validates and how hard it works in parallel.
#[derive(Clone)]
pub struct IngestConfig {
    /// Messages of one batch handled at once (bounded: S3 throttles per prefix).
    pub max_concurrency: usize,
    /// Accepted clock skew into the future, in seconds.
    pub max_future_skew_s: i64,
    /// Oldest accepted reading, in days.
    pub max_age_days: i64,
    pub clock: Clock,
}

/// A configuration value that is present but unusable.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: &'static str,
}

impl Default for IngestConfig {
    fn default() -> Self {
        let defaults = ValidationPolicy::at(0);
        IngestConfig {
            max_concurrency: 16,
            max_future_skew_s: defaults.max_future_skew_ms / 1000,
            max_age_days: defaults.max_age_ms / 86_400_000,
            clock: Arc::new(|| chrono::Utc::now().timestamp_millis()),
        }
    }
}

impl IngestConfig {
    /// Reads `TWINPIPE_MAX_CONCURRENCY`, `TWINPIPE_MAX_FUTURE_SKEW_SECONDS` and `TWINPIPE_MAX_AGE_DAYS`,
    /// each optional, over the defaults.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut c = IngestConfig::default();
        if let Some(v) = positive("TWINPIPE_MAX_CONCURRENCY")? {
            c.max_concurrency = v as usize;
        }
        if let Some(v) = positive("TWINPIPE_MAX_FUTURE_SKEW_SECONDS")? {
            c.max_future_skew_s = v;
        }
        if let Some(v) = positive("TWINPIPE_MAX_AGE_DAYS")? {
            c.max_age_days = v;
        }
        Ok(c)
    }

    /// A configuration whose clock always says `now_ms`.
    pub fn with_fixed_clock(mut self, now_ms: i64) -> Self {
        self.clock = Arc::new(move || now_ms);
        self
    }

    /// The validation policy as of now.
    pub fn policy(&self) -> ValidationPolicy {
        let mut p = ValidationPolicy::at((self.clock)());
        p.max_future_skew_ms = self.max_future_skew_s * 1000;
        p.max_age_ms = self.max_age_days * 86_400_000;
        p
    }
}

fn positive(name: &'static str) -> Result<Option<i64>, ConfigError> {
    let Ok(value) = std::env::var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<i64>() {
        Ok(v) if v > 0 => Ok(Some(v)),
        _ => Err(ConfigError { name, value, reason: "expected a positive whole number" }),
    }
}
