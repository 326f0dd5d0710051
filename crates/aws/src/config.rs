//! Where the SDK configuration comes from (the environment, read once per process), and how the
//! adapters get their clients from it.

use aws_config::SdkConfig;
use tokio::sync::OnceCell;

static SDK_CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// The SDK configuration of this process, from `aws_config::load_from_env()` on first use.
///
/// Why once: loading resolves the region and credential chain and builds an HTTP client; a Lambda
/// function that builds its S3, EventBridge and SNS adapters from one config also shares one connection
/// pool between them, and warm invocations pay nothing. Every `from_env` constructor of this crate uses it.
///
/// What it honours: the standard variables (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL` for a local
/// API such as the moto server of `scripts/test.sh`). `behavior-version-latest` is enabled in the
/// workspace, so the latest SDK defaults apply.
///
/// Caveat: the connections pooled by that shared HTTP client run on the Tokio runtime that opened them.
/// A process with one runtime (a Lambda function, the CLI) is the intended user; code that creates many
/// short-lived runtimes (each `#[tokio::test]` has its own) should call `aws_config::load_from_env()`
/// per runtime and use the adapters' `new` constructors instead.
pub async fn aws_sdk_config() -> SdkConfig {
    SDK_CONFIG.get_or_init(aws_config::load_from_env).await.clone()
}

/// What an adapter's `new` accepts: a ready client, or an [`SdkConfig`] to build the client from.
///
/// Why both: wiring code usually holds one `SdkConfig` for all adapters (`S3Store::new(&config, bucket)`),
/// and going through the config lets an adapter build its client the way it needs (S3 switches to
/// path-style addressing for a local endpoint, see [`crate::S3Store::client_for`]). A ready client is for
/// callers that configured one themselves (custom retry or timeout settings), and is used as it is.
pub trait IntoClient<C> {
    /// The client, built or passed through.
    fn into_client(self) -> C;
}

macro_rules! client_sources {
    ($($client:ty => $from_config:expr),* $(,)?) => {$(
        impl IntoClient<$client> for $client {
            fn into_client(self) -> $client {
                self
            }
        }
        impl IntoClient<$client> for &SdkConfig {
            fn into_client(self) -> $client {
                let build: fn(&SdkConfig) -> $client = $from_config;
                build(self)
            }
        }
    )*};
}

client_sources! {
    aws_sdk_s3::Client => crate::S3Store::client_for,
    aws_sdk_eventbridge::Client => aws_sdk_eventbridge::Client::new,
    aws_sdk_sns::Client => aws_sdk_sns::Client::new,
    aws_sdk_sqs::Client => aws_sdk_sqs::Client::new,
}
