//! The links overlay: the URLs (and phone numbers) a message offers, to open in a browser or
//! copy to the clipboard. Opened by pressing a button that opens a link, or with Ctrl+L for the
//! latest message with links in the focused pane.

pub mod keys;
pub mod view;

use crate::console::app::{App, Focus};
use crate::console::keymap::dispatch;
use crate::console::msg::Command;
use crate::protocol::{ButtonAction, ChatMessage, Part};
use crossterm::event::{KeyCode, KeyEvent};
use keys::{LINKS, LinksKey};

/// The most links the overlay lists (Alt-free digits 1-9 pick them).
pub const LINKS_SHOWN: usize = 9;

/// One link: what it is and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    /// What offers it: a button's label, a file's name, or the URL itself.
    pub label: String,
    /// The URL (`https:`, `http:`, `mailto:` or `tel:`).
    pub url: String,
}

/// The overlay's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// At most [`LINKS_SHOWN`] links.
    pub items: Vec<LinkItem>,
    /// The highlighted one.
    pub selected: usize,
}

/// Whether `url` may be handed to a browser: only web, mail and phone links, never a local
/// file or something an opener could take for an option.
pub fn openable(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto" | "tel"))
}

/// What a link offers, for people: the number of a `tel:` link, else the URL.
pub fn shown(url: &str) -> String {
    url.strip_prefix("tel:")
        .map_or_else(|| url.to_owned(), |n| format!("☎ {n}"))
}

/// The links of one message: its link buttons, its files' links and URLs in its text.
pub fn of_message(message: &ChatMessage) -> Vec<LinkItem> {
    let mut items = Vec::new();
    for part in &message.parts {
        match part {
            Part::Buttons { buttons } => {
                items.extend(buttons.iter().filter_map(|b| match &b.action {
                    ButtonAction::Open(url) => Some(LinkItem {
                        label: b.button_text.clone(),
                        url: url.clone(),
                    }),
                    _ => None,
                }));
            }
            Part::Attachment { attachment } => {
                if let Some(url) = &attachment.url {
                    items.push(LinkItem {
                        label: attachment.name.clone(),
                        url: url.clone(),
                    });
                }
            }
            Part::RichText { rich_text } => items.extend(urls_in(rich_text).map(|url| LinkItem {
                label: url.clone(),
                url,
            })),
            // "Taking you to <url>": a URL handoff's address is a step.
            Part::ReasoningSteps { reasoning_steps } => {
                for step in reasoning_steps {
                    items.extend(urls_in(&step.rich_text).map(|url| LinkItem {
                        label: url.clone(),
                        url,
                    }));
                }
            }
        }
    }
    items.retain(|i| openable(&i.url));
    items.dedup_by(|a, b| a.url == b.url);
    items.truncate(LINKS_SHOWN);
    items
}

/// URLs in text or markup: runs starting `http://`, `https://`, `mailto:` or `tel:`, up to a
/// space, quote or angle bracket.
fn urls_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
        .filter_map(|word| {
            let start = ["https://", "http://", "mailto:", "tel:"]
                .iter()
                .filter_map(|p| word.find(p))
                .min()?;
            let url = word[start..].trim_end_matches(['.', ',', ';', ')', ':', '!', '?']);
            Some(url.replace("&amp;", "&"))
        })
}

/// Ctrl+L: the links of the latest message that has any, in the user chat or the selected
/// inbox chat (whichever has the focus).
pub fn open_latest(app: &mut App) {
    let messages: Vec<&ChatMessage> = match app.focus {
        Focus::Inbox | Focus::Reply => app
            .selected_chat()
            .map(|c| c.transcript.messages().iter().collect())
            .unwrap_or_default(),
        _ => app.chat.transcript.messages().iter().collect(),
    };
    let items = messages
        .iter()
        .rev()
        .map(|m| of_message(m))
        .find(|items| !items.is_empty());
    match items {
        Some(items) => show(app, items),
        None => app.notify(true, "No links in this chat's messages"),
    }
}

/// Opens the overlay on `items`.
pub fn show(app: &mut App, items: Vec<LinkItem>) {
    app.links = Some(Links { items, selected: 0 });
    app.dirty = true;
}

/// Keys while the overlay is open, from its table; it takes them all.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(links) = app.links.as_mut() else {
        return Vec::new();
    };
    let last = links.items.len().saturating_sub(1);
    match dispatch(LINKS, &key) {
        Some(LinksKey::Close) => app.links = None,
        Some(LinksKey::Up) => links.selected = links.selected.saturating_sub(1),
        Some(LinksKey::Down) => links.selected = (links.selected + 1).min(last),
        Some(LinksKey::Nth) => {
            if let KeyCode::Char(c @ '1'..='9') = key.code
                && c as usize - '1' as usize <= last
            {
                links.selected = c as usize - '1' as usize;
            }
        }
        Some(action @ (LinksKey::Open | LinksKey::Copy)) => {
            let Some(url) = links.items.get(links.selected).map(|i| i.url.clone()) else {
                return Vec::new();
            };
            app.links = None;
            if action == LinksKey::Copy {
                return vec![Command::Copy(url)];
            }
            app.notify(false, format!("Opening {}", shown(&url)));
            return vec![Command::Open(url)];
        }
        None => {}
    }
    Vec::new()
}
