//! IP addresses as EventBridge sees them, for `cidr` and for exact matches on address literals.
//!
//! EventBridge only treats a string as an address when it *looks* like one: four dot-separated runs of
//! decimal digits (IPv4), or hex digits and colons with at least one colon (IPv6; so no embedded IPv4
//! such as `::ffff:1.2.3.4`). Such strings compare as addresses, so `"::1"` equals `"0:0:0:0:0:0:0:1"`.

use std::net::Ipv6Addr;

/// An address: IPv4 and IPv6 never compare equal or fall in each other's ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ip {
    V4(u32),
    V6(u128),
}

/// Parses `text` if it looks like an address literal and is one; `None` otherwise.
pub(crate) fn parse(text: &str) -> Option<Ip> {
    if looks_like_v4(text) {
        // Each part is decimal (leading zeros allowed, as Java's parser allows them) and fits a byte.
        let mut bits = 0u32;
        for part in text.split('.') {
            bits = (bits << 8) | u32::from(part.parse::<u8>().ok()?);
        }
        Some(Ip::V4(bits))
    } else if looks_like_v6(text) {
        text.parse::<Ipv6Addr>().ok().map(|a| Ip::V6(u128::from(a)))
    } else {
        None
    }
}

fn looks_like_v4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn looks_like_v6(text: &str) -> bool {
    text.contains(':') && text.bytes().all(|b| b == b':' || b.is_ascii_hexdigit())
}

/// A `cidr` operand: the addresses from the one written up to the same address with all host bits set.
///
/// EventBridge does not clear host bits in the written address, so `10.0.0.5/24` covers `10.0.0.5` to
/// `10.0.0.255`, not the whole `/24`; we keep that so local routing agrees with AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    low: Ip,
    high: Ip,
}

impl Cidr {
    /// Parses `address/bits`; the error is the reason, the caller adds the path.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split('/');
        let (Some(addr), Some(bits), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("malformed CIDR `{text}`: exactly one '/' is required"));
        };
        if bits.is_empty() {
            return Err(format!("malformed CIDR `{text}`: exactly one '/' is required"));
        }
        let bits: i32 =
            bits.parse().map_err(|_| format!("malformed CIDR `{text}`: mask bits must be an integer"))?;
        if bits < 0 {
            return Err(format!("malformed CIDR `{text}`: mask bits must not be negative"));
        }
        // EventBridge accepts up to /31 and /127 only (a single address is matched with a plain string).
        match parse(addr) {
            Some(Ip::V4(a)) if bits <= 31 => {
                let host = u32::MAX >> bits;
                Ok(Self { low: Ip::V4(a), high: Ip::V4(a | host) })
            }
            Some(Ip::V6(a)) if bits <= 127 => {
                let host = u128::MAX >> bits;
                Ok(Self { low: Ip::V6(a), high: Ip::V6(a | host) })
            }
            Some(Ip::V4(_)) => Err(format!("IPv4 mask bits must be < 32 in `{text}`")),
            Some(Ip::V6(_)) => Err(format!("IPv6 mask bits must be < 128 in `{text}`")),
            None => Err(format!("`{addr}` is not an IP address")),
        }
    }

    pub(crate) fn contains(&self, ip: Ip) -> bool {
        match (self.low, self.high, ip) {
            (Ip::V4(lo), Ip::V4(hi), Ip::V4(x)) => lo <= x && x <= hi,
            (Ip::V6(lo), Ip::V6(hi), Ip::V6(x)) => lo <= x && x <= hi,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_address_looking_strings_parse() {
        assert_eq!(parse("10.0.0.1"), Some(Ip::V4(0x0a00_0001)));
        assert_eq!(parse("010.000.000.001"), Some(Ip::V4(0x0a00_0001)));
        assert_eq!(parse("256.0.0.1"), None);
        assert_eq!(parse("1.2.3"), None);
        assert_eq!(parse("::1"), parse("0:0:0:0:0:0:0:1"));
        assert!(parse("::1").is_some());
        assert_eq!(parse("::ffff:1.2.3.4"), None);
        assert_eq!(parse("example.com"), None);
        assert_eq!(parse("cafe"), None);
    }

    #[test]
    fn cidr_ranges() {
        let c = Cidr::parse("10.0.0.0/24").unwrap();
        assert!(c.contains(parse("10.0.0.0").unwrap()));
        assert!(c.contains(parse("10.0.0.255").unwrap()));
        assert!(!c.contains(parse("10.0.1.0").unwrap()));
        assert!(!c.contains(parse("::a00:1").unwrap()));

        let c = Cidr::parse("10.0.0.5/24").unwrap();
        assert!(!c.contains(parse("10.0.0.4").unwrap()));
        assert!(c.contains(parse("10.0.0.5").unwrap()));

        let c = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(c.contains(parse("255.255.255.255").unwrap()));

        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains(parse("2001:db8:ffff::1").unwrap()));
        assert!(!c.contains(parse("2001:db9::1").unwrap()));
    }

    #[test]
    fn bad_cidrs() {
        for bad in [
            "10.0.0.0",
            "10.0.0.0/",
            "10.0.0.0/8/8",
            "10.0.0.0/x",
            "10.0.0.0/-1",
            "10.0.0.0/32",
            "::/128",
            "host/8",
            "300.0.0.0/8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
