//! How a port's typed [`AttributeValue`] travels as an SNS or SQS message attribute.
//!
//! SNS and SQS share the wire form: a data type plus a string value. SNS filter policies match on the
//! type (`Number` ranges, `String.Array` membership), and SNS raw delivery hands the same pair to SQS,
//! so both adapters encode through this one function.

use twinpipe_ports::AttributeValue;

/// The data type and string value of `value`, or why the services would refuse it.
pub(crate) fn encode(value: &AttributeValue) -> Result<(&'static str, String), String> {
    Ok(match value {
        AttributeValue::String(s) => ("String", s.clone()),
        AttributeValue::Number(n) if n.is_finite() => ("Number", n.to_string()),
        AttributeValue::Number(n) => return Err(format!("{n} is not a number SNS or SQS accepts")),
        AttributeValue::StringArray(items) => {
            ("String.Array", serde_json::Value::from(items.clone()).to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_keep_their_types() {
        assert_eq!(encode(&AttributeValue::String("warning".into())).unwrap(), ("String", "warning".into()));
        assert_eq!(encode(&AttributeValue::Number(3.0)).unwrap(), ("Number", "3".into()));
        assert_eq!(encode(&AttributeValue::Number(-0.25)).unwrap(), ("Number", "-0.25".into()));
        assert_eq!(
            encode(&AttributeValue::StringArray(vec!["a".into(), "b \"c\"".into()])).unwrap(),
            ("String.Array", r#"["a","b \"c\""]"#.into())
        );
    }

    #[test]
    fn non_finite_numbers_are_refused() {
        assert!(encode(&AttributeValue::Number(f64::NAN)).is_err());
        assert!(encode(&AttributeValue::Number(f64::INFINITY)).is_err());
    }
}
