//! Retrying the entries a batch API rejected inside a successful response.
//!
//! PutEvents, PublishBatch, SendMessageBatch and DeleteMessageBatch answer 200 even when some entries
//! failed, and list those entries in the body. Ignoring that list silently loses data, so every adapter
//! runs its batches through [`Rounds`]: send all entries, collect the per-entry failures, resend only
//! those that may succeed later (after a backoff), and hand back whatever still failed.

use std::time::Duration;

/// How often and how patiently the entries a batch API rejected are sent again.
///
/// Only entries the service reports as possibly transient are retried (SNS and SQS: not
/// `SenderFault`; EventBridge: error codes other than the known validation ones). A rejected entry
/// that is the caller's fault fails at once, since resending the same bytes cannot help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Sends per entry, the first included; `1` turns retrying off. Values below 1 count as 1.
    pub attempts: u32,
    /// The pause before the second send; it doubles before each further one.
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three sends, 100 ms then 200 ms apart: enough to ride out a throttled entry, short enough to keep
    /// a Lambda invocation well inside its timeout.
    fn default() -> Self {
        RetryPolicy { attempts: 3, first_backoff: Duration::from_millis(100) }
    }
}

/// One entry the service rejected, by its index in the caller's input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EntryFailure {
    pub index: usize,
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

/// A per-entry failure as the SNS and SQS batch APIs report it; the entry's batch id is its input index.
pub(crate) struct ReportedFailure<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub message: Option<&'a str>,
    pub sender_fault: bool,
}

impl<'a> From<&'a aws_sdk_sqs::types::BatchResultErrorEntry> for ReportedFailure<'a> {
    fn from(f: &'a aws_sdk_sqs::types::BatchResultErrorEntry) -> Self {
        ReportedFailure { id: f.id(), code: f.code(), message: f.message(), sender_fault: f.sender_fault() }
    }
}

impl<'a> From<&'a aws_sdk_sns::types::BatchResultErrorEntry> for ReportedFailure<'a> {
    fn from(f: &'a aws_sdk_sns::types::BatchResultErrorEntry) -> Self {
        ReportedFailure { id: f.id(), code: f.code(), message: f.message(), sender_fault: f.sender_fault() }
    }
}

/// The rounds of sending one input: the first round has every entry, later rounds only the retryable
/// failures of the round before.
pub(crate) struct Rounds {
    policy: RetryPolicy,
    /// Rounds handed out so far.
    round: u32,
    first: Option<Vec<usize>>,
    retry: Vec<usize>,
    failed: Vec<EntryFailure>,
}

