//! The EventBridge rules of `infra/event-rules/`, embedded at build time so that the local bus routes
//! exactly like the deployed one.

use serde::Deserialize;
use twinpipe_event_pattern::{EventPattern, PatternError};

/// One routing rule: events on `event_bus` matching `pattern` go to the function `target`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub event_bus: String,
    pub target: String,
    pub pattern: EventPattern,
}

/// Why a rule file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule file {file}: {source}")]
    Json {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("rule file {file}: invalid event pattern: {source}")]
    Pattern {
        file: &'static str,
        #[source]
        source: PatternError,
    },
}

#[derive(Deserialize)]
struct RuleFile {
    name: String,
    event_bus: String,
    target: String,
    event_pattern: serde_json::Value,
}

/// The rule files, by name, as they are in the repository.
pub const RULE_FILES: &[(&str, &str)] = &[
    ("curate-on-raw-object.json", include_str!("../../../infra/event-rules/curate-on-raw-object.json")),
    (
        "infer-on-dataset-curated.json",
        include_str!("../../../infra/event-rules/infer-on-dataset-curated.json"),
    ),
    (
        "monitor-on-curated-or-predictions.json",
        include_str!("../../../infra/event-rules/monitor-on-curated-or-predictions.json"),
    ),
    ("alert-on-findings.json", include_str!("../../../infra/event-rules/alert-on-findings.json")),
    ("forward-to-org.json", include_str!("../../../infra/event-rules/forward-to-org.json")),
];

/// What the `${...}` placeholders in rule files stand for.
#[derive(Debug, Clone)]
pub struct RuleContext {
    /// The data lake bucket (`${DataBucket}`).
    pub data_bucket: String,
    /// The pipeline's custom bus (`${PipelineBus}`); rules name it `pipeline`.
    pub pipeline_bus: String,
}

/// Loads every embedded rule with its placeholders substituted.
pub fn load_rules(ctx: &RuleContext) -> Result<Vec<Rule>, RuleError> {
    RULE_FILES.iter().map(|(file, text)| parse_rule(file, text, ctx)).collect()
}

fn parse_rule(file: &'static str, text: &str, ctx: &RuleContext) -> Result<Rule, RuleError> {
    let text = text.replace("${DataBucket}", &ctx.data_bucket).replace("${PipelineBus}", &ctx.pipeline_bus);
    let raw: RuleFile = serde_json::from_str(&text).map_err(|source| RuleError::Json { file, source })?;
    let pattern =
        EventPattern::from_value(&raw.event_pattern).map_err(|source| RuleError::Pattern { file, source })?;
    let event_bus = if raw.event_bus == "pipeline" { ctx.pipeline_bus.clone() } else { raw.event_bus };
    Ok(Rule { name: raw.name, event_bus, target: raw.target, pattern })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_parses() {
        let ctx = RuleContext { data_bucket: "lake".into(), pipeline_bus: "twinpipe".into() };
        let rules = load_rules(&ctx).unwrap();
        assert_eq!(rules.len(), RULE_FILES.len());
        assert!(rules.iter().any(|r| r.target == "curate" && r.event_bus == "default"));
    }

    #[test]
    fn every_file_in_the_rules_folder_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/event-rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = RULE_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "add new rule files to RULE_FILES");
    }
}
