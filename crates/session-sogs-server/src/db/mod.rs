//! SQLite storage: one writer connection and a pool of readers over a WAL database.
//!
//! WAL lets readers run while the writer commits, so polls never wait for posts. Every write
//! runs in an `IMMEDIATE` transaction on the single writer, which serialises writers without
//! `SQLITE_BUSY` retries; a write closure returns only after `COMMIT`, so an HTTP answer sent
//! after it describes durable state (spec: "a post is committed before the 201").

pub(crate) mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::config::Durability;
use crate::error::Result;

/// Prepared statements kept per connection (all our queries are static strings).
const STATEMENT_CACHE: usize = 128;
/// Idle reader connections kept open: more than the request workers that can read at once
/// (see `server.rs`), so that a busy server never opens and compiles statements anew.
const MAX_IDLE_READERS: usize = 64;

/// The database: a writer and a reader pool.
#[derive(Debug)]
pub(crate) struct Db {
    path: PathBuf,
    durability: Durability,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// Locks a mutex, recovering the guard if a panicking thread poisoned it: the connection is
/// still usable (an interrupted transaction was rolled back when it was dropped).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub(crate) fn open(path: &Path, durability: Durability) -> Result<Self> {
        let mut writer = Self::connect(path, durability)?;
        schema::migrate(&mut writer)?;
        Ok(Self {
            path: path.to_owned(),
            durability,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn connect(path: &Path, durability: Durability) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Query-planner stability: without it, a statement that binds a value compared with a
        // partial index's condition (users_moderators) is re-prepared on every rebind,
        // defeating the statement cache.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        // journal_mode returns a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        let sync = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {sync};
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;"
        ))?;
        Ok(conn)
    }

    /// Runs `f` on a reader connection (a consistent snapshot for the duration of one
    /// statement; wrap several in `f` if they must agree).
    pub(crate) fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let conn = match lock(&self.readers).pop() {
            Some(c) => c,
            None => Self::connect(&self.path, self.durability)?,
        };
        let out = f(&conn);
        let mut pool = lock(&self.readers);
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` in an `IMMEDIATE` transaction on the writer; commits if it returns `Ok`,
    /// rolls back otherwise. Returns after the commit.
    pub(crate) fn write<T, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_visible_to_readers_and_rolled_back_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), Durability::Normal).unwrap();
        db.write(|tx| {
            tx.execute("INSERT INTO meta (key, value) VALUES ('a', x'01')", [])
                .map(|_| ())
        })
        .unwrap();
        let r: std::result::Result<(), rusqlite::Error> = db.write(|tx| {
            tx.execute("INSERT INTO meta (key, value) VALUES ('b', x'02')", [])?;
            Err(rusqlite::Error::InvalidQuery)
        });
        assert!(r.is_err());
        let keys: Vec<String> = db
            .read(|c| {
                let mut st = c.prepare("SELECT key FROM meta ORDER BY key")?;
                let rows = st.query_map([], |r| r.get(0))?;
                rows.collect::<std::result::Result<Vec<String>, rusqlite::Error>>()
            })
            .unwrap();
        assert_eq!(keys, vec!["a".to_owned()]);
        let mode: String = db
            .read(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
