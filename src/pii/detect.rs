//! The detectors: each scans the text once and reports the spans it is sure of. They work on
//! ASCII bytes only (digits, separators, Latin letters), so every span starts and ends on a
//! character boundary whatever the text around it is.

use super::checks;
use super::{Found, Kind};

/// Whether the character before byte `i` is a letter or digit of any script.
pub(super) fn alnum_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|t| t.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// Whether the character at byte `i` is a letter or digit of any script.
pub(super) fn alnum_at(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .is_some_and(char::is_alphanumeric)
}

/// Whether one of `words` (lower case) appears in the 32 bytes before byte `i`.
fn keyword_before(text: &str, i: usize, words: &[&str]) -> bool {
    let mut from = i.saturating_sub(32);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = text.get(from..i).unwrap_or_default().to_lowercase();
    words.iter().any(|w| window.contains(w))
}

/// Email addresses: a local part, `@`, and a domain of at least two labels whose last is
/// letters only (so `@channel`, `user@localhost` and `price@2.50` are not addresses).
pub(super) fn emails(text: &str, out: &mut Vec<Found>) {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    for (at, _) in text.match_indices('@') {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local(c))
            .last()
            .map_or(at, |(i, _)| i);
        let start = start + text[start..at].len() - text[start..at].trim_start_matches('.').len();
        let tail = &text[at + 1..];
        let len = tail.find(|c: char| !domain(c)).unwrap_or(tail.len());
        let host = tail[..len].trim_end_matches(['.', '-']);
        if start < at && domain_ok(host) {
            out.push(Found::new(start, at + 1 + host.len(), Kind::Email));
        }
    }
}

fn domain_ok(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.chars().count() >= 2
        && tld.chars().all(char::is_alphabetic)
}

/// A run of digit groups joined by single separators, as people write phone, card and id
/// numbers: `+44 20 7946 0958`, `(415) 555-0132`, `4111-1111-1111-1111`.
struct Run<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// The digit groups' byte ranges.
    groups: Vec<(usize, usize)>,
}

impl Run<'_> {
    fn raw(&self) -> &str {
        &self.text[self.start..self.end]
    }
    fn digits(&self) -> Vec<u8> {
        checks::digits(self.raw())
    }
    fn sizes(&self) -> Vec<usize> {
        self.groups.iter().map(|(a, b)| b - a).collect()
    }
    /// The separators used between groups, each once.
    fn separators(&self) -> Vec<u8> {
        let mut seps: Vec<u8> = self
            .groups
            .windows(2)
            .flat_map(|w| self.text.as_bytes()[w[0].1..w[1].0].iter().copied())
            .collect();
        seps.sort_unstable();
        seps.dedup();
        seps
    }
}

/// Every digit run of `text` that stands alone (no letter or digit touching either end).
fn runs(text: &str) -> Vec<Run<'_>> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let opener = matches!(b[i], b'+' | b'(') && digit(i + 1);
        let starts = (digit(i) || opener)
            && !alnum_before(text, i)
            && !(i > 0 && b".,:/_-@#$+".contains(&b[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let start = i;
        let mut groups = Vec::new();
        let mut end = if opener { i + 1 } else { i };
        loop {
            let group = end;
            while digit(end) {
                end += 1;
            }
            groups.push((group, end));
            // A separator of one or two of ` -./()`, at most one of them a space, dash, dot or
            // slash, followed by a digit.
            let sep = (1..=2).find(|&n| {
                let s = &b[end..(end + n).min(b.len())];
                s.len() == n
                    && s.iter().all(|c| b" -./()".contains(c))
                    && s.iter().filter(|c| b" -./".contains(c)).count() <= 1
                    && digit(end + n)
            });
            match sep {
                Some(n) => end += n,
                None => break,
            }
        }
        let mut run = Run {
            text,
            start,
            end,
            groups,
        };
        i = end.max(i + 1);
        if alnum_at(text, end) {
            continue;
        }
        if b[start] == b'(' && !run.raw().contains(')') {
            run.start += 1;
        }
        out.push(run);
    }
    out
}

/// Card numbers, US SSNs, Dutch BSNs and phone numbers, from the digit runs.
pub(super) fn numbers(text: &str, out: &mut Vec<Found>) {
    for run in runs(text) {
        let kind = if card(&run) {
            Some(Kind::Card)
        } else if ssn(&run) {
            Some(Kind::Ssn)
        } else if bsn(&run) {
            Some(Kind::NationalId)
        } else if phone(&run) {
            Some(Kind::Phone)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Found::new(run.start, run.end, kind));
        }
    }
}

/// 13 to 19 digits in groups of four or more (the last may be shorter), spaces or dashes
/// between, a first digit a card network uses (2-6), and the Luhn check.
fn card(run: &Run<'_>) -> bool {
    let digits = run.digits();
    let sizes = run.sizes();
    let seps = run.separators();
    (13..=19).contains(&digits.len())
        && (2..=6).contains(&digits[0])
        && seps.len() <= 1
        && seps.iter().all(|s| b" -".contains(s))
        && run
            .raw()
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b' ' || c == b'-')
        && sizes[..sizes.len() - 1].iter().all(|&s| s >= 4)
        && checks::luhn(&digits)
}

