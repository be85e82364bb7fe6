//! Detectors of identifiers written with letters: UK National Insurance numbers, Spanish DNI
//! and NIE numbers, and IP addresses (v4 dotted, v6 in any of its textual forms).

use super::checks;
use super::detect::{alnum_at, alnum_before};
use super::{Found, Kind};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The bytes of `text` from `i` that match `shape` (`A` a letter, `9` a digit, `_` an
/// optional space, `-` an optional space or dash), upper-cased; where the match ends.
fn shaped(text: &str, i: usize, shape: &str) -> Option<(Vec<u8>, usize)> {
    let b = text.as_bytes();
    let (mut got, mut j) = (Vec::new(), i);
    for s in shape.bytes() {
        let c = b.get(j).copied();
        match (s, c) {
            (b'A', Some(c)) if c.is_ascii_alphabetic() => got.push(c.to_ascii_uppercase()),
            (b'9', Some(c)) if c.is_ascii_digit() => got.push(c),
            (b'_', Some(b' ')) | (b'-', Some(b' ' | b'-')) => {}
            (b'_' | b'-', _) => continue,
            _ => return None,
        }
        j += 1;
    }
    Some((got, j))
}

/// Where a word may start: an ASCII letter or digit with no letter or digit before it.
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(i, c)| c.is_ascii_alphanumeric() && !alnum_before(text, i))
        .map(|(i, _)| i)
}

/// UK National Insurance numbers (`AB 12 34 56 C`), Spanish DNIs (`12345678Z`) and NIEs
/// (`X1234567L`), each checked (HMRC's prefixes, the control letter).
pub(super) fn national_ids(text: &str, out: &mut Vec<Found>) {
    for i in word_starts(text) {
        let nino = shaped(text, i, "AA_99_99_99_A").filter(|(id, _)| checks::nino(id));
        let dni = shaped(text, i, "99999999-A").filter(|(id, _)| {
            let number = checks::digits(std::str::from_utf8(&id[..8]).unwrap_or_default());
            let n = number.iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
            id.get(8) == Some(&checks::dni_letter(n))
        });
        let nie = shaped(text, i, "A9999999-A").filter(|(id, _)| {
            let Some(lead) = b"XYZ".iter().position(|&c| c == id[0]) else {
                return false;
            };
            let n = id[1..8]
                .iter()
                .fold(lead as u32, |n, &d| n * 10 + u32::from(d - b'0'));
            id.get(8) == Some(&checks::dni_letter(n))
        });
        if let Some((_, end)) = nino
            .or(dni)
            .or(nie)
            .filter(|&(_, end)| !alnum_at(text, end))
        {
            out.push(Found::new(i, end, Kind::NationalId));
        }
    }
}

/// IPv4 addresses (four decimal octets, no leading zeros) and IPv6 addresses (as the standard
/// library reads them: compressed, full, with an IPv4 tail), standing alone.
pub(super) fn ips(text: &str, out: &mut Vec<Found>) {
    let b = text.as_bytes();
    let hexish = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
    let mut i = 0;
    while i < b.len() {
        if !hexish(b[i]) || alnum_before(text, i) || (i > 0 && hexish(b[i - 1])) {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < b.len() && hexish(b[end]) {
            end += 1;
        }
        let next = end;
        // A sentence's full stop or a list's colon is not part of the address.
        while end > i && matches!(b[end - 1], b'.' | b':') {
            end -= 1;
        }
        let token = &text[i..end];
        let v4 = token.parse::<Ipv4Addr>().is_ok();
        let v6 = token.contains("::") || token.matches(':').count() >= 2;
        let v6 =
            v6 && token.bytes().any(|c| c.is_ascii_hexdigit()) && token.parse::<Ipv6Addr>().is_ok();
        if (v4 || v6) && !alnum_at(text, next) {
            out.push(Found::new(i, end, Kind::Ip));
        }
        i = next.max(i + 1);
    }
}
