use super::*;
use proptest::prelude::*;

fn sequence(texts: &[String]) -> Sequence {
    let participants = vec![
        "Alex".into(),
        "assistant".into(),
        "broker".into(),
        "system".into(),
        "Lisa".into(),
    ];
    let mut items = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        items.push(Item::Arrow {
            from: i % 5,
            to: (i + 2) % 5,
            text: text.clone(),
        });
        items.push(Item::Note {
            over: i % 5,
            text: text.clone(),
        });
    }
    Sequence {
        participants,
        items,
    }
}

#[test]
fn mermaid_escapes_what_would_end_or_break_a_statement() {
    assert_eq!(
        mermaid_escape("a;b#c \"d\" <e>\nf"),
        "a#59;b#35;c #quot;d#quot; #lt;e#gt; f"
    );
    let text = mermaid(&sequence(&["x; y".into()]));
    assert!(
        text.starts_with("sequenceDiagram\n    participant P0 as Alex\n"),
        "{text}"
    );
    assert!(
        text.contains("    P0->>P2: x#59; y\n    Note over P0: x#59; y\n"),
        "{text}"
    );
}

#[test]
fn the_diagram_draws_lifelines_labels_and_arrows_in_the_width() {
    let seq = Sequence {
        participants: vec!["Alex".into(), "assistant".into()],
        items: vec![
            Item::Arrow {
                from: 0,
                to: 1,
                text: "hi".into(),
            },
            Item::Arrow {
                from: 1,
                to: 0,
                text: "a long answer that will not fit".into(),
            },
        ],
    };
    let text = diagram(&seq, 21);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "    Alex   assistant",
            "     │ hi      │",
            "     │────────▶│",
            "     │ a long… │",
            "     │◀────────│",
        ]
    );
}

/// Every line of the mermaid text is one statement of the kinds written, `;` and `#` only in
/// entity codes.
fn statements_hold(text: &str) -> bool {
    let re = regex::Regex::new(
        r"^    (participant P\d+ as |P\d+->>P\d+: |Note over P\d+: )([^;#\n]|#\w+;)*$",
    )
    .unwrap();
    let mut lines = text.lines();
    lines.next() == Some("sequenceDiagram") && lines.all(|l| re.is_match(l) && !l.contains('"'))
}

proptest! {
    /// Arbitrary Unicode never breaks the mermaid syntax nor the text layout's width.
    #[test]
    fn any_text_keeps_mermaid_statements_and_the_diagram_width(
        texts in proptest::collection::vec(any::<String>(), 1..6),
        width in 0usize..200,
    ) {
        let seq = sequence(&texts);
        let text = mermaid(&seq);
        prop_assert!(statements_hold(&text), "{}", text);
        prop_assert_eq!(text.lines().count(), 1 + 5 + 2 * texts.len());
        let drawn = diagram(&seq, width);
        let most = width.max(5 * diagram::MIN_COLUMN);
        for line in drawn.lines() {
            prop_assert!(crate::text::width(line) <= most, "{:?} over {}", line, most);
        }
        prop_assert_eq!(drawn.lines().count(), 1 + 3 * texts.len());
    }
}
