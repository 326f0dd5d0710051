//! `SnsNotifier` against a real SNS API (the moto server of ./scripts/test.sh), observed through an SQS
//! subscription, as a subscriber would see it.

mod moto;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lambda_events::event::sns::SnsMessage;
use aws_lambda_events::event::sqs::SqsMessage;
use twinpipe_aws::{AwsCallError, SnsNotifier, SqsQueue};
use twinpipe_ports::{AttributeValue, Notification, Notifier, NotifyError};

/// A topic (FIFO when `fifo`) with one SQS subscription, raw delivery on or off.
async fn topic_with_queue(aws: &moto::LocalAws, fifo: bool, raw: bool) -> (SnsNotifier, SqsQueue) {
    let sns = aws.sns();
    let (topic, queue) = if fifo {
        let topic = sns
            .create_topic()
            .name(format!("{}.fifo", moto::unique_name("tp-topic")))
            .attributes("FifoTopic", "true")
            .send()
            .await
            .expect("CreateTopic");
        (topic, aws.fifo_queue("tp-sub").await)
    } else {
        (
            sns.create_topic().name(moto::unique_name("tp-topic")).send().await.expect("CreateTopic"),
            aws.queue("tp-sub", &[]).await,
        )
    };
    let topic_arn = topic.topic_arn().expect("CreateTopic returns the ARN").to_owned();
    let mut subscribe =
        sns.subscribe().topic_arn(&topic_arn).protocol("sqs").endpoint(queue.arn().await.unwrap());
    if raw {
        subscribe = subscribe.attributes("RawMessageDelivery", "true");
    }
    subscribe.send().await.expect("Subscribe");
    (SnsNotifier::new(sns, topic_arn), queue)
}

fn quality_alert(n: usize) -> Notification {
    Notification {
        subject: Some("Quality alert".into()),
        message: format!("{{\"site\":\"a\",\"n\":{n}}}"),
        attributes: BTreeMap::from([
            ("severity".to_owned(), AttributeValue::String("warning".into())),
            ("score".to_owned(), AttributeValue::Number(42.5)),
            ("sensors".to_owned(), AttributeValue::StringArray(vec!["t-1".into(), "h 2".into()])),
        ]),
        dedup_key: format!("alert-a-{n}"),
    }
}

fn attribute(record: &SqsMessage, name: &str) -> (String, String) {
    let attribute =
        record.message_attributes.get(name).unwrap_or_else(|| panic!("attribute {name}: {record:?}"));
    (attribute.data_type.clone().unwrap(), attribute.string_value.clone().unwrap())
}

#[tokio::test]
async fn raw_delivery_carries_the_message_and_typed_attributes() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, false, true).await;

    notifier.notify(vec![quality_alert(7)]).await.unwrap();

    let records = moto::receive_until(&queue, 1, Duration::from_secs(5)).await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.body.as_deref(), Some(r#"{"site":"a","n":7}"#), "the body is the message itself");
    assert_eq!(attribute(record, "severity"), ("String".into(), "warning".into()));
    assert_eq!(attribute(record, "score"), ("Number".into(), "42.5".into()));
    assert_eq!(attribute(record, "sensors"), ("String.Array".into(), r#"["t-1","h 2"]"#.into()));
}

#[tokio::test]
async fn enveloped_delivery_wraps_message_subject_and_attributes() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, false, false).await;

    notifier.notify(vec![quality_alert(8)]).await.unwrap();

    let records = moto::receive_until(&queue, 1, Duration::from_secs(5)).await;
    assert_eq!(records.len(), 1);
    assert!(records[0].message_attributes.is_empty(), "enveloped: attributes travel inside the body");
    let envelope: SnsMessage =
        serde_json::from_str(records[0].body.as_deref().unwrap()).expect("an SNS envelope");
    assert_eq!(envelope.sns_message_type, "Notification");
    assert_eq!(envelope.topic_arn, notifier.topic_arn());
    assert_eq!(envelope.subject.as_deref(), Some("Quality alert"));
    assert_eq!(envelope.message, r#"{"site":"a","n":8}"#);
    let types: BTreeMap<&str, (&str, &str)> = envelope
        .message_attributes
        .iter()
        .map(|(name, a)| (name.as_str(), (a.data_type.as_str(), a.value.as_str())))
        .collect();
    assert_eq!(
        types,
        BTreeMap::from([
            ("score", ("Number", "42.5")),
            ("sensors", ("String.Array", r#"["t-1","h 2"]"#)),
            ("severity", ("String", "warning")),
        ])
    );
}

#[tokio::test]
async fn more_than_ten_notifications_are_all_delivered_once() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, false, true).await;

    notifier.notify((0..23).map(quality_alert).collect()).await.unwrap();

    let records = moto::receive_until(&queue, 23, Duration::from_secs(10)).await;
    let mut bodies: Vec<String> = records.iter().map(|r| r.body.clone().unwrap()).collect();
    bodies.sort();
    let mut expected: Vec<String> = (0..23).map(|n| quality_alert(n).message).collect();
    expected.sort();
    assert_eq!(bodies, expected);
}

#[tokio::test]
async fn a_fifo_topic_drops_a_resend_with_the_same_dedup_key() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, true, true).await;

    // A key SNS would refuse as an id (spaces, non-ASCII) is hashed, identically both times.
    let mut first = quality_alert(1);
    first.dedup_key = "alert site ä #1".into();
    notifier.notify(vec![first.clone(), quality_alert(2)]).await.unwrap();
    let mut resend = first.clone();
    resend.message = "the same alert, sent again".into();
    notifier.notify(vec![resend]).await.unwrap();

    let records = moto::receive_until(&queue, 2, Duration::from_secs(5)).await;
    let bodies: Vec<&str> = records.iter().map(|r| r.body.as_deref().unwrap()).collect();
    assert_eq!(
        bodies,
        vec![first.message.as_str(), quality_alert(2).message.as_str()],
        "in order, resend dropped"
    );
    assert_eq!(records[0].attributes.get("MessageGroupId").map(String::as_str), Some("twinpipe"));
}

