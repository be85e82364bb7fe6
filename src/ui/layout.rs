//! Where every pane goes, as pure functions of the terminal size, shared by rendering and by
//! mouse hit-testing.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the console draws in; below it a message asks for more room.
pub const MIN_WIDTH: u16 = 44;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 14;
/// From this width on, the chat and the inbox are side by side; below, stacked.
pub const WIDE: u16 = 100;

/// The rectangles of the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneRects {
    /// The user chat pane.
    pub chat: Rect,
    /// The agent inbox pane.
    pub inbox: Rect,
    /// The inspector, when open.
    pub inspector: Option<Rect>,
    /// The status bar (one line).
    pub status: Rect,
    /// The terminal is too small to draw the panes.
    pub too_small: bool,
}

/// Lays the panes out in `area`.
pub fn panes(area: Rect, inspector: bool) -> PaneRects {
    let too_small = area.width < MIN_WIDTH || area.height < MIN_HEIGHT;
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let (main, inspector) = if inspector {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(main);
        (top, Some(bottom))
    } else {
        (main, None)
    };
    let [chat, inbox] = if area.width >= WIDE {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main)
    };
    PaneRects {
        chat,
        inbox,
        inspector,
        status,
        too_small,
    }
}

/// The inside of a bordered block.
pub fn inner(rect: Rect) -> Rect {
    Rect {
        x: rect.x.saturating_add(1),
        y: rect.y.saturating_add(1),
        width: rect.width.saturating_sub(2),
        height: rect.height.saturating_sub(2),
    }
}

/// Splits a pane's inside into a transcript above and a composer of `composer_lines` below
/// (plus its top rule).
pub fn with_composer(inside: Rect, composer_lines: usize) -> (Rect, Rect) {
    let lines = (composer_lines.clamp(1, 5) as u16 + 1).min(inside.height.saturating_sub(1));
    let [top, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(lines)]).areas(inside);
    (top, bottom)
}

/// Whether a point is inside a rectangle.
pub fn hit(rect: Rect, column: u16, row: u16) -> bool {
    rect.contains(ratatui::layout::Position::new(column, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_is_side_by_side_and_narrow_is_stacked() {
        let wide = panes(Rect::new(0, 0, 160, 48), false);
        assert_eq!(wide.chat.y, wide.inbox.y);
        assert!(wide.chat.x < wide.inbox.x);
        assert_eq!(wide.status, Rect::new(0, 47, 160, 1));
        let narrow = panes(Rect::new(0, 0, 80, 24), true);
        assert_eq!(narrow.chat.x, narrow.inbox.x);
        assert!(narrow.chat.y < narrow.inbox.y);
        assert!(narrow.inspector.is_some_and(|r| r.y > narrow.inbox.y));
        assert!(!narrow.too_small);
        assert!(panes(Rect::new(0, 0, 30, 10), false).too_small);
    }
}
