//! The hand-written value classifier agrees with the spec's regular expressions on any text.

use proptest::prelude::*;
use regex::Regex;
use twinpipe_quality::value_class::{ValueClass, classify};

fn oracle(text: &str) -> ValueClass {
    // The spec's anchored expressions, ASCII digits only (§2.1).
    let fractional = Regex::new(r"^(-|\+)? ?[0-9]+((\.[0-9]+)|((?:\.[0-9]+)?[Ee][-+]?[0-9]+))$").unwrap();
    let integral = Regex::new(r"^(-|\+)? ?[0-9]+$").unwrap();
    let boolean = Regex::new(r"^(true|false)$").unwrap();
    if fractional.is_match(text) {
        ValueClass::Fractional
    } else if integral.is_match(text) {
        ValueClass::Integral
    } else if boolean.is_match(text) {
        ValueClass::Boolean
    } else {
        ValueClass::String
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn classify_matches_the_spec_regexes_on_number_like_text(text in r"[-+ ]{0,2}[0-9]{0,3}(\.[0-9]{0,2})?([eE][-+]?[0-9]{0,2})?[ a.]?") {
        prop_assert_eq!(classify(&text), oracle(&text), "{:?}", text);
    }

    #[test]
    fn classify_matches_the_spec_regexes_on_any_text(text in ".{0,8}") {
        prop_assert_eq!(classify(&text), oracle(&text), "{:?}", text);
    }
}
