//! Uploaded files (spec/sogs-api.md §2.4). Contents live in the database, so an upload is
//! committed with its row or not at all.
//!
//! Lifetimes: a new upload expires in 1 h; attaching it to a post of the same uploader within
//! that hour extends it to the configured lifetime; pinning or becoming the room image makes it
//! permanent; deleting the post expires it at once.

use rusqlite::{Connection, OptionalExtension, params};

/// Lifetime of an upload not yet attached to a post.
pub(crate) const UNATTACHED_LIFETIME: f64 = 3600.0;

/// A stored file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredFile {
    pub(crate) id: i64,
    pub(crate) room: Option<i64>,
    pub(crate) uploader: Option<i64>,
    pub(crate) uploaded: f64,
    pub(crate) expiry: Option<f64>,
    pub(crate) filename: Option<String>,
    pub(crate) content: Vec<u8>,
}

/// Stores an upload; returns its id.
pub(crate) fn insert(
    tx: &Connection,
    room: i64,
    uploader: i64,
    content: &[u8],
    filename: Option<&str>,
    now: f64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO files (room, uploader, size, uploaded, expiry, filename, content)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        room,
        uploader,
        content.len() as i64,
        now,
        now + UNATTACHED_LIFETIME,
        filename,
        content
    ])?;
    Ok(tx.last_insert_rowid())
}

/// File `id` of `room` if it exists, whatever its expiry.
pub(crate) fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoredFile>> {
    conn.prepare_cached(
        "SELECT id, room, uploader, uploaded, expiry, filename, content FROM files WHERE id = ?",
    )?
    .query_row([id], |r| {
        Ok(StoredFile {
            id: r.get(0)?,
            room: r.get(1)?,
            uploader: r.get(2)?,
            uploaded: r.get(3)?,
            expiry: r.get(4)?,
            filename: r.get(5)?,
            content: r.get(6)?,
        })
    })
    .optional()
}

/// File `id` of `room`, unless missing or expired at `now`.
pub(crate) fn live(
    conn: &Connection,
    room: i64,
    id: i64,
    now: f64,
) -> rusqlite::Result<Option<StoredFile>> {
    Ok(by_id(conn, id)?.filter(|f| f.room == Some(room) && f.expiry.is_none_or(|e| e > now)))
}

/// Makes file `id` the room image: it never expires, and the previous image expires now.
/// `false` if the file is not a file of this room.
pub(crate) fn set_room_image(tx: &Connection, room: i64, id: i64) -> rusqlite::Result<bool> {
    let Some(f) = by_id(tx, id)? else {
        return Ok(false);
    };
    if f.room != Some(room) {
        return Ok(false);
    }
    let old: Option<i64> = tx
        .prepare_cached("SELECT image FROM rooms WHERE id = ?")?
        .query_row([room], |r| r.get(0))?;
    tx.prepare_cached("UPDATE files SET expiry = NULL WHERE id = ?")?
        .execute([id])?;
    if old != Some(id) {
        if let Some(old) = old {
            tx.prepare_cached("UPDATE files SET expiry = 0.0 WHERE id = ?")?
                .execute([old])?;
        }
        tx.prepare_cached(
            "UPDATE rooms SET image = ?, info_updates = info_updates + 1 WHERE id = ?",
        )?
        .execute(params![id, room])?;
    }
    Ok(true)
}

/// Expires every file `user` uploaded to `room`, except the room image.
pub(crate) fn expire_uploads_of(tx: &Connection, room: i64, user: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE files SET expiry = 0.0 WHERE room = ?1 AND uploader = ?2
         AND id IS NOT (SELECT image FROM rooms WHERE id = ?1)",
    )?
    .execute(params![room, user])?;
    Ok(())
}
