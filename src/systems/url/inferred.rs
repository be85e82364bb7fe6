//! What the generic page's emulator stands for. A company's chat page is its own: the only
//! one seen is seed 002's `https://livechat.acme.com/start-chat?queue_id=...` [DOC seed 002];
//! the rest is this emulator's choice [INFER], so that its agent inbox has a request to show.

/// The emulated page's path, after seed 002's page.
pub const PAGE_PATH: &str = "/start-chat";

/// The parameters the emulated page reads: the queue (required, as seed 002's page takes it),
/// then what the agent's inbox shows.
pub mod params {
    /// The queue's id. [DOC seed 002]
    pub const QUEUE_ID: &str = "queue_id";
    /// The user's utterance. [INFER]
    pub const UTTERANCE: &str = "utterance";
    /// The topic. [INFER]
    pub const TOPIC: &str = "topic";
    /// The user's name. [INFER]
    pub const NAME: &str = "name";
    /// The user's email. [INFER]
    pub const EMAIL: &str = "email";
}
