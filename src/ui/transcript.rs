//! A scrolled window onto a list of messages that renders only what is visible: messages are
//! laid out from the newest backwards until the window (plus the scroll-back) is full, so the
//! cost of a frame does not grow with the length of the transcript. A view scrolled back rests
//! on an [`Anchor`] (a message and a line offset) that the state can hold without knowing any
//! width; [`anchored`] resolves it to lines at draw time.

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
    /// Where the view rests, resolved: its bottom line's message and how many lines of that
    /// message are below the view (`None` when it shows the bottom and follows new messages).
    pub anchor: Option<Anchor>,
}

/// Where a scrolled-back view rests, independent of the width: its bottom edge is `back` lines
/// above the end of message `message` (negative: below it, in the messages after). Only the
/// renderer turns it into lines; appending messages after it does not move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// The index of the message the view's bottom edge is measured from.
    pub message: usize,
    /// Lines above that message's end (negative: below it).
    pub back: isize,
}

/// Lays out a transcript at an anchor: `None` follows the bottom (head, messages, tail), an
/// anchor shows the messages up to it without the tail. The viewport's `anchor` is the
/// resolved one: on the message at the view's bottom line, or `None` once it reaches the bottom.
pub fn anchored<'t>(
    messages: &[ChatMessage],
    head: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
    area: Rect,
    anchor: Option<Anchor>,
    look: impl Fn(&ChatMessage) -> Look<'t>,
) -> Viewport {
    let at_bottom = |a: &Anchor| a.message + 1 >= messages.len() && a.back <= 0;
    let follow = |head, tail, look| Viewport {
        anchor: None,
        ..viewport(messages, head, tail, area, 0, look)
    };
    let Some(at) = anchor
        .and_then(|a| forward(messages, a, &look))
        .filter(|a| !at_bottom(a))
    else {
        return follow(head, tail, look);
    };
    let upto = &messages[..=at.message];
    let back = usize::try_from(at.back).unwrap_or(0);
    let v = viewport(upto, head.clone(), Vec::new(), area, back, &look);
    // A transcript that fits rests on the last message's end: that is the bottom.
    if v.anchor.as_ref().is_none_or(at_bottom) {
        return follow(head, tail, look);
    }
    v
}

/// Moves an anchor below its message's end onto the messages after it (walking at most as many
/// messages as lines asked); `None` when that passes the last message (the bottom).
fn forward<'t>(
    messages: &[ChatMessage],
    anchor: Anchor,
    look: &impl Fn(&ChatMessage) -> Look<'t>,
) -> Option<Anchor> {
    let last = messages.len().checked_sub(1)?;
    let mut at = Anchor {
        message: anchor.message.min(last),
        back: anchor.back,
    };
    while at.back < 0 {
        if at.message == last {
            return None;
        }
        at.message += 1;
        let m = &messages[at.message];
        let h = message::render(m, &look(m)).lines.len();
        at.back = at
            .back
            .saturating_add(isize::try_from(h).unwrap_or(isize::MAX));
    }
    Some(at)
}

/// A block of lines: a message's (with its index and buttons), the head's or the tail's.
type Block = (Vec<Line<'static>>, Vec<ButtonHit>, Option<usize>);

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
    let mut blocks: Vec<Block> = vec![(tail, Vec::new(), None)];
    let mut total = blocks[0].0.len();
    for (i, m) in messages.iter().enumerate().rev() {
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
        blocks.push((r.lines, hits, Some(i)));
    }
    if total < want && !head.is_empty() {
        total += head.len();
        blocks.push((head, Vec::new(), None));
    }
    let back = back.min(total.saturating_sub(height));
    let first = total.saturating_sub(height + back);
    let mut out = Viewport {
        back,
        ..Viewport::default()
    };
    // The row of the view's bottom line, and whether it is still looking for its message
    // (a bottom line in the head rests on the first message below it).
    let bottom = (first + height).min(total).saturating_sub(1);
    let mut seeking = total > 0;
    let mut row = 0usize;
    for (lines, hits, index) in blocks.into_iter().rev() {
        let start = row;
        let count = lines.len();
        if seeking
            && bottom < start + count
            && let Some(message) = index
        {
            let below = (start + count).saturating_sub(1).saturating_sub(bottom);
            out.anchor = Some(Anchor {
                message,
                back: isize::try_from(below).unwrap_or(isize::MAX),
            });
            seeking = false;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Part, Role};
    use crate::theme::Theme;

    /// Every message 40 columns wide, nothing focused.
    fn plain<'t>(theme: &'t Theme) -> impl Fn(&ChatMessage) -> Look<'t> + Copy + 't {
        move |_| Look {
            theme,
            width: 40,
            focused: None,
            spinner: 0,
            user_name: "You",
            own: None,
        }
    }

    fn msgs(n: usize) -> Vec<ChatMessage> {
        (0..n)
            .map(|i| ChatMessage {
                id: format!("m{i}").into(),
                role: Role::User,
                agent: None,
                parts: vec![Part::text(format!("<p>message {i}</p>"))],
                at: 0,
                request: None,
                translation: None,
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
        let look = plain(&theme);
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

    #[test]
    fn an_anchor_rests_on_its_message_and_resolves_past_either_end() {
        let theme = Theme::default();
        let look = plain(&theme);
        let area = Rect::new(0, 0, 40, 3);
        let all = msgs(10);
        let at = |message, back| Some(Anchor { message, back });
        // Each message is 3 lines: the view ends 1 line above message 5's end.
        let v = anchored(
            &all,
            Vec::new(),
            vec![Line::from("tail")],
            area,
            at(5, 1),
            look,
        );
        assert_eq!(texts(&v), ["", "You  00:00", "  message 5"]);
        assert_eq!(v.anchor, at(5, 1));
        // Below message 5's end: onto message 6.
        let v = anchored(&all, Vec::new(), Vec::new(), area, at(5, -2), look);
        assert_eq!(texts(&v), ["", "You  00:00", "  message 6"]);
        assert_eq!(v.anchor, at(6, 1));
        // Past the top: the top, on the message at the bottom line.
        let v = anchored(
            &all,
            vec![Line::from("head")],
            Vec::new(),
            area,
            at(1, 99),
            look,
        );
        assert_eq!(texts(&v), ["head", "You  00:00", "  message 0"]);
        assert_eq!(v.anchor, at(0, 1));
        // Past the bottom, or on the last message's end: following, with the tail.
        for anchor in [at(8, -40), at(9, 0), None] {
            let v = anchored(
                &all,
                Vec::new(),
                vec![Line::from("tail")],
                area,
                anchor,
                look,
            );
            assert_eq!(texts(&v), ["  message 9", "", "tail"]);
            assert_eq!(v.anchor, None);
        }
    }
}
