//! Pinned messages (spec/sogs-api.md §2.3, §2.4 lifetimes, §2.10 `info_updates`).
//!
//! Every pin, re-pin or unpin bumps the room's `info_updates`; files of a pinned message never
//! expire, and get `uploaded + lifetime` back when it is unpinned.

use rusqlite::{Connection, params};

fn bump_info(tx: &Connection, room: i64, by: usize) -> rusqlite::Result<()> {
    if by > 0 {
        tx.prepare_cached("UPDATE rooms SET info_updates = info_updates + ? WHERE id = ?")?
            .execute(params![by as i64, room])?;
    }
    Ok(())
}

/// Pins (or re-pins, moving it last) message `msg`.
pub(crate) fn pin(tx: &Connection, room: i64, msg: i64, by: i64, now: f64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO pinned_messages (room, message, pinned_by, pinned_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (room, message) DO UPDATE
             SET pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at",
    )?
    .execute(params![room, msg, by, now])?;
    bump_info(tx, room, 1)?;
    tx.prepare_cached("UPDATE files SET expiry = NULL WHERE message = ?")?
        .execute([msg])?;
    Ok(())
}

/// Unpins one message (`Some`) or all (`None`); returns how many pins were removed. Their
/// files (for a single unpin: the message's files in any case) get their normal lifetime
/// back, counted from upload (`lifetime` `None` = never expire).
pub(crate) fn unpin(
    tx: &Connection,
    room: i64,
    msg: Option<i64>,
    lifetime: Option<f64>,
) -> rusqlite::Result<usize> {
    match msg {
        Some(m) => {
            tx.prepare_cached(
                "UPDATE files SET expiry = uploaded + ? WHERE room = ? AND message = ?",
            )?
            .execute(params![lifetime, room, m])?;
        }
        None => {
            tx.prepare_cached(
                "UPDATE files SET expiry = uploaded + ?
                 WHERE message IN (SELECT message FROM pinned_messages WHERE room = ?)",
            )?
            .execute(params![lifetime, room])?;
        }
    }
    let n = tx
        .prepare_cached(
            "DELETE FROM pinned_messages WHERE room = ?1 AND (?2 IS NULL OR message = ?2)",
        )?
        .execute(params![room, msg])?;
    bump_info(tx, room, n)?;
    Ok(n)
}

/// A deleted message loses its pin (bumping `info_updates` if it was pinned).
pub(crate) fn unpin_deleted(tx: &Connection, room: i64, msg: i64) -> rusqlite::Result<()> {
    let n = tx
        .prepare_cached("DELETE FROM pinned_messages WHERE room = ? AND message = ?")?
        .execute([room, msg])?;
    bump_info(tx, room, n)
}

/// The room's current `info_updates`.
pub(crate) fn info_updates(conn: &Connection, room: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT info_updates FROM rooms WHERE id = ?")?
        .query_row([room], |r| r.get(0))
}
