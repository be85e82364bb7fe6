//! `handoff bench`: the broker next to an in-tree bare tokio-tungstenite relay on one harness
//! (and next to the same relay answering its users as the broker answers a `say`), and the
//! console next to itself with a short and a long transcript, as a table of ratios; then the
//! other figures (broker request latencies, attachments).
//!
//! - [`bare_relay`]: the baseline server, plain or answering (`handoff bench --bare-relay`).
//! - [`process`]: both servers as child processes, and their CPU and memory from `/proc`.
//! - [`peers`], [`load`]: the clients and the load generator.
//! - [`report`]: percentiles, medians, paired ratios, the table's rows.
//! - [`latency`]: the broker's request latencies and attachment times (in process).
//!
//! Trials are interleaved (bare, answering, handoff, then the next repeat rotated), each on a
//! fresh server, so that a busy spell of a shared machine hits all three; the table gives medians
//! and the ratio of medians with the range of per-repeat ratios. Nothing here asserts a time.

pub mod bare_relay;
pub mod latency;
pub mod load;
pub mod peers;
pub mod process;
pub mod report;

use load::{Load, Mode, Relayed};
use process::{Scratch, Server, Target};
use report::{Ratios, paired, percentile, row, show};
use std::io::Write;
use std::time::Duration;

/// What `handoff bench` runs (the command line's options, resolved).
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Interleaved repeats of each relay trial.
    pub repeats: usize,
    /// Live chats in the relay trials.
    pub chats: usize,
    /// Bytes per `say` frame.
    pub size: usize,
    /// Messages in flight per chat in the throughput trial.
    pub window: usize,
    /// Messages per second in all in the latency trial.
    pub rate: f64,
    /// Sending before each measured window.
    pub warmup: Duration,
    /// Each measured window.
    pub duration: Duration,
    /// Idle connections for the memory figure.
    pub idle: usize,
    /// Messages in the console's long transcript (the short one has 100).
    pub messages: usize,
    /// Console frames drawn per transcript.
    pub frames: usize,
    /// Only the table of ratios, not the other figures.
    pub table_only: bool,
    /// The protocol version of the broker's clients in the relay trials.
    pub protocol: u32,
}

impl BenchOptions {
    /// The full run: 3 repeats of 5 s windows, 10k idle connections, 100k messages.
    pub fn full() -> Self {
        Self {
            repeats: 3,
            chats: 100,
            size: 1024,
            window: 8,
            rate: 1000.0,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(5),
            idle: 10_000,
            messages: 100_000,
            frames: 1000,
            table_only: false,
            protocol: crate::protocol::PROTOCOL_VERSION,
        }
    }

    /// `--quick`: one repeat of short windows and 2k idle connections, under a minute.
    pub fn quick() -> Self {
        Self {
            repeats: 1,
            warmup: Duration::from_millis(500),
            duration: Duration::from_millis(1500),
            idle: 2000,
            frames: 300,
            ..Self::full()
        }
    }
}

/// Runs every figure and prints it to `out`; the broker's own figures run on `runtime`.
pub fn run(
    options: &BenchOptions,
    runtime: &tokio::runtime::Runtime,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    table(options, out)?;
    if options.table_only {
        return Ok(());
    }
    // The other figures, one line each.
    writeln!(out)?;
    crate::pii::bench_report(out)?;
    runtime.block_on(latency::bench(out))?;
    Ok(())
}

/// Every relay trial of every repeat, by target: the bare relay's and the broker's, and the
/// answering relay's closed-loop ones (throughput and CPU only).
#[derive(Debug, Default)]
struct Trials {
    closed: [Vec<Relayed>; 2],
    open: [Vec<Relayed>; 2],
    answering: Vec<Relayed>,
}

