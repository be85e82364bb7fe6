//! A benchmark of the broker over a real loopback WebSocket: how long a request takes from send
//! to ack with the assistant answering, for one conversation and for many at once, and how long
//! files of a few sizes take to be accepted in a live chat. It prints
//! figures; it asserts nothing (these machines are shared and noisy: compare within one run).

use super::peers::{self, Socket};
use crate::broker::{BrokerConfig, start};
use crate::protocol::{ClientMsg, ServerMsg};
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use std::io::Write;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Requests per conversation.
const REQUESTS: usize = 500;
/// Conversations at once in the concurrent run.
const CONCURRENT: usize = 50;

/// Prints send-to-ack latencies (p50, p99) and throughput, in memory and with a transcript
/// store (every event committed before it is shown), in the same run so they compare.
pub async fn bench(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "handoff broker over loopback WebSocket (say -> ack, assistant answering)"
    )?;
    load(out, "in memory", BrokerConfig::default()).await?;
    // A fresh store in the temporary folder, removed afterwards.
    let dir = std::env::temp_dir().join(format!(
        "handoff-bench-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let config = BrokerConfig {
        store: Some(dir.join("bench.sqlite")),
        ..BrokerConfig::default()
    };
    let stored = load(out, "with --store", config).await;
    let _ = std::fs::remove_dir_all(&dir);
    stored?;
    attachments(out).await
}

/// One conversation, then many at once, on a broker started with `config`.
async fn load(out: &mut impl Write, label: &str, config: BrokerConfig) -> anyhow::Result<()> {
    let broker = start(config).await?;
    let url = broker.url();
    let single = conversation(&url, REQUESTS).await?;
    report(out, &format!("{label}: 1 conversation"), &single)?;
    let started = Instant::now();
    let runs = futures_util::future::try_join_all(
        (0..CONCURRENT).map(|_| conversation(&url, REQUESTS / 5)),
    )
    .await?;
    let wall = started.elapsed();
    let all: Vec<Duration> = runs.into_iter().flatten().collect();
    report(out, &format!("{label}: {CONCURRENT} at once"), &all)?;
    writeln!(
        out,
        "{:>36}  {:>8.0} requests/s overall",
        "",
        all.len() as f64 / wall.as_secs_f64()
    )?;
    broker.shutdown().await;
    Ok(())
}

/// File sizes of the attach run, and how many of each.
const FILES: [(usize, usize); 3] = [(64 * 1024, 50), (1024 * 1024, 20), (8 * 1024 * 1024, 5)];

/// Times `attach` -> ack in a live chat (the mock desk's autopilot accepts) for a few sizes:
/// the base64 decode, the checks and the hand-over to the connector.
async fn attachments(out: &mut impl Write) -> anyhow::Result<()> {
    let mut config = BrokerConfig::default();
    config.desk.autopilot = Some(crate::systems::mock::Autopilot {
        accept_after: Duration::from_millis(1),
        ..Default::default()
    });
    let broker = start(config).await?;
    writeln!(out, "attach -> ack in a live chat (mock desk)")?;
    let mut ws = peers::connect(&broker.url(), None).await?;
    let conversation = peers::open(&mut ws).await?;
    peers::go_live(&mut ws, &conversation).await?;
    for (size, n) in FILES {
        let data = base64::engine::general_purpose::STANDARD.encode(vec![0x5a; size]);
        let mut latencies = Vec::with_capacity(n);
        for i in 0..n {
            let attach = ClientMsg::Attach {
                id: format!("a{size}-{i}").into(),
                conversation: conversation.clone(),
                name: "bench.bin".into(),
                content_type: "application/octet-stream".into(),
                data: data.clone(),
            };
            let sent = Instant::now();
            request(&mut ws, &attach).await?;
            latencies.push(sent.elapsed());
        }
        let label = format!("{} files", crate::protocol::human_size(size as u64));
        report(out, &label, &latencies)?;
        let total: Duration = latencies.iter().sum();
        writeln!(
            out,
            "{:>36}  {:>8.0} MB/s of file",
            "",
            (size * n) as f64 / 1e6 / total.as_secs_f64()
        )?;
    }
    broker.shutdown().await;
    Ok(())
}

/// Sends `msg` and waits for its ack; an error frame fails the run.
async fn request(ws: &mut Socket, msg: &ClientMsg) -> anyhow::Result<()> {
    let id = msg
        .request_id()
        .map(|i| i.as_str().to_owned())
        .unwrap_or_default();
    peers::send(ws, msg).await?;
    peers::wait(ws, |m| peers::acked(m, &id).then_some(())).await
}

fn report(out: &mut impl Write, label: &str, latencies: &[Duration]) -> anyhow::Result<()> {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    // The nearest-rank percentile, in integer arithmetic.
    let at = |percent: usize| {
        let i = sorted.len().saturating_sub(1) * percent / 100;
        sorted.get(i).copied().unwrap_or_default()
    };
    writeln!(
        out,
        "{label:>36}  {:>6} requests  p50 {:>8.1} µs  p99 {:>8.1} µs",
        sorted.len(),
        at(50).as_secs_f64() * 1e6,
        at(99).as_secs_f64() * 1e6
    )?;
    Ok(())
}

/// Opens a user conversation and times `n` requests, one after another.
async fn conversation(url: &str, n: usize) -> anyhow::Result<Vec<Duration>> {
    let mut ws = peers::connect(url, None).await?;
    let conversation = peers::open(&mut ws).await?;
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("b{i}");
        // Small talk: the assistant answers every message, so each request makes events too.
        let say = ClientMsg::Say {
            id: id.clone().into(),
            conversation: conversation.clone(),
            text: "hello there".into(),
        };
        let sent = Instant::now();
        ws.send(Message::text(serde_json::to_string(&say)?)).await?;
        loop {
            let Some(frame) = ws.next().await else {
                anyhow::bail!("closed mid-run")
            };
            if let Message::Text(text) = frame?
                && let ServerMsg::Ack { id: acked, .. } = serde_json::from_str(text.as_str())?
                && acked.as_str() == id
            {
                break;
            }
        }
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}
