//! One chat message as lines: the attribution header, rich text, reasoning steps with their
//! status, and buttons laid out in rows (with their positions, for mouse hit-testing).

use super::richtext;
use crate::protocol::{
    Button, ButtonState, ButtonStyle, ChatMessage, Millis, Part, Role, StepStatus, Translation,
};
use crate::text::clean;
use crate::text::width as str_width;
use crate::theme::Theme;
use ratatui::text::{Line, Span};

/// Frames of the pending-step spinner.
pub const SPINNER: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Where a button was drawn, relative to its message's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonSpot {
    /// The line within the message.
    pub line: usize,
    /// The column within the line.
    pub x: u16,
    /// The width.
    pub width: u16,
    /// The button's position in the message.
    pub index: usize,
}

/// A rendered message.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Its lines, ending with a blank separator line.
    pub lines: Vec<Line<'static>>,
    /// Where its buttons are.
    pub buttons: Vec<ButtonSpot>,
}

/// How to draw a message.
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    /// Styles.
    pub theme: &'a Theme,
    /// Columns available.
    pub width: usize,
    /// The button with keyboard focus, if it is in this message.
    pub focused: Option<usize>,
    /// The spinner's frame.
    pub spinner: usize,
    /// The name the user is shown as ("You" in the chat, the user's name in the inbox).
    pub user_name: &'a str,
    /// Whose messages the reader wrote (the user in the chat, agents in the inbox): a
    /// translated one of theirs shows what they typed, the translation beside it.
    pub own: Option<Role>,
}

/// `HH:MM` of a time, in the local time zone.
pub fn clock(at: Millis) -> String {
    local(at, "%H:%M")
}

/// `HH:MM:SS` of a time, in the local time zone.
pub fn clock_seconds(at: Millis) -> String {
    local(at, "%H:%M:%S")
}

/// The local time zone, resolved once (rendering does no IO).
fn zone() -> &'static jiff::tz::TimeZone {
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC))
}

fn local(at: Millis, format: &str) -> String {
    let at = i64::try_from(at).unwrap_or(i64::MAX);
    match jiff::Timestamp::from_millisecond(at) {
        Ok(ts) => ts.to_zoned(zone().clone()).strftime(format).to_string(),
        Err(_) => "--:--".to_owned(),
    }
}

