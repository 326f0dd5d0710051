//! `S3Store` against a real S3 API (the moto server of ./scripts/test.sh).

mod moto;

use std::time::Instant;

use bytes::Bytes;
use futures::StreamExt;
use twinpipe_aws::{AwsCallError, S3Store};
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{ObjectStore, StoreError};

/// Keys that break naive encoding: spaces, `+` (a space in form encoding), `&`, `=`, non-ASCII, and a
/// literal `%20` that must not be decoded into a space.
const AWKWARD_KEYS: &[&str] = &[
    "in/site a/2026-11-25 10:00:00.json",
    "in/site a/c++ & plus+sign=.json",
    "in/site a/ünïcödé €/日本語.json",
    "in/site a/percent%20literal.json",
    "in/site a/percent literal.json",
];

#[tokio::test]
async fn awkward_keys_round_trip_exactly() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-keys").await;

    for (i, key) in AWKWARD_KEYS.iter().enumerate() {
        store.put(key, Bytes::from(format!("{{\"n\":{i}}}")), "application/json").await.unwrap();
    }
    for (i, key) in AWKWARD_KEYS.iter().enumerate() {
        assert_eq!(store.get(key).await.unwrap(), Bytes::from(format!("{{\"n\":{i}}}")), "{key}");
    }

    let listed = store.list("in/site a/").await.unwrap();
    let mut expected: Vec<&str> = AWKWARD_KEYS.to_vec();
    expected.sort();
    assert_eq!(listed.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), expected);
    for object in &listed {
        let i = AWKWARD_KEYS.iter().position(|k| *k == object.key).unwrap();
        assert_eq!(object.size, format!("{{\"n\":{i}}}").len() as u64, "{}", object.key);
        let etag = object.etag.as_deref().expect("S3 lists an ETag");
        assert!(!etag.starts_with('"'), "ETags are bare: {etag}");
    }
}

#[tokio::test]
async fn putting_a_key_again_replaces_the_object() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-replace").await;

    store.put("raw/a.ndjson", Bytes::from_static(b"first"), "application/x-ndjson").await.unwrap();
    store.put("raw/a.ndjson", Bytes::from_static(b"second, longer"), "application/x-ndjson").await.unwrap();

    assert_eq!(store.get("raw/a.ndjson").await.unwrap(), Bytes::from_static(b"second, longer"));
    let listed = store.list("raw/").await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].size, 14);
}

#[tokio::test]
async fn a_missing_key_is_not_found_not_a_failure() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-missing").await;

    match store.get("raw/never written.json").await {
        Err(err @ StoreError::NotFound { .. }) => {
            assert!(!err.is_transient());
            let StoreError::NotFound { bucket, key } = err else { unreachable!() };
            assert_eq!((bucket.as_str(), key.as_str()), (store.bucket(), "raw/never written.json"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_bucket_is_unavailable_and_its_message_names_the_cause() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let bucket = moto::unique_name("tp-nobucket");
    let store = S3Store::new(&aws.conf, &bucket);

    let err = store.get("raw/x.json").await.unwrap_err();
    assert!(err.is_transient(), "only NotFound/InvalidKey are answers: {err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&format!("GetObject s3://{bucket}/raw/x.json failed: ")), "{message}");
    assert!(message.contains("NoSuchBucket"), "the service's cause is in the message: {message}");

    let StoreError::Unavailable { source, .. } = &err else { panic!("{err:?}") };
    let call = source.downcast_ref::<AwsCallError>().expect("the source is the SDK call's error");
    assert_eq!((call.operation(), call.code()), ("GetObject", Some("NoSuchBucket")));

    let err = store.put("raw/x.json", Bytes::new(), "application/json").await.unwrap_err();
    assert!(err.to_string().contains("NoSuchBucket"), "{err}");
}

#[tokio::test]
async fn invalid_keys_are_refused_before_any_request() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-invalid").await;

    let err = store.put("", Bytes::new(), "text/plain").await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidKey { .. }), "{err:?}");
    let err = store.get(&"k".repeat(1025)).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidKey { .. }), "{err:?}");
}

