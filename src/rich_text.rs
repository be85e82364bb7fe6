//! The small HTML subset of rich text: turning plain text into it safely, and back into plain
//! text for history extracts, logs and comparisons.

/// Escapes plain text for use inside rich text.
pub fn escape(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Plain text as one rich-text paragraph; line breaks become `<br>`.
pub fn paragraph(plain: &str) -> String {
    format!("<p>{}</p>", escape(plain).replace('\n', "<br>"))
}

/// The text of rich text: tags dropped, paragraphs and `<br>` as line breaks, entities decoded,
/// runs of spaces folded, lines trimmed.
pub fn to_plain(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        raw.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            raw.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        if matches!(name, "br" | "br/" | "p" | "div" | "li")
            && (name.starts_with("br") || tag.starts_with('/'))
        {
            raw.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    raw.push_str(rest);
    let decoded = decode_entities(&raw);
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes the named entities rich text uses and numeric ones; unknown entities stay as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &after[1..semi];
            let c = match name {
                "nbsp" => Some('\u{a0}'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_a_seed_summary() {
        let html = "<p>I understand you're having an issue with your <strong>SQL Database </strong>and would like to speak with a live agent.&nbsp;</p>";
        assert_eq!(
            to_plain(html),
            "I understand you're having an issue with your SQL Database and would like to speak with a live agent."
        );
    }

    #[test]
    fn paragraphs_and_breaks_become_lines() {
        assert_eq!(
            to_plain("<p><strong>Lisa Said:</strong></p>\n<p>Hello</p>"),
            "Lisa Said:\nHello"
        );
        assert_eq!(to_plain("a<br>b<br/>c"), "a\nb\nc");
    }

    #[test]
    fn escape_round_trips_through_plain() {
        let text = "5 < 6 & \"quotes\" <script>";
        assert_eq!(to_plain(&paragraph(text)), text);
    }

    #[test]
    fn entities_decode_and_unknown_ones_stay() {
        assert_eq!(decode_entities("&#39;&#x41;&amp;&bogus;&"), "'A&&bogus;&");
    }
}
