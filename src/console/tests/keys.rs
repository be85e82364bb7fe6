//! Every key table says the keys it dispatches: the help and the status bar read the same
//! rows the keys are dispatched from, and no row names a key other than its chords.

use crate::console::input::{global, prompt};
use crate::console::keymap::unshown;
use crate::console::panes::{chat, help, inbox, inspector, links, palette};

#[test]
fn every_table_shows_each_key_it_dispatches() {
    let lies = [
        unshown(global::GLOBAL),
        unshown(prompt::KEYS),
        unshown(chat::keys::COMPOSER),
        unshown(chat::keys::BUTTONS),
        unshown(inbox::keys::LIST),
        unshown(inbox::keys::REPLY),
        unshown(inspector::keys::INSPECTOR),
        unshown(inspector::keys::FILTER),
        unshown(links::keys::LINKS),
        unshown(palette::keys::PALETTE),
        unshown(palette::keys::ASK),
        unshown(crate::console::replay::autoplay::AUTOPLAY),
        unshown(help::keys::HELP),
    ]
    .concat();
    assert!(lies.is_empty(), "{lies:?}");
}