impl Trials {
    /// Where a trial of `target` under `load` goes; `None` when the table has no use for it.
    fn of(&mut self, target: Target, load: &Load) -> Option<&mut Vec<Relayed>> {
        let [bare, broker] = match load.mode {
            Mode::Closed(_) => &mut self.closed,
            Mode::Open(_) => &mut self.open,
        };
        match (target, load.mode) {
            (Target::Bare, _) => Some(bare),
            (Target::Handoff, _) => Some(broker),
            (Target::Answering, Mode::Closed(_)) => Some(&mut self.answering),
            (Target::Answering, Mode::Open(_)) => None,
        }
    }

    /// The closed-loop trials of the answering relay next to the broker's.
    fn against_answering(&self) -> [Vec<Relayed>; 2] {
        let [_, broker] = &self.closed;
        [self.answering.clone(), broker.clone()]
    }
}

/// Runs the trials and prints the table of ratios.
fn table(o: &BenchOptions, out: &mut impl Write) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let scratch = Scratch::new()?;
    let token = format!("{:032x}", fastrand::u128(..));
    let generator = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut trials = Trials::default();
    let closed = Load {
        chats: o.chats,
        size: o.size,
        mode: Mode::Closed(o.window),
        warmup: o.warmup,
        duration: o.duration,
        protocol: o.protocol,
    };
    let open = Load {
        mode: Mode::Open(o.rate),
        ..closed
    };
    for repeat in 0..o.repeats {
        let mut order = [Target::Bare, Target::Answering, Target::Handoff];
        order.rotate_left(repeat % 3);
        for target in order {
            for load in [closed, open] {
                if trials.of(target, &load).is_none() {
                    continue;
                }
                let server = Server::start(&exe, target, o.chats + 16, &scratch.0, &token)?;
                let r = generator.block_on(load::relay(
                    target,
                    &server.url,
                    server.pid(),
                    &token,
                    load,
                ))?;
                drop(server);
                if r.faults > 0 {
                    writeln!(
                        out,
                        "note: {} {} error frames or closed sockets in repeat {repeat}",
                        target.label(),
                        r.faults
                    )?;
                }
                if let Some(into) = trials.of(target, &load) {
                    into.push(r);
                }
            }
        }
    }
    let idle = {
        let server = Server::start(&exe, Target::Handoff, o.idle + 64, &scratch.0, &token)?;
        generator.block_on(load::idle(
            Target::Handoff,
            &server.url,
            server.pid(),
            o.idle,
        ))?
    };
    let console = crate::console::bench::measure((100, o.messages), (200, 50), o.frames, 200)?;
    print_table(o, &trials, idle, &console, out)
}

/// The medians of a measure of both targets' trials, shown, with their paired ratios.
fn compare(
    trials: &[Vec<Relayed>; 2],
    measure: impl Fn(&Relayed) -> f64,
    digits: usize,
) -> ((String, String), Option<Ratios>) {
    let bare: Vec<f64> = trials[0].iter().map(&measure).collect();
    let broker: Vec<f64> = trials[1].iter().map(&measure).collect();
    let shown = (
        show(report::median(&bare), digits),
        show(report::median(&broker), digits),
    );
    (shown, paired(&broker, &bare))
}

fn print_table(
    opts: &BenchOptions,
    trials: &Trials,
    idle: load::Idle,
    console: &crate::console::bench::Figures,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "handoff bench: {} repeat(s), {} chats, {} B frames, {:.1} s windows, protocol {}; \
         bare relay = one agent socket for every room; relay + answers = it also answers \
         each user frame as protocol {} does",
        opts.repeats,
        opts.chats,
        opts.size,
        opts.duration.as_secs_f64(),
        opts.protocol,
        opts.protocol
    )?;
    report::header(out, "bare relay")?;
    relay_rows(opts, trials, out)?;
    answering_rows(trials, out)?;
    let label = format!("RSS per idle connection at {}, KiB", opts.idle);
    let kib = format!("{:.1}", idle.kib_per_connection);
    row(out, &label, ("-", &kib), None, "<= 16 KiB")?;
    console_rows(opts, console, out)
}

/// A measure of a relay trial.
type Measure = fn(&Relayed) -> f64;

/// A row of relay figures: label, trials, measure, decimals, goal.
type RelayRow<'a> = (&'a str, &'a [Vec<Relayed>; 2], Measure, usize, &'a str);

