//! (pattern, event, expected) cases: the examples of the EventBridge user guide ("Creating event
//! patterns", "Content filtering", "Comparison operators"), then every operator positive and negative,
//! arrays in events, and `$or`.

use serde_json::{Value, json};
use twinpipe_event_pattern::EventPattern;

/// The EC2 state-change event the user guide's content-filtering examples are written against.
fn ec2_event() -> Value {
    json!({
        "version": "0",
        "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
        "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "012345679012",
        "time": "2017-10-02T16:24:49Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {
            "c-count": 5,
            "d-count": 3,
            "x-limit": 301.8,
            "source-ip": "10.0.0.33",
            "instance-id": "i-000000aaaaaa00000",
            "state": "running"
        }
    })
}

/// S3's EventBridge "Object Created" event, as our ingest bucket emits it.
fn s3_object_created(bucket: &str, key: &str) -> Value {
    json!({
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2021-11-12T00:00:00Z",
        "region": "ca-central-1",
        "resources": [format!("arn:aws:s3:::{bucket}")],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": key,
                "size": 5,
                "etag": "b1946ac92492d2347c6235b4d2611184",
                "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mppk",
                "sequencer": "00617F08299329D189"
            },
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "123456789012",
            "source-ip-address": "1.2.3.4",
            "reason": "PutObject"
        }
    })
}

/// Wraps a `detail` into a minimal envelope.
fn with_detail(detail: Value) -> Value {
    json!({
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Test",
        "source": "twinpipe.test",
        "account": "111122223333",
        "time": "2024-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail
    })
}

struct Case {
    name: &'static str,
    pattern: Value,
    event: Value,
    expected: bool,
}

fn case(name: &'static str, pattern: Value, event: Value, expected: bool) -> Case {
    Case { name, pattern, event, expected }
}

fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        match EventPattern::from_value(&c.pattern) {
            Ok(p) if p.matches(&c.event) == c.expected => {}
            Ok(_) => failures.push(format!("{}: expected matches == {}", c.name, c.expected)),
            Err(e) => failures.push(format!("{}: pattern rejected: {e}", c.name)),
        }
        // The text form must agree with the value form.
        let text = c.pattern.to_string();
        let parsed = EventPattern::parse(&text).map(|p| p.matches(&c.event));
        if parsed != Ok(c.expected) {
            failures.push(format!("{}: parse(text) gave {parsed:?}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn s3_object_created_rule() {
    let rule = json!({
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["my-bucket"]}, "object": {"key": [{"prefix": "raw/"}]}}
    });
    let mut other_source = s3_object_created("my-bucket", "raw/a.json");
    other_source["source"] = json!("aws.s3.fake");
    let mut deleted = s3_object_created("my-bucket", "raw/a.json");
    deleted["detail-type"] = json!("Object Deleted");
    let mut no_detail = s3_object_created("my-bucket", "raw/a.json");
    no_detail.as_object_mut().unwrap().remove("detail");
    run(vec![
        case(
            "raw object",
            rule.clone(),
            s3_object_created("my-bucket", "raw/2024/01/01/device-7.json"),
            true,
        ),
        case("curated object", rule.clone(), s3_object_created("my-bucket", "curated/x.parquet"), false),
        case("key merely containing raw/", rule.clone(), s3_object_created("my-bucket", "tmp/raw/x"), false),
        case("prefix is case-sensitive", rule.clone(), s3_object_created("my-bucket", "RAW/x"), false),
        case("other bucket", rule.clone(), s3_object_created("other-bucket", "raw/x"), false),
        case("other source", rule.clone(), other_source, false),
        case("other detail-type", rule.clone(), deleted, false),
        case("no detail", rule.clone(), no_detail, false),
        case("not an object event", rule, json!("raw/x"), false),
    ]);
}

