//! What the generic page's emulator stands for. A company's chat page is its own: the only
//! one seen is seed 002's `https://livechat.acme.com/start-chat?queue_id=...` [DOC seed 002];
//! the rest is this emulator's choice [INFER], so that its agent inbox has a request to show.

/// The emulated page's path, after seed 002's page.
pub const PAGE_PATH: &str = "/start-chat";

/// The emulated page's parameters and what fills each: the queue first (required, as seed
/// 002's page takes it) [DOC seed 002], then what the agent's inbox shows [INFER].
pub const PARAMS: [(&str, &str); 5] = [
    ("queue_id", "{queue_id}"),
    ("utterance", "{utterance}"),
    ("topic", "{topic}"),
    ("name", "{user_name}"),
    ("email", "{user_email}"),
];
