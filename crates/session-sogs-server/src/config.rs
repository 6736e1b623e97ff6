//! Server configuration: every knob of the reference server that changes observable behaviour,
//! with the reference defaults (`PS:sogs/config.py`, `PS:sogs/model/room.py` module constants).
//!
//! Built in code ([`Config::default`] and the `with_*` methods), from command-line flags, or
//! from an optional TOML file whose sections mirror the fields:
//!
//! ```toml
//! [net]
//! bind = "127.0.0.1"
//! port = 8080
//! base_url = "http://sogs.example.org"   # used in printed join links
//!
//! [users]
//! require_blind_keys = true   # refuse 00 (unblinded) keys, advertise `blind`
//! blind25 = false             # accept 25 keys, advertise `blind25`
//!
//! [messages]
//! rate_limit_size = 5         # posts per user per room per interval; 0 disables
//! rate_limit_interval = 16.0  # seconds
//! history_prune_days = 30.0
//!
//! [rooms]
//! active_threshold_days = 7.0
//! active_prune_days = 60.0
//!
//! [files]
//! expiry_days = 15.0          # 0 = attached files never expire
//! max_size = 10000000         # bytes; larger uploads get 413
//!
//! [direct_messages]
//! expiry_days = 15.0
//!
//! [db]
//! synchronous = "normal"      # or "full" (fsync every commit: survives power loss)
//! ```

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

const DAY: f64 = 86_400.0;

/// Everything that configures a server. See the module docs for the TOML form.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// Listening address and the public URL.
    pub net: NetConfig,
    /// Which keys users may authenticate with.
    pub users: UsersConfig,
    /// Posting limits and edit history.
    pub messages: MessagesConfig,
    /// Room activity accounting.
    pub rooms: RoomsConfig,
    /// Uploaded file lifetimes and sizes.
    pub files: FilesConfig,
    /// Blinded direct messages.
    pub direct_messages: DmConfig,
    /// Storage durability and the key file.
    pub db: DbConfig,
}

/// `[net]`: where the server listens and how it names itself in join links.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NetConfig {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// TCP port (default 8080; 0 picks a free port).
    pub port: u16,
    /// Public base URL for join links (default `http://bind:port`).
    pub base_url: Option<String>,
    /// Largest request body accepted, in bytes; larger bodies get 413 (default 11,000,000:
    /// a 10 MB file plus onion and JSON overhead; pysogs relies on its proxy's 10M limit).
    pub max_body_bytes: usize,
}

/// `[users]`: blinding policy (spec/sogs-api.md §1.4).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct UsersConfig {
    /// Refuse `00` keys with 400 and advertise the `blind` capability (reference default: on).
    pub require_blind_keys: bool,
    /// Accept `25` keys and advertise `blind25` (unmerged pysogs PR #212/#213; default off).
    pub blind25: bool,
}

/// `[messages]`: the post rate limit and edit-history retention (spec §2.11).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct MessagesConfig {
    /// Posts allowed per user per room within `rate_limit_interval` (reference: 5; 0 disables).
    pub rate_limit_size: u32,
    /// The rate-limit window in seconds (reference: 16).
    pub rate_limit_interval: f64,
    /// Days to keep replaced message versions (reference: 30).
    pub history_prune_days: f64,
}

/// `[rooms]`: the `active_users` window (spec §2.10).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RoomsConfig {
    /// Users active within this many days count in `active_users` (reference: 7).
    pub active_threshold_days: f64,
    /// Activity records older than this many days are pruned (reference: 60).
    pub active_prune_days: f64,
}

/// `[files]`: upload lifetimes (spec §2.4).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FilesConfig {
    /// Lifetime in days of a file once attached to a post (reference: 15; 0 = forever).
    pub expiry_days: f64,
    /// Largest upload in bytes (10,000,000, the reference `max_size`); larger gives 413.
    pub max_size: usize,
}

/// `[direct_messages]`: inbox retention (spec §2.6).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DmConfig {
    /// Days before a DM expires (reference: 15).
    pub expiry_days: f64,
}

/// `[db]`: durability and where the server key lives.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DbConfig {
    /// SQLite `synchronous` in WAL mode. [`Durability::Normal`] (default) survives a crash or
    /// kill of the server process: every acknowledged write is in the WAL file.
    /// [`Durability::Full`] also survives power loss (an fsync per commit).
    pub synchronous: Durability,
    /// Keep the X25519 key in this file (mode 0600) instead of the database.
    pub key_file: Option<PathBuf>,
}

/// How hard a commit is pushed to disk before the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// WAL + `synchronous=NORMAL`: durable across process crashes.
    #[default]
    Normal,
    /// WAL + `synchronous=FULL`: durable across power loss.
    Full,
}

