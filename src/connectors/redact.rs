//! Keeping secrets out of logs, errors and the inspector.
//!
//! A [`Secret`] holds a credential; its `Debug` and `Display` print `[redacted]`, so a secret
//! inside a config or connector struct cannot leak through `{:?}`. [`redact`] scrubs known
//! secret values out of free text (an upstream error body that echoes a token, a URL with a
//! key in its query) before it reaches an error or a log line.

use std::fmt;

/// What a redacted value prints as.
pub const REDACTED: &str = "[redacted]";

/// A credential: an API key, a password, a token. Only [`Secret::expose`] shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `text` with every occurrence of each secret replaced by `[redacted]`, and the password of
/// every URL's userinfo (`scheme://user:password@host`) too. Secrets shorter than four
/// characters are left alone: replacing them would mangle ordinary words.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = redact_userinfo(text);
    for secret in secrets {
        let value = secret.expose();
        if value.len() >= 4 {
            out = out.replace(value, REDACTED);
        }
    }
    out
}

/// `text` with the password of each URL's userinfo replaced: `https://bob:pw@host` becomes
/// `https://bob:[redacted]@host`. Only `scheme://` URLs are touched.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or whitespace.
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                let hidden = if userinfo.contains(':') {
                    format!("{user}:{REDACTED}@{host}")
                } else {
                    authority.to_owned()
                };
                out.push_str(&hidden);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Whether a header carries credentials and must never be logged.
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization"
            | "x-api-key"
            | "token"
            | "x-amz-bearer"
            | "x-amz-security-token"
            | "cookie"
    ) || name.contains("secret")
        || name.contains("token")
}

/// Headers as `name: value` lines with the values of sensitive ones redacted, for logs.
pub fn redact_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    headers
        .into_iter()
        .map(|(name, value)| {
            if is_sensitive_header(name) {
                format!("{name}: {REDACTED}")
            } else {
                format!("{name}: {value}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a presented credential equals the expected one, comparing every byte (no early
/// exit that would tell an attacker how much of a guess was right).
pub fn same_secret(presented: &str, expected: &Secret) -> bool {
    let (a, b) = (presented.as_bytes(), expected.expose().as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `text` cut to at most `max` characters, with an ellipsis when cut; for error details.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-test-1234");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "sk-test-1234");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let s = Secret::new("hunter22");
        assert_eq!(
            redact("token hunter22 and again hunter22", &[&s]),
            "token [redacted] and again [redacted]"
        );
        assert_eq!(redact("a b c", &[&Secret::new("b")]), "a b c");
    }

    #[test]
    fn url_passwords_are_redacted_wherever_they_appear() {
        assert_eq!(
            redact("proxy http://bob:pa55@proxy.example:3128/x failed", &[]),
            "proxy http://bob:[redacted]@proxy.example:3128/x failed"
        );
        assert_eq!(
            redact_userinfo("a https://u:p@h and wss://v:q@k?x=1"),
            "a https://u:[redacted]@h and wss://v:[redacted]@k?x=1"
        );
        let untouched = "mail me at bob@example.com, see https://bob@h/p or http://h/@x";
        assert_eq!(redact_userinfo(untouched), untouched);
    }

    /// Arbitrary Unicode around a URL with a password: the password never survives, and text
    /// without `://` comes back as it was.
    #[test]
    fn arbitrary_text_never_keeps_a_url_password() {
        let mut rng = fastrand::Rng::with_seed(6);
        for _ in 0..2000 {
            let noise = |rng: &mut fastrand::Rng| -> String {
                (0..rng.usize(0..12)).map(|_| rng.char(..)).collect()
            };
            let (a, b) = (noise(&mut rng), noise(&mut rng));
            let text = format!("{a} https://user:CANARY-pw-7@host/{b}");
            let out = redact_userinfo(&text);
            assert!(!out.contains("CANARY-pw-7"), "{text:?} -> {out:?}");
            if !a.contains("://") {
                assert_eq!(redact_userinfo(&a), a);
            }
        }
    }

    #[test]
    fn sensitive_headers_are_redacted() {
        let text = redact_headers([("x-api-key", "k-1"), ("content-type", "json")]);
        assert_eq!(text, "x-api-key: [redacted]\ncontent-type: json");
        assert!(is_sensitive_header("X-Amz-Bearer"));
        assert!(!is_sensitive_header("x-8x8-event-id"));
    }

    #[test]
    fn secrets_compare_exactly() {
        let s = Secret::new("Bearer abc");
        assert!(same_secret("Bearer abc", &s));
        assert!(!same_secret("Bearer abd", &s));
        assert!(!same_secret("Bearer ab", &s));
    }

    #[test]
    fn shorten_cuts_long_text() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten(" ab ", 3), "ab");
    }
}
