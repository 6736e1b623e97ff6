//! Users: one row per id the server has seen (`05…`, `15…`, `25…`), with the global flags.
//!
//! Blinding migration (spec/sogs-api.md §1.4, `PS:sogs/model/user.py`): when an operator or
//! moderator names a user by Session ID (`05…`) on a server that requires blinding, the server
//! cannot know which of the two blind15 ids the user will show up with. The permissions go on
//! the `05` row, which is recorded in `needs_blinding` under the sign-cleared blind15 key (and
//! the exact blind25 id when `blind25` is on); the first time the blinded user authenticates,
//! the global flags, room overrides and scheduled changes move to the blinded row.

use rusqlite::{Connection, OptionalExtension, Row, params};
use session_crypto::{ServerPubkey, SessionId, blind15_candidates, blind25_id};

/// A user row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct User {
    /// Database id.
    pub(crate) id: i64,
    /// The id as the server shows it: `05…`, `15…` or `25…`, lower-case hex.
    pub(crate) session_id: String,
    /// Globally banned.
    pub(crate) banned: bool,
    /// Global moderator (admins are always moderators too).
    pub(crate) global_moderator: bool,
    /// Global admin.
    pub(crate) global_admin: bool,
    /// Whether a global moderator is listed publicly.
    pub(crate) visible_mod: bool,
}

impl User {
    /// Whether the user authenticated with a blinded key (`15` or `25`).
    pub(crate) fn is_blinded(&self) -> bool {
        self.session_id.starts_with("15") || self.session_id.starts_with("25")
    }
}

/// What blinding the server requires, and the key blinded ids are derived from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlindingPolicy {
    /// The server's X25519 public key.
    pub(crate) server: ServerPubkey,
    /// `00` keys refused; `05` ids in moderation calls resolve to blinded rows.
    pub(crate) require_blind: bool,
    /// `25` keys accepted.
    pub(crate) blind25: bool,
}

const COLS: &str = "id, session_id, banned, moderator, admin, visible_mod";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        session_id: r.get(1)?,
        banned: r.get(2)?,
        global_moderator: r.get(3)?,
        global_admin: r.get(4)?,
        visible_mod: r.get(5)?,
    })
}

/// The user with this exact id string, if known.
pub(crate) fn by_session_id(conn: &Connection, sid: &str) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM users WHERE session_id = ?"))?
        .query_row([sid], from_row)
        .optional()
}

/// The user with this database id.
pub(crate) fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM users WHERE id = ?"))?
        .query_row([id], from_row)
        .optional()
}

