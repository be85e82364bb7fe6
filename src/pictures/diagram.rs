//! The sequence as text for the terminal: a column per participant with its lifeline, each
//! message a label over an arrow, each note in brackets over its lifeline. Laid out by display
//! width, grapheme by grapheme, so wide and combining characters keep the columns straight.

use super::{Item, Sequence};
use crate::text::grapheme_width;
use unicode_segmentation::UnicodeSegmentation as _;

/// The narrowest column a participant gets: below it lines may be wider than asked.
pub const MIN_COLUMN: usize = 6;
/// The widest column a participant gets.
pub const MAX_COLUMN: usize = 30;

/// One line of cells: a grapheme each, `""` for the further columns of a wide one.
struct Row(Vec<String>);

impl Row {
    fn new(width: usize, lifelines: &[usize]) -> Self {
        let mut cells = vec![" ".to_owned(); width];
        for &x in lifelines {
            cells[x] = "│".into();
        }
        Self(cells)
    }

    /// Writes `text` from column `x` in at most `max` columns, `…` when it does not fit.
    fn write(&mut self, x: usize, max: usize, text: &str) {
        let fits = crate::text::width(text) <= max;
        let room = if fits { max } else { max.saturating_sub(1) };
        let mut used = 0;
        for g in text.graphemes(true) {
            let w = grapheme_width(g);
            if w == 0 {
                continue;
            }
            if used + w > room {
                break;
            }
            g.clone_into(&mut self.0[x + used]);
            // A cluster wider than one column (two, or more with spacing marks) covers the cells
            // after it.
            for cell in &mut self.0[x + used + 1..x + used + w] {
                cell.clear();
            }
            used += w;
        }
        if !fits && max > 0 {
            self.0[x + used] = "…".into();
        }
    }

    fn line(self) -> String {
        self.0.concat().trim_end().to_owned()
    }
}

/// The sequence drawn in about `width` columns (at least [`MIN_COLUMN`] a participant).
pub fn diagram(seq: &Sequence, width: usize) -> String {
    let n = seq.participants.len().max(1);
    let col = (width.saturating_sub(1) / n).clamp(MIN_COLUMN, MAX_COLUMN);
    let total = n * col;
    let x: Vec<usize> = (0..n).map(|i| i * col + col / 2).collect();
    let mut lines = Vec::new();
    let mut head = Row::new(total, &[]);
    for (i, name) in seq.participants.iter().enumerate() {
        let w = crate::text::width(name).min(col - 1);
        head.write(
            (x[i] + 1).saturating_sub(w.div_ceil(2)).max(i * col),
            col - 1,
            name,
        );
    }
    lines.push(head.line());
    for item in &seq.items {
        match item {
            Item::Arrow { from, to, text } => {
                let (lo, hi) = (x[*from.min(to)], x[*from.max(to)]);
                let mut label = Row::new(total, &x);
                let inner: Vec<usize> = x.iter().copied().filter(|&c| c > lo && c < hi).collect();
                for c in inner {
                    label.0[c] = " ".into();
                }
                label.write(lo + 2, hi.saturating_sub(lo + 3).max(1), text);
                lines.push(label.line());
                let mut arrow = Row::new(total, &x);
                for c in lo + 1..hi {
                    arrow.0[c] = "─".into();
                }
                match from.cmp(to) {
                    std::cmp::Ordering::Less => arrow.0[hi - 1] = "▶".into(),
                    _ => arrow.0[lo + 1] = "◀".into(),
                }
                lines.push(arrow.line());
            }
            Item::Note { over, text } => {
                let mut note = Row::new(total, &x);
                let start = over * col + 1;
                note.write(start, col - 1, &format!("[{text}]"));
                lines.push(note.line());
            }
        }
    }
    lines.join("\n") + "\n"
}
