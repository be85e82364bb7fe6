//! `handoff`: a terminal console for live-agent handoff and message brokering.
//!
//! - [`protocol`]: the WebSocket wire types shared by the broker and its clients.
//! - [`broker`]: the engine: sessions, conversations, the handoff lifecycle, the assistant.
//! - [`connectors`]: the contact-center systems the broker hands users over to.
//! - [`emulators`]: loopback emulators of those systems, for tests and offline use.

pub mod broker;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod emulators;
pub mod engine;
pub mod logging;
pub mod protocol;
pub mod rich_text;
pub mod store;