#[test]
fn user_guide_examples() {
    run(vec![
        // "Creating event patterns": only the named fields matter.
        case(
            "ec2 state change",
            json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["running"]}}),
            ec2_event(),
            true,
        ),
        case(
            "ec2 terminated only",
            json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}}),
            ec2_event(),
            false,
        ),
        case("several values are OR", json!({"source": ["aws.ec2", "aws.fargate"]}), ec2_event(), true),
        case(
            "resources array",
            json!({
                "detail-type": ["EC2 Instance State-change Notification"],
                "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
                "detail": {"state": ["initializing", "running"]}
            }),
            ec2_event(),
            true,
        ),
        // Prefix, suffix, anything-but, numeric, IP, exists: the content-filtering page.
        case("prefix time", json!({"time": [{"prefix": "2017-10-02"}]}), ec2_event(), true),
        case("prefix time other day", json!({"time": [{"prefix": "2017-10-03"}]}), ec2_event(), false),
        case("suffix source", json!({"source": [{"suffix": "ec2"}]}), ec2_event(), true),
        case(
            "equals-ignore-case source",
            json!({"source": [{"equals-ignore-case": "AWS.EC2"}]}),
            ec2_event(),
            true,
        ),
        case(
            "anything-but initializing",
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            ec2_event(),
            true,
        ),
        case(
            "anything-but running",
            json!({"detail": {"state": [{"anything-but": "running"}]}}),
            ec2_event(),
            false,
        ),
        case("anything-but 123", json!({"detail": {"x-limit": [{"anything-but": 123}]}}), ec2_event(), true),
        case(
            "anything-but list",
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            ec2_event(),
            true,
        ),
        case(
            "anything-but number list",
            json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
            ec2_event(),
            true,
        ),
        case(
            "anything-but prefix",
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            ec2_event(),
            true,
        ),
        case(
            "anything-but prefix hit",
            json!({"detail": {"state": [{"anything-but": {"prefix": "run"}}]}}),
            ec2_event(),
            false,
        ),
        case(
            "numeric",
            json!({"detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}]
            }}),
            ec2_event(),
            true,
        ),
        case("ip cidr", json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}), ec2_event(), true),
        case("exists true", json!({"detail": {"c-count": [{"exists": true}]}}), ec2_event(), true),
        case("exists false", json!({"detail": {"c-count": [{"exists": false}]}}), ec2_event(), false),
        case(
            "complex example",
            json!({
                "time": [{"prefix": "2017-10-02"}],
                "detail": {
                    "state": [{"anything-but": "initializing"}],
                    "c-count": [{"numeric": [">", 0, "<=", 5]}],
                    "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"anything-but": [100, 200, 300]}],
                    "source-ip": [{"cidr": "10.0.0.0/8"}]
                }
            }),
            ec2_event(),
            true,
        ),
        case(
            "$or of numeric conditions",
            json!({"detail": {"$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
                {"x-limit": [{"numeric": ["=", 3.018e2]}]}
            ]}}),
            ec2_event(),
            true,
        ),
        // "Matching null values and empty strings".
        case(
            "null value",
            json!({"detail": {"responseElements": [null]}}),
            with_detail(json!({"responseElements": null, "eventVersion": ""})),
            true,
        ),
        case(
            "empty string",
            json!({"detail": {"eventVersion": [""]}}),
            with_detail(json!({"responseElements": null, "eventVersion": ""})),
            true,
        ),
        case(
            "null does not match a missing field",
            json!({"detail": {"responseElements": [null]}}),
            with_detail(json!({})),
            false,
        ),
        case(
            "empty string is not null",
            json!({"detail": {"eventVersion": [""]}}),
            with_detail(json!({"eventVersion": null})),
            false,
        ),
        // Comparison-operators table.
        case(
            "anything-but suffix",
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}),
            with_detail(json!({"FileName": "a.jpg"})),
            true,
        ),
        case(
            "anything-but suffix hit",
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}),
            with_detail(json!({"FileName": "a.png"})),
            false,
        ),
        case(
            "anything-but equals-ignore-case",
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}),
            with_detail(json!({"state": "INITIALIZING"})),
            false,
        ),
        case(
            "anything-but wildcard",
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            with_detail(json!({"FilePath": "/usr/bin/ls"})),
            true,
        ),
        case(
            "anything-but wildcard hit",
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            with_detail(json!({"FilePath": "/usr/lib/libc.so"})),
            false,
        ),
        case(
            "prefix ignore case",
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            with_detail(json!({"service": "eventbridge"})),
            true,
        ),
        case(
            "suffix ignore case",
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            with_detail(json!({"FileName": "IMAGE.PNG"})),
            true,
        ),
        case(
            "wildcard event bus arn",
            json!({"detail": {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}}),
            with_detail(json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/twinpipe"})),
            true,
        ),
        case(
            "wildcard event bus arn other region",
            json!({"detail": {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}}),
            with_detail(json!({"EventBusArn": "arn:aws:events:eu-west-1:123456789012:event-bus/twinpipe"})),
            false,
        ),
    ]);
}

