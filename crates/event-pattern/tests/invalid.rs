//! Patterns EventBridge rejects, with the path each error must point at.

use twinpipe_event_pattern::{EventPattern, PatternError};

/// (pattern, expected path, a fragment of the message).
const INVALID: &[(&str, &str, &str)] = &[
    // Shape.
    (r#"["aws.s3"]"#, "", "expected a JSON object"),
    (r#""aws.s3""#, "", "expected a JSON object"),
    ("{}", "", "empty objects"),
    (r#"{"detail": {}}"#, "detail", "empty objects"),
    (r#"{"source": "aws.s3"}"#, "source", "must be an object"),
    (r#"{"detail": {"size": 5}}"#, "detail.size", "must be an object"),
    (r#"{"detail": {"flag": null}}"#, "detail.flag", "must be an object"),
    (r#"{"source": []}"#, "source", "empty arrays"),
    (r#"{"detail": {"object": {"key": [["raw/"]]}}}"#, "detail.object.key[0]", "match value"),
    // Operators.
    (
        r#"{"detail": {"object": {"key": [{"prefx": "raw/"}]}}}"#,
        "detail.object.key[0]",
        "unknown operator `prefx`",
    ),
    (
        r#"{"detail": {"object": {"key": ["a", {"contains": "x"}]}}}"#,
        "detail.object.key[1]",
        "unknown operator `contains`",
    ),
    (r#"{"source": [{}]}"#, "source[0]", "exactly one key, found 0"),
    (r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#, "source[0]", "exactly one key, found 2"),
    (r#"{"source": [{"prefix": 5}]}"#, "source[0]", "`prefix`"),
    (r#"{"source": [{"prefix": {"suffix": "x"}}]}"#, "source[0]", "`suffix` is not supported"),
    (r#"{"source": [{"prefix": {"equals-ignore-case": 1}}]}"#, "source[0].prefix", "`equals-ignore-case`"),
    (r#"{"source": [{"suffix": ["x"]}]}"#, "source[0]", "`suffix`"),
    (r#"{"source": [{"equals-ignore-case": ["x"]}]}"#, "source[0]", "`equals-ignore-case`"),
    (r#"{"source": [{"exists": "true"}]}"#, "source[0]", "true or false"),
    (r#"{"source": [{"wildcard": "a**b"}]}"#, "source[0]", "consecutive wildcard"),
    (r#"{"source": [{"wildcard": "a\\b"}]}"#, "source[0]", "invalid escape"),
    (r#"{"source": [{"wildcard": 1}]}"#, "source[0]", "`wildcard`"),
    (r#"{"ip": [{"cidr": "10.0.0.0"}]}"#, "ip[0]", "one '/'"),
    (r#"{"ip": [{"cidr": "10.0.0.0/32"}]}"#, "ip[0]", "< 32"),
    (r#"{"ip": [{"cidr": "::/128"}]}"#, "ip[0]", "< 128"),
    (r#"{"ip": [{"cidr": "example.com/8"}]}"#, "ip[0]", "not an IP address"),
    (r#"{"ip": [{"cidr": 10}]}"#, "ip[0]", "`cidr`"),
    // numeric.
    (r#"{"n": [{"numeric": 5}]}"#, "n[0]", "must be an array"),
    (r#"{"n": [{"numeric": []}]}"#, "n[0].numeric", "empty arrays"),
    (r#"{"n": [{"numeric": [5]}]}"#, "n[0].numeric[0]", "expected an operator"),
    (r#"{"n": [{"numeric": ["!=", 5]}]}"#, "n[0].numeric[0]", "unknown operator `!=`"),
    (r#"{"n": [{"numeric": [">"]}]}"#, "n[0].numeric[1]", "expected a number"),
    (r#"{"n": [{"numeric": [">", "5"]}]}"#, "n[0].numeric[1]", "expected a number"),
    (r#"{"n": [{"numeric": ["=", 5, "<", 6]}]}"#, "n[0].numeric[2]", "too many"),
    (r#"{"n": [{"numeric": ["<", 5, ">", 1]}]}"#, "n[0].numeric[2]", "too many"),
    (r#"{"n": [{"numeric": [">", 0, ">", 5]}]}"#, "n[0].numeric[2]", "cannot close a range"),
    (r#"{"n": [{"numeric": [">", 0, "<"]}]}"#, "n[0].numeric[3]", "expected a number"),
    (r#"{"n": [{"numeric": [">", 0, "<", 5, 6]}]}"#, "n[0].numeric[4]", "too many"),
    (r#"{"n": [{"numeric": [">", 5, "<", 5]}]}"#, "n[0]", "lower bound"),
    (r#"{"n": [{"numeric": [">", 9, "<=", 1]}]}"#, "n[0]", "lower bound"),
    (r#"{"n": [{"numeric": [">", 5e9]}]}"#, "n[0]", "lower bound"),
    (r#"{"n": [{"numeric": ["<", 6e9]}]}"#, "n[0].numeric[1]", "between -5e9 and 5e9"),
    (r#"{"n": [{"numeric": ["=", 0.1234567]}]}"#, "n[0].numeric[1]", "6 decimal places"),
    // anything-but.
    (r#"{"s": [{"anything-but": null}]}"#, "s[0]", "`anything-but`"),
    (r#"{"s": [{"anything-but": true}]}"#, "s[0]", "`anything-but`"),
    (r#"{"s": [{"anything-but": []}]}"#, "s[0].anything-but", "empty arrays"),
    (r#"{"s": [{"anything-but": ["a", 1]}]}"#, "s[0]", "only strings or only numbers"),
    (r#"{"s": [{"anything-but": [null]}]}"#, "s[0]", "only strings or only numbers"),
    (r#"{"s": [{"anything-but": [1, 1e10]}]}"#, "s[0].anything-but[1]", "between -5e9 and 5e9"),
    (r#"{"s": [{"anything-but": 1.0000001}]}"#, "s[0]", "6 decimal places"),
    (
        r#"{"s": [{"anything-but": {"numeric": [">", 1]}}]}"#,
        "s[0]",
        "`numeric` cannot be used inside anything-but",
    ),
    (r#"{"s": [{"anything-but": {"prefix": ""}}]}"#, "s[0].anything-but", "must not be empty"),
    (r#"{"s": [{"anything-but": {"suffix": ["a", ""]}}]}"#, "s[0].anything-but", "must not be empty"),
    (r#"{"s": [{"anything-but": {"prefix": 1}}]}"#, "s[0].anything-but", "list of strings"),
    (r#"{"s": [{"anything-but": {"prefix": []}}]}"#, "s[0].anything-but.prefix", "empty arrays"),
    (
        r#"{"s": [{"anything-but": {"wildcard": ["ok*", "bad**"]}}]}"#,
        "s[0].anything-but",
        "consecutive wildcard",
    ),
    (
        r#"{"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}"#,
        "s[0].anything-but",
        "exactly one key, found 2",
    ),
    // $or.
    (r#"{"$or": {"source": ["a"]}}"#, "$or", "array of objects"),
    (r#"{"$or": [{"source": ["a"]}]}"#, "$or", "at least two"),
    (r#"{"$or": []}"#, "$or", "at least two"),
    (r#"{"$or": [{"source": ["a"]}, "b"]}"#, "$or[1]", "expected a JSON object"),
    (r#"{"$or": [{"source": ["a"]}, {}]}"#, "$or[1]", "empty objects"),
    (
        r#"{"detail": {"$or": [{"a": ["1"]}, {"b": {"c": [{"prefx": "x"}]}}]}}"#,
        "detail.$or[1].b.c[0]",
        "unknown operator `prefx`",
    ),
    (r#"{"$or": [{"numeric": [1]}, {"source": ["a"]}]}"#, "$or[0].numeric", "reserved"),
    (r#"{"$or": [{"detail": {"prefix": ["x"]}}, {"source": ["a"]}]}"#, "$or[0].detail.prefix", "reserved"),
];

#[test]
fn invalid_patterns_name_the_offending_part() {
    let mut failures = Vec::new();
    for (pattern, path, fragment) in INVALID {
        match EventPattern::parse(pattern) {
            Ok(_) => failures.push(format!("{pattern}: accepted")),
            Err(e) => {
                if e.path() != Some(*path) {
                    failures.push(format!("{pattern}: path {:?}, want {path:?} ({e})", e.path()));
                }
                if !e.to_string().contains(fragment) {
                    failures.push(format!("{pattern}: message {e:?} lacks {fragment:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_are_typed_and_readable() {
    let err = EventPattern::parse(r#"{"detail": {"object": {"key": [{"prefx": "raw/"}]}}}"#).unwrap_err();
    assert_eq!(
        err,
        PatternError::UnknownOperator { path: "detail.object.key[0]".into(), operator: "prefx".into() }
    );
    assert_eq!(err.to_string(), "detail.object.key[0]: unknown operator `prefx`");

    let err = EventPattern::parse("{}").unwrap_err();
    assert_eq!(err.to_string(), "(root): empty objects are not allowed");

    let err = EventPattern::parse("{not json").unwrap_err();
    assert!(matches!(err, PatternError::Json { .. }));
    assert_eq!(err.path(), None);
}

#[test]
fn valid_edge_cases_are_accepted() {
    for pattern in [
        // Boundaries of EventBridge's numbers.
        r#"{"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}"#,
        r#"{"n": [{"numeric": ["=", 0.000001]}]}"#,
        r#"{"n": [{"numeric": ["<", 5e9]}]}"#,
        // Exact numbers are not limited (account numbers are matched literally).
        r#"{"account": [123456789012, 1e300]}"#,
        // Reserved names are fine outside `$or`, and `$or` may nest.
        r#"{"detail": {"prefix": ["x"]}}"#,
        r#"{"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]}"#,
        r#"{"ip": [{"cidr": "0.0.0.0/0"}, {"cidr": "10.0.0.0/31"}, {"cidr": "::/127"}]}"#,
        r#"{"s": [{"prefix": ""}, {"suffix": ""}, {"wildcard": ""}, {"equals-ignore-case": ""}]}"#,
        r#"{"s": [{"wildcard": "\\*\\\\*"}]}"#,
        r#"{"s": [{"anything-but": {"equals-ignore-case": ["a", "B"]}}, {"anything-but": ""}]}"#,
        r#"{"s": [null, true, false, 0, -1.5, "", {"exists": true}]}"#,
    ] {
        if let Err(e) = EventPattern::parse(pattern) {
            panic!("{pattern} rejected: {e}");
        }
    }
}

#[test]
fn rule_files_deserialize_with_validation() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Rule {
        name: String,
        event_pattern: EventPattern,
    }
    let ok: Rule = serde_json::from_str(
        r#"{"name": "r", "event_pattern": {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "raw/"}]}}}}"#,
    )
    .unwrap();
    assert!(
        ok.event_pattern
            .matches(&serde_json::json!({"source": "aws.s3", "detail": {"object": {"key": "raw/x"}}}))
    );

    let err = serde_json::from_str::<Rule>(r#"{"name": "r", "event_pattern": {"source": [{"prefx": "a"}]}}"#)
        .err()
        .unwrap();
    assert!(err.to_string().contains("source[0]: unknown operator `prefx`"), "{err}");
}
