//! The local AWS API these tests run against: the moto server that `./scripts/test.sh` starts.
//!
//! Every test creates its own buckets, queues, topics, buses and rules, with names no other test or
//! parallel run can pick (`<prefix>-<pid>-<counter>-<nanos>`), and never resets the server: tests run in
//! parallel threads, and a reset would wipe what the others are using.
//!
//! Each test file uses a different part of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::SqsMessage;
use aws_sdk_sqs::types::QueueAttributeName;
use twinpipe_aws::{S3Store, SqsQueue};

/// A connection to the local AWS API, for one test.
pub struct LocalAws {
    pub conf: SdkConfig,
}

/// The local AWS API, or `None` when this run has none and the test should return early.
///
/// Why the gate has three outcomes:
/// - `TWINPIPE_MOTO` set (by `./scripts/test.sh`): the server is there; use it. `AWS_ENDPOINT_URL` must
///   point at this machine, so a stray environment can never make a test create resources in a real
///   AWS account.
/// - `TWINPIPE_MOTO` unset and not under CI: a developer ran plain `cargo test`. The test prints a loud
///   note and passes without checking anything, so the rest of the workspace can be tested without Python.
/// - `TWINPIPE_MOTO` unset under CI (`CI` set to anything but empty, `0` or `false`): CI must run these
///   tests for real, so the test fails, pointing at `./scripts/test.sh`.
pub async fn local_aws() -> Option<LocalAws> {
    if std::env::var_os("TWINPIPE_MOTO").is_none() {
        let under_ci =
            std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
        assert!(
            !under_ci,
            "CI is set but no local AWS API is: run these tests via ./scripts/test.sh, which starts a moto \
             server and sets TWINPIPE_MOTO=1 and AWS_ENDPOINT_URL"
        );
        // Straight to the stderr handle: libtest captures `eprintln!` of passing tests, and this note
        // must be seen. Once per test binary is enough.
        static NOTE: Once = Once::new();
        NOTE.call_once(|| {
            let _ = std::io::stderr().write_all(
                b"\n*** NOTE: AWS adapter tests skipped: no local AWS API. Run ./scripts/test.sh to run them \
                  against a moto server. ***\n",
            );
        });
        return None;
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("TWINPIPE_MOTO is set but AWS_ENDPOINT_URL is not: run these tests via ./scripts/test.sh");
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL={endpoint} is not a local server; these tests create resources, so they only run \
         against the moto server of ./scripts/test.sh"
    );
    // One config per test: each #[tokio::test] has its own runtime, and pooled connections belong to
    // the runtime that opened them (see twinpipe_aws::aws_sdk_config).
    Some(LocalAws { conf: aws_config::load_from_env().await })
}

/// A resource name nobody else uses: `<prefix>-<pid>-<counter>-<nanos>`, lower case, at most 63
/// characters for prefixes up to 20 (S3 bucket names are the strictest).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_nanos();
    format!("{prefix}-{}-{}-{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl LocalAws {
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.conf)
    }

    pub fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.conf)
    }

    pub fn events(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.conf)
    }

    /// A new, empty bucket and a store on it.
    pub async fn bucket(&self, prefix: &str) -> S3Store {
        let client = S3Store::client_for(&self.conf);
        let bucket = unique_name(prefix);
        client.create_bucket().bucket(&bucket).send().await.expect("CreateBucket");
        S3Store::new(client, bucket)
    }

    /// A new standard queue with `attributes`, and a driver that does not wait for messages (tests poll
    /// through [`receive_until`], so a test never idles in a long poll).
    pub async fn queue(&self, prefix: &str, attributes: &[(QueueAttributeName, &str)]) -> SqsQueue {
        self.create_queue(unique_name(prefix), attributes).await
    }

    /// A new FIFO queue (content-based deduplication off, so only explicit ids deduplicate).
    pub async fn fifo_queue(&self, prefix: &str) -> SqsQueue {
        self.create_queue(format!("{}.fifo", unique_name(prefix)), &[(QueueAttributeName::FifoQueue, "true")])
            .await
    }

    async fn create_queue(&self, name: String, attributes: &[(QueueAttributeName, &str)]) -> SqsQueue {
        let mut request = self.sqs().create_queue().queue_name(&name);
        for (attribute, value) in attributes {
            request = request.attributes(attribute.clone(), *value);
        }
        let output = request.send().await.expect("CreateQueue");
        SqsQueue::new(self.sqs(), output.queue_url().expect("CreateQueue returns the queue URL"))
            .with_wait_time(Duration::ZERO)
    }
}

/// Receives from `queue` until `expected` messages arrived or `timeout` passed, deleting none: callers
/// assert on exactly what arrived. Returns early only once `expected` is reached, so a test that
/// expects N also notices an (N+1)-th message that was already there.
pub async fn receive_until(queue: &SqsQueue, expected: usize, timeout: Duration) -> Vec<SqsMessage> {
    let deadline = Instant::now() + timeout;
    let mut records = Vec::new();
    while Instant::now() < deadline {
        let event = queue.receive_as_lambda_event(10).await.expect("ReceiveMessage");
        let got_some = !event.records.is_empty();
        records.extend(event.records);
        if !got_some {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        if records.len() >= expected {
            // One more short look, so surplus messages are seen too.
            let extra = queue.receive_as_lambda_event(10).await.expect("ReceiveMessage");
            records.extend(extra.records);
            break;
        }
    }
    records
}
