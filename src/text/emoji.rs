//! Emoji in what an agent sends the user. Standard Unicode emoji pass untouched. Chat
//! platforms' own emoji tokens are either standard (they become the Unicode emoji they stand
//! for) or custom (pictures an organisation uploaded, which no other platform can show: they are
//! stripped). The forms recognised:
//!
//! - **Slack shortcodes** `:name:` (`[a-z0-9_+-]`, at least one letter): a standard shortcode
//!   of [`SHORTCODES`] becomes its emoji, `:skin-tone-2:`..`:skin-tone-6:` the skin-tone
//!   modifier; any other is a custom emoji and is stripped. The colons must not touch a letter,
//!   digit, `_`, `-` or another colon outside, so `10:30:45`, `a:b:c` and `std::io` stay text.
//! - **Discord-style** `<:name:id>` and `<a:name:id>` (animated) are always custom: stripped.
//! - **Teams emoticons** `(name)`: a lowercase word of `[a-z0-9_-]` with a letter, 2 to 32
//!   characters, standing on its own (no letter, digit, `_` or `-` touching the parentheses
//!   outside). A standard id of [`TEAMS`] becomes its emoji; any other is a custom emoticon and
//!   is stripped. Teams ids are lowercase, so `(SQL)`, `(Optional)`, `item(s)`, `(see above)`
//!   and `(2)` stay text; a lone lowercase word in parentheses such as `(optional)` cannot be
//!   told from a custom emoticon and is stripped: that is the price of the rule, and the table
//!   in `tests/emoji_table.rs` shows it.
//!
//! A stripped token takes one neighbouring space with it, so `great :parrot: job` reads
//! `great job`. The result is never longer (in characters) than the input, and cleaning it
//! again changes nothing.

/// Standard Slack shortcodes (a subset of the Unicode emoji Slack names) and their emoji. A
/// shortcode not listed here is treated as custom and stripped.
pub const SHORTCODES: &[(&str, &str)] = &[
    ("+1", "👍"),
    ("-1", "👎"),
    ("100", "💯"),
    ("angry", "😠"),
    ("bangbang", "‼️"),
    ("bell", "🔔"),
    ("blush", "😊"),
    ("boom", "💥"),
    ("bug", "🐛"),
    ("bulb", "💡"),
    ("calendar", "📆"),
    ("clap", "👏"),
    ("clock1", "🕐"),
    ("coffee", "☕"),
    ("computer", "💻"),
    ("confused", "😕"),
    ("cry", "😢"),
    ("disappointed", "😞"),
    ("email", "📧"),
    ("eyes", "👀"),
    ("fire", "🔥"),
    ("frowning", "😦"),
    ("grin", "😁"),
    ("grinning", "😀"),
    ("heart", "❤️"),
    ("heart_eyes", "😍"),
    ("heavy_check_mark", "✔️"),
    ("hourglass", "⌛"),
    ("hugging_face", "🤗"),
    ("innocent", "😇"),
    ("joy", "😂"),
    ("key", "🔑"),
    ("laughing", "😆"),
    ("lock", "🔒"),
    ("mag", "🔍"),
    ("memo", "📝"),
    ("muscle", "💪"),
    ("neutral_face", "😐"),
    ("ok", "🆗"),
    ("ok_hand", "👌"),
    ("open_mouth", "😮"),
    ("pensive", "😔"),
    ("phone", "☎️"),
    ("point_right", "👉"),
    ("pray", "🙏"),
    ("question", "❓"),
    ("raised_hands", "🙌"),
    ("relieved", "😌"),
    ("rocket", "🚀"),
    ("rolling_on_the_floor_laughing", "🤣"),
    ("scream", "😱"),
    ("see_no_evil", "🙈"),
    ("shrug", "🤷"),
    ("simple_smile", "🙂"),
    ("slightly_frowning_face", "🙁"),
    ("slightly_smiling_face", "🙂"),
    ("smile", "😄"),
    ("smiley", "😃"),
    ("smirk", "😏"),
    ("sob", "😭"),
    ("sparkles", "✨"),
    ("star", "⭐"),
    ("stuck_out_tongue", "😛"),
    ("sunglasses", "😎"),
    ("sweat_smile", "😅"),
    ("tada", "🎉"),
    ("thinking_face", "🤔"),
    ("thumbsdown", "👎"),
    ("thumbsup", "👍"),
    ("tired_face", "😫"),
    ("unamused", "😒"),
    ("upside_down_face", "🙃"),
    ("warning", "⚠️"),
    ("wave", "👋"),
    ("white_check_mark", "✅"),
    ("wink", "😉"),
    ("worried", "😟"),
    ("wrench", "🔧"),
    ("x", "❌"),
    ("zap", "⚡"),
];

