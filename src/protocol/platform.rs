//! The chat platform a user talks through (issue 15, rule 8): live chats are bot-scoped, so a
//! user holds one conversation per platform, and each platform takes files as the attachment
//! matrix says. The matrix is one table, [`Platform::capabilities`], which the broker enforces
//! and the console follows.

use serde::{Deserialize, Serialize};

/// A chat platform (a "bot"). Web embedded on several sites is one bot.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// The web chat, on any site that embeds it (the default, and what protocol-1 clients are).
    #[default]
    Web,
    /// Microsoft Teams.
    Teams,
    /// Slack.
    Slack,
}

/// The longest `hello.site`, in characters.
pub const MAX_SITE_CHARS: usize = 200;

/// One column of the attachment matrix: a way a platform shows or takes files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// An image arrives shown in the chat.
    UnfurlImages,
    /// Any other file arrives as a link to open it.
    FileLinks,
    /// A file may be pasted into the composer.
    Paste,
    /// A file may be dropped onto the chat.
    DragAndDrop,
    /// A file may be picked with the paperclip.
    Paperclip,
}

impl Capability {
    /// Every column, in the spec's order.
    pub const ALL: [Capability; 5] = [
        Capability::UnfurlImages,
        Capability::FileLinks,
        Capability::Paste,
        Capability::DragAndDrop,
        Capability::Paperclip,
    ];
    /// The ways a user sends a file.
    const SENDING: [Capability; 3] = [
        Capability::Paste,
        Capability::DragAndDrop,
        Capability::Paperclip,
    ];
    /// The ways a user receives one.
    const RECEIVING: [Capability; 2] = [Capability::UnfurlImages, Capability::FileLinks];
}

impl Platform {
    /// Every platform, in the order the console cycles through them.
    pub const ALL: [Platform; 3] = [Platform::Web, Platform::Teams, Platform::Slack];

    /// The attachment matrix, one row per platform: Web and Teams do everything; Slack takes
    /// no attachments.
    pub fn capabilities(self) -> &'static [Capability] {
        match self {
            Platform::Web | Platform::Teams => &Capability::ALL,
            Platform::Slack => &[],
        }
    }

    /// Whether the platform has this column of the matrix.
    pub fn can(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }

    /// Whether its user may send files at all (by paste, drop or the paperclip).
    pub fn sends_files(self) -> bool {
        Capability::SENDING.into_iter().any(|c| self.can(c))
    }

    /// Whether its user may receive an agent's file (shown, or as a link).
    pub fn receives_files(self) -> bool {
        Capability::RECEIVING.into_iter().any(|c| self.can(c))
    }

    /// The wire name, as in `hello.platform`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::Teams => "teams",
            Platform::Slack => "slack",
        }
    }

    /// The name people read, e.g. in a pane title.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Web => "Web",
            Platform::Teams => "Teams",
            Platform::Slack => "Slack",
        }
    }

    /// The platform after this one, wrapping around.
    #[must_use]
    pub fn next(self) -> Platform {
        match self {
            Platform::Web => Platform::Teams,
            Platform::Teams => Platform::Slack,
            Platform::Slack => Platform::Web,
        }
    }

    /// Why a user on this platform may not send files, when they may not.
    pub fn no_files_reason(self) -> Option<String> {
        (!self.sends_files()).then(|| format!("{} chats take no attachments", self.label()))
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown platform {s:?}; expected web, teams or slack"))
    }
}

/// `hello.platform` as JSON: absent (null) or the name of a platform.
pub(super) fn check_field(value: &serde_json::Value) -> Result<(), String> {
    match value {
        serde_json::Value::Null => Ok(()),
        serde_json::Value::String(name) => name.parse::<Platform>().map(drop),
        _ => Err("must be a string: web, teams or slack".into()),
    }
}

/// `hello.site` checked: trimmed, not empty, at most [`MAX_SITE_CHARS`], no control characters.
pub fn check_site(site: &str) -> Result<String, String> {
    let trimmed = site.trim();
    if trimmed.is_empty() {
        return Err("`site` is empty: leave it out, or name the site that embeds the chat".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("`site` contains control characters".into());
    }
    if trimmed.chars().count() > MAX_SITE_CHARS {
        return Err(format!("`site` is longer than {MAX_SITE_CHARS} characters"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix of the spec, row by row: unfurl, link, paste, drag and drop, paperclip.
    #[test]
    fn the_attachment_matrix_is_the_specs() {
        let rows = [
            (Platform::Web, [true, true, true, true, true]),
            (Platform::Teams, [true, true, true, true, true]),
            (Platform::Slack, [false, false, false, false, false]),
        ];
        for (platform, want) in rows {
            let got = Capability::ALL.map(|c| platform.can(c));
            assert_eq!(got, want, "{platform}");
            assert_eq!(
                platform.sends_files(),
                want[2..].contains(&true),
                "{platform}"
            );
            assert_eq!(
                platform.receives_files(),
                want[..2].contains(&true),
                "{platform}"
            );
            assert_eq!(
                platform.no_files_reason().is_some(),
                !platform.sends_files()
            );
        }
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_named() {
        for p in Platform::ALL {
            assert_eq!(p.name().parse::<Platform>(), Ok(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
        }
        let err = "discord".parse::<Platform>().unwrap_err();
        assert!(
            err.contains("\"discord\"") && err.contains("slack"),
            "{err}"
        );
        assert_eq!(Platform::default(), Platform::Web);
        assert_eq!(Platform::Slack.next(), Platform::Web);
    }

    #[test]
    fn sites_are_trimmed_and_bounded() {
        assert_eq!(
            check_site("  intranet.example "),
            Ok("intranet.example".into())
        );
        assert!(check_site(" ").unwrap_err().contains("empty"));
        assert!(check_site("a\nb").unwrap_err().contains("control"));
        let long = "é".repeat(MAX_SITE_CHARS + 1);
        assert!(check_site(&long).unwrap_err().contains("longer"));
        assert!(check_site(&"é".repeat(MAX_SITE_CHARS)).is_ok());
    }
}