/// `123-45-6789` or `123 45 6789`, or nine digits after "SSN"; never-issued ranges excluded.
fn ssn(run: &Run<'_>) -> bool {
    let d = run.digits();
    let sizes = run.sizes();
    let seps = run.separators();
    let dashed = sizes == [3, 2, 4] && (seps == [b'-'] || seps == [b' ']);
    let named = sizes == [9] && keyword_before(run.text, run.start, &["ssn", "social security"]);
    let number = |r: &[u8]| r.iter().fold(0u32, |n, &x| n * 10 + u32::from(x));
    (dashed || named)
        && d.len() == 9
        && checks::ssn(number(&d[..3]), number(&d[3..5]), number(&d[5..]))
}

/// Nine digits after "BSN" (a bare nine-digit number is too often an order number) that pass
/// the eleven test.
fn bsn(run: &Run<'_>) -> bool {
    let d = run.digits();
    d.len() == 9
        && run
            .raw()
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b' ' || c == b'.')
        && keyword_before(run.text, run.start, &["bsn", "burgerservicenummer"])
        && checks::bsn(&d)
}

/// International (`+` or `00`), with an area code in brackets, a national number with its
/// trunk `0`, or the North American 3-3-4 form; 7 to 15 digits (E.164's longest).
fn phone(run: &Run<'_>) -> bool {
    let raw = run.raw();
    let d = run.digits();
    let sizes = run.sizes();
    let seps = run.separators();
    if !(7..=15).contains(&d.len()) {
        return false;
    }
    let bracketed = raw.contains('(') && raw.contains(')');
    let nanp = (sizes == [3, 3, 4] && (2..=9).contains(&d[0]))
        || (sizes == [1, 3, 3, 4] && d[0] == 1 && (2..=9).contains(&d[1]));
    let one_kind = seps.iter().filter(|s| b" -./".contains(s)).count() <= 1;
    if raw.starts_with('+') {
        d.len() >= 8
    } else if raw.starts_with("00") {
        d.len() >= 10 && (sizes.len() >= 2 || d.len() >= 11)
    } else if bracketed {
        d.len() >= 10
    } else if nanp {
        one_kind
    } else {
        raw.starts_with('0') && sizes.len() >= 2 && (9..=11).contains(&d.len()) && one_kind
    }
}

/// IBANs: two letters, two check digits and up to 30 letters or digits, in groups of four or
/// not, that pass the mod-97 check.
pub(super) fn ibans(text: &str, out: &mut Vec<Found>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let shaped = b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && !alnum_before(text, i);
        if !shaped {
            i += 1;
            continue;
        }
        // Gather letters and digits, single spaces allowed between; remember where each group
        // ends, since the IBAN may be followed by another word.
        let (mut compact, mut ends, mut j) = (Vec::new(), Vec::new(), i);
        while j < b.len() && compact.len() < 34 {
            if b[j].is_ascii_alphanumeric() {
                compact.push(b[j]);
                j += 1;
            } else if b[j] == b' ' && b.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
                ends.push((j, compact.len()));
                j += 1;
            } else {
                break;
            }
        }
        if !alnum_at(text, j) {
            ends.push((j, compact.len()));
        }
        let best = ends
            .iter()
            .rev()
            .find(|&&(_, n)| checks::iban(&compact[..n]));
        match best {
            Some(&(end, _)) => {
                out.push(Found::new(i, end, Kind::Iban));
                i = end;
            }
            None => i += 1,
        }
    }
}
