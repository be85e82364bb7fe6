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
//! - [`bench`]: `handoff bench`: the broker next to a bare relay, the console at 100 vs 100k.
//! - [`fuzz`]: hostile text through every path where foreign text enters (`handoff bench --fuzz`).
//! - [`text`]: rich text, sanitising and display widths, for the broker and the console.
//! - [`pii`]: personal data found and masked in everything written to disk.
//! - [`translate`]: dynamic translation of live chats (a phrase table, `LibreTranslate`).
//! - [`random`]: random bytes from the OS, below the broker and the store.
//! - [`clock`]: the one clock of every timer (wall, scaled demo time, manual for tests).
//! - [`scenario`]: scripted conversations with expectations (`handoff run`, `connect`, `import`).
//! - [`debug`]: `Debug` output naming only chosen fields (secrets stay out of logs).

pub mod bench;
pub mod broker;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connectors;
pub mod console;
pub mod debug;
pub mod desk;
pub mod emulators;
pub mod engine;
pub mod fuzz;
pub mod logging;
pub mod loopback;
pub mod pictures;
pub mod pii;
pub mod private_files;
pub mod protocol;
pub mod random;
pub mod scenario;
pub mod store;
pub mod systems;
pub mod text;
pub mod theme;
pub mod translate;
pub mod ui;
