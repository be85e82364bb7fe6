//! The `[google_chat]` section of `handoff.toml`: `channel_name` (the space as the user is
//! told, default `IT Help`) and the names of the environment variables holding the space's
//! webhook URL with its `key` and `token` (`webhook_url_env`, default
//! `HANDOFF_GOOGLE_CHAT_WEBHOOK_URL`) and the acceptance hook's secret (`accept_secret_env`,
//! default `HANDOFF_GOOGLE_CHAT_ACCEPT_SECRET`).

crate::systems::channel::channel_section!(
    GoogleChatFile,
    GoogleChat,
    "google_chat",
    ["api_base_url", "channel", "bot_token_env"]
);
