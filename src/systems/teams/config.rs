//! The `[teams]` section of `handoff.toml`: `channel_name` (what the user is told, default
//! `IT Help`) and the names of the environment variables holding the webhook URL, an incoming
//! webhook or a Workflows URL (`webhook_url_env`, default `HANDOFF_TEAMS_WEBHOOK_URL`), and the
//! acceptance hook's secret (`accept_secret_env`, default `HANDOFF_TEAMS_ACCEPT_SECRET`).

crate::systems::channel::channel_section!(
    TeamsFile,
    Teams,
    "teams",
    ["api_base_url", "channel", "bot_token_env"]
);
