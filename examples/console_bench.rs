//! Prints the console's frame time with 100 and 100,000 messages in the transcript:
//! `cargo run --release --example console_bench` (the same as `handoff bench` once wired).

fn main() -> anyhow::Result<()> {
    handoff::console::bench::bench(&mut std::io::stdout().lock())
}