/// The user with id `sid`, created if new ("autovivified"); a new blinded user inherits what
/// was recorded for its Session ID in `needs_blinding`.
pub(crate) fn get_or_create(
    conn: &Connection,
    sid: &str,
    now: f64,
    policy: &BlindingPolicy,
) -> rusqlite::Result<User> {
    if let Some(u) = by_session_id(conn, sid)? {
        return Ok(u);
    }
    conn.prepare_cached("INSERT INTO users (session_id, created, last_active) VALUES (?, ?, ?)")?
        .execute(params![sid, now, now])?;
    let id = conn.last_insert_rowid();
    if policy.require_blind {
        import_blinded(conn, id, sid)?;
    }
    by_id(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// The `needs_blinding` key under which a blinded id finds its Session ID's permissions.
fn blinded_key(sid: &str) -> Option<String> {
    let key = sid.get(2..)?;
    match sid.get(..2)? {
        "15" => {
            // The sign-cleared form: clear bit 7 of the last byte (hex digits 64..66).
            let mut bytes: [u8; 32] = hex::decode(key).ok()?.try_into().ok()?;
            bytes[31] &= 0x7f;
            Some(format!("15{}", hex::encode(bytes)))
        }
        "25" => Some(sid.to_owned()),
        _ => None,
    }
}

/// Moves what was recorded for a Session ID to the new blinded user `new_id`.
fn import_blinded(conn: &Connection, new_id: i64, sid: &str) -> rusqlite::Result<()> {
    let Some(key) = blinded_key(sid) else {
        return Ok(());
    };
    let old: Option<i64> = conn
        .prepare_cached("SELECT user FROM needs_blinding WHERE blinded_key = ?")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    let Some(old) = old else { return Ok(()) };
    conn.execute(
        "UPDATE users SET (created, banned, moderator, admin, visible_mod) =
            (SELECT created, banned, moderator, admin, visible_mod FROM users WHERE id = ?1)
         WHERE id = ?2",
        params![old, new_id],
    )?;
    conn.execute(
        "UPDATE users SET banned = 0, moderator = 0, admin = 0 WHERE id = ?",
        [old],
    )?;
    for table in [
        "user_permission_overrides",
        "user_permission_futures",
        "user_ban_futures",
    ] {
        conn.execute(
            &format!("UPDATE {table} SET user = ?1 WHERE user = ?2"),
            params![new_id, old],
        )?;
    }
    conn.execute("DELETE FROM needs_blinding WHERE user = ?", [old])?;
    Ok(())
}

/// The target of a moderation call (`try_blinding` + `check_blinding` of the reference): on a
/// server that requires blinding, a `05` id resolves to its known blinded user; otherwise the
/// `05` user (created if needed) is recorded for migration. Other ids are used as given.
pub(crate) fn resolve_target(
    conn: &Connection,
    sid: &str,
    now: f64,
    policy: &BlindingPolicy,
) -> rusqlite::Result<User> {
    let Some(session) = policy
        .require_blind
        .then(|| sid.parse::<SessionId>().ok())
        .flatten()
    else {
        return get_or_create(conn, sid, now, policy);
    };
    let mut keys = Vec::new();
    if let Ok([a, b]) = blind15_candidates(&session, &policy.server) {
        keys.push(a.to_string());
        keys.push(b.to_string());
    }
    if policy.blind25
        && let Ok(id) = blind25_id(&session, &policy.server)
    {
        keys.push(id.to_string());
    }
    for k in &keys {
        if let Some(u) = by_session_id(conn, k)? {
            return Ok(u);
        }
    }
    let user = get_or_create(conn, sid, now, policy)?;
    for k in keys.iter().filter_map(|k| blinded_key(k)) {
        conn.prepare_cached(
            "INSERT INTO needs_blinding (blinded_key, user) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )?
        .execute(params![k, user.id])?;
    }
    Ok(user)
}

/// Like [`resolve_target`] for read-only lookups: no row is created.
pub(crate) fn find_target(
    conn: &Connection,
    sid: &str,
    policy: &BlindingPolicy,
) -> rusqlite::Result<Option<User>> {
    if policy.require_blind
        && let Ok(session) = sid.parse::<SessionId>()
    {
        let mut keys = Vec::new();
        if let Ok([a, b]) = blind15_candidates(&session, &policy.server) {
            keys.push(a.to_string());
            keys.push(b.to_string());
        }
        if policy.blind25
            && let Ok(id) = blind25_id(&session, &policy.server)
        {
            keys.push(id.to_string());
        }
        for k in &keys {
            if let Some(u) = by_session_id(conn, k)? {
                return Ok(Some(u));
            }
        }
    }
    by_session_id(conn, sid)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Durability;
    use crate::db::Db;
    use session_crypto::Identity;

    fn setup() -> (tempfile::TempDir, Db, BlindingPolicy) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("u.db"), Durability::Normal).unwrap();
        let policy = BlindingPolicy {
            server: ServerPubkey::from_bytes([7; 32]),
            require_blind: true,
            blind25: true,
        };
        (dir, db, policy)
    }

    #[test]
    fn blinded_user_inherits_what_was_granted_to_its_session_id() {
        let (_d, db, policy) = setup();
        for seed in 0u8..6 {
            let id = Identity::from_seed(&[seed; 16]).unwrap();
            let sid = id.session_id().to_string();
            let blinded = id.blind15(&policy.server).id().to_string();
            db.write(|tx| {
                let u = resolve_target(tx, &sid, 1.0, &policy)?;
                tx.execute(
                    "UPDATE users SET moderator = 1, admin = 1 WHERE id = ?",
                    [u.id],
                )?;
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
            let b = db
                .write(|tx| get_or_create(tx, &blinded, 2.0, &policy))
                .unwrap();
            assert!(b.global_admin && b.global_moderator, "seed {seed}");
            let old = db.read(|c| by_session_id(c, &sid)).unwrap().unwrap();
            assert!(!old.global_admin && !old.global_moderator);
            // Once blinded, the Session ID resolves to the blinded row.
            let again = db
                .write(|tx| resolve_target(tx, &sid, 3.0, &policy))
                .unwrap();
            assert_eq!(again.id, b.id);
        }
    }

    #[test]
    fn blind25_user_inherits_too() {
        let (_d, db, policy) = setup();
        let id = Identity::from_seed(&[42; 16]).unwrap();
        let sid = id.session_id().to_string();
        db.write(|tx| {
            let u = resolve_target(tx, &sid, 1.0, &policy)?;
            tx.execute("UPDATE users SET banned = 1 WHERE id = ?", [u.id])?;
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap();
        let b25 = id.blind25(&policy.server).id().to_string();
        let u = db
            .write(|tx| get_or_create(tx, &b25, 2.0, &policy))
            .unwrap();
        assert!(u.banned);
        assert!(u.is_blinded());
    }

    #[test]
    fn find_target_creates_nothing() {
        let (_d, db, policy) = setup();
        let sid = Identity::from_seed(&[9; 16])
            .unwrap()
            .session_id()
            .to_string();
        assert_eq!(db.read(|c| find_target(c, &sid, &policy)).unwrap(), None);
        assert_eq!(db.read(|c| by_session_id(c, &sid)).unwrap(), None);
    }
}