#[test]
fn exact_values() {
    let d = |v: Value| with_detail(json!({ "v": v }));
    let p = |v: Value| json!({"detail": {"v": [v]}});
    run(vec![
        case("string", p(json!("a")), d(json!("a")), true),
        case("string is case-sensitive", p(json!("a")), d(json!("A")), false),
        case("string is not its number", p(json!("300")), d(json!(300)), false),
        case("number is not its string", p(json!(300)), d(json!("300")), false),
        case("300 equals 3.0e2", p(json!(300)), d(json!(3.0e2)), true),
        case("3.0e2 equals 300", p(json!(3.0e2)), d(json!(300)), true),
        case("300 equals 300.0", p(json!(300)), d(json!(300.0)), true),
        case("negative zero equals zero", p(json!(0)), d(json!(-0.0)), true),
        case("different numbers", p(json!(300)), d(json!(301)), false),
        case("large account-number-like", p(json!(123456789012u64)), d(json!(123456789012u64)), true),
        case("true", p(json!(true)), d(json!(true)), true),
        case("true is not false", p(json!(true)), d(json!(false)), false),
        case("true is not \"true\"", p(json!(true)), d(json!("true")), false),
        case("null", p(json!(null)), d(json!(null)), true),
        case("null is not \"null\"", p(json!(null)), d(json!("null")), false),
        case("null is not false", p(json!(null)), d(json!(false)), false),
        case("string value vs object", p(json!("a")), d(json!({"a": "a"})), false),
        case("ip literal any spelling", p(json!("::1")), d(json!("0:0:0:0:0:0:0:1")), true),
        case("ip literal same", p(json!("10.0.0.1")), d(json!("10.0.0.1")), true),
        case("ip literal other", p(json!("10.0.0.1")), d(json!("10.0.0.2")), false),
        case("top-level field", json!({"region": ["eu-west-1"]}), d(json!(1)), true),
        case("top-level field other", json!({"region": ["us-east-1"]}), d(json!(1)), false),
    ]);
}

