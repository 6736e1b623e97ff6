//! Blinded direct messages ("message requests", spec/sogs-api.md §2.6). The server stores
//! opaque ciphertext; encryption is end to end between the two blinded users.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use crate::encoding::encode_base64;

/// Stores a DM; returns `(id, posted_at, expires_at)`.
pub(crate) fn send(
    tx: &Connection,
    sender: i64,
    recipient: i64,
    body: &[u8],
    now: f64,
    lifetime: f64,
) -> rusqlite::Result<(i64, f64, f64)> {
    let expiry = now + lifetime;
    tx.prepare_cached(
        "INSERT INTO inbox (recipient, sender, body, posted_at, expiry) VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(params![recipient, sender, body, now, expiry])?;
    Ok((tx.last_insert_rowid(), now, expiry))
}

/// The DM object `{id, posted_at, expires_at, sender, recipient[, message]}`.
pub(crate) fn object(
    id: i64,
    posted_at: f64,
    expires_at: f64,
    sender: &str,
    recipient: &str,
    message: Option<&[u8]>,
) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("posted_at".into(), posted_at.into());
    m.insert("expires_at".into(), expires_at.into());
    m.insert("sender".into(), sender.into());
    m.insert("recipient".into(), recipient.into());
    if let Some(msg) = message {
        m.insert("message".into(), encode_base64(msg).into());
    }
    Value::Object(m)
}

/// A user's inbox (`outbox = false`) or outbox, oldest first, unexpired, with id above `since`
/// when it is non-zero (the reference treats `since/0` as "everything").
pub(crate) fn list(
    conn: &Connection,
    user: i64,
    outbox: bool,
    since: Option<i64>,
    limit: i64,
    now: f64,
) -> rusqlite::Result<Vec<Value>> {
    let sql = if outbox {
        "SELECT i.id, i.posted_at, i.expiry, s.session_id, r.session_id, i.body
         FROM inbox i JOIN users s ON s.id = i.sender JOIN users r ON r.id = i.recipient
         WHERE i.sender = ?1 AND i.id > ?2 AND i.expiry > ?3 ORDER BY i.id LIMIT ?4"
    } else {
        "SELECT i.id, i.posted_at, i.expiry, s.session_id, r.session_id, i.body
         FROM inbox i JOIN users s ON s.id = i.sender JOIN users r ON r.id = i.recipient
         WHERE i.recipient = ?1 AND i.id > ?2 AND i.expiry > ?3 ORDER BY i.id LIMIT ?4"
    };
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(params![user, since.unwrap_or(0), now, limit], |r| {
        let (id, posted, expiry, sender, recipient, body): (
            i64,
            f64,
            f64,
            String,
            String,
            Vec<u8>,
        ) = (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        );
        Ok(object(id, posted, expiry, &sender, &recipient, Some(&body)))
    })?;
    rows.collect()
}

/// Deletes every DM received by `user`; returns how many.
pub(crate) fn clear(tx: &Connection, user: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM inbox WHERE recipient = ?")?
        .execute([user])
}