/// `m:ss` (or `h:mm:ss`) of a duration in milliseconds.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The attribution header of a message.
fn header(message: &ChatMessage, look: &Look<'_>) -> Line<'static> {
    let t = look.theme;
    let (name, style) = match message.role {
        Role::User => (clean(look.user_name).into_owned(), t.user),
        Role::Assistant => ("Assistant".to_owned(), t.assistant),
        Role::Agent => {
            let who = message.agent.as_ref().map_or("Agent", |a| a.name.as_str());
            (format!("{} said:", clean(who)), t.agent)
        }
        Role::System => ("System".to_owned(), t.system),
    };
    let mut spans = Vec::new();
    if let Some(initials) = avatar(message) {
        spans.push(Span::styled(format!("({initials}) "), style));
    }
    spans.push(Span::styled(name, style));
    if message.agent.as_ref().is_some_and(|a| a.on_behalf) {
        spans.push(Span::styled(" (automated)", t.muted));
    }
    spans.push(Span::styled(format!("  {}", clock(message.at)), t.muted));
    Line::from(spans)
}

/// An agent's avatar as a terminal draws one: the initials of up to two of the name's words,
/// for an agent whose profile has a picture (none when the broker keeps agents anonymous).
fn avatar(message: &ChatMessage) -> Option<String> {
    let agent = message.agent.as_ref().filter(|a| a.avatar.is_some())?;
    let name = clean(&agent.name);
    let initials: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    (!initials.is_empty()).then_some(initials)
}

/// The translation of a message the reader wrote: they see what they typed.
fn own_translation<'m>(message: &'m ChatMessage, look: &Look<'_>) -> Option<&'m Translation> {
    let tr = message.translation.as_deref()?;
    (look.own == Some(message.role) && tr.error.is_none()).then_some(tr)
}

/// Renders a message at a width.
pub fn render(message: &ChatMessage, look: &Look<'_>) -> Rendered {
    let t = look.theme;
    let mut out = Rendered {
        lines: vec![header(message, look)],
        buttons: Vec::new(),
    };
    let base = if message.role == Role::System {
        t.system
    } else {
        t.base
    };
    let own = own_translation(message, look);
    if let Some(tr) = own {
        let written = crate::text::paragraph(&tr.original);
        for para in richtext::parse(&written, base, t.link) {
            out.lines.extend(richtext::wrap(&para, look.width, "  "));
        }
    }
    for part in message.parts.iter().filter(|_| own.is_none()) {
        match part {
            Part::RichText { rich_text } => {
                for para in richtext::parse(rich_text, base, t.link) {
                    out.lines.extend(richtext::wrap(&para, look.width, "  "));
                }
            }
            Part::ReasoningSteps { reasoning_steps } => {
                for step in reasoning_steps {
                    let (mark, style) = match step.status {
                        StepStatus::Pending => {
                            (SPINNER[look.spinner % SPINNER.len()], t.step_pending)
                        }
                        StepStatus::Success => ("✓", t.step_success),
                        StepStatus::Failure => ("✗", t.step_failure),
                    };
                    let mut runs = vec![(format!("{mark} "), style)];
                    for para in richtext::parse(&step.rich_text, t.muted, t.link) {
                        runs.extend(para);
                    }
                    out.lines.extend(richtext::wrap(&runs, look.width, "  "));
                }
            }
            Part::Buttons { buttons } => {
                button_rows(buttons, look, &mut out);
            }
            Part::Attachment { attachment } => {
                let runs = vec![
                    ("📎 ".to_owned(), t.muted),
                    (clean(&attachment.name).into_owned(), base),
                    (format!("  {}", clean(&attachment.details())), t.muted),
                ];
                out.lines.extend(richtext::wrap(&runs, look.width, "  "));
                if let Some(url) = &attachment.url {
                    let runs = vec![
                        ("↓ ".to_owned(), t.muted),
                        (clean(url).into_owned(), t.link),
                    ];
                    out.lines.extend(richtext::wrap(&runs, look.width, "    "));
                }
            }
        }
    }
    translation_lines(message, own.is_some(), look, &mut out);
    out.lines.push(Line::default());
    out
}

/// A translated message's original under it (`⇄ es→en  original: ...`; under the reader's
/// own message, what it was sent as: `⇄ en→es  sent as: ...`), or why it went untranslated
/// (`⚠ not translated: ...`), so both sides and QA see what was written.
fn translation_lines(message: &ChatMessage, own: bool, look: &Look<'_>, out: &mut Rendered) {
    let Some(tr) = &message.translation else {
        return;
    };
    let t = look.theme;
    let runs = match &tr.error {
        Some(error) => vec![
            ("⚠ not translated: ".to_owned(), t.step_failure),
            (clean(error).into_owned(), t.muted),
        ],
        None => {
            let from = tr.from.as_deref().unwrap_or("?");
            let (label, text) = if own {
                ("sent as", plain_parts(message))
            } else {
                ("original", clean(&tr.original).into_owned())
            };
            vec![
                (
                    format!("⇄ {}→{}  {label}: ", clean(from), clean(&tr.to)),
                    t.muted,
                ),
                (text, t.muted),
            ]
        }
    };
    out.lines.extend(richtext::wrap(&runs, look.width, "  "));
}

/// A message's rich text as one plain line.
fn plain_parts(message: &ChatMessage) -> String {
    let texts: Vec<String> = message
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::RichText { rich_text } => {
                Some(clean(&crate::text::to_plain(rich_text)).into_owned())
            }
            _ => None,
        })
        .collect();
    texts.join(" ")
}

/// The label of a button as drawn, including its frame.
pub fn button_label(button: &Button, focused: bool) -> String {
    let text = clean(&button.button_text);
    let mark = match button.state {
        ButtonState::Pressed => "✓ ",
        _ => "",
    };
    let (open, close) = match button.style {
        ButtonStyle::Filled => (if focused { "▸" } else { " " }, " "),
        ButtonStyle::Outlined => (if focused { "▸" } else { "[" }, "]"),
    };
    format!("{open}{mark}{text}{close}")
}

