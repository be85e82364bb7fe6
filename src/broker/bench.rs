//! A benchmark of the broker over a real loopback WebSocket: how long a request takes from send
//! to ack with the assistant answering, for one conversation and for many at once. It prints
//! figures; it asserts nothing (these machines are shared and noisy: compare within one run).

use super::{BrokerConfig, start};
use crate::protocol::{ClientMsg, ClientRole, PROTOCOL_VERSION, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Requests per conversation.
const REQUESTS: usize = 500;
/// Conversations at once in the concurrent run.
const CONCURRENT: usize = 50;

/// Prints send-to-ack latencies (p50, p99) and throughput.
pub async fn bench(out: &mut impl Write) -> anyhow::Result<()> {
    let broker = start(BrokerConfig::default()).await?;
    let url = broker.url();
    writeln!(
        out,
        "handoff broker over loopback WebSocket (say -> ack, assistant answering)"
    )?;
    let single = conversation(&url, REQUESTS).await?;
    report(out, "1 conversation", &single)?;
    let started = Instant::now();
    let runs = futures_util::future::try_join_all(
        (0..CONCURRENT).map(|_| conversation(&url, REQUESTS / 5)),
    )
    .await?;
    let wall = started.elapsed();
    let all: Vec<Duration> = runs.into_iter().flatten().collect();
    report(out, &format!("{CONCURRENT} conversations at once"), &all)?;
    writeln!(
        out,
        "{:>28}  {:>8.0} requests/s overall",
        "",
        all.len() as f64 / wall.as_secs_f64()
    )?;
    broker.shutdown().await;
    Ok(())
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
        "{label:>28}  {:>6} requests  p50 {:>8.1} µs  p99 {:>8.1} µs",
        sorted.len(),
        at(50).as_secs_f64() * 1e6,
        at(99).as_secs_f64() * 1e6
    )?;
    Ok(())
}

/// Opens a user conversation and times `n` requests, one after another.
async fn conversation(url: &str, n: usize) -> anyhow::Result<Vec<Duration>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let hello = ClientMsg::Hello {
        protocol: PROTOCOL_VERSION,
        role: ClientRole::User,
        client: Some("bench".into()),
        conversation: None,
        user: None,
        agent: None,
        since: BTreeMap::new(),
        traces: false,
    };
    ws.send(Message::text(serde_json::to_string(&hello)?))
        .await?;
    let conversation = loop {
        let Some(frame) = ws.next().await else {
            anyhow::bail!("closed before welcome")
        };
        if let Message::Text(text) = frame?
            && let ServerMsg::Welcome {
                conversation: Some(c),
                ..
            } = serde_json::from_str(text.as_str())?
        {
            break c;
        }
    };
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
                && let ServerMsg::Ack { id: acked } = serde_json::from_str(text.as_str())?
                && acked.as_str() == id
            {
                break;
            }
        }
        latencies.push(sent.elapsed());
    }
    Ok(latencies)
}