#[tokio::test]
async fn an_entry_sns_rejects_is_reported_while_the_others_are_delivered() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, true, true).await;

    // A FIFO topic without content-based deduplication rejects an entry without a deduplication id,
    // inside a 200 and as the sender's fault (so it is not retried).
    let mut no_key = quality_alert(2);
    no_key.dedup_key = String::new();
    let err = notifier.notify(vec![quality_alert(1), no_key]).await.unwrap_err();

    match &err {
        NotifyError::Rejected { failed, total, first_error } => {
            assert_eq!((*failed, *total), (1, 2));
            assert!(first_error.starts_with("notification 1 to arn:aws:sns:"), "{first_error}");
            assert!(first_error.contains("InvalidParameter"), "{first_error}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let records = moto::receive_until(&queue, 1, Duration::from_secs(5)).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].body.as_deref(), Some(quality_alert(1).message.as_str()));
}

#[tokio::test]
async fn an_entry_the_answer_leaves_out_is_not_assumed_delivered() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, false, true).await;

    // moto quirk: a subject over 100 characters makes PublishBatch list the entry as neither successful
    // nor failed. The adapter must count it as a failure (retried, then reported), never as sent.
    let mut long_subject = quality_alert(2);
    long_subject.subject = Some("s".repeat(101));
    let notifier = notifier
        .with_retry(twinpipe_aws::RetryPolicy { attempts: 2, first_backoff: Duration::from_millis(10) });
    let err = notifier.notify(vec![quality_alert(1), long_subject]).await.unwrap_err();

    match &err {
        NotifyError::Rejected { failed, total, first_error } => {
            assert_eq!((*failed, *total), (1, 2));
            assert!(first_error.contains("MissingResultEntry"), "{first_error}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let records = moto::receive_until(&queue, 1, Duration::from_secs(5)).await;
    assert_eq!(records.len(), 1, "the good notification was sent once, not again with the retry");
}

#[tokio::test]
async fn a_notification_sns_cannot_accept_is_refused_before_anything_is_sent() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (notifier, queue) = topic_with_queue(&aws, false, true).await;

    let mut not_a_number = quality_alert(2);
    not_a_number.attributes.insert("score".into(), AttributeValue::Number(f64::NAN));
    let err = notifier.notify(vec![quality_alert(1), not_a_number]).await.unwrap_err();

    assert!(
        matches!(&err, NotifyError::Rejected { failed: 1, total: 2, first_error } if first_error.contains("\"score\"")),
        "{err:?}"
    );
    let received = moto::receive_until(&queue, 1, Duration::from_millis(500)).await;
    assert!(received.is_empty(), "nothing was sent: {received:?}");
}

#[tokio::test]
async fn an_unknown_topic_is_unavailable_with_the_service_cause() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let topic = format!("arn:aws:sns:us-east-1:123456789012:{}", moto::unique_name("tp-notopic"));
    let notifier = SnsNotifier::new(aws.sns(), topic);

    let err = notifier.notify(vec![quality_alert(1)]).await.unwrap_err();

    let NotifyError::Unavailable { source } = &err else { panic!("expected Unavailable, got {err:?}") };
    let call = source.downcast_ref::<AwsCallError>().expect("the SDK call's error");
    assert_eq!((call.operation(), call.code()), ("PublishBatch", Some("NotFound")));
    assert!(err.to_string().contains("NotFound"), "{err}");
}
