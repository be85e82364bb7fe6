//! Text from outside (users, agents, connectors, files, the terminal) in one place: the rich-text
//! subset of message parts, escaping, sanitising for the terminal, and display widths.
//!
//! The broker uses it to write rich text ([`paragraph`], [`escape`]) and read it back
//! ([`to_plain`]); the console to draw it ([`parse`] into marked runs, [`wrap`] to a width,
//! [`clean`] before anything reaches a terminal cell). Nothing here knows about the terminal
//! library: widths follow the same rule as ratatui's buffer (one grapheme cluster at a time), and
//! a test holds the two together.
//!
//! Every function works on characters and grapheme clusters and slices only at offsets it found
//! itself, so no input can make it panic; `tests/text_fuzz.rs` and `handoff bench --fuzz` throw
//! arbitrary Unicode at all of it.

pub mod emoji;
mod entities;
mod escape;
mod rich;
mod sanitize;
mod width;
mod wrap;

pub use entities::decode_entities;
pub use escape::{escape, paragraph};
pub use rich::{Marks, Paragraph, Run, parse, to_plain, to_plain_raw};
pub use sanitize::{clean, clean_text};
pub use width::{grapheme_width, width};
pub use wrap::wrap;
