//! The contact-center part of `handoff.toml`, put together from the registry.
//!
//! The shared sections (`[http]`, `[webhook]`) are typed here; each system's own section is
//! typed in its folder and read on demand with [`SystemsConfig::section`]. Loading checks every
//! registered system's section, so a mistake in `[glia]` is reported even when the run uses
//! the mock desk. Other sections (`[console]`, ...) are left to their owners.

use crate::config::{self, ConfigError, HttpFile, WebhookFile};
use crate::connectors::http::RetryPolicy;
use crate::connectors::redact::Secret;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A system's own section of the file, typed in the system's folder.
pub trait Section: DeserializeOwned + Default {
    /// The section's name in the file, e.g. `8x8`.
    const NAME: &'static str;

    /// The section's URL settings (key, value), checked to be http(s) URLs.
    fn urls(&self) -> Vec<(&'static str, &Option<String>)>;

    /// Checks the section's other values: the key at fault (without the section) and why.
    fn check(&self) -> Result<(), (&'static str, String)> {
        Ok(())
    }

    /// Keys that are set but that this section does not take (for section types shared by
    /// several systems); reading fails on the first.
    fn unused(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

/// The contact-center configuration: the file's name, the shared sections, and the raw
/// sections each system reads for itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemsConfig {
    /// The file it came from (`<defaults>` when none).
    pub file: String,
    /// `[http]`.
    pub http: HttpFile,
    /// `[webhook]`.
    pub webhook: WebhookFile,
    /// The whole file, for the systems' own sections.
    table: toml::Table,
}

fn parse_table(file: &str, text: &str) -> Result<toml::Table, ConfigError> {
    text.parse()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            file: file.to_owned(),
            section: "-".into(),
            message: e.to_string(),
        })
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    parse_table(&file, &text)
}

/// `top`'s keys into `base`: tables merge key by key, any other value of `top` replaces.
fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(under)), toml::Value::Table(over)) => merge(under, over),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

impl SystemsConfig {
    /// No file: every system on its emulator.
    pub fn defaults() -> Self {
        Self {
            file: "<defaults>".into(),
            ..Self::default()
        }
    }

