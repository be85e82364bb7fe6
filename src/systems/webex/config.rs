//! The `[webex]` section of `handoff.toml`: `api_base_url` (default
//! `https://webexapis.com/v1`), `channel` (the room id the bot posts in; required with a bot
//! token), `channel_name` (the room as the user is told, default `IT Help`) and the names of
//! the environment variables holding the bot's access token (`bot_token_env`, default
//! `HANDOFF_WEBEX_BOT_TOKEN`) and the acceptance hook's secret (`accept_secret_env`, default
//! `HANDOFF_WEBEX_ACCEPT_SECRET`).

crate::systems::channel::channel_section!(WebexFile, Webex, "webex", ["webhook_url_env"]);
