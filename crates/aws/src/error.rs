//! The failure of one AWS SDK call, in a form that shows its cause.

use std::error::Error;
use std::fmt::Write as _;

use aws_sdk_s3::error::ProvideErrorMetadata;

/// An AWS SDK call that failed as a whole (the service answered with an error, or never answered).
///
/// Why this exists: the SDK's own `Display` of an `SdkError` is just "service error" or "dispatch
/// failure"; the cause (`NoSuchBucket: The specified bucket does not exist`, `Connection refused`) is
/// further down the `source()` chain, and a log line with `%err` would lose it. The message here is the
/// whole chain joined by ": ", in the manner of the SDK's `DisplayErrorContext` (without its trailing
/// `Debug` dump, which repeats the chain and includes the raw HTTP response). The operation is not in the
/// message because the errors that wrap this one say what was being done (`GetObject s3://b/k failed: …`,
/// `publishing to event bus b failed: …`); it is available from [`AwsCallError::operation`]. The SDK error itself stays
/// reachable as the `source()`, so a chain printer repeats the cause once; that is the price of keeping
/// both a readable message and a typed cause.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct AwsCallError {
    operation: &'static str,
    code: Option<String>,
    context: String,
    #[source]
    inner: Box<dyn Error + Send + Sync + 'static>,
}

impl AwsCallError {
    /// Wraps an SDK error of `operation` (the API name, e.g. `"PutEvents"`).
    pub(crate) fn new<E>(operation: &'static str, err: E) -> Self
    where
        E: Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        let mut context = chain(&err);
        let code = err.code().map(str::to_owned);
        // Modeled errors show their code in the chain; unmodeled ones may not carry the message.
        if let Some(message) = err.message()
            && !context.contains(message)
        {
            let _ = write!(context, " ({message})");
        }
        AwsCallError { operation, code, context, inner: Box::new(err) }
    }

    /// Wraps a failure that is not an SDK error, e.g. a response body stream broken half-way.
    pub(crate) fn other<E>(operation: &'static str, err: E) -> Self
    where
        E: Error + Send + Sync + 'static,
    {
        AwsCallError { operation, code: None, context: chain(&err), inner: Box::new(err) }
    }

    /// The API operation that failed, e.g. `"GetObject"`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The service's error code (`"NoSuchBucket"`, `"ResourceNotFoundException"`) when the service
    /// answered; `None` for timeouts, connection failures and the like. Callers branch on this, never on
    /// the message text.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

/// The error and all its sources, joined by ": ". A source that displays exactly like the error before
/// it is left out: modeled SDK errors are an enum whose variant displays as, and is the source of, the
/// same inner error.
fn chain(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut previous = text.clone();
    let mut next = err.source();
    while let Some(source) = next {
        let shown = source.to_string();
        if shown != previous {
            let _ = write!(text, ": {shown}");
            previous = shown;
        }
        next = source.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Link {
        text: &'static str,
        #[source]
        next: Option<Box<Link>>,
    }

    fn link(text: &'static str, next: Option<Link>) -> Link {
        Link { text, next: next.map(Box::new) }
    }

    #[test]
    fn the_chain_shows_every_cause_once() {
        let err = link(
            "service error",
            Some(link(
                "QueueDoesNotExist: gone",
                Some(link("QueueDoesNotExist: gone", Some(link("io", None)))),
            )),
        );
        assert_eq!(chain(&err), "service error: QueueDoesNotExist: gone: io");
    }
}
