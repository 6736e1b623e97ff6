//! The database schema and its migrations.
//!
//! Our own schema (not the reference server's: the semantics of its triggers live in Rust, in
//! `model/`, inside transactions). Each migration is a batch of SQL applied once, in order,
//! tracked by `PRAGMA user_version`; a database from a newer build is refused.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Migrations, oldest first. Never edit a released entry: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE meta (
    key TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    description TEXT,
    image INTEGER,
    created REAL NOT NULL,
    message_sequence INTEGER NOT NULL DEFAULT 0,
    info_updates INTEGER NOT NULL DEFAULT 0,
    active_users INTEGER NOT NULL DEFAULT 0,
    read INTEGER NOT NULL DEFAULT 1,
    accessible INTEGER NOT NULL DEFAULT 1,
    write INTEGER NOT NULL DEFAULT 1,
    upload INTEGER NOT NULL DEFAULT 1,
    CHECK(token NOT GLOB '*[^a-zA-Z0-9_-]*' AND length(token) BETWEEN 1 AND 64)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    last_active REAL NOT NULL,
    banned INTEGER NOT NULL DEFAULT 0,
    moderator INTEGER NOT NULL DEFAULT 0,
    admin INTEGER NOT NULL DEFAULT 0,
    visible_mod INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_moderators ON users(moderator) WHERE moderator;

-- Unblinded (05) users whose permissions move to their blinded row when it first appears.
-- key: '15' + the sign-cleared blind15 key, or the exact '25' id.
CREATE TABLE needs_blinding (
    blinded_key TEXT NOT NULL PRIMARY KEY,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX needs_blinding_user ON needs_blinding(user);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id),
    posted REAL NOT NULL,
    edited REAL,
    seqno INTEGER NOT NULL,
    seqno_data INTEGER NOT NULL,
    seqno_reactions INTEGER NOT NULL DEFAULT 0,
    seqno_creation INTEGER NOT NULL,
    data BLOB,
    signature BLOB,
    filtered INTEGER NOT NULL DEFAULT 0,
    whisper INTEGER REFERENCES users(id),
    whisper_mods INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_room_seqno ON messages(room, seqno);
CREATE INDEX messages_room_id ON messages(room, id);
CREATE INDEX messages_room_user_posted ON messages(room, user, posted);

CREATE TABLE message_history (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    replaced REAL NOT NULL,
    data BLOB NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX message_history_message ON message_history(message);
CREATE INDEX message_history_replaced ON message_history(replaced);

CREATE TABLE pinned_messages (
    room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    pinned_by INTEGER NOT NULL REFERENCES users(id),
    pinned_at REAL NOT NULL,
    PRIMARY KEY(room, message)
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    room INTEGER REFERENCES rooms(id) ON DELETE CASCADE,
    uploader INTEGER REFERENCES users(id),
    message INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    size INTEGER NOT NULL,
    uploaded REAL NOT NULL,
    expiry REAL,
    filename TEXT,
    content BLOB NOT NULL
);
CREATE INDEX files_room ON files(room);
CREATE INDEX files_expiry ON files(expiry);
CREATE INDEX files_message ON files(message);

CREATE TABLE reactions (
    id INTEGER PRIMARY KEY,
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    reaction TEXT NOT NULL,
    UNIQUE(message, reaction)
);

CREATE TABLE user_reactions (
    reaction INTEGER NOT NULL REFERENCES reactions(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    PRIMARY KEY(reaction, user)
) WITHOUT ROWID;
CREATE INDEX user_reactions_at ON user_reactions(reaction, at);

CREATE TABLE room_users (
    room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    last_active REAL NOT NULL,
    PRIMARY KEY(room, user)
) WITHOUT ROWID;
CREATE INDEX room_users_activity ON room_users(room, last_active);

-- Per-room user overrides; NULL permissions mean "use the room default".
CREATE TABLE user_permission_overrides (
    room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    banned INTEGER NOT NULL DEFAULT 0,
    read INTEGER,
    accessible INTEGER,
    write INTEGER,
    upload INTEGER,
    moderator INTEGER NOT NULL DEFAULT 0,
    admin INTEGER NOT NULL DEFAULT 0,
    visible_mod INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY(room, user)
) WITHOUT ROWID;
CREATE INDEX user_permission_overrides_user ON user_permission_overrides(user);

CREATE TABLE user_permission_futures (
    room INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    read INTEGER,
    write INTEGER,
    upload INTEGER
);
CREATE INDEX user_permission_futures_at ON user_permission_futures(at);
CREATE INDEX user_permission_futures_room_user ON user_permission_futures(room, user);

-- Scheduled (un)bans; room NULL = global.
CREATE TABLE user_ban_futures (
    room INTEGER REFERENCES rooms(id) ON DELETE CASCADE,
    user INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    banned INTEGER NOT NULL
);
CREATE INDEX user_ban_futures_at ON user_ban_futures(at);
CREATE INDEX user_ban_futures_room_user ON user_ban_futures(room, user);

-- Request nonces, globally unique, kept for the 24 h window (spec §1.5).
CREATE TABLE user_request_nonces (
    nonce BLOB NOT NULL PRIMARY KEY,
    user INTEGER NOT NULL,
    expiry REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX user_request_nonces_expiry ON user_request_nonces(expiry);

CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    recipient INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sender INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body BLOB NOT NULL,
    posted_at REAL NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX inbox_recipient ON inbox(recipient, id);
CREATE INDEX inbox_sender ON inbox(sender, id);
CREATE INDEX inbox_expiry ON inbox(expiry);
"#,
];

/// The schema version this build writes.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`VERSION`], one transaction per migration.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(Error::SchemaTooNew {
            found: current,
            supported: VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn migrates_a_fresh_database_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        // Tokens are case-insensitive and restricted.
        conn.execute(
            "INSERT INTO rooms (token, name, created) VALUES ('Lobby', 'x', 0)",
            [],
        )
        .unwrap();
        assert!(
            conn.execute(
                "INSERT INTO rooms (token, name, created) VALUES ('lobby', 'x', 0)",
                []
            )
            .is_err()
        );
        assert!(
            conn.execute(
                "INSERT INTO rooms (token, name, created) VALUES ('bad token', 'x', 0)",
                []
            )
            .is_err()
        );
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::SchemaTooNew { .. })
        ));
    }
}
