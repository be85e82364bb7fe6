//! Hostile text: arbitrary Unicode built from the pieces that break terminal programs, mixed with
//! random scalar values. Deterministic for a seed, so a failure can be replayed.

/// Pieces that broke, or could break, text handling: multi-byte first characters, combining
/// marks, emoji sequences, right-to-left text, wide CJK, escape sequences, control characters,
/// every kind of line break, markup and entities.
pub const PIECES: &[&str] = &[
    "été",
    "¿dónde?",
    "日本",
    "Ωmega",
    "e\u{301}",
    "\u{301}",
    "\u{301}\u{302}\u{303}\u{304}",
    "👩‍💻",
    "👍🏽",
    "🧑🏿‍🤝‍🧑🏻",
    "🇫🇷",
    "🇫",
    "\u{200d}",
    "\u{fe0f}",
    "❤\u{fe0f}",
    "1\u{fe0f}\u{20e3}",
    "שלום",
    "مرحبا",
    "\u{202e}",
    "\u{2067}",
    "\u{200f}",
    "\u{200b}",
    "\u{feff}",
    "ｶﾞ",
    "\u{ff9e}",
    "漢字かなカナ",
    "\u{1b}[31m",
    "\u{1b}[2J",
    "\u{1b}]0;title\u{7}",
    "\u{1b}]52;c;aGk=\u{1b}\\",
    "\u{1b}",
    "\u{9b}",
    "\u{9d}",
    "\u{1b}P",
    "\0",
    "\u{7}",
    "\u{8}",
    "\u{7f}",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    " ",
    "  ",
    "\u{a0}",
    "<",
    ">",
    "&",
    ";",
    "#",
    "<p>",
    "</p>",
    "<br>",
    "<b>",
    "</b>",
    "<strong>",
    "<em>",
    "</i>",
    "<a href=\"",
    "\">",
    "</a>",
    "<a href='https://é.test/日本'>",
    "<li>",
    "<div",
    "&amp;",
    "&lt;",
    "&#x1F600;",
    "&#xD800;",
    "&#0;",
    "&#",
    "&nbsp;",
    "&hellip",
    "https://example.test/a?b=c&d=e",
    "Stop chat",
    "\u{10ffff}",
    "\u{e000}",
    "a",
    "word",
    "{",
    "}",
    "\"",
    "\\",
    "\\u0000",
];

/// A generator of hostile strings.
#[derive(Debug, Clone)]
pub struct Hostile {
    rng: fastrand::Rng,
    /// One string in this many is a long line (about 100 KB).
    pub long_every: u32,
}

impl Hostile {
    /// A generator that yields the same strings for the same seed.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            long_every: 1000,
        }
    }

    /// The next string: up to 40 pieces or random characters, or now and then a long line.
    pub fn next_text(&mut self) -> String {
        if self.long_every > 0 && self.rng.u32(..self.long_every) == 0 {
            return self.long_line();
        }
        let pieces = self.rng.usize(0..40);
        let mut out = String::new();
        for _ in 0..pieces {
            self.push_piece(&mut out);
        }
        out
    }

    /// A number in `range`, from the same generator.
    pub fn usize(&mut self, range: std::ops::Range<usize>) -> usize {
        self.rng.usize(range)
    }

    fn push_piece(&mut self, out: &mut String) {
        match self.rng.u8(..4) {
            0 => out.push(self.any_char()),
            _ => out.push_str(PIECES[self.rng.usize(..PIECES.len())]),
        }
    }

    /// Any Unicode scalar value, biased towards the first planes where most text lives.
    fn any_char(&mut self) -> char {
        let max = match self.rng.u8(..4) {
            0 => 0x80,
            1 => 0x800,
            2 => 0x1_0000,
            _ => 0x11_0000,
        };
        loop {
            if let Some(c) = char::from_u32(self.rng.u32(..max)) {
                return c;
            }
        }
    }

    /// About 100 KB on one line: one piece, or a few, repeated.
    fn long_line(&mut self) -> String {
        let mut unit = String::new();
        for _ in 0..self.rng.usize(1..4) {
            self.push_piece(&mut unit);
        }
        if unit.is_empty() {
            unit.push('x');
        }
        unit.repeat((100_000 / unit.len()).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_strings() {
        let (mut a, mut b) = (Hostile::new(7), Hostile::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_text(), b.next_text());
        }
    }

    #[test]
    fn long_lines_come_now_and_then() {
        let mut g = Hostile::new(1);
        g.long_every = 2;
        assert!((0..20).any(|_| g.next_text().len() >= 90_000));
    }
}