/// Standard Teams emoticon ids and their emoji. An id not listed here is a custom emoticon.
pub const TEAMS: &[(&str, &str)] = &[
    ("angry", "😠"),
    ("cool", "😎"),
    ("cry", "😢"),
    ("facepalm", "🤦"),
    ("heart", "❤️"),
    ("hug", "🤗"),
    ("laugh", "😆"),
    ("like", "👍"),
    ("party", "🥳"),
    ("sad", "🙁"),
    ("smile", "🙂"),
    ("surprised", "😮"),
    ("think", "🤔"),
    ("tongueout", "😛"),
    ("wave", "👋"),
    ("wink", "😉"),
    ("yes", "👍"),
    ("no", "👎"),
];

/// Skin-tone modifiers for `:skin-tone-2:` to `:skin-tone-6:`.
const SKIN_TONES: [&str; 5] = ["🏻", "🏼", "🏽", "🏾", "🏿"];

/// The longest name a token may have; longer ones are text.
const MAX_NAME: usize = 32;

/// What an agent's `text` becomes for the user: standard tokens as emoji, custom ones gone.
pub fn for_user(text: &str) -> String {
    // A stripped token can bring two others together into a new one (`(a_:x:_b)`); a few
    // passes settle it. Each pass that changes anything makes the text shorter.
    let mut out = one_pass(text);
    for _ in 0..4 {
        let next = one_pass(&out);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// One left-to-right scan.
fn one_pass(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Right after a token, another may follow at once (`:thumbsup::skin-tone-3:`).
    let mut after_token = false;
    while let Some(c) = rest.chars().next() {
        let before = out.chars().next_back();
        let token = match c {
            ':' => slack(rest, before.filter(|_| !after_token)),
            '<' => discord(rest),
            '(' => teams(rest, before),
            _ => None,
        };
        after_token = token.is_some();
        match token {
            Some((len, Some(emoji))) => {
                out.push_str(emoji);
                rest = &rest[len..];
            }
            Some((len, None)) => {
                rest = &rest[len..];
                // One space goes with the token, so no double or leading space is left behind.
                let next = rest.chars().next();
                if before == Some(' ') && next.is_none_or(char::is_whitespace) {
                    out.pop();
                } else if before.is_none() && next == Some(' ') {
                    rest = &rest[1..];
                }
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// A token found at the start of the text: its length in bytes and the emoji it becomes
/// (`None`: stripped).
type Token = (usize, Option<&'static str>);

/// Whether `c` joins a token to the text around it (so it is not a token).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == ':'
}

/// The name inside `open name close` at the start of `text`, if it is one.
fn enclosed(text: &str, close: char, allowed: fn(char) -> bool) -> Option<&str> {
    let inner = text.get(1..)?;
    let end = inner.find(|c: char| !allowed(c))?;
    let name = &inner[..end];
    let ok = inner[end..].starts_with(close) && (1..=MAX_NAME).contains(&name.len());
    ok.then_some(name)
}

fn slack(text: &str, before: Option<char>) -> Option<Token> {
    if before.is_some_and(is_word) {
        return None;
    }
    let name = enclosed(text, ':', is_shortcode_char)?;
    let len = name.len() + 2;
    let next_is_token = || enclosed(&text[len..], ':', is_shortcode_char).is_some();
    if text[len..].chars().next().is_some_and(is_word) && !next_is_token() {
        return None;
    }
    let tone = name
        .strip_prefix("skin-tone-")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| SKIN_TONES.get(n.checked_sub(2)?).copied());
    let emoji = tone.or_else(|| lookup(SHORTCODES, name));
    // `:30:` in `10:30:45` is no shortcode: a custom one has a letter.
    if emoji.is_none() && !has_letter(name) {
        return None;
    }
    Some((len, emoji))
}

fn discord(text: &str) -> Option<Token> {
    let after = text
        .strip_prefix("<:")
        .or_else(|| text.strip_prefix("<a:"))?;
    let colon = after.find(':')?;
    let (name, id) = (&after[..colon], &after[colon + 1..]);
    let name_ok = (2..=MAX_NAME).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let digits = id.find(|c: char| !c.is_ascii_digit())?;
    let ok = name_ok && (1..=20).contains(&digits) && id[digits..].starts_with('>');
    ok.then(|| (text.len() - after.len() + colon + 1 + digits + 1, None))
}

fn teams(text: &str, before: Option<char>) -> Option<Token> {
    if before.is_some_and(|c| is_word(c) && c != ':') {
        return None;
    }
    let name = enclosed(text, ')', |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-')
    })?;
    let len = name.len() + 2;
    if name.len() < 2
        || !has_letter(name)
        || text[len..]
            .chars()
            .next()
            .is_some_and(|c| is_word(c) && c != ':')
    {
        return None;
    }
    Some((len, lookup(TEAMS, name)))
}

fn is_shortcode_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-')
}

fn has_letter(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_lowercase())
}

fn lookup(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

/// Whether an agent's or user's text says nothing: empty, or only whitespace (invisible
/// format characters such as a zero-width space count as whitespace here).
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    })
}
