//! Properties: parsing and matching never panic; a pattern of an event's own values matches it.

use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};
use twinpipe_event_pattern::EventPattern;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) / 8.0)),
        "[a-z0-9./:*\\\\-]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        prop_oneof!["10.0.0.[0-9]{1,3}", "::[0-9a-f]{1,4}", "[0-9a-f:]{2,10}/[0-9]{1,3}"]
            .prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z-]{1,6}",
        1 => Just("$or".to_owned()),
        1 => prop::sample::select(vec![
            "prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "wildcard",
            "equals-ignore-case", "detail", "source",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Any JSON, biased towards the shapes patterns and events have.
fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Operator objects with plausible and implausible operands, so validation is exercised deeply.
fn operator_object() -> impl Strategy<Value = Value> {
    let operand = prop_oneof![
        scalar(),
        prop::collection::vec(scalar(), 0..5).prop_map(Value::Array),
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec!["<", "<=", "=", ">", ">=", "!"]).prop_map(|s| json!(s)),
                (-10i32..10).prop_map(|n| json!(n)),
            ],
            0..6
        )
        .prop_map(Value::Array),
        (
            prop::sample::select(vec!["prefix", "suffix", "equals-ignore-case", "wildcard", "numeric"]),
            prop_oneof![scalar(), prop::collection::vec(scalar(), 0..3).prop_map(Value::Array)],
        )
            .prop_map(|(k, v)| json!({ k: v })),
    ];
    (
        prop::sample::select(vec![
            "prefix",
            "suffix",
            "equals-ignore-case",
            "wildcard",
            "anything-but",
            "numeric",
            "exists",
            "cidr",
            "bogus",
        ]),
        operand,
    )
        .prop_map(|(k, v)| json!({ k: v }))
}

/// Operator objects that are mostly valid, so matching (not just validation) gets exercised.
fn likely_valid_operator() -> impl Strategy<Value = Value> {
    let text = "[a-z0-9./*-]{0,6}";
    prop_oneof![
        text.prop_map(|t| json!({"prefix": t})),
        text.prop_map(|t| json!({"suffix": {"equals-ignore-case": t}})),
        text.prop_map(|t| json!({"equals-ignore-case": t})),
        "[a-z0-9./-]{0,3}(\\*[a-z0-9./-]{1,3}){0,2}\\*?".prop_map(|t| json!({"wildcard": t})),
        any::<bool>().prop_map(|b| json!({"exists": b})),
        prop::collection::vec("[a-z]{0,3}", 1..3).prop_map(|l| json!({"anything-but": l})),
        (-100i32..100).prop_map(|n| json!({"anything-but": n})),
        "[a-z]{1,3}".prop_map(|t| json!({"anything-but": {"prefix": t}})),
        "[a-z*]{1,3}".prop_map(|t| json!({"anything-but": {"wildcard": t}})),
        (-100i32..100, 1i32..100, any::<bool>(), any::<bool>()).prop_map(|(lo, width, a, b)| {
            json!({"numeric": [if a { ">" } else { ">=" }, lo, if b { "<" } else { "<=" }, lo + width]})
        }),
        (prop::sample::select(vec!["<", "<=", "=", ">", ">="]), -100i32..100)
            .prop_map(|(op, n)| json!({"numeric": [op, n]})),
        (0u8..4, 0u8..=31).prop_map(|(a, bits)| json!({"cidr": format!("10.0.{a}.0/{bits}")})),
    ]
}

fn pattern_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z-]{1,6}",
        1 => prop::sample::select(vec!["detail", "source", "prefix", "numeric"]).prop_map(str::to_owned),
    ]
}

