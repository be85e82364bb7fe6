//! The three seed conversations (`tests/fixtures/seeds/000` to `002`) are the acceptance tests: with the
//! mock desk in the matching style, a user client and an agent client on a broker over real
//! loopback WebSocket connections reproduce each one turn by turn.

mod common;

use handoff::broker::{self, BrokerConfig};
use handoff::protocol::HandoffStyle;

#[tokio::test]
async fn seed_000_brokered_8x8_reproduces_turn_by_turn() {
    let broker = broker::start(BrokerConfig::for_style(HandoffStyle::Brokered))
        .await
        .unwrap();
    common::seeds::seed_000(&common::url(&broker)).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn seed_001_api_vayusphere_reproduces_turn_by_turn() {
    let broker = broker::start(BrokerConfig::for_style(HandoffStyle::Api))
        .await
        .unwrap();
    common::seeds::seed_001(&common::url(&broker)).await;
    broker.shutdown().await;
}

#[tokio::test]
async fn seed_002_url_beyondtrust_reproduces_turn_by_turn() {
    let broker = broker::start(BrokerConfig::for_style(HandoffStyle::Url))
        .await
        .unwrap();
    common::seeds::seed_002(&common::url(&broker)).await;
    broker.shutdown().await;
}
