//! The `[slack]` section of `handoff.toml`: `api_base_url` (default `https://slack.com/api`),
//! `channel` (the channel id `chat.postMessage` posts to; required with a bot token),
//! `channel_name` (what the user is told, e.g. `#it-help`), and the names of the environment
//! variables holding the bot token `xoxb-...` (`bot_token_env`, default
//! `HANDOFF_SLACK_BOT_TOKEN`), an incoming webhook URL used when no bot token is set
//! (`webhook_url_env`, default `HANDOFF_SLACK_WEBHOOK_URL`) and the app's signing secret,
//! which checks the Accept button's calls (`accept_secret_env`, default
//! `HANDOFF_SLACK_ACCEPT_SECRET`; without it no acceptance comes back).

crate::systems::channel::channel_section!(SlackFile, Slack, "slack", []);
