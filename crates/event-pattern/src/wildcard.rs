//! `wildcard` operands: `*` matches any run of characters (including none).
//!
//! EventBridge's escaping rules: `\*` is a literal asterisk, `\\` a literal backslash, a backslash before
//! anything else is an error, and two unescaped `*` in a row are an error (they would make matching
//! needlessly expensive, so the service refuses them).

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Star,
    Char(char),
}

impl Wildcard {
    /// Parses an operand; the error is the reason, the caller adds the path.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::with_capacity(text.len());
        let mut chars = text.chars().enumerate().peekable();
        while let Some((pos, c)) = chars.next() {
            match c {
                '*' => {
                    if matches!(chars.peek(), Some((_, '*'))) {
                        return Err(format!("consecutive wildcard characters at position {pos}"));
                    }
                    pieces.push(Piece::Star);
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('*' | '\\'))) => pieces.push(Piece::Char(escaped)),
                    _ => {
                        return Err(format!(
                            "invalid escape at position {pos}: only \\* and \\\\ are allowed"
                        ));
                    }
                },
                other => pieces.push(Piece::Char(other)),
            }
        }
        Ok(Self { pieces })
    }

    /// Glob match with backtracking to the most recent star: O(len(pattern) * len(value)) at worst.
    pub(crate) fn matches(&self, value: &str) -> bool {
        let text: Vec<char> = value.chars().collect();
        let pieces = &self.pieces;
        let (mut p, mut t) = (0, 0);
        // Position after the last star seen, and the text position it is currently absorbing up to.
        let mut backtrack: Option<(usize, usize)> = None;
        while t < text.len() {
            match pieces.get(p) {
                Some(Piece::Char(c)) if *c == text[t] => {
                    p += 1;
                    t += 1;
                }
                Some(Piece::Star) => {
                    backtrack = Some((p + 1, t));
                    p += 1;
                }
                _ => match backtrack {
                    Some((after_star, absorbed)) => {
                        p = after_star;
                        t = absorbed + 1;
                        backtrack = Some((after_star, absorbed + 1));
                    }
                    None => return false,
                },
            }
        }
        pieces[p..].iter().all(|piece| *piece == Piece::Star)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, value: &str) -> bool {
        Wildcard::parse(pattern).unwrap().matches(value)
    }

    #[test]
    fn stars_match_any_run() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("a*c", "ac"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abcd"));
        assert!(m("*/lib/*", "usr/lib/x.so"));
        assert!(!m("*/lib/*", "usr/libx"));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(m(
            "arn:aws:events:us-east-1:*:event-bus/*",
            "arn:aws:events:us-east-1:123456789012:event-bus/bus"
        ));
        assert!(!m("abc", "abcd"));
        assert!(!m("", "a"));
        assert!(m("", ""));
    }

    #[test]
    fn escapes_are_literal() {
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        assert!(m(r"a\\b", r"a\b"));
        assert!(m(r"\**", "*tail"));
    }

    #[test]
    fn invalid_operands_are_rejected() {
        assert!(Wildcard::parse("a**b").is_err());
        assert!(Wildcard::parse(r"a\b").is_err());
        assert!(Wildcard::parse("trailing\\").is_err());
        assert!(Wildcard::parse(r"\***").is_err());
    }
}
