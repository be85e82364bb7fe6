//! Fuzzing the paths where foreign text enters: rich text, sanitising, widths and wrapping,
//! frame decoding, transcripts, and the whole console (every pane fed and drawn at random sizes).
//!
//! [`run`] is `handoff bench --fuzz`: millions of hostile strings ([`Hostile`]) over two threads,
//! reporting inputs per second and any failure with the seed and index that replay it. The tests
//! (`tests/text_fuzz.rs`) run the same targets on a few thousand inputs, and proptest's own
//! strategies on top.

mod frames;
mod hostile;
mod targets;

pub use hostile::{Hostile, PIECES};
pub use targets::{ConsolePath, protocol_paths, text_paths, transcript_paths};

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// What a fuzz run does.
#[derive(Debug, Clone, Copy)]
pub struct FuzzPlan {
    /// Hostile strings in all (each goes through the text, protocol and transcript paths).
    pub inputs: u64,
    /// One input in this many also goes through the whole console and is drawn.
    pub console_every: u64,
    /// The first seed; worker `w` uses `seed + w`.
    pub seed: u64,
}

impl Default for FuzzPlan {
    fn default() -> Self {
        Self {
            inputs: 1_000_000,
            console_every: 16,
            seed: 1,
        }
    }
}

/// A failure: the input that caused it and how to replay it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The generator's seed.
    pub seed: u64,
    /// The input's index in that seed's sequence.
    pub index: u64,
    /// The input.
    pub input: String,
    /// The panic message or the broken invariant.
    pub what: String,
}

/// Counts of one worker.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    inputs: u64,
    console: u64,
    bytes: u64,
}

/// Runs one input through every target; `console` also through the console.
pub fn one(
    t: &str,
    columns: usize,
    console: Option<(&mut ConsolePath, u16, u16)>,
) -> Result<(), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        text_paths(t, columns)?;
        protocol_paths(t)?;
        transcript_paths(t)?;
        if let Some((path, w, h)) = console {
            path.feed(t, w, h)?;
        }
        Ok(())
    }));
    match outcome {
        Ok(result) => result,
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .map_or_else(|| "panicked".to_owned(), |m| format!("panicked: {m}"))),
    }
}

fn worker(seed: u64, inputs: u64, console_every: u64) -> Result<Counts, Failure> {
    let mut hostile = Hostile::new(seed);
    let mut counts = Counts::default();
    let fail = |index, input: &str, what| Failure {
        seed,
        index,
        input: input.to_owned(),
        what,
    };
    let mut console = ConsolePath::new().map_err(|e| fail(0, "", e))?;
    for index in 0..inputs {
        let t = hostile.next_text();
        let columns = hostile.usize(1..200);
        let draw = console_every > 0 && index % console_every == 0;
        // A fresh console now and then, so the transcript stays a realistic size.
        if draw && index % (console_every * 20) == 0 {
            console = ConsolePath::new().map_err(|e| fail(index, &t, e))?;
        }
        let size = (hostile.usize(1..220) as u16, hostile.usize(1..60) as u16);
        let path = draw.then_some((&mut console, size.0, size.1));
        one(&t, columns, path).map_err(|what| fail(index, &t, what))?;
        counts.inputs += 1;
        counts.console += u64::from(draw);
        counts.bytes += t.len() as u64;
    }
    Ok(counts)
}

/// Runs the plan on two threads and prints what it did; the first failure ends it.
pub fn run(plan: FuzzPlan, out: &mut impl Write) -> anyhow::Result<()> {
    const WORKERS: u64 = 2;
    writeln!(
        out,
        "fuzz: {} hostile strings over text, frames, transcripts; 1 in {} through the whole console",
        plan.inputs, plan.console_every
    )?;
    let started = Instant::now();
    let results: Vec<Result<Counts, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let share = plan.inputs / WORKERS + u64::from(w < plan.inputs % WORKERS);
                scope.spawn(move || worker(plan.seed + w, share, plan.console_every))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Failure {
                        seed: 0,
                        index: 0,
                        input: String::new(),
                        what: "a worker died".into(),
                    })
                })
            })
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut total = Counts::default();
    for result in results {
        match result {
            Ok(c) => {
                total.inputs += c.inputs;
                total.console += c.console;
                total.bytes += c.bytes;
            }
            Err(f) => {
                writeln!(
                    out,
                    "FAILED at seed {} input {}: {}",
                    f.seed, f.index, f.what
                )?;
                writeln!(
                    out,
                    "input: {:?}",
                    f.input.chars().take(400).collect::<String>()
                )?;
                anyhow::bail!("the fuzz run failed (seed {}, input {})", f.seed, f.index);
            }
        }
    }
    writeln!(
        out,
        "fuzz: {} inputs ({} through the console, {:.1} MB of text), 0 failures, {:.1} s, {:.0} inputs/s",
        total.inputs,
        total.console,
        total.bytes as f64 / 1e6,
        elapsed,
        total.inputs as f64 / elapsed.max(1e-9)
    )?;
    Ok(())
}