#[test]
fn operators_positive_and_negative() {
    let d = |v: Value| with_detail(json!({ "v": v }));
    let p = |op: Value| json!({"detail": {"v": [op]}});
    run(vec![
        // prefix / suffix
        case("prefix", p(json!({"prefix": "ab"})), d(json!("abc")), true),
        case("prefix miss", p(json!({"prefix": "ab"})), d(json!("xabc")), false),
        case("prefix equal", p(json!({"prefix": "abc"})), d(json!("abc")), true),
        case("empty prefix matches any string", p(json!({"prefix": ""})), d(json!("x")), true),
        case("prefix only on strings", p(json!({"prefix": "1"})), d(json!(123)), false),
        case("prefix ignore case", p(json!({"prefix": {"equals-ignore-case": "AB"}})), d(json!("abc")), true),
        case(
            "prefix ignore case miss",
            p(json!({"prefix": {"equals-ignore-case": "AB"}})),
            d(json!("acb")),
            false,
        ),
        case("suffix", p(json!({"suffix": ".png"})), d(json!("a.png")), true),
        case("suffix miss", p(json!({"suffix": ".png"})), d(json!("a.png.gz")), false),
        case(
            "suffix ignore case",
            p(json!({"suffix": {"equals-ignore-case": ".PNG"}})),
            d(json!("a.png")),
            true,
        ),
        case(
            "suffix ignore case miss",
            p(json!({"suffix": {"equals-ignore-case": ".PNG"}})),
            d(json!("a.jpg")),
            false,
        ),
        // equals-ignore-case
        case("equals-ignore-case", p(json!({"equals-ignore-case": "alice"})), d(json!("ALICE")), true),
        case(
            "equals-ignore-case unicode",
            p(json!({"equals-ignore-case": "ÉCOLE"})),
            d(json!("école")),
            true,
        ),
        case("equals-ignore-case miss", p(json!({"equals-ignore-case": "alice"})), d(json!("alice2")), false),
        case("equals-ignore-case not numbers", p(json!({"equals-ignore-case": "1"})), d(json!(1)), false),
        // wildcard
        case("wildcard", p(json!({"wildcard": "dir/*.png"})), d(json!("dir/a/b.png")), true),
        case("wildcard miss", p(json!({"wildcard": "dir/*.png"})), d(json!("dir/a.jpg")), false),
        case("wildcard escaped star", p(json!({"wildcard": "a\\*b"})), d(json!("a*b")), true),
        case("wildcard escaped star miss", p(json!({"wildcard": "a\\*b"})), d(json!("axb")), false),
        case("wildcard is case-sensitive", p(json!({"wildcard": "A*"})), d(json!("abc")), false),
        // anything-but
        case("anything-but string", p(json!({"anything-but": "x"})), d(json!("y")), true),
        case("anything-but string hit", p(json!({"anything-but": "x"})), d(json!("x")), false),
        case("anything-but string vs number", p(json!({"anything-but": "x"})), d(json!(5)), true),
        case("anything-but string vs null", p(json!({"anything-but": "x"})), d(json!(null)), true),
        case("anything-but number", p(json!({"anything-but": 100})), d(json!(101)), true),
        case("anything-but number hit", p(json!({"anything-but": 100})), d(json!(1.0e2)), false),
        case("anything-but number vs string", p(json!({"anything-but": 100})), d(json!("100")), true),
        case("anything-but list hit", p(json!({"anything-but": ["a", "b"]})), d(json!("b")), false),
        case("anything-but needs the field", p(json!({"anything-but": "x"})), with_detail(json!({})), false),
        case(
            "anything-but prefix list",
            p(json!({"anything-but": {"prefix": ["a", "b"]}})),
            d(json!("bcd")),
            false,
        ),
        case(
            "anything-but prefix on number",
            p(json!({"anything-but": {"prefix": "1"}})),
            d(json!(12)),
            true,
        ),
        case(
            "anything-but suffix list",
            p(json!({"anything-but": {"suffix": [".a", ".b"]}})),
            d(json!("x.c")),
            true,
        ),
        case(
            "anything-but ignore case list",
            p(json!({"anything-but": {"equals-ignore-case": ["A", "B"]}})),
            d(json!("b")),
            false,
        ),
        case(
            "anything-but ignore case other",
            p(json!({"anything-but": {"equals-ignore-case": ["A", "B"]}})),
            d(json!("c")),
            true,
        ),
        case(
            "anything-but wildcard list",
            p(json!({"anything-but": {"wildcard": ["*.a", "*.b"]}})),
            d(json!("x.b")),
            false,
        ),
        // numeric
        case("numeric =", p(json!({"numeric": ["=", 5]})), d(json!(5.0)), true),
        case("numeric = miss", p(json!({"numeric": ["=", 5]})), d(json!(5.000001)), false),
        case("numeric <", p(json!({"numeric": ["<", 5]})), d(json!(4.999999)), true),
        case("numeric < boundary", p(json!({"numeric": ["<", 5]})), d(json!(5)), false),
        case("numeric <=", p(json!({"numeric": ["<=", 5]})), d(json!(5)), true),
        case("numeric <= miss", p(json!({"numeric": ["<=", 5]})), d(json!(6)), false),
        case("numeric >", p(json!({"numeric": [">", 5]})), d(json!(6)), true),
        case("numeric > boundary", p(json!({"numeric": [">", 5]})), d(json!(5)), false),
        case("numeric >=", p(json!({"numeric": [">=", 5]})), d(json!(5)), true),
        case("numeric >= miss", p(json!({"numeric": [">=", 5]})), d(json!(-5)), false),
        case("numeric range", p(json!({"numeric": [">", 0, "<=", 5]})), d(json!(5)), true),
        case("numeric range low", p(json!({"numeric": [">", 0, "<=", 5]})), d(json!(0)), false),
        case("numeric range high", p(json!({"numeric": [">=", 0, "<", 5]})), d(json!(5)), false),
        case("numeric exponent", p(json!({"numeric": [">=", 3.0e2, "<", 3.01e2]})), d(json!(300)), true),
        case("numeric not strings", p(json!({"numeric": [">", 0]})), d(json!("5")), false),
        case("numeric beyond 5e9 never matches", p(json!({"numeric": [">", 0]})), d(json!(6.0e9)), false),
        case("numeric at 5e9", p(json!({"numeric": [">", 0]})), d(json!(5.0e9)), true),
        case("numeric negative", p(json!({"numeric": ["<", 0]})), d(json!(-4.5e9)), true),
        // exists
        case("exists true", p(json!({"exists": true})), d(json!("x")), true),
        case("exists true on null", p(json!({"exists": true})), d(json!(null)), true),
        case("exists true missing", p(json!({"exists": true})), with_detail(json!({})), false),
        case("exists false missing", p(json!({"exists": false})), with_detail(json!({})), true),
        case("exists false present", p(json!({"exists": false})), d(json!(0)), false),
        case("exists false when detail is absent", p(json!({"exists": false})), json!({"source": "s"}), true),
        case(
            "exists is leaf-only: object does not exist",
            p(json!({"exists": true})),
            d(json!({"c1": 100})),
            false,
        ),
        case(
            "exists is leaf-only: object counts as absent",
            p(json!({"exists": false})),
            d(json!({"c1": 100})),
            true,
        ),
        case("empty array does not exist", p(json!({"exists": true})), d(json!([])), false),
        case("empty array is absent", p(json!({"exists": false})), d(json!([])), true),
        case("exists or value", json!({"detail": {"v": [{"exists": false}, "x"]}}), d(json!("x")), true),
        case(
            "exists or value miss",
            json!({"detail": {"v": [{"exists": false}, "x"]}}),
            d(json!("y")),
            false,
        ),
        // cidr
        case("cidr v4", p(json!({"cidr": "10.0.0.0/24"})), d(json!("10.0.0.255")), true),
        case("cidr v4 miss", p(json!({"cidr": "10.0.0.0/24"})), d(json!("10.0.1.0")), false),
        case("cidr v6", p(json!({"cidr": "2001:db8::/32"})), d(json!("2001:db8::1")), true),
        case("cidr v6 miss", p(json!({"cidr": "2001:db8::/32"})), d(json!("2001:db9::1")), false),
        case("cidr family mismatch", p(json!({"cidr": "::/0"})), d(json!("10.0.0.1")), false),
        case("cidr not an address", p(json!({"cidr": "10.0.0.0/8"})), d(json!("10.0.0.x")), false),
        case("cidr not a string", p(json!({"cidr": "10.0.0.0/8"})), d(json!(10)), false),
        case("cidr keeps the written start", p(json!({"cidr": "10.0.0.5/24"})), d(json!("10.0.0.4")), false),
    ]);
}

