//! The alert function's settings, read once from the environment.

use std::time::Duration;

/// How alerts are addressed and throttled.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertConfig {
    /// `dev`, `prod`, ...: sent as a message attribute and shown in the subject.
    pub environment: String,
    /// After an alert for an (asset, check), further ones of the same or lower severity are held back
    /// for this long and counted into the next alert.
    pub cooldown: Duration,
    /// Storm control: when more than `storm_threshold` alerts would go out within `storm_window`, one
    /// summary goes out instead and the rest are held until the window ends.
    pub storm_window: Duration,
    pub storm_threshold: u32,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            environment: "local".into(),
            cooldown: Duration::from_secs(3600),
            storm_window: Duration::from_secs(300),
            storm_threshold: 20,
        }
    }
}

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is invalid: {expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl AlertConfig {
    /// Reads `TWINPIPE_ENVIRONMENT`, `TWINPIPE_ALERT_COOLDOWN_SECONDS`, `TWINPIPE_ALERT_STORM_WINDOW_SECONDS`
    /// and `TWINPIPE_ALERT_STORM_THRESHOLD` through `var`, defaulting what is unset.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = AlertConfig::default();
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(value) => {
                    value.trim().parse().map_err(|_| ConfigError { name, value, expected: "a whole number" })
                }
            }
        };
        let threshold = number("TWINPIPE_ALERT_STORM_THRESHOLD", defaults.storm_threshold.into())?;
        Ok(AlertConfig {
            environment: var("TWINPIPE_ENVIRONMENT").unwrap_or(defaults.environment),
            cooldown: Duration::from_secs(number(
                "TWINPIPE_ALERT_COOLDOWN_SECONDS",
                defaults.cooldown.as_secs(),
            )?),
            storm_window: Duration::from_secs(number(
                "TWINPIPE_ALERT_STORM_WINDOW_SECONDS",
                defaults.storm_window.as_secs(),
            )?),
            storm_threshold: u32::try_from(threshold).unwrap_or(u32::MAX).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_take_defaults_and_bad_numbers_are_named() {
        assert_eq!(AlertConfig::from_env(|_| None).unwrap(), AlertConfig::default());
        let err = AlertConfig::from_env(|n| (n == "TWINPIPE_ALERT_COOLDOWN_SECONDS").then(|| "1h".into()))
            .unwrap_err();
        assert!(err.to_string().contains("TWINPIPE_ALERT_COOLDOWN_SECONDS=\"1h\""), "{err}");
    }
}
