//! Recall and precision of [`find`] on the labelled corpus, and the figures `handoff bench`
//! prints.

use super::corpus::{NEGATIVES, POSITIVES};
use super::{Kind, find};
use std::io::Write;
use std::time::Instant;

/// How the detectors did on the corpus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Labelled pieces found whole, with the right kind.
    pub found: usize,
    /// Labelled pieces missed (or found in part, or as another kind).
    pub missed: Vec<String>,
    /// Detections of something that is not personal data: `text: [piece]`.
    pub wrong: Vec<String>,
}

impl Score {
    /// Found / labelled.
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.found + self.missed.len())
    }

    /// Found / detected.
    pub fn precision(&self) -> f64 {
        ratio(self.found, self.found + self.wrong.len())
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Runs the detectors over `positives` (kind, text, the piece) and `negatives`.
pub fn score_on(positives: &[(Kind, &str, &str)], negatives: &[&str]) -> Score {
    let mut score = Score::default();
    let texts = positives
        .iter()
        .map(|&(kind, text, piece)| (text, Some((kind, piece))))
        .chain(negatives.iter().map(|&text| (text, None)));
    for (text, label) in texts {
        let span =
            label.and_then(|(kind, piece)| text.find(piece).map(|s| (kind, s, s + piece.len())));
        let mut hit = false;
        for f in find(text) {
            match span {
                Some((kind, s, e)) if f.start <= s && e <= f.end && f.kind == kind => hit = true,
                Some((_, s, e)) if f.start < e && s < f.end => {}
                _ => score
                    .wrong
                    .push(format!("{text}: [{}]", &text[f.start..f.end])),
            }
        }
        match (label, hit) {
            (Some(_), true) => score.found += 1,
            (Some((kind, piece)), false) => {
                score.missed.push(format!("{kind:?} {piece} in {text}"));
            }
            (None, _) => {}
        }
    }
    score
}

/// The score on the labelled corpus.
pub fn score() -> Score {
    score_on(POSITIVES, NEGATIVES)
}

/// Prints recall and precision on the labelled corpus, and how fast masking runs (MB/s over
/// the corpus's texts, repeated to a few megabytes).
pub fn bench_report(out: &mut impl Write) -> std::io::Result<()> {
    let s = score();
    writeln!(
        out,
        "PII masking: recall {:.1}% ({} of {}), precision {:.1}% ({} wrong) on {} + {} labelled texts",
        s.recall() * 100.0,
        s.found,
        s.found + s.missed.len(),
        s.precision() * 100.0,
        s.wrong.len(),
        POSITIVES.len(),
        NEGATIVES.len()
    )?;
    let texts: Vec<&str> = POSITIVES
        .iter()
        .map(|p| p.1)
        .chain(NEGATIVES.iter().copied())
        .collect();
    let corpus_bytes: usize = texts.iter().map(|t| t.len()).sum();
    let rounds = (4 << 20) / corpus_bytes.max(1) + 1;
    let start = Instant::now();
    let mut masked = 0usize;
    for _ in 0..rounds {
        for text in &texts {
            masked += std::hint::black_box(super::mask(text)).len();
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let mb = (rounds * corpus_bytes) as f64 / 1e6;
    writeln!(
        out,
        "PII masking: {:.1} MB/s ({mb:.1} MB in {:.0} ms, {masked} bytes out)",
        mb / secs,
        secs * 1000.0
    )
}
