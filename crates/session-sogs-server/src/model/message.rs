//! Room messages: posting, editing, deleting (tombstones), and the message lists clients poll
//! (spec/sogs-api.md §2.3 and §2.10, `PS:sogs/model/room.py get_messages_for`).
//!
//! Every change to a room's messages takes the next value of the room's `message_sequence`:
//! a post sets `seqno_data = seqno_creation`, an edit or deletion sets `seqno_data`, each
//! reaction added or removed sets `seqno_reactions`, and `seqno` is the larger of the two.

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::{Map, Value, json};

use super::reaction;
use super::user::User;
use crate::encoding::encode_base64;

/// Which messages a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fetch {
    /// Changes with `seqno > n`, ascending by seqno, tombstones included; with
    /// `reaction_updates`, reaction-only changes too (as `{id, seqno, reactions}` rows).
    Since { seqno: i64, reaction_updates: bool },
    /// Live messages with id below the given one, newest first.
    Before(i64),
    /// The latest live messages, newest first.
    Recent,
    /// One live message.
    Single(i64),
}

/// Next value of the room's message sequence (`UPDATE … RETURNING`).
pub(crate) fn bump_sequence(tx: &Connection, room: i64) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "UPDATE rooms SET message_sequence = message_sequence + 1 WHERE id = ?
         RETURNING message_sequence",
    )?
    .query_row([room], |r| r.get(0))
}

/// Whether `id` is a regular message of the room: live, not filtered, not a whisper
/// (`is_regular_message`: the only messages that take reactions and pins).
pub(crate) fn is_regular(conn: &Connection, room: i64, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM messages WHERE room = ? AND id = ? AND data IS NOT NULL
         AND NOT filtered AND whisper IS NULL AND NOT whisper_mods",
    )?
    .query_row([room, id], |_| Ok(()))
    .optional()
    .map(|r| r.is_some())
}

/// The message listing `user` sees (whispers filtered by role; `viewer_mod` is the caller's
/// moderator status in the room).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fetch(
    conn: &Connection,
    room: i64,
    user: Option<&User>,
    viewer_mod: bool,
    what: Fetch,
    limit: i64,
    reactor_limit: i64,
) -> rusqlite::Result<Vec<Value>> {
    let mut sql = String::from(
        "SELECT m.id, u.session_id, m.posted, m.edited, m.seqno, m.seqno_data, \
         m.seqno_reactions, m.data, m.signature, m.whisper_mods, w.session_id \
         FROM messages m JOIN users u ON m.user = u.id LEFT JOIN users w ON m.whisper = w.id \
         WHERE m.room = ? AND NOT m.filtered",
    );
    let mut args: Vec<Sql> = vec![Sql::Integer(room)];
    match what {
        Fetch::Since {
            seqno,
            reaction_updates,
        } => {
            // Tombstones only for messages the client can know: created at or before its cursor.
            sql.push_str(" AND (m.data IS NOT NULL OR m.seqno_creation <= ?) AND m.seqno > ?");
            args.extend([Sql::Integer(seqno), Sql::Integer(seqno)]);
            if !reaction_updates {
                sql.push_str(" AND m.seqno_data > ?");
                args.push(Sql::Integer(seqno));
            }
        }
        Fetch::Before(id) => {
            sql.push_str(" AND m.data IS NOT NULL AND m.id < ?");
            args.push(Sql::Integer(id));
        }
        Fetch::Recent => sql.push_str(" AND m.data IS NOT NULL"),
        Fetch::Single(id) => {
            sql.push_str(" AND m.data IS NOT NULL AND m.id = ?");
            args.push(Sql::Integer(id));
        }
    }
    match (user, viewer_mod) {
        // Mods: everything to mods, to them, from them, and public posts.
        (Some(u), true) => {
            sql.push_str(
                " AND (m.whisper_mods OR m.whisper = ? OR m.user = ? OR m.whisper IS NULL)",
            );
            args.extend([Sql::Integer(u.id), Sql::Integer(u.id)]);
        }
        (Some(u), false) => {
            sql.push_str(" AND (m.whisper = ? OR (m.whisper IS NULL AND NOT m.whisper_mods))");
            args.push(Sql::Integer(u.id));
        }
        (None, _) => sql.push_str(" AND m.whisper IS NULL AND NOT m.whisper_mods"),
    }
    match what {
        Fetch::Since { .. } => sql.push_str(" ORDER BY m.seqno ASC LIMIT ?"),
        Fetch::Single(_) => sql.push_str(" LIMIT ?"),
        Fetch::Before(_) | Fetch::Recent => sql.push_str(" ORDER BY m.id DESC LIMIT ?"),
    }
    args.push(Sql::Integer(limit));

    let since = match what {
        Fetch::Since { seqno, .. } => Some(seqno),
        _ => None,
    };
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(args))?;
    let mut out: Vec<Map<String, Value>> = Vec::new();
    let mut live_ids = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let seqno: i64 = r.get(4)?;
        let seqno_data: i64 = r.get(5)?;
        let seqno_reactions: i64 = r.get(6)?;
        if let Some(n) = since
            && n > 0
            && seqno_reactions > n
            && n >= seqno_data
        {
            // Reaction-only change: the client already has this version of the data.
            let mut m = Map::new();
            m.insert("id".into(), id.into());
            m.insert("seqno".into(), seqno.into());
            out.push(m);
            live_ids.push(id);
            continue;
        }
        let data: Option<Vec<u8>> = r.get(7)?;
        let mut m = Map::new();
        m.insert("id".into(), id.into());
        m.insert("session_id".into(), r.get::<_, String>(1)?.into());
        m.insert("posted".into(), r.get::<_, f64>(2)?.into());
        m.insert("seqno".into(), seqno.into());
        match data {
            None => {
                m.insert("data".into(), Value::Null);
                m.insert("deleted".into(), true.into());
            }
            Some(d) => {
                let sig: Vec<u8> = r.get::<_, Option<Vec<u8>>>(8)?.unwrap_or_default();
                m.insert("data".into(), encode_base64(&d).into());
                m.insert("signature".into(), encode_base64(&sig).into());
                live_ids.push(id);
            }
        }
        if let Some(e) = r.get::<_, Option<f64>>(3)? {
            m.insert("edited".into(), e.into());
        }
        let whisper_mods: bool = r.get(9)?;
        let whisper_to: Option<String> = r.get(10)?;
        if whisper_to.is_some() || whisper_mods {
            m.insert("whisper".into(), true.into());
            m.insert("whisper_mods".into(), whisper_mods.into());
            if let Some(w) = whisper_to {
                m.insert("whisper_to".into(), w.into());
            }
        }
        out.push(m);
    }
    drop(rows);
    let mut reacts = reaction::for_messages(conn, &live_ids, user, reactor_limit)?;
    Ok(out
        .into_iter()
        .map(|mut m| {
            let id = m.get("id").and_then(Value::as_i64).unwrap_or_default();
            let deleted = m.get("deleted").is_some();
            if !deleted {
                let r = reacts.remove(&id).unwrap_or_default();
                m.insert("reactions".into(), Value::Object(r));
            }
            Value::Object(m)
        })
        .collect())
}

