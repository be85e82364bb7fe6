//! HTML character references in rich text.

/// The longest entity we decode, between `&` and `;` (`&#x10FFFF;` has 8).
const LONGEST: usize = 10;

/// Decodes the named entities rich text uses (`&amp;`, `&nbsp;`, `&hellip;`, ...) and numeric
/// ones; anything else (unknown names, invalid code points, a lone `&`) stays as written.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entity(after) {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The character an entity body names (the text after `&`) and the bytes it used, `;` included.
fn entity(after: &str) -> Option<(char, usize)> {
    let (semi, _) = after
        .char_indices()
        .take(LONGEST + 1)
        .find(|&(_, c)| c == ';')?;
    let name = &after[..semi];
    let c = match name {
        "nbsp" => '\u{a0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        _ => numeric(name.strip_prefix('#')?)?,
    };
    Some((c, semi + 1))
}

fn numeric(number: &str) -> Option<char> {
    let code = match number.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse().ok()?,
    };
    // NUL is never text; the sanitiser would drop it anyway.
    char::from_u32(code).filter(|&c| c != '\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_numeric_entities_decode_and_unknown_ones_stay() {
        assert_eq!(
            decode_entities("&#39;&#x41;&amp;&bogus;&hellip;&"),
            "'A&&bogus;…&"
        );
        assert_eq!(
            decode_entities("&#xD800;&#0;&#99999999999;"),
            "&#xD800;&#0;&#99999999999;"
        );
    }

    #[test]
    fn multibyte_text_around_an_ampersand_is_kept() {
        assert_eq!(
            decode_entities("é&日本語テキストです;"),
            "é&日本語テキストです;"
        );
        assert_eq!(decode_entities("&éé"), "&éé");
    }
}
