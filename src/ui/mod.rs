//! Widgets the console's panes draw with, knowing nothing of the console's state: how a chat
//! message is laid out and styled ([`message`], [`richtext`]), which messages of a transcript
//! fit in an area ([`transcript`]), and where the panes go ([`layout`], shared with mouse
//! hit-testing). The console depends on this module, never the other way round.

pub mod layout;
pub mod message;
pub mod richtext;
pub mod transcript;