/// A new post, as inserted.
#[derive(Debug)]
pub(crate) struct NewPost<'a> {
    pub(crate) room: i64,
    pub(crate) user: &'a User,
    pub(crate) data: &'a [u8],
    pub(crate) signature: &'a [u8],
    pub(crate) whisper_to: Option<&'a User>,
    pub(crate) whisper_mods: bool,
    pub(crate) now: f64,
}

/// Inserts a post and returns its message object (`add_post`'s return value).
pub(crate) fn insert(tx: &Connection, p: &NewPost<'_>) -> rusqlite::Result<(i64, Value)> {
    let seq = bump_sequence(tx, p.room)?;
    tx.prepare_cached(
        "INSERT INTO messages (room, user, posted, seqno, seqno_data, seqno_creation, data,
             signature, whisper, whisper_mods)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        p.room,
        p.user.id,
        p.now,
        seq,
        p.data,
        p.signature,
        p.whisper_to.map(|u| u.id),
        p.whisper_mods
    ])?;
    let id = tx.last_insert_rowid();
    let mut m = json!({
        "id": id,
        "session_id": p.user.session_id,
        "posted": p.now,
        "seqno": seq,
        "data": encode_base64(p.data),
        "signature": encode_base64(p.signature),
        "reactions": {},
    });
    if (p.whisper_to.is_some() || p.whisper_mods)
        && let Some(obj) = m.as_object_mut()
    {
        obj.insert("whisper".into(), true.into());
        obj.insert("whisper_mods".into(), p.whisper_mods.into());
        if let Some(w) = p.whisper_to {
            obj.insert("whisper_to".into(), w.session_id.clone().into());
        }
    }
    Ok((id, m))
}

/// Posts by `user` in `room` since `since` (the rate-limit count: every row counts, deleted
/// and filtered included).
pub(crate) fn recent_post_count(
    conn: &Connection,
    room: i64,
    user: i64,
    since: f64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM messages WHERE room = ? AND user = ? AND posted >= ?",
    )?
    .query_row(params![room, user, since], |r| r.get(0))
}

