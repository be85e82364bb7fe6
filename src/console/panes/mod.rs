//! One module per pane or overlay: its state, its key table (which both dispatches the keys
//! and feeds the help and the status bar's hints) and its render.

pub mod chat;
pub mod help;
pub mod inbox;
pub mod inspector;
pub mod links;
pub mod palette;
pub mod status;
