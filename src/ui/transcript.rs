//! A scrolled window onto a list of messages that renders only what is visible: messages are
//! laid out from the newest backwards until the window (plus the scroll-back) is full, so the
//! cost of a frame does not grow with the length of the transcript.

use super::message::{self, Look};
use crate::protocol::{ChatMessage, MessageId};
use ratatui::layout::Rect;
use ratatui::text::Line;

/// A button on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonHit {
    /// Where it is on screen.
    pub rect: Rect,
    /// Its message.
    pub message: MessageId,
    /// Its position in the message.
    pub index: usize,
}

/// What a transcript window shows.
#[derive(Debug, Clone, Default)]
pub struct Viewport {
    /// The lines to draw, top to bottom (at most the window's height).
    pub lines: Vec<Line<'static>>,
    /// The buttons among them.
    pub buttons: Vec<ButtonHit>,
    /// The scroll-back actually used (clamped to the transcript's length).
    pub back: usize,
}

/// Lays out `head` lines, then the bottom of `messages`, then `tail` lines (e.g. local echoes)
/// in `area`, scrolled back by `back` lines. `look` gives the drawing options of each message.
pub fn viewport<'t>(
    messages: &[ChatMessage],
    head: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
    area: Rect,
    back: usize,
    look: impl Fn(&ChatMessage) -> Look<'t>,
) -> Viewport {
    let height = area.height as usize;
    let want = height + back;
    // Blocks from the newest back: (lines, buttons with their message).
    let mut blocks: Vec<(Vec<Line<'static>>, Vec<ButtonHit>)> = vec![(tail, Vec::new())];
    let mut total = blocks[0].0.len();
    for m in messages.iter().rev() {
        if total >= want {
            break;
        }
        let r = message::render(m, &look(m));
        total += r.lines.len();
        let hits = r
            .buttons
            .iter()
            .map(|b| ButtonHit {
                rect: Rect::new(area.x + b.x, b.line as u16, b.width, 1),
                message: m.id.clone(),
                index: b.index,
            })
            .collect();
        blocks.push((r.lines, hits));
    }
    if total < want && !head.is_empty() {
        total += head.len();
        blocks.push((head, Vec::new()));
    }
    let back = back.min(total.saturating_sub(height));
    let first = total.saturating_sub(height + back);
    let mut out = Viewport {
        back,
        ..Viewport::default()
    };
    let mut row = 0usize;
    for (lines, hits) in blocks.into_iter().rev() {
        let start = row;
        let count = lines.len();
        for hit in hits {
            // `hit.rect.y` holds the line within the message until here.
            let line = start + hit.rect.y as usize;
            if line >= first && line < first + height {
                let y = area.y + (line - first) as u16;
                out.buttons.push(ButtonHit {
                    rect: Rect { y, ..hit.rect },
                    ..hit
                });
            }
        }
        for (i, line) in lines.into_iter().enumerate() {
            let at = start + i;
            if at >= first && at < first + height {
                out.lines.push(line);
            }
        }
        row += count;
    }
    out
}

/// The height of a message at a width (for keeping a scrolled view still as messages arrive).
pub fn height(message: &ChatMessage, look: &Look<'_>) -> usize {
    message::render(message, look).lines.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Part, Role};
    use crate::theme::Theme;

    fn msgs(n: usize) -> Vec<ChatMessage> {
        (0..n)
            .map(|i| ChatMessage {
                id: format!("m{i}").into(),
                role: Role::User,
                agent: None,
                parts: vec![Part::text(format!("<p>message {i}</p>"))],
                at: 0,
                request: None,
            })
            .collect()
    }

    fn texts(v: &Viewport) -> Vec<String> {
        v.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn shows_the_bottom_and_scrolls_back() {
        let theme = Theme::default();
        let look = |_: &ChatMessage| Look {
            theme: &theme,
            width: 40,
            focused: None,
            spinner: 0,
            user_name: "You",
        };
        let all = msgs(100);
        let v = viewport(
            &all,
            Vec::new(),
            vec![Line::from("tail")],
            Rect::new(0, 0, 40, 4),
            0,
            look,
        );
        assert_eq!(texts(&v), ["You  00:00", "  message 99", "", "tail"]);
        let v = viewport(
            &all,
            Vec::new(),
            Vec::new(),
            Rect::new(0, 0, 40, 3),
            3,
            look,
        );
        assert_eq!(texts(&v), ["You  00:00", "  message 98", ""]);
        // Scrolling past the top stops at the top.
        let v = viewport(
            &all[..2],
            vec![Line::from("head")],
            Vec::new(),
            Rect::new(0, 0, 40, 3),
            50,
            look,
        );
        assert_eq!(v.back, 4);
        assert_eq!(texts(&v), ["head", "You  00:00", "  message 0"]);
    }
}