#[test]
fn arrays_in_events() {
    let d = |v: Value| with_detail(json!({ "v": v }));
    let p = |op: Value| json!({"detail": {"v": [op]}});
    run(vec![
        case("any element matches", p(json!("b")), d(json!(["a", "b"])), true),
        case("no element matches", p(json!("c")), d(json!(["a", "b"])), false),
        case("nested arrays are flattened", p(json!("c")), d(json!([["a"], ["b", ["c"]]])), true),
        case("prefix over elements", p(json!({"prefix": "raw/"})), d(json!(["cur/x", "raw/y"])), true),
        case("numeric over elements", p(json!({"numeric": [">", 10]})), d(json!([1, 2, 30])), true),
        case(
            "anything-but passes if some element differs",
            p(json!({"anything-but": "a"})),
            d(json!(["a", "b"])),
            true,
        ),
        case(
            "anything-but fails if every element is excluded",
            p(json!({"anything-but": ["a", "b"]})),
            d(json!(["a", "b"])),
            false,
        ),
        case(
            "resources intersection",
            json!({"resources": ["arn:x", "arn:y"]}),
            json!({"resources": ["arn:z", "arn:y"]}),
            true,
        ),
        case(
            "resources disjoint",
            json!({"resources": ["arn:x"]}),
            json!({"resources": ["arn:z", "arn:y"]}),
            false,
        ),
        case("empty resources", json!({"resources": ["arn:x"]}), json!({"resources": []}), false),
        case(
            "array of objects",
            json!({"detail": {"employees": {"firstName": ["Anna"]}}}),
            with_detail(json!({"employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"}
            ]})),
            true,
        ),
        case(
            "array of objects: one element must satisfy the whole sub-pattern",
            json!({"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Doe"]}}}),
            with_detail(json!({"employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"}
            ]})),
            false,
        ),
        case(
            "array of objects: same element",
            json!({"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}}),
            with_detail(json!({"employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"}
            ]})),
            true,
        ),
        case(
            "multi-level arrays of objects",
            json!({"detail": {"employees": {"firstName": ["Peter"]}}}),
            with_detail(json!({"employees": [[{"firstName": "John"}], [{"firstName": "Peter"}]]})),
            true,
        ),
        case(
            "objects inside an array are not leaf values",
            p(json!({"exists": true})),
            d(json!([{"a": 1}])),
            false,
        ),
        case("nested pattern vs scalar", json!({"detail": {"v": {"a": ["1"]}}}), d(json!("1")), false),
    ]);
}

