//! Where a transcript's view rests: following the bottom, or on an anchor (a message and a line
//! offset) that keys and the wheel move by lines without knowing any width. The renderer
//! resolves the anchor to lines at draw time (`ui::transcript::anchored`); before each draw the
//! console settles it on the message the view then ends with, so that a key pressed past the
//! top or the bottom takes effect at once.

use crate::ui::transcript::Anchor;

/// How far back Home sends a view: past the top of any transcript; the renderer stops at the
/// top and settling brings it back to what is shown.
const TOP: isize = 1 << 30;

/// A transcript's scroll position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    /// `None` follows new messages; an anchor keeps the view where it is.
    pub anchor: Option<Anchor>,
    /// Messages that arrived while scrolled back.
    pub unseen: usize,
}

impl Scroll {
    /// Whether the view follows the bottom.
    pub fn following(&self) -> bool {
        self.anchor.is_none()
    }

    /// Moves the view `lines` back in time (negative: forward) in a transcript of `len`
    /// messages. From the bottom it anchors on the latest message; forward past the latest
    /// message's end it follows the bottom again.
    pub fn by(&mut self, lines: isize, len: usize) {
        let Some(last) = len.checked_sub(1) else {
            return self.end();
        };
        let at = self.anchor.unwrap_or(Anchor {
            message: last,
            back: 0,
        });
        let at = Anchor {
            message: at.message.min(last),
            back: at.back.saturating_add(lines),
        };
        if at.message == last && at.back <= 0 {
            self.end();
        } else {
            self.anchor = Some(at);
        }
    }

    /// Goes to the oldest message.
    pub fn home(&mut self, len: usize) {
        if len > 0 {
            self.anchor = Some(Anchor {
                message: 0,
                back: TOP,
            });
        }
    }

    /// Follows the bottom again; nothing is unseen any more.
    pub fn end(&mut self) {
        *self = Self::default();
    }

    /// A message was added: a scrolled-back view stays and counts it.
    pub fn added(&mut self) {
        if !self.following() {
            self.unseen += 1;
        }
    }

    /// Takes the anchor the renderer resolved (`None`: it reached the bottom).
    pub fn settle(&mut self, resolved: Option<Anchor>) {
        if self.following() {
            return;
        }
        match resolved {
            Some(anchor) => self.anchor = Some(anchor),
            None => self.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_back_anchors_on_the_latest_message_and_forward_follows_again() {
        let mut s = Scroll::default();
        s.by(10, 5);
        assert_eq!(
            s.anchor,
            Some(Anchor {
                message: 4,
                back: 10
            })
        );
        s.added();
        assert_eq!(s.unseen, 1);
        s.by(-10, 6);
        assert_eq!(s.anchor.map(|a| a.back), Some(0), "still on message 4 of 6");
        s.by(-10, 5);
        assert_eq!(s, Scroll::default());
    }

    #[test]
    fn an_empty_transcript_always_follows() {
        let mut s = Scroll::default();
        s.by(10, 0);
        s.home(0);
        assert!(s.following());
    }

    #[test]
    fn settling_at_the_bottom_follows_and_forgets_unseen() {
        let mut s = Scroll::default();
        s.home(3);
        s.added();
        s.settle(None);
        assert_eq!(s, Scroll::default());
        // A following view ignores what the renderer saw.
        s.settle(Some(Anchor {
            message: 1,
            back: 2,
        }));
        assert!(s.following());
    }
}
