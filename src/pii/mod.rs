//! Personal data in free text, found and masked before anything is written to disk: email
//! addresses, phone numbers (international, bracketed, national and North American forms),
//! card numbers that pass Luhn, IBANs that pass mod-97, US SSNs outside the never-issued
//! ranges, UK National Insurance numbers, Dutch BSNs (after the word "BSN"), Spanish DNI and
//! NIE numbers with their control letter, and IPv4 and IPv6 addresses.
//!
//! Each detector is a small hand-written scanner (no regex: every kind needs a check a regex
//! cannot do, and the scanners stay on ASCII so any Unicode around them is safe). A mask says
//! what was there: `[email]`, `[phone]`, `[card]`, `[iban]`, `[ssn]`, `[national-id]`, `[ip]`.
//! `corpus` holds the labelled examples the tests measure recall and precision on.

mod checks;
pub mod corpus;
mod detect;
mod ids;
mod measure;

pub use measure::{Score, bench_report, score, score_on};

use std::borrow::Cow;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A payment card number.
    Card,
    /// An international bank account number.
    Iban,
    /// A US Social Security number.
    Ssn,
    /// Another national id (UK NINO, Dutch BSN, Spanish DNI or NIE).
    NationalId,
    /// An IPv4 or IPv6 address.
    Ip,
}

impl Kind {
    /// What replaces it in masked text.
    pub fn mask(self) -> &'static str {
        match self {
            Self::Email => "[email]",
            Self::Phone => "[phone]",
            Self::Card => "[card]",
            Self::Iban => "[iban]",
            Self::Ssn => "[ssn]",
            Self::NationalId => "[national-id]",
            Self::Ip => "[ip]",
        }
    }
}

/// Personal data found in a text: its byte range and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
}

impl Found {
    fn new(start: usize, end: usize, kind: Kind) -> Self {
        Self { start, end, kind }
    }
}

/// Every piece of personal data in `text`, in order, none overlapping. Where two detectors
/// claim the same characters, the more specific wins (an email's digits are not a phone).
pub fn find(text: &str) -> Vec<Found> {
    let detectors: [fn(&str, &mut Vec<Found>); 5] = [
        detect::emails,
        detect::ibans,
        ids::ips,
        detect::numbers,
        ids::national_ids,
    ];
    let mut kept: Vec<Found> = Vec::new();
    for detector in detectors {
        let mut found = Vec::new();
        detector(text, &mut found);
        for f in found {
            if kept.iter().all(|k| f.end <= k.start || k.end <= f.start) {
                kept.push(f);
            }
        }
    }
    kept.sort_by_key(|f| f.start);
    kept
}

/// `text` with each piece of personal data replaced by its mask; borrowed when there is none.
///
/// Masking repeats until nothing is found: a mask can free a neighbour that the masked piece
/// was glued to (`a@b.co+44 20 7946 0958`). Every piece found holds a digit, `@` or `:` and no
/// mask does, so each round removes some and the loop ends.
pub fn mask(text: &str) -> Cow<'_, str> {
    let mut found = find(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    while !found.is_empty() {
        out = replace(&out, &found);
        found = find(&out);
    }
    Cow::Owned(out)
}

/// `text` with each of `found` replaced by its mask.
fn replace(text: &str, found: &[Found]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        out.push_str(f.kind.mask());
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests;