impl Default for NetConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            base_url: None,
            max_body_bytes: 11_000_000,
        }
    }
}

impl Default for UsersConfig {
    fn default() -> Self {
        Self {
            require_blind_keys: true,
            blind25: false,
        }
    }
}

impl Default for MessagesConfig {
    fn default() -> Self {
        Self {
            rate_limit_size: 5,
            rate_limit_interval: 16.0,
            history_prune_days: 30.0,
        }
    }
}

impl Default for RoomsConfig {
    fn default() -> Self {
        Self {
            active_threshold_days: 7.0,
            active_prune_days: 60.0,
        }
    }
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            expiry_days: 15.0,
            max_size: 10_000_000,
        }
    }
}

impl Default for DmConfig {
    fn default() -> Self {
        Self { expiry_days: 15.0 }
    }
}

impl Default for DbConfig {
    fn default() -> Self {
        Self {
            synchronous: Durability::Normal,
            key_file: None,
        }
    }
}

impl Config {
    /// Parses a TOML configuration (see the module docs); missing keys keep their defaults.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    /// Reads and parses a TOML configuration file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            what: "cannot read configuration file",
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text)
    }

    /// Sets the listening address and port.
    pub fn with_listen(mut self, bind: IpAddr, port: u16) -> Self {
        self.net.bind = bind;
        self.net.port = port;
        self
    }

    /// Requires (default) or allows unblinded `00` keys.
    pub fn with_require_blind_keys(mut self, on: bool) -> Self {
        self.users.require_blind_keys = on;
        self
    }

    /// Accepts `25` keys and advertises `blind25`.
    pub fn with_blind25(mut self, on: bool) -> Self {
        self.users.blind25 = on;
        self
    }

    /// Sets the post rate limit: `size` posts per `interval_secs` (size 0 disables it).
    pub fn with_rate_limit(mut self, size: u32, interval_secs: f64) -> Self {
        self.messages.rate_limit_size = size;
        self.messages.rate_limit_interval = interval_secs;
        self
    }

    /// Sets the durability of commits.
    pub fn with_durability(mut self, d: Durability) -> Self {
        self.db.synchronous = d;
        self
    }

    /// Keeps the server key in a file instead of the database.
    pub fn with_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.db.key_file = Some(path.into());
        self
    }

    /// The public base URL used in join links, without a trailing `/`.
    pub fn base_url(&self, actual_port: u16) -> String {
        match &self.net.base_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => match self.net.bind {
                IpAddr::V6(v6) => format!("http://[{v6}]:{actual_port}"),
                IpAddr::V4(v4) => format!("http://{v4}:{actual_port}"),
            },
        }
    }

    /// The `active_users` window in seconds.
    pub(crate) fn active_threshold_secs(&self) -> f64 {
        self.rooms.active_threshold_days * DAY
    }

    /// Lifetime of an attached file in seconds, `None` for never.
    pub(crate) fn file_expiry_secs(&self) -> Option<f64> {
        (self.files.expiry_days > 0.0).then_some(self.files.expiry_days * DAY)
    }

    /// Lifetime of a DM in seconds.
    pub(crate) fn dm_expiry_secs(&self) -> f64 {
        self.direct_messages.expiry_days * DAY
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_reference_values() {
        let c = Config::default();
        assert!(c.users.require_blind_keys);
        assert!(!c.users.blind25);
        assert_eq!(c.messages.rate_limit_size, 5);
        assert_eq!(c.messages.rate_limit_interval, 16.0);
        assert_eq!(c.active_threshold_secs(), 604_800.0);
        assert_eq!(c.file_expiry_secs(), Some(15.0 * 86_400.0));
        assert_eq!(c.files.max_size, 10_000_000);
    }

    #[test]
    fn toml_overrides_only_what_it_names() {
        let c = Config::from_toml(
            "[users]\nrequire_blind_keys = false\n[net]\nport = 9\n[db]\nsynchronous = \"full\"\n",
        )
        .unwrap();
        assert!(!c.users.require_blind_keys);
        assert_eq!(c.net.port, 9);
        assert_eq!(c.db.synchronous, Durability::Full);
        assert_eq!(c.messages, MessagesConfig::default());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(matches!(
            Config::from_toml("[users]\nrequire_blind = false\n"),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn join_link_base_defaults_to_the_listen_address() {
        let c = Config::default();
        assert_eq!(c.base_url(1234), "http://127.0.0.1:1234");
        let mut c = c;
        c.net.base_url = Some("https://sogs.example.org/".into());
        assert_eq!(c.base_url(1), "https://sogs.example.org");
    }
}