#[test]
fn or_combinations() {
    let event = with_detail(json!({"state": "running", "count": 3}));
    run(vec![
        case(
            "top-level $or",
            json!({"$or": [{"source": ["nope"]}, {"region": ["eu-west-1"]}]}),
            event.clone(),
            true,
        ),
        case(
            "top-level $or none",
            json!({"$or": [{"source": ["nope"]}, {"region": ["us-east-1"]}]}),
            event.clone(),
            false,
        ),
        case(
            "$or is ANDed with siblings",
            json!({"source": ["other"], "$or": [{"region": ["eu-west-1"]}, {"account": ["x"]}]}),
            event.clone(),
            false,
        ),
        case(
            "$or inside detail",
            json!({"detail": {"$or": [{"state": ["stopped"]}, {"count": [{"numeric": [">", 2]}]}]}}),
            event.clone(),
            true,
        ),
        case(
            "$or branch with AND inside",
            json!({"detail": {"$or": [
                {"state": ["running"], "count": [{"numeric": [">", 5]}]},
                {"state": ["stopped"]}
            ]}}),
            event.clone(),
            false,
        ),
        case(
            "nested $or",
            json!({"$or": [
                {"source": ["nope"]},
                {"detail": {"$or": [{"state": ["x"]}, {"count": [3]}]}, "region": ["eu-west-1"]}
            ]}),
            event.clone(),
            true,
        ),
        case(
            "parallel $or groups must each match",
            json!({
                "$or": [{"source": ["twinpipe.test"]}, {"source": ["x"]}],
                "detail": {"$or": [{"state": ["x"]}, {"state": ["y"]}]}
            }),
            event.clone(),
            false,
        ),
        case(
            "$or branch with exists false",
            json!({"detail": {"$or": [{"missing": [{"exists": false}]}, {"state": ["x"]}]}}),
            event,
            true,
        ),
    ]);
}
