//! The chat console's address, from real embed URLs in public repositories
//! (`PROTOCOL.md`): the page and its query parameters.

/// The console page on Five9's own host.
pub const CONSOLE_URL: &str = "https://app.five9.com/consoles/ChatConsole/index.html";

/// The page's path, for an emulator's base URL.
pub const CONSOLE_PATH: &str = "/consoles/ChatConsole/index.html";

/// The tenant (domain) name.
pub const TENANT: &str = "tenant";
/// Comma-separated chat profiles (campaigns) offered.
pub const PROFILES: &str = "profiles";
/// Whether the visitor picks among the profiles.
pub const SHOW_PROFILES: &str = "showProfiles";
/// Start the chat without the pre-chat form.
pub const AUTOSTART: &str = "autostart";
/// The window's title.
pub const TITLE: &str = "title";
/// URL-encoded JSON: `{name: {value, show, label, required}}`.
pub const FIELDS: &str = "fields";

/// The standard field names of `fields`.
pub mod field {
    /// The visitor's name.
    pub const NAME: &str = "name";
    /// The visitor's email.
    pub const EMAIL: &str = "email";
    /// The visitor's locale.
    pub const LOCALE: &str = "UserLocale";
}
