//! What `handoff run` prints: a line per scenario, each failure in detail, the totals, and the
//! same as `JUnit` XML (the format CI systems read) or JSON lines (for programs).

use super::runner::{Failure, Verdict};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// One scenario's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The scenario's name (the file's stem when it is invalid).
    pub name: String,
    /// Its file.
    pub file: PathBuf,
    /// How it went.
    pub verdict: Verdict,
    /// How long it took.
    pub duration: Duration,
    /// Where its failure's sequence diagram was written (`--mermaid DIR`).
    pub mermaid_file: Option<PathBuf>,
}

/// Passed, failed and skipped counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Passed.
    pub passed: usize,
    /// Failed (invalid files included).
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Totals {
    /// The counts of `outcomes`.
    pub fn of(outcomes: &[Outcome]) -> Self {
        let mut t = Self::default();
        for o in outcomes {
            match o.verdict {
                Verdict::Passed => t.passed += 1,
                Verdict::Failed(_) => t.failed += 1,
                Verdict::Skipped(_) => t.skipped += 1,
            }
        }
        t
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        if self.skipped > 0 {
            write!(f, ", {} skipped", self.skipped)?;
        }
        Ok(())
    }
}

fn status(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "passed",
        Verdict::Failed(_) => "failed",
        Verdict::Skipped(_) => "skipped",
    }
}

/// The progress line of one finished scenario: `[3/12] passed  name  (0.4 s)`.
pub fn line(done: usize, total: usize, o: &Outcome) -> String {
    let mut line = format!(
        "[{done}/{total}] {:<7} {}  ({:.1} s)",
        status(&o.verdict),
        o.name,
        o.duration.as_secs_f64()
    );
    if let Verdict::Skipped(reason) = &o.verdict {
        let _ = write!(line, ": {reason}");
    }
    line
}

/// A failure in detail: the file and step, expected and seen, each actor's last events.
pub fn failure(o: &Outcome, f: &Failure) -> String {
    let mut text = format!("FAILED {} ({})\n", o.name, o.file.display());
    match &f.step {
        Some(s) => {
            let _ = writeln!(
                text,
                "  step {} at {}:{}: {} does {}",
                s.index,
                o.file.display(),
                s.line,
                s.actor,
                s.action
            );
        }
        None => text.push_str("  before the first step\n"),
    }
    let _ = writeln!(text, "  expected: {}", f.miss.expected);
    let _ = writeln!(text, "  seen:     {}", f.miss.seen);
    if let Some(diff) = super::difference::difference(&f.miss.expected, &f.miss.seen) {
        let _ = writeln!(text, "  differs:  {diff}");
    }
    for (actor, events) in &f.last_events {
        let _ = writeln!(text, "  last events of {actor}:");
        for e in events {
            let _ = writeln!(text, "    {e}");
        }
    }
    if let Some(file) = &o.mermaid_file {
        let _ = writeln!(text, "  sequence diagram: {}", file.display());
    }
    text
}

/// One JSON object for one scenario (a line of `--json`).
pub fn json(o: &Outcome) -> serde_json::Value {
    let mut v = serde_json::json!({
        "type": "scenario",
        "name": o.name,
        "file": o.file.display().to_string(),
        "status": status(&o.verdict),
        "duration_ms": o.duration.as_millis() as u64,
    });
    match &o.verdict {
        Verdict::Passed => {}
        Verdict::Skipped(reason) => v["reason"] = reason.clone().into(),
        Verdict::Failed(f) => {
            if let Some(s) = &f.step {
                v["step"] = s.index.into();
                v["line"] = s.line.into();
                v["actor"] = s.actor.clone().into();
                v["do"] = s.action.into();
            }
            v["expected"] = f.miss.expected.clone().into();
            v["seen"] = f.miss.seen.clone().into();
            v["last_events"] = f
                .last_events
                .iter()
                .map(|(a, e)| (a.clone(), serde_json::json!(e)))
                .collect::<serde_json::Map<_, _>>()
                .into();
            if let Some(picture) = &f.picture {
                v["mermaid"] = crate::pictures::mermaid(picture).into();
            }
            if let Some(file) = &o.mermaid_file {
                v["mermaid_file"] = file.display().to_string().into();
            }
        }
    }
    v
}

/// The totals as the last JSON line.
pub fn json_totals(t: Totals) -> serde_json::Value {
    serde_json::json!({"type": "summary", "passed": t.passed, "failed": t.failed, "skipped": t.skipped})
}

/// Text made safe for XML 1.0: the characters XML cannot hold (control characters but tab and
/// line breaks, U+FFFE, U+FFFF) dropped, then escaped as rich text is (the same five entities).
pub fn xml_escape(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r')
                || !(c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect();
    crate::text::escape(&kept)
}

/// The test case's class: the file's path without its extension, dots for separators.
fn classname(o: &Outcome) -> String {
    o.file
        .with_extension("")
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().replace('.', "_")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `JUnit` XML: `testsuites` > `testsuite` > a `testcase` per scenario, with `failure` or
/// `skipped`.
pub fn junit(outcomes: &[Outcome]) -> String {
    let t = Totals::of(outcomes);
    let time: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\"",
        outcomes.len(),
        t.failed,
        t.skipped
    );
    let _ = writeln!(xml, "<testsuites name=\"handoff run\" {counts}>");
    let _ = writeln!(xml, "  <testsuite name=\"handoff scenarios\" {counts}>");
    for o in outcomes {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{:.3}\"",
            xml_escape(&o.name),
            xml_escape(&classname(o)),
            xml_escape(&o.file.display().to_string()),
            o.duration.as_secs_f64()
        );
        match &o.verdict {
            Verdict::Passed => xml.push_str("/>\n"),
            Verdict::Skipped(reason) => {
                let _ = writeln!(
                    xml,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml_escape(reason)
                );
            }
            Verdict::Failed(f) => {
                let message = format!("expected {}; seen {}", f.miss.expected, f.miss.seen);
                let _ = writeln!(
                    xml,
                    ">\n      <failure message=\"{}\" type=\"scenario\">{}</failure>\n    </testcase>",
                    xml_escape(&message),
                    xml_escape(&failure(o, f))
                );
            }
        }
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}