/// The style of a button in a theme.
pub fn button_style(button: &Button, focused: bool, theme: &Theme) -> ratatui::style::Style {
    let style = match button.state {
        ButtonState::Active => match button.style {
            ButtonStyle::Filled => theme.button_filled,
            ButtonStyle::Outlined => theme.button_outlined,
        },
        ButtonState::Pressed => theme.button_pressed,
        ButtonState::Expired => theme.button_expired,
        ButtonState::Disabled => theme.button_disabled,
    };
    if focused {
        style.patch(theme.button_focus)
    } else {
        style
    }
}

fn button_rows(buttons: &[Button], look: &Look<'_>, out: &mut Rendered) {
    const INDENT: usize = 2;
    let mut spans = vec![Span::raw(" ".repeat(INDENT))];
    let mut used = INDENT;
    for (index, button) in buttons.iter().enumerate() {
        let focused = look.focused == Some(index);
        let label = button_label(button, focused);
        let w = str_width(&label);
        if used > INDENT && used + w > look.width {
            out.lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(INDENT)));
            used = INDENT;
        }
        out.buttons.push(ButtonSpot {
            line: out.lines.len(),
            x: used as u16,
            width: w.min(look.width.saturating_sub(used)) as u16,
            index,
        });
        spans.push(Span::styled(
            label,
            button_style(button, focused, look.theme),
        ));
        spans.push(Span::raw(" "));
        used += w + 1;
    }
    out.lines.push(Line::from(spans));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AgentInfo, ButtonAction};

    fn look(theme: &Theme, width: usize) -> Look<'_> {
        Look {
            theme,
            width,
            focused: None,
            spinner: 0,
            user_name: "You",
            own: None,
        }
    }

    fn text(r: &Rendered) -> Vec<String> {
        r.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn agent_messages_are_attributed() {
        let theme = Theme::default();
        let m = ChatMessage {
            id: "m1".into(),
            role: Role::Agent,
            agent: Some(AgentInfo {
                name: "Lisa".into(),
                avatar: None,
                on_behalf: true,
            }),
            parts: vec![Part::text("<p>Hello - can you share more details?</p>")],
            at: 3_600_000 + 5 * 60_000,
            request: None,
            translation: None,
        };
        let r = render(&m, &look(&theme, 60));
        assert_eq!(
            text(&r),
            [
                "Lisa said: (automated)  01:05",
                "  Hello - can you share more details?",
                ""
            ]
        );
    }

    #[test]
    fn a_file_shows_its_name_type_size_and_link() {
        let theme = Theme::default();
        let file = |size, url: Option<&str>| ChatMessage {
            id: "m3".into(),
            role: Role::Agent,
            agent: Some(AgentInfo {
                name: "Lisa".into(),
                avatar: None,
                on_behalf: false,
            }),
            parts: vec![Part::Attachment {
                attachment: crate::protocol::Attachment {
                    name: "guide.pdf".into(),
                    content_type: "application/pdf".into(),
                    size,
                    url: url.map(str::to_owned),
                },
            }],
            at: 0,
            request: None,
            translation: None,
        };
        let r = render(
            &file(Some(2048), Some("http://127.0.0.1:9/f/1")),
            &look(&theme, 60),
        );
        assert_eq!(text(&r)[1], "  📎 guide.pdf  application/pdf · 2.0 KB");
        assert_eq!(text(&r)[2], "    ↓ http://127.0.0.1:9/f/1");
        // A size the system did not tell is left out.
        let r = render(&file(None, None), &look(&theme, 60));
        assert_eq!(text(&r)[1..], ["  📎 guide.pdf  application/pdf", ""]);
    }

    #[test]
    fn buttons_wrap_into_rows_and_report_their_spots() {
        let theme = Theme::default();
        let b = |t: &str, style| Button {
            button_text: t.into(),
            style,
            action: ButtonAction::OtherHelp,
            state: ButtonState::Active,
        };
        let m = ChatMessage {
            id: "m2".into(),
            role: Role::Assistant,
            agent: None,
            parts: vec![Part::Buttons {
                buttons: vec![
                    b("Start agent chat", ButtonStyle::Filled),
                    b("Edit / Add details", ButtonStyle::Outlined),
                ],
            }],
            at: 0,
            request: None,
            translation: None,
        };
        let r = render(&m, &look(&theme, 30));
        assert_eq!(text(&r)[1], "   Start agent chat  ");
        assert_eq!(text(&r)[2], "  [Edit / Add details] ");
        assert_eq!(
            r.buttons[0],
            ButtonSpot {
                line: 1,
                x: 2,
                width: 18,
                index: 0
            }
        );
        assert_eq!(
            r.buttons[1],
            ButtonSpot {
                line: 2,
                x: 2,
                width: 20,
                index: 1
            }
        );
    }

    #[test]
    fn an_agent_with_a_picture_shows_initials_and_an_anonymous_one_none() {
        let theme = Theme::default();
        let mut m = ChatMessage {
            id: "m1".into(),
            role: Role::Agent,
            agent: Some(AgentInfo {
                name: "lisa van \u{1b}[2Jdijk".into(),
                avatar: Some("https://desk.example.com/avatars/lisa.png".into()),
                on_behalf: false,
            }),
            parts: vec![Part::text("<p>Hi</p>")],
            at: 0,
            request: None,
            translation: None,
        };
        let first = |m: &ChatMessage| text(&render(m, &look(&theme, 60)))[0].clone();
        assert!(first(&m).starts_with("(LV) lisa van"), "{}", first(&m));
        if let Some(agent) = m.agent.as_mut() {
            agent.avatar = None;
        }
        assert!(first(&m).starts_with("lisa van"), "{}", first(&m));
    }

    proptest::proptest! {
        #[test]
        fn any_agent_name_from_a_system_draws_safe_initials(name in "(\\PC|\\pC| )*") {
            let theme = Theme::default();
            let m = ChatMessage {
                id: "m1".into(),
                role: Role::Agent,
                agent: Some(AgentInfo {
                    name: name.clone(),
                    avatar: Some("https://desk.example.com/a.png".into()),
                    on_behalf: false,
                }),
                parts: vec![Part::text("<p>Hi</p>")],
                at: 0,
                request: None,
                translation: None,
            };
            let first = text(&render(&m, &look(&theme, 60)))[0].clone();
            proptest::prop_assert!(!first.chars().any(char::is_control), "{:?}", first);
            if let Some(initials) = avatar(&m) {
                let badge = format!("({initials}) ");
                proptest::prop_assert!(first.starts_with(&badge), "{:?}", first);
                // Two words' first letters, each uppercased (some become two letters, "ß" → "SS").
                proptest::prop_assert!(initials.chars().count() <= 6, "{:?}", initials);
            }
        }
    }

    #[test]
    fn a_translated_message_shows_its_original_and_a_failed_one_says_why() {
        let theme = Theme::default();
        let mut m = ChatMessage {
            id: "m-1".into(),
            role: Role::Agent,
            agent: None,
            parts: vec![Part::text("<p>Gracias</p>")],
            at: 0,
            request: None,
            translation: Some(Box::new(crate::protocol::Translation {
                original: "Thank you\u{1b}[2J".into(),
                from: Some("en".into()),
                to: "es".into(),
                error: None,
            })),
        };
        let lines = text(&render(&m, &look(&theme, 60)));
        assert!(lines.iter().any(|l| l.trim() == "Gracias"), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.trim() == "⇄ en→es  original: Thank you"),
            "{lines:?}"
        );
        // In the inbox, the agent who wrote it sees what they typed, the translation beside.
        let mut inbox = look(&theme, 60);
        inbox.own = Some(Role::Agent);
        let lines = text(&render(&m, &inbox));
        assert!(lines.iter().any(|l| l.trim() == "Thank you"), "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.trim() == "⇄ en→es  sent as: Gracias"),
            "{lines:?}"
        );
        if let Some(tr) = m.translation.as_mut() {
            tr.error = Some("LibreTranslate: HTTP 403".into());
        }
        let lines = text(&render(&m, &look(&theme, 60)));
        assert!(
            lines
                .iter()
                .any(|l| l.trim() == "⚠ not translated: LibreTranslate: HTTP 403"),
            "{lines:?}"
        );
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn clocks_show_the_local_time_of_day() {
        let at: Millis = 1_763_790_000_000;
        let zoned = jiff::Timestamp::from_millisecond(1_763_790_000_000)
            .unwrap()
            .to_zoned(zone().clone());
        assert_eq!(
            clock(at),
            format!("{:02}:{:02}", zoned.hour(), zoned.minute())
        );
        assert_eq!(
            clock_seconds(at),
            format!("{}:{:02}", clock(at), zoned.second())
        );
        assert_eq!(duration(83_000), "1:23");
    }
}