/// Pattern-shaped values: objects of nested objects, `$or` lists and match-value arrays. Mostly valid.
fn pattern_like() -> impl Strategy<Value = Value> {
    let leaf = prop::collection::vec(
        prop_oneof![4 => scalar(), 6 => likely_valid_operator(), 1 => operator_object()],
        1..4,
    )
    .prop_map(Value::Array);
    let object = leaf.prop_recursive(4, 48, 4, |inner| {
        let object = || prop::collection::vec((pattern_key(), inner.clone()), 1..4);
        prop_oneof![
            4 => object().prop_map(|entries| Value::Object(entries.into_iter().collect())),
            1 => (object(), prop::collection::vec(
                prop::collection::vec((pattern_key(), inner.clone()), 1..3)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
                2..4,
            ))
            .prop_map(|(entries, branches)| {
                let mut map: Map<String, Value> = entries.into_iter().collect();
                map.insert("$or".to_owned(), Value::Array(branches));
                Value::Object(map)
            }),
        ]
    });
    // The root is always an object.
    (pattern_key(), object).prop_map(|(k, v)| json!({ k: v }))
}

/// An exact-match pattern from an event's own scalar leaves, or `None` if it has none to use.
fn exact_pattern_of(event: &Map<String, Value>) -> Option<Value> {
    let mut pattern = Map::new();
    for (name, value) in event {
        if name == "$or" {
            continue; // `$or` is an operator in patterns, never a field name.
        }
        let field = match value {
            Value::Object(inner) => exact_pattern_of(inner),
            Value::Array(items) => {
                let mut scalars = Vec::new();
                flatten_scalars(items, &mut scalars);
                if scalars.is_empty() {
                    // Arrays of objects match element-wise: take the first object that yields a pattern.
                    first_object_pattern(items)
                } else {
                    Some(Value::Array(scalars))
                }
            }
            scalar => Some(json!([scalar])),
        };
        if let Some(field) = field {
            pattern.insert(name.clone(), field);
        }
    }
    (!pattern.is_empty()).then_some(Value::Object(pattern))
}

fn flatten_scalars(items: &[Value], out: &mut Vec<Value>) {
    for item in items {
        match item {
            Value::Array(inner) => flatten_scalars(inner, out),
            Value::Object(_) => {}
            scalar => out.push(scalar.clone()),
        }
    }
}

fn first_object_pattern(items: &[Value]) -> Option<Value> {
    items.iter().find_map(|item| match item {
        Value::Object(object) => exact_pattern_of(object),
        Value::Array(inner) => first_object_pattern(inner),
        _ => None,
    })
}

fn envelope() -> impl Strategy<Value = Value> {
    (
        "[a-z.]{1,12}",
        "[A-Za-z ]{1,20}",
        prop::collection::vec("arn:aws:[a-z0-9:/-]{1,20}", 0..3),
        json_value(),
    )
        .prop_map(|(source, detail_type, resources, detail)| {
            json!({
                "version": "0",
                "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                "detail-type": detail_type,
                "source": source,
                "account": "123456789012",
                "time": "2024-01-01T00:00:00Z",
                "region": "eu-west-1",
                "resources": resources,
                "detail": detail
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(pattern in json_value(), event in json_value()) {
        if let Ok(p) = EventPattern::from_value(&pattern) {
            let _ = p.matches(&event);
        }
        let _ = EventPattern::parse(&pattern.to_string());
    }

    #[test]
    fn pattern_shaped_json_never_panics(pattern in pattern_like(), event in envelope(), other in json_value()) {
        if let Ok(p) = EventPattern::from_value(&pattern) {
            let _ = p.matches(&event);
            let _ = p.matches(&other);
            // Parsing the text form gives the same verdicts.
            let reparsed = EventPattern::parse(&pattern.to_string()).expect("text form parses too");
            prop_assert_eq!(reparsed.matches(&event), p.matches(&event));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = EventPattern::parse(&text);
    }

    #[test]
    fn exact_pattern_of_an_event_matches_it(event in envelope()) {
        let object = event.as_object().expect("envelopes are objects");
        let pattern = exact_pattern_of(object).expect("envelopes always have scalar fields");
        let compiled = EventPattern::from_value(&pattern);
        prop_assert!(compiled.is_ok(), "{} rejected: {:?}", pattern, compiled.err());
        prop_assert!(compiled.unwrap().matches(&event), "{} does not match {}", pattern, event);
    }
}
