//! The shared state of a running server.

use std::path::Path;

use session_crypto::{ServerPubkey, X25519Keypair};

use crate::auth::KeyCache;
use crate::buffer::{ActivityBuffer, NonceBuffer};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::error::Result;
use crate::http::router::IdRules;
use crate::model::user::BlindingPolicy;

/// Everything a request handler needs.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    /// The secret half decrypts onion requests.
    pub(crate) keypair: X25519Keypair,
    pub(crate) server: ServerPubkey,
    pub(crate) policy: BlindingPolicy,
    pub(crate) ids: IdRules,
    pub(crate) db: Db,
    pub(crate) clock: Clock,
    pub(crate) nonces: NonceBuffer,
    pub(crate) activity: ActivityBuffer,
    pub(crate) auth_keys: KeyCache,
}

impl App {
    /// Opens the database at `db_path` (creating and migrating it) and loads or creates the
    /// server key.
    pub(crate) fn open(config: Config, db_path: &Path) -> Result<Self> {
        let db = Db::open(db_path, config.db.synchronous)?;
        let keypair = match &config.db.key_file {
            Some(file) => crate::keys::load_or_create_file(file)?,
            None => crate::keys::load_or_create_db(&db)?,
        };
        let server = ServerPubkey::from_bytes(*keypair.public_key());
        let policy = BlindingPolicy {
            server,
            require_blind: config.users.require_blind_keys,
            blind25: config.users.blind25,
        };
        let ids = IdRules {
            require_blind: config.users.require_blind_keys,
            blind25: config.users.blind25,
        };
        Ok(Self {
            config,
            keypair,
            server,
            policy,
            ids,
            db,
            clock: Clock::default(),
            nonces: NonceBuffer::default(),
            activity: ActivityBuffer::default(),
            auth_keys: KeyCache::default(),
        })
    }

    /// The capabilities this server advertises, sorted (`PS:sogs/model/__init__.py`).
    pub(crate) fn capabilities(&self) -> Vec<&'static str> {
        let mut caps = vec!["reactions", "sogs"];
        if self.policy.require_blind {
            caps.push("blind");
        }
        if self.policy.blind25 {
            caps.push("blind25");
        }
        caps.sort_unstable();
        caps
    }

    /// `active_users_cutoff` as reported in room info (whole seconds).
    pub(crate) fn active_users_cutoff(&self) -> i64 {
        self.config.active_threshold_secs() as i64
    }
}
