//! Per-batch metrics in CloudWatch's embedded metric format (EMF).
//!
//! A JSON line on stdout in this shape becomes CloudWatch metrics without any API call or extra latency,
//! so operators can alarm on the quarantine rate or on redeliveries straight from the function's logs.

use serde_json::{Value, json};

use crate::BatchStats;

/// The CloudWatch namespace of every twinpipe metric.
pub const NAMESPACE: &str = "twinpipe";

/// The EMF document for one batch, dimensioned by function name.
pub fn batch_metrics_emf(stats: &BatchStats, function_name: &str, timestamp_ms: i64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["FunctionName"]],
                "Metrics": [
                    {"Name": "MessagesReceived", "Unit": "Count"},
                    {"Name": "ReadingsAccepted", "Unit": "Count"},
                    {"Name": "InputsQuarantined", "Unit": "Count"},
                    {"Name": "MessagesFailed", "Unit": "Count"}
                ]
            }]
        },
        "FunctionName": function_name,
        "MessagesReceived": stats.messages,
        "ReadingsAccepted": stats.accepted,
        "InputsQuarantined": stats.quarantined,
        "MessagesFailed": stats.failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_metric_has_a_value() {
        let stats = BatchStats { messages: 10, accepted: 950, quarantined: 3, failed: 1 };
        let doc = batch_metrics_emf(&stats, "twinpipe-ingest", 1_795_600_800_000);
        let declared = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap();
        for m in declared {
            let name = m["Name"].as_str().unwrap();
            assert!(doc[name].is_u64(), "{name} has no value");
        }
        assert_eq!(doc["InputsQuarantined"], 3);
        assert_eq!(doc["FunctionName"], "twinpipe-ingest");
    }
}
