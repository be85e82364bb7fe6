//! What the masker promises: each kind of personal data is found in the forms people write it,
//! look-alikes are left alone, and on any Unicode text it never panics, is idempotent, and
//! leaves nothing it would detect.

use super::*;
use proptest::prelude::*;

#[test]
fn masks_say_what_was_there() {
    let text = "Mail alex.kim@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111.";
    assert_eq!(mask(text), "Mail [email] or call [phone]; card [card].");
}

#[test]
fn the_phone_forms_of_the_issue_are_found() {
    for phone in ["+44 20 7946 0958", "(415) 555-0132", "0049-30-123456"] {
        assert_eq!(
            mask(&format!("call {phone} now")),
            "call [phone] now",
            "{phone}"
        );
    }
}

#[test]
fn each_kind_is_masked_with_its_own_label() {
    let cases = [
        (
            "IBAN GB82 WEST 1234 5698 7654 32 thanks",
            "IBAN [iban] thanks",
        ),
        ("SSN 123-45-6789", "SSN [ssn]"),
        ("NINO AB 12 34 56 C", "NINO [national-id]"),
        ("BSN 111222333", "BSN [national-id]"),
        ("DNI 12345678Z", "DNI [national-id]"),
        ("from 192.168.1.20.", "from [ip]."),
        ("from [2001:db8::1]:443", "from [[ip]]:443"),
    ];
    for (text, masked) in cases {
        assert_eq!(mask(text), masked, "{text}");
    }
}

#[test]
fn look_alikes_are_left_alone() {
    for text in [
        "INC0010001",
        "4111 1111 1111 1112",
        "2026-12-03",
        "v1.2.3",
        "$1,299.00",
        "@channel",
        "user@localhost",
        "666-12-3456",
        "order 111222333",
    ] {
        assert_eq!(mask(text), text);
    }
}

#[test]
fn text_without_personal_data_is_borrowed_not_copied() {
    assert!(matches!(mask("nothing to see"), Cow::Borrowed(_)));
}

#[test]
fn the_corpus_has_enough_examples_of_each_side() {
    assert!(
        corpus::POSITIVES.len() >= 200,
        "{}",
        corpus::POSITIVES.len()
    );
    assert!(
        corpus::NEGATIVES.len() >= 200,
        "{}",
        corpus::NEGATIVES.len()
    );
    for (_, text, piece) in corpus::POSITIVES {
        assert!(text.contains(piece), "{text} does not hold {piece}");
    }
}

#[test]
fn recall_is_at_least_99_percent_and_precision_at_least_95_on_the_corpus() {
    let s = score();
    assert!(
        s.recall() >= 0.99 && s.precision() >= 0.95,
        "recall {:.3}, precision {:.3}\nmissed:\n{}\nwrong:\n{}",
        s.recall(),
        s.precision(),
        s.missed.join("\n"),
        s.wrong.join("\n")
    );
}

#[test]
fn the_score_counts_misses_and_wrong_detections() {
    let s = score_on(
        &[
            (Kind::Email, "a x@example.com", "x@example.com"),
            (Kind::Phone, "no phone here", "phone"),
        ],
        &["mail y@example.org"],
    );
    assert_eq!((s.found, s.missed.len(), s.wrong.len()), (1, 1, 1));
    assert!((s.recall() - 0.5).abs() < 1e-9 && (s.precision() - 0.5).abs() < 1e-9);
}

#[test]
fn the_bench_report_prints_recall_precision_and_throughput() {
    let mut out = Vec::new();
    bench_report(&mut out).expect("write to a Vec");
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(
        out.contains("recall") && out.contains("precision") && out.contains("MB/s"),
        "{out}"
    );
}

/// Text that mixes personal data, its look-alikes and arbitrary Unicode.
fn mixed_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a@b.co",
        "+44 20 7946 0958",
        "4111 1111 1111 1111",
        "123-45-6789",
        "::1",
        "1.2.3.4",
        "GB82WEST12345698765432",
        "AB123456C",
        "12345678Z",
        " ",
        "-",
        ".",
        "@",
        "(",
        ")",
        "0",
        "9",
    ]);
    prop::collection::vec(
        prop_oneof![any::<String>(), pieces.prop_map(str::to_owned)],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn masking_never_panics_and_is_idempotent(text in mixed_text()) {
        let once = mask(&text).into_owned();
        prop_assert_eq!(mask(&once), once.as_str());
    }

    #[test]
    fn masked_text_holds_nothing_detectable(text in mixed_text()) {
        let once = mask(&text).into_owned();
        prop_assert!(find(&once).is_empty(), "{:?} in {:?}", find(&once), once);
    }

    #[test]
    fn spans_are_ordered_disjoint_and_on_char_boundaries(text in any::<String>()) {
        let found = find(&text);
        for pair in found.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
        for f in found {
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
    }
}
