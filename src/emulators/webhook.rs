//! Sending a webhook the way the vendors do: retried after a non-2xx answer (or none), each
//! attempt recorded on the desk for tests and the inspector. The emulators differ in what they
//! send and how they sign it, not in this.

use super::desk::{Delivery, SimDesk};
use crate::connectors::ConnectorError;
use crate::connectors::http::Reply;
use std::future::Future;
use std::time::Duration;

/// The status a webhook call got: the receiver's answer, or 0 when it could not be reached.
pub fn status_of(result: &Result<Reply, ConnectorError>) -> u16 {
    match result {
        Ok(reply) => reply.status,
        Err(
            ConnectorError::Status { status, .. } | ConnectorError::Unauthorized { status, .. },
        ) => *status,
        Err(_) => 0,
    }
}

/// Calls `attempt` with the retry number (0 first) until it answers 2xx or `attempts` are used,
/// waiting `delay` between; records each attempt of event `kind` on `desk`. True when delivered.
pub async fn deliver<F, Fut>(
    desk: &SimDesk,
    kind: &str,
    attempts: u32,
    delay: Duration,
    mut attempt: F,
) -> bool
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = u16>,
{
    let attempts = attempts.max(1);
    for retry in 0..attempts {
        let status = attempt(retry).await;
        desk.record_delivery(Delivery {
            event: kind.to_owned(),
            status,
            retry,
        });
        if (200..300).contains(&status) {
            return true;
        }
        if retry + 1 < attempts {
            tokio::time::sleep(delay).await;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulators::desk::AgentScript;

    #[tokio::test]
    async fn attempts_stop_at_the_first_2xx_and_each_is_recorded() {
        let (desk, _signals) = SimDesk::new(&["Lisa".to_owned()], AgentScript::manual());
        let answers = [500, 0, 204, 200];
        let delivered = deliver(&desk, "MESSAGE", 5, Duration::ZERO, |retry| async move {
            answers[retry as usize]
        })
        .await;
        assert!(delivered);
        let statuses: Vec<(u16, u32)> = desk
            .deliveries()
            .iter()
            .map(|d| (d.status, d.retry))
            .collect();
        assert_eq!(statuses, [(500, 0), (0, 1), (204, 2)]);

        let delivered = deliver(&desk, "MESSAGE", 2, Duration::ZERO, |_| async { 503 }).await;
        assert!(!delivered, "two refusals are the end");
        assert_eq!(desk.deliveries().len(), 5);
    }
}