    /// `handoff.toml` in the user's config directory (e.g. `~/.config/handoff/handoff.toml`).
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("handoff").join("handoff.toml"))
    }

    /// Reads `path` when given (it must exist), else the default file when it exists, else the
    /// defaults (every system on its emulator).
    pub fn load_or_defaults(path: Option<&Path>) -> Result<Self, ConfigError> {
        match path {
            Some(path) => Self::load(path),
            None => match Self::default_path().filter(|p| p.is_file()) {
                Some(path) => Self::load(&path),
                None => Ok(Self::defaults()),
            },
        }
    }

    /// Reads the systems sections of the TOML file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        Self::from_table(&file, read_table(path)?)
    }

    /// `top` read over `base` (as [`SystemsConfig::load_or_defaults`] reads it): every key
    /// `top` sets wins, section by section and key by key, the others are `base`'s; errors name
    /// `top over base`. A scenario's `config` is read over the `--config` of `handoff run`.
    pub fn layered(base: Option<&Path>, top: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(top) = top else {
            return Self::load_or_defaults(base);
        };
        let Some(base) = base else {
            return Self::load(top);
        };
        let mut table = read_table(base)?;
        merge(&mut table, read_table(top)?);
        let file = format!("{} over {}", top.display(), base.display());
        Self::from_table(&file, table)
    }

    /// Reads the systems sections of `text`, naming `file` in errors, and checks every
    /// registered system's section.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ConfigError> {
        Self::from_table(file, parse_table(file, text)?)
    }

    fn from_table(file: &str, table: toml::Table) -> Result<Self, ConfigError> {
        let config = Self {
            file: file.to_owned(),
            http: config::section(file, &table, "http")?,
            webhook: config::section(file, &table, "webhook")?,
            table,
        };
        config.check()?;
        for system in super::SYSTEMS {
            (system.check)(&config)?;
        }
        Ok(config)
    }

    /// Section `name`, typed (its default when the file has none).
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        config::section(&self.file, &self.table, name)
    }

    /// A system's section, typed and checked (its default when the file has none).
    pub fn read<T: Section>(&self) -> Result<T, ConfigError> {
        let section: T = self.section(T::NAME)?;
        self.check_urls(T::NAME, &section.urls())?;
        section
            .check()
            .map_err(|(key, why)| self.invalid(&format!("{}.{key}", T::NAME), why))?;
        if let Some(key) = section.unused().first() {
            let key = format!("{}.{key}", T::NAME);
            return Err(self.invalid(&key, "not a key of this section"));
        }
        Ok(section)
    }

    /// Secrets from env vars: for each `(key, the section's variable name, the default
    /// variable)`, the variable's trimmed value, `None` when unset or blank.
    pub fn env_secrets<const N: usize>(
        &self,
        vars: [(&str, &Option<String>, &str); N],
    ) -> Result<[Option<Secret>; N], ConfigError> {
        let mut out = std::array::from_fn(|_| None);
        for (slot, (key, env, default_env)) in out.iter_mut().zip(vars) {
            *slot = self.secret(key, env.as_deref(), default_env, None)?;
        }
        Ok(out)
    }

    /// An error about `key` (`section.key`) of this file.
    pub fn invalid(&self, key: &str, detail: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            key: key.to_owned(),
            detail: detail.into(),
        }
    }

    /// Checks that each set value of `section`'s `urls` is an http(s) URL.
    pub fn check_urls(
        &self,
        section: &str,
        urls: &[(&str, &Option<String>)],
    ) -> Result<(), ConfigError> {
        for (key, value) in urls {
            let Some(value) = value else { continue };
            let key = format!("{section}.{key}");
            let url = url::Url::parse(value)
                .map_err(|e| self.invalid(&key, format!("{value:?} is not a URL: {e}")))?;
            if url.scheme() != "https" && url.scheme() != "http" {
                return Err(self.invalid(&key, format!("{value:?} must be http(s)")));
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), ConfigError> {
        self.check_urls(
            "webhook",
            &[("public_base_url", &self.webhook.public_base_url)],
        )?;
        self.webhook_listen()?;
        if self.http.max_attempts == Some(0) {
            return Err(self.invalid("http.max_attempts", "must be at least 1"));
        }
        Ok(())
    }

    /// `[webhook] listen`, checked to be a loopback address.
    pub fn webhook_listen(&self) -> Result<SocketAddr, ConfigError> {
        let Some(text) = &self.webhook.listen else {
            return Ok(SocketAddr::from(([127, 0, 0, 1], 0)));
        };
        let addr: SocketAddr = text.parse().map_err(|e| {
            self.invalid("webhook.listen", format!("{text:?} is not host:port: {e}"))
        })?;
        if !addr.ip().is_loopback() {
            return Err(self.invalid(
                "webhook.listen",
                "must be a loopback address; expose it with a tunnel and set public_base_url",
            ));
        }
        Ok(addr)
    }

    /// The retry policy from `[http]`.
    pub fn retry_policy(&self) -> RetryPolicy {
        let d = RetryPolicy::default();
        let http = &self.http;
        let ms = |value: Option<u64>, default| value.map_or(default, Duration::from_millis);
        let secs = |value: Option<u64>, default| value.map_or(default, Duration::from_secs);
        RetryPolicy {
            max_attempts: http.max_attempts.unwrap_or(d.max_attempts),
            base_delay: ms(http.base_delay_ms, d.base_delay),
            max_delay: ms(http.max_delay_ms, d.max_delay),
            max_retry_after: secs(http.max_retry_after_secs, d.max_retry_after),
            request_timeout: secs(http.timeout_secs, d.request_timeout),
        }
    }

    /// A secret from `file` when given, else from the env var `env` (or `default_env`); `None`
    /// when not set. `key` names the file key in errors.
    pub fn secret(
        &self,
        key: &str,
        env: Option<&str>,
        default_env: &str,
        file: Option<&Path>,
    ) -> Result<Option<Secret>, ConfigError> {
        Ok(config::read_secret(&self.file, key, env, default_env, file)?.map(Secret::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::systems::{amazon_connect, eight_by_eight};

    #[test]
    fn empty_file_gives_defaults() {
        let c = SystemsConfig::from_toml("h.toml", "").unwrap();
        assert_eq!(
            c.read::<eight_by_eight::config::EightByEightFile>()
                .unwrap(),
            eight_by_eight::config::EightByEightFile::default()
        );
        assert_eq!(c.retry_policy(), RetryPolicy::default());
        assert_eq!(c.webhook_listen().unwrap().to_string(), "127.0.0.1:0");
    }

    #[test]
    fn a_layered_file_wins_key_by_key_and_errors_name_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let (base, top) = (dir.path().join("base.toml"), dir.path().join("top.toml"));
        let base_text = "[webhook]\nlisten = \"127.0.0.1:9\"\n[http]\nmax_attempts = 2\n";
        std::fs::write(&base, base_text).unwrap();
        std::fs::write(&top, "[http]\ntimeout_secs = 1\n").unwrap();
        let c = SystemsConfig::layered(Some(&base), Some(&top)).unwrap();
        assert_eq!(c.webhook_listen().unwrap().to_string(), "127.0.0.1:9");
        assert_eq!(c.http.timeout_secs, Some(1));
        assert_eq!(c.http.max_attempts, Some(2));
        std::fs::write(&top, "[http]\nmax_attempts = 0\n").unwrap();
        let e = SystemsConfig::layered(Some(&base), Some(&top))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("top.toml over ") && e.contains("base.toml"),
            "{e}"
        );
        let alone = SystemsConfig::layered(None, Some(&base)).unwrap();
        assert_eq!(alone.file, base.display().to_string());
    }

    #[test]
    fn other_sections_are_left_alone() {
        let c = SystemsConfig::from_toml(
            "h.toml",
            "[console]\ntheme = \"dark\"\n[8x8]\nchannel_id = \"c1\"\n",
        )
        .unwrap();
        let section = c
            .read::<eight_by_eight::config::EightByEightFile>()
            .unwrap();
        assert_eq!(section.channel_id.as_deref(), Some("c1"));
    }

    #[test]
    fn unknown_keys_name_file_section_and_key() {
        let e = SystemsConfig::from_toml("h.toml", "[8x8]\napi_key = \"oops\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("h.toml: [8x8]: unknown field `api_key`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = SystemsConfig::from_toml("h.toml", "[glia]\napi_base_url = \"not a url\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("h.toml: glia.api_base_url: "), "{e}");
        let e = SystemsConfig::from_toml("h.toml", "[webhook]\nlisten = \"0.0.0.0:8080\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("h.toml: webhook.listen: must be a loopback"),
            "{e}"
        );
        let e = SystemsConfig::from_toml("h.toml", "[http]\nmax_attempts = 0\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "h.toml: http.max_attempts: must be at least 1");
    }

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("../config/handoff.example.toml");
        let c = SystemsConfig::from_toml("handoff.example.toml", text).unwrap();
        let section = c
            .read::<eight_by_eight::config::EightByEightFile>()
            .unwrap();
        assert_eq!(
            section.channel_id.as_deref(),
            Some("chat-gateway-channel-id")
        );
        let section = c
            .read::<amazon_connect::config::AmazonConnectFile>()
            .unwrap();
        assert_eq!(section.queue_ids.as_ref().map(Vec::len), Some(1));
        assert_eq!(c.webhook_listen().unwrap().port(), 8787);
        assert_eq!(c.retry_policy().max_attempts, 4);
    }

    #[test]
    fn secrets_come_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "k-123\n").unwrap();
        let c = SystemsConfig::defaults();
        let s = c
            .secret(
                "8x8.api_key_file",
                None,
                "HANDOFF_TEST_UNSET_VAR",
                Some(&path),
            )
            .unwrap()
            .unwrap();
        assert_eq!(s.expose(), "k-123");
        assert!(
            c.secret(
                "x",
                Some("HANDOFF_TEST_UNSET_VAR"),
                "HANDOFF_TEST_UNSET_VAR",
                None
            )
            .unwrap()
            .is_none()
        );
    }
}
