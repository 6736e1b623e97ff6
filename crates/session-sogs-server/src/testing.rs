//! A real server for tests (feature `testing`): ephemeral loopback port, temporary database,
//! typed knobs, and operator shortcuts, so that a test reads like its scenario.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use session_sogs_server::testing::TestServer;
//!
//! let server = TestServer::builder().blind25(true).rate_limit(None).spawn().await;
//! server.add_room("lobby");
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! assert!(server.join_link("lobby").ends_with(&server.public_key().to_string()));
//! server.shutdown().await;
//! # }
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use session_crypto::ServerPubkey;

use crate::admin::{ModScope, RoomPermissions, RoomSummary};
use crate::config::Config;
use crate::error::Result;
use crate::server::{RunningServer, Server};

/// Configures a [`TestServer`] before it starts. Defaults: the reference configuration
/// (blinding required, no blind25, 5 posts per 16 s) on `127.0.0.1:0`.
#[derive(Debug, Clone)]
pub struct TestServerBuilder {
    config: Config,
    key: Option<[u8; 32]>,
    db: Option<PathBuf>,
}

impl TestServerBuilder {
    /// Requires blinded keys (default) or also accepts `00` keys.
    pub fn require_blind_keys(mut self, on: bool) -> Self {
        self.config.users.require_blind_keys = on;
        self
    }

    /// Accepts `25` keys and advertises `blind25`.
    pub fn blind25(mut self, on: bool) -> Self {
        self.config.users.blind25 = on;
        self
    }

    /// The post rate limit as `(posts, seconds)`, or `None` to disable it.
    pub fn rate_limit(mut self, limit: Option<(u32, f64)>) -> Self {
        let (n, secs) = limit.unwrap_or((0, 16.0));
        self.config.messages.rate_limit_size = n;
        self.config.messages.rate_limit_interval = secs;
        self
    }

    /// A fixed X25519 secret, for tests that use published vectors.
    pub fn key(mut self, secret: [u8; 32]) -> Self {
        self.key = Some(secret);
        self
    }

    /// Uses this database file instead of a fresh temporary one (e.g. to reopen it).
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.db = Some(path.into());
        self
    }

    /// Any other configuration change.
    pub fn configure(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Starts the server, or reports why it could not start.
    pub async fn try_spawn(self) -> Result<TestServer> {
        let dir = tempfile::tempdir().map_err(|source| crate::Error::Io {
            what: "cannot create a temporary directory",
            path: std::env::temp_dir(),
            source,
        })?;
        let mut config = self.config;
        config.net.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
        config.net.port = 0;
        if let Some(secret) = self.key {
            let path = dir.path().join("key_x25519");
            std::fs::write(&path, secret).map_err(|source| crate::Error::Io {
                what: "cannot write key file",
                path: path.clone(),
                source,
            })?;
            config.db.key_file = Some(path);
        }
        let db = self.db.unwrap_or_else(|| dir.path().join("sogs.db"));
        let running = Server::open(&db, config)?.bind().await?;
        Ok(TestServer {
            running,
            db,
            _dir: dir,
        })
    }

    /// Starts the server.
    ///
    /// # Panics
    /// If it cannot start (no temporary directory, no free port): the test cannot proceed.
    #[allow(clippy::expect_used)]
    pub async fn spawn(self) -> TestServer {
        // A harness that cannot start is a failed test, reported with the reason.
        self.try_spawn().await.expect("TestServer failed to start")
    }
}

/// A running server on `127.0.0.1` with a temporary database, stopped when dropped.
#[derive(Debug)]
pub struct TestServer {
    running: RunningServer,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

/// Operator calls on a test server are test set-up: failing means the test is wrong.
#[allow(clippy::expect_used)]
fn setup<T>(r: Result<T>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("TestServer: {what} failed: {e}"))
}

impl TestServer {
    /// A server with the reference configuration.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    /// A builder for non-default knobs.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder {
            config: Config::default(),
            key: None,
            db: None,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    /// The server's X25519 public key.
    pub fn public_key(&self) -> ServerPubkey {
        self.running.server().public_key()
    }

    /// The join link of a room.
    pub fn join_link(&self, token: &str) -> String {
        self.running.join_link(token)
    }

    /// The database file (e.g. to inspect it after a crash test).
    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// The underlying server, for every operator call.
    pub fn server(&self) -> &Server {
        self.running.server()
    }

    /// Creates an open room (`rwua`) named after its token.
    ///
    /// # Panics
    /// If the token is invalid or taken.
    pub fn add_room(&self, token: &str) -> RoomSummary {
        self.add_room_with(token, RoomPermissions::default())
    }

    /// Creates a room with the given default permissions.
    ///
    /// # Panics
    /// If the token is invalid or taken.
    pub fn add_room_with(&self, token: &str, perms: RoomPermissions) -> RoomSummary {
        setup(self.server().add_room(token, None, None, perms), "add_room")
    }

    /// Makes `id` a visible moderator of `room`.
    ///
    /// # Panics
    /// If the id or room is invalid.
    pub fn add_moderator(&self, room: &str, id: impl AsRef<str>) {
        self.set_moderator(id, &ModScope::Room(room.into()), false, true);
    }

    /// Makes `id` a visible admin of `room`.
    ///
    /// # Panics
    /// If the id or room is invalid.
    pub fn add_admin(&self, room: &str, id: impl AsRef<str>) {
        self.set_moderator(id, &ModScope::Room(room.into()), true, true);
    }

    /// Makes `id` a moderator or admin of a room or globally, visible or hidden.
    ///
    /// # Panics
    /// If the id or room is invalid.
    pub fn set_moderator(&self, id: impl AsRef<str>, scope: &ModScope, admin: bool, visible: bool) {
        setup(
            self.server()
                .add_moderator(id.as_ref(), scope, admin, visible),
            "add_moderator",
        );
    }

    /// Bans `id` (room or global), for `timeout_secs` or for ever.
    ///
    /// # Panics
    /// If the id or room is invalid.
    pub fn ban(&self, id: impl AsRef<str>, scope: &ModScope, timeout_secs: Option<f64>) {
        setup(self.server().ban(id.as_ref(), scope, timeout_secs), "ban");
    }

    /// Moves the server's clock forward (bans, rate limits, file and DM expiry, the auth
    /// window) without sleeping. Follow with [`run_maintenance`](Self::run_maintenance) to
    /// apply scheduled changes.
    pub fn advance_clock(&self, secs: f64) {
        self.server().app().clock.advance(secs);
    }

    /// Writes buffered state and runs the cleanup job now (expiries, `active_users`,
    /// scheduled unbans and permission changes).
    ///
    /// # Panics
    /// On a database error.
    pub fn run_maintenance(&self) {
        setup(self.server().run_maintenance(), "maintenance");
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.running.shutdown().await;
    }
}
