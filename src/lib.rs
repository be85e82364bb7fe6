//! `handoff`: a terminal console for live-agent handoff and message brokering.
//!
//! - [`protocol`]: the WebSocket wire types shared by the broker and its clients.
//! - [`broker`]: the engine: sessions, conversations, the handoff lifecycle, the assistant.
//! - [`connectors`]: the interface between the broker and a system, and the HTTP client.
//! - [`emulators`]: what every emulator shares: the simulated desk, faults, control endpoints.
//! - [`systems`]: the contact-center systems, one folder each (connector, emulator, config).
//! - [`desk`]: the pure agent-desk model (presence, queue, offers, accept, transfer, barge-in).
//! - [`console`]: the terminal console (state, update, connections, loop).
//! - [`ui`]: pure rendering of the console.
//! - [`theme`]: theme files resolved into styles.
//! - [`fuzz`]: hostile text through every path where foreign text enters (`handoff bench --fuzz`).
//! - [`text`]: rich text, sanitising and display widths, for the broker and the console.
//! - [`random`]: random bytes from the OS, below the broker and the store.
//! - [`scenario`]: scripted conversations with expectations (`handoff run`, `connect`, `import`).
//! - [`debug`]: `Debug` output naming only chosen fields (secrets stay out of logs).

pub mod broker;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod console;
pub mod debug;
pub mod desk;
pub mod emulators;
pub mod engine;
pub mod fuzz;
pub mod logging;
pub mod private_files;
pub mod protocol;
pub mod random;
pub mod scenario;
pub mod store;
pub mod systems;
pub mod text;
pub mod theme;
pub mod ui;