fn p99(r: &Relayed) -> f64 {
    percentile(&r.latencies_us, 99.0).unwrap_or(f64::NAN)
}

/// Throughput, CPU per message (closed loop) and p99 latency (open loop), broker over bare.
fn relay_rows(opts: &BenchOptions, trials: &Trials, out: &mut impl Write) -> anyhow::Result<()> {
    let latency = format!("user->agent p99 at {:.0} msg/s, µs", opts.rate);
    let throughput = format!("relay throughput, msg/s (window {})", opts.window);
    let rows: [RelayRow<'_>; 3] = [
        (
            &throughput,
            &trials.closed,
            Relayed::per_second,
            0,
            ">= 0.9x",
        ),
        (
            "server CPU per message, µs",
            &trials.closed,
            Relayed::cpu_us_per_message,
            1,
            "<= 1.3x",
        ),
        (&latency, &trials.open, p99, 0, "<= 1000 µs"),
    ];
    for (label, trials, measure, digits, goal) in rows {
        let (cells, ratios) = compare(trials, measure, digits);
        row(out, label, (&cells.0, &cells.1), ratios, goal)?;
    }
    Ok(())
}

/// Throughput and CPU per message next to the relay that answers each user frame as the
/// broker does: what is left is the broker's own work, not its protocol's frames.
fn answering_rows(trials: &Trials, out: &mut impl Write) -> anyhow::Result<()> {
    let answering = trials.against_answering();
    let rows: [(&str, Measure, usize); 2] = [
        ("throughput, relay + answers, msg/s", Relayed::per_second, 0),
        (
            "CPU per message, relay + answers, µs",
            Relayed::cpu_us_per_message,
            1,
        ),
    ];
    for (label, measure, digits) in rows {
        let (cells, ratios) = compare(&answering, measure, digits);
        row(out, label, (&cells.0, &cells.1), ratios, "-")?;
    }
    Ok(())
}

/// Intake (p50) and frame time (p99) with the long transcript over the short one.
fn console_rows(
    opts: &BenchOptions,
    console: &crate::console::bench::Figures,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let long = format!("{} messages", opts.messages);
    writeln!(
        out,
        "| {:<38} | {:>12} | {long:>12} |",
        "console (200x50, TestBackend)", "100 messages"
    )?;
    let rows = [
        (
            "console: one more message p50, µs",
            50.0,
            &console.intake_short,
            &console.intake_long,
            "<= 1.2x",
        ),
        (
            "console: frame p99, µs",
            99.0,
            &console.frames_short,
            &console.frames_long,
            "<= 2000 µs",
        ),
    ];
    for (label, quantile, short, long, goal) in rows {
        let at_short = percentile(short, quantile);
        let at_long = percentile(long, quantile);
        let ratios = at_short.zip(at_long).and_then(|(s, l)| paired(&[l], &[s]));
        row(
            out,
            label,
            (&show(at_short, 1), &show(at_long, 1)),
            ratios,
            goal,
        )?;
    }
    Ok(())
}

// Here, not in `cli`: the command line does not depend on the bench (which uses the console).
impl crate::cli::BenchArgs {
    /// The bench's settings from these options.
    pub fn options(&self) -> BenchOptions {
        let mut o = if self.quick {
            BenchOptions::quick()
        } else {
            BenchOptions::full()
        };
        if let Some(n) = self.repeats {
            o.repeats = n.into();
        }
        if let Some(n) = self.idle {
            o.idle = n as usize;
        }
        if let Some(n) = self.chats {
            o.chats = n.into();
        }
        if let Some(ms) = self.duration_ms {
            o.duration = std::time::Duration::from_millis(ms.into());
            o.warmup = o.duration / 3;
        }
        if let Some(n) = self.messages {
            o.messages = n as usize;
        }
        if let Some(n) = self.frames {
            o.frames = n as usize;
        }
        o.table_only = self.table_only;
        if let Some(p) = self.protocol {
            o.protocol = p.into();
        }
        o
    }
}