impl Rounds {
    pub fn new(entries: usize, policy: RetryPolicy) -> Self {
        Rounds {
            policy,
            round: 0,
            first: Some((0..entries).collect()),
            retry: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// The indices to send in the next round, after the backoff; `None` when nothing is left to send.
    pub async fn next(&mut self) -> Option<Vec<usize>> {
        if let Some(all) = self.first.take() {
            self.round = 1;
            return (!all.is_empty()).then_some(all);
        }
        if self.retry.is_empty() {
            return None;
        }
        let backoff = self.policy.first_backoff.saturating_mul(1 << (self.round - 1).min(16));
        tracing::warn!(
            entries = self.retry.len(),
            round = self.round + 1,
            ?backoff,
            "retrying rejected batch entries"
        );
        tokio::time::sleep(backoff).await;
        self.round += 1;
        Some(std::mem::take(&mut self.retry))
    }

    /// Records a rejected entry of the current round: retried in the next round when it may succeed
    /// and attempts are left, otherwise final.
    pub fn reject(&mut self, failure: EntryFailure) {
        if failure.retryable && self.round < self.policy.attempts.max(1) {
            self.retry.push(failure.index);
        } else {
            self.failed.push(failure);
        }
    }

    /// Feeds the answer of one SNS/SQS batch call (entry ids = input indices): each reported failure is
    /// rejected, retryable unless it is the sender's fault; an entry reported neither way is rejected as
    /// retryable, never assumed done.
    pub fn record_answer(&mut self, batch: &[usize], succeeded: &[&str], failed: &[ReportedFailure<'_>]) {
        for &index in batch {
            let id = index.to_string();
            if succeeded.contains(&id.as_str()) {
                continue;
            }
            let failure = match failed.iter().find(|f| f.id == id) {
                Some(f) => EntryFailure {
                    index,
                    code: f.code.to_owned(),
                    message: f.message.unwrap_or_default().to_owned(),
                    retryable: !f.sender_fault,
                },
                None => EntryFailure {
                    index,
                    code: "MissingResultEntry".to_owned(),
                    message: "the batch answer reported neither success nor failure".to_owned(),
                    retryable: true,
                },
            };
            self.reject(failure);
        }
    }

    /// The entries that still failed after the last round, in input order.
    pub fn into_failures(mut self) -> Vec<EntryFailure> {
        self.failed.sort_by_key(|f| f.index);
        self.failed
    }
}

/// Splits `indices` into batches of at most `max_entries` entries and `max_bytes` bytes (as
/// `size_of(index)` measures an entry), keeping their order. An entry larger than `max_bytes` goes
/// alone in its batch; callers reject such entries before sending when the service would.
pub(crate) fn chunk(
    indices: &[usize],
    max_entries: usize,
    max_bytes: usize,
    size_of: impl Fn(usize) -> usize,
) -> Vec<Vec<usize>> {
    let mut batches = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut bytes = 0;
    for &index in indices {
        let size = size_of(index);
        if !current.is_empty() && (current.len() == max_entries || bytes + size > max_bytes) {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(index);
        bytes += size;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(index: usize, retryable: bool) -> EntryFailure {
        EntryFailure { index, code: "X".into(), message: "m".into(), retryable }
    }

    proptest::proptest! {
        #[test]
        fn chunking_never_changes_the_entries_or_their_order(
            sizes in proptest::collection::vec(0usize..400, 0..60),
            max_entries in 1usize..12,
            max_bytes in 1usize..1000,
        ) {
            let indices: Vec<usize> = (0..sizes.len()).collect();
            let batches = chunk(&indices, max_entries, max_bytes, |i| sizes[i]);
            proptest::prop_assert_eq!(batches.concat(), indices);
            for batch in &batches {
                proptest::prop_assert!(!batch.is_empty() && batch.len() <= max_entries);
                let bytes: usize = batch.iter().map(|&i| sizes[i]).sum();
                proptest::prop_assert!(batch.len() == 1 || bytes <= max_bytes, "{batch:?}: {bytes} bytes");
            }
        }
    }

    #[test]
    fn an_oversized_entry_travels_alone() {
        let sizes = [1, 100, 1];
        assert_eq!(chunk(&[0, 1, 2], 10, 10, |i| sizes[i]), vec![vec![0], vec![1], vec![2]]);
    }

    #[tokio::test]
    async fn only_retryable_failures_come_back_and_only_until_attempts_run_out() {
        let policy = RetryPolicy { attempts: 3, first_backoff: Duration::from_millis(1) };
        let mut rounds = Rounds::new(4, policy);
        assert_eq!(rounds.next().await, Some(vec![0, 1, 2, 3]));
        rounds.reject(failure(1, true));
        rounds.reject(failure(2, false));
        assert_eq!(rounds.next().await, Some(vec![1]));
        rounds.reject(failure(1, true));
        assert_eq!(rounds.next().await, Some(vec![1]));
        rounds.reject(failure(1, true));
        assert_eq!(rounds.next().await, None);
        let failed: Vec<usize> = rounds.into_failures().iter().map(|f| f.index).collect();
        assert_eq!(failed, vec![1, 2]);
    }

    #[tokio::test]
    async fn an_entry_the_answer_does_not_mention_is_retried_not_assumed_sent() {
        let policy = RetryPolicy { attempts: 2, first_backoff: Duration::from_millis(1) };
        let mut rounds = Rounds::new(3, policy);
        let batch = rounds.next().await.unwrap();
        let failed =
            [ReportedFailure { id: "2", code: "InvalidParameterValue", message: None, sender_fault: true }];
        rounds.record_answer(&batch, &["0"], &failed);
        assert_eq!(rounds.next().await, Some(vec![1]));
        rounds.record_answer(&[1], &["1"], &[]);
        assert_eq!(rounds.next().await, None);
        let failures = rounds.into_failures();
        assert_eq!(failures.len(), 1);
        assert_eq!(
            (failures[0].index, failures[0].code.as_str(), failures[0].retryable),
            (2, "InvalidParameterValue", false)
        );
    }

    #[tokio::test]
    async fn an_empty_input_sends_nothing() {
        let mut rounds = Rounds::new(0, RetryPolicy::default());
        assert_eq!(rounds.next().await, None);
        assert!(rounds.into_failures().is_empty());
    }
}