/// Author of live message `id` in `room`.
pub(crate) fn live_author(conn: &Connection, room: i64, id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user FROM messages WHERE id = ? AND room = ? AND data IS NOT NULL")?
        .query_row([id, room], |r| r.get(0))
        .optional()
}

/// Replaces a live message's data: the old version goes to history, and — only if the data
/// actually changed — the message takes a new seqno and its `edited` time.
pub(crate) fn replace_data(
    tx: &Connection,
    room: i64,
    id: i64,
    data: &[u8],
    signature: &[u8],
    now: f64,
) -> rusqlite::Result<()> {
    let (old_data, old_sig): (Vec<u8>, Vec<u8>) = tx
        .prepare_cached("SELECT data, signature FROM messages WHERE id = ?")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if old_data == data {
        tx.prepare_cached("UPDATE messages SET signature = ? WHERE id = ?")?
            .execute(params![signature, id])?;
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO message_history (message, replaced, data, signature) VALUES (?, ?, ?, ?)",
    )?
    .execute(params![id, now, old_data, old_sig])?;
    let seq = bump_sequence(tx, room)?;
    tx.prepare_cached(
        "UPDATE messages SET data = ?1, signature = ?2, seqno_data = ?3,
             seqno = max(?3, seqno_reactions), edited = ?4
         WHERE id = ?5",
    )?
    .execute(params![data, signature, seq, now, id])?;
    Ok(())
}

/// Deletes live messages (tombstones them): history is kept, each deletion takes a seqno and
/// sets `edited`; then the message is unpinned, its files expire now, and each of its
/// reactions is removed (one seqno each). Returns the ids actually deleted.
pub(crate) fn delete(
    tx: &Connection,
    room: i64,
    ids: &[i64],
    now: f64,
) -> rusqlite::Result<Vec<i64>> {
    let mut deleted = Vec::new();
    for &id in ids {
        let row: Option<(Vec<u8>, Vec<u8>)> = tx
            .prepare_cached(
                "SELECT data, signature FROM messages
                 WHERE id = ? AND room = ? AND data IS NOT NULL",
            )?
            .query_row([id, room], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((old_data, old_sig)) = row else {
            continue;
        };
        tx.prepare_cached(
            "INSERT INTO message_history (message, replaced, data, signature)
             VALUES (?, ?, ?, ?)",
        )?
        .execute(params![id, now, old_data, old_sig])?;
        let seq = bump_sequence(tx, room)?;
        tx.prepare_cached(
            "UPDATE messages SET data = NULL, signature = NULL, seqno_data = ?1,
                 seqno = max(?1, seqno_reactions), edited = ?2
             WHERE id = ?3",
        )?
        .execute(params![seq, now, id])?;
        super::pin::unpin_deleted(tx, room, id)?;
        tx.prepare_cached("UPDATE files SET expiry = 0.0 WHERE message = ?")?
            .execute([id])?;
        reaction::remove_all(tx, room, id, None)?;
        deleted.push(id);
    }
    Ok(deleted)
}

/// Ids of the live messages of `user` in `room`.
pub(crate) fn live_ids_of(conn: &Connection, room: i64, user: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM messages WHERE room = ? AND user = ? AND data IS NOT NULL ORDER BY id",
    )?;
    let rows = st.query_map([room, user], |r| r.get(0))?;
    rows.collect()
}

/// Whether any of `ids` was posted by someone other than `user`.
pub(crate) fn any_not_by(conn: &Connection, ids: &[i64], user: i64) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached("SELECT user FROM messages WHERE id = ?")?;
    for &id in ids {
        let author: Option<i64> = st.query_row([id], |r| r.get(0)).optional()?;
        if author.is_some_and(|a| a != user) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Attaches recent uploads to a post (`_own_files`): only files of this room, by this user,
/// not yet attached, uploaded within the last hour and still expiring. They then live for the
/// configured file lifetime (`None` = forever).
pub(crate) fn own_files(
    tx: &Connection,
    room: i64,
    msg: i64,
    files: &[i64],
    user: i64,
    now: f64,
    lifetime: Option<f64>,
) -> rusqlite::Result<()> {
    let expiry = lifetime.map(|l| now + l);
    let mut st = tx.prepare_cached(
        "UPDATE files SET message = ?, expiry = ?
         WHERE id = ? AND room = ? AND uploader = ? AND message IS NULL
             AND uploaded >= ? AND expiry IS NOT NULL",
    )?;
    for f in files {
        st.execute(params![msg, expiry, f, room, user, now - 3600.0])?;
    }
    Ok(())
}