#[tokio::test]
async fn listing_follows_continuation_tokens_and_returns_keys_in_byte_order() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-pages").await.with_list_page_size(7);

    // Written out of order, with keys whose byte order differs from a naive character order.
    let mut keys: Vec<String> = (0..30).rev().map(|i| format!("p/{i:02}")).collect();
    keys.extend(["p/Z", "p/a", "p/é", "p/~"].map(String::from));
    for key in &keys {
        store.put(key, Bytes::from_static(b"x"), "text/plain").await.unwrap();
    }
    store.put("q/outside-the-prefix", Bytes::from_static(b"x"), "text/plain").await.unwrap();

    let listed: Vec<String> = store.list("p/").await.unwrap().into_iter().map(|o| o.key).collect();
    keys.sort();
    assert_eq!(listed, keys, "34 keys over 5 pages of 7, complete and sorted");
}

#[tokio::test]
async fn listing_more_than_a_thousand_objects_is_complete() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    // The service's own page limit (1000), not a reduced one: the real continuation path.
    let store = aws.bucket("tp-thousand").await;

    let started = Instant::now();
    let keys: Vec<String> = (0..1001).map(|i| format!("many/{i:04}.json")).collect();
    let puts = futures::stream::iter(&keys)
        .map(|key| store.put(key, Bytes::from_static(b"{}"), "application/json"))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    assert!(puts.iter().all(Result::is_ok), "{:?}", puts.iter().find(|p| p.is_err()));
    eprintln!("1001 puts took {:?}", started.elapsed());

    let listed = store.list("many/").await.unwrap();
    assert_eq!(listed.len(), 1001);
    assert_eq!(listed.first().unwrap().key, "many/0000.json");
    assert_eq!(listed.last().unwrap().key, "many/1000.json");
}

#[tokio::test]
async fn from_env_uses_the_environment_and_the_process_config() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let setup = aws.bucket("tp-fromenv").await;

    // The production constructor: aws_sdk_config() + path-style addressing for the local endpoint.
    let store = S3Store::from_env(setup.bucket()).await;
    store.put("env/ok.txt", Bytes::from_static(b"ok"), "text/plain").await.unwrap();
    assert_eq!(setup.get("env/ok.txt").await.unwrap(), Bytes::from_static(b"ok"));
}

#[tokio::test]
async fn conditional_writes_compare_and_swap_on_the_etag() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-conditional").await;
    let key = "curated/date=2026-11-25/hour=10/_keys.json";
    let refused = |r: Result<(), StoreError>| match r {
        Err(err @ StoreError::PreconditionFailed { .. }) => assert!(!err.is_transient()),
        other => panic!("expected PreconditionFailed, got {other:?}"),
    };

    assert!(store.get_tagged(key).await.unwrap().is_none());
    store
        .put_if(key, Bytes::from_static(b"{\"v\":1}"), "application/json", WriteCondition::Absent)
        .await
        .unwrap();
    refused(
        store.put_if(key, Bytes::from_static(b"{\"v\":2}"), "application/json", WriteCondition::Absent).await,
    );

    let (body, etag) = store.get_tagged(key).await.unwrap().expect("written");
    assert_eq!(body, Bytes::from_static(b"{\"v\":1}"));
    assert!(!etag.is_empty() && !etag.starts_with('"'), "bare ETag: {etag}");
    let listed = store.list("curated/").await.unwrap();
    assert_eq!(listed[0].etag.as_deref(), Some(etag.as_str()));

    store
        .put_if(
            key,
            Bytes::from_static(b"{\"v\":3}"),
            "application/json",
            WriteCondition::Matches(etag.clone()),
        )
        .await
        .unwrap();
    refused(
        store
            .put_if(key, Bytes::from_static(b"{\"v\":4}"), "application/json", WriteCondition::Matches(etag))
            .await,
    );
    refused(
        store
            .put_if(
                "curated/never written.json",
                Bytes::new(),
                "application/json",
                WriteCondition::Matches("9b2cf535f27731c974343645a3985328".into()),
            )
            .await,
    );
    assert_eq!(store.get(key).await.unwrap(), Bytes::from_static(b"{\"v\":3}"));
}

#[tokio::test]
async fn delete_removes_an_object_and_tolerates_a_missing_one() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-delete").await;
    store.put("curated/a.parquet", Bytes::from_static(b"x"), "application/vnd.apache.parquet").await.unwrap();
    store.delete("curated/a.parquet").await.unwrap();
    store.delete("curated/a.parquet").await.unwrap();
    assert!(store.list("curated/").await.unwrap().is_empty());
}
