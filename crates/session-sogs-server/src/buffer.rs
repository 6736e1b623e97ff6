//! Per-request bookkeeping that the reference server writes on every request — the request
//! nonce, the user's `last_active`, room activity — buffered in memory and written in batches
//! by the maintenance thread, so that polls never wait for the database writer.
//!
//! Nonces are checked against both the buffer and the database; a nonce enters the buffer
//! before the signature is checked (spec §1.5: a badly signed request burns its nonce) and
//! leaves it only after its batch has been committed, so no window exists in which a reused
//! nonce is missed. A crash loses at most the last batch (< 1 s) of nonces and activity times;
//! acknowledged posts are never buffered.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{OptionalExtension, params};

use crate::db::Db;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Nonces not yet committed, with their user and expiry.
#[derive(Debug, Default)]
pub(crate) struct NonceBuffer {
    pending: Mutex<HashMap<[u8; 16], (i64, f64)>>,
}

impl NonceBuffer {
    /// Records `nonce` for `user`; `false` if it was already used (buffered or stored).
    pub(crate) fn claim(
        &self,
        db: &Db,
        nonce: [u8; 16],
        user: i64,
        expiry: f64,
    ) -> rusqlite::Result<bool> {
        {
            let mut p = lock(&self.pending);
            if p.contains_key(&nonce) {
                return Ok(false);
            }
            p.insert(nonce, (user, expiry));
        }
        let stored = db.read(|c| {
            c.prepare_cached("SELECT 1 FROM user_request_nonces WHERE nonce = ?")?
                .query_row([&nonce[..]], |_| Ok(()))
                .optional()
        })?;
        Ok(stored.is_none())
    }

    /// Commits the buffered nonces, then forgets them (they are found in the database).
    pub(crate) fn flush(&self, db: &Db) -> rusqlite::Result<usize> {
        let batch: Vec<([u8; 16], (i64, f64))> =
            lock(&self.pending).iter().map(|(k, v)| (*k, *v)).collect();
        if batch.is_empty() {
            return Ok(0);
        }
        db.write(|tx| {
            let mut st = tx.prepare_cached(
                "INSERT INTO user_request_nonces (nonce, user, expiry) VALUES (?, ?, ?)
                 ON CONFLICT DO NOTHING",
            )?;
            for (nonce, (user, expiry)) in &batch {
                st.execute(params![&nonce[..], user, expiry])?;
            }
            Ok::<_, rusqlite::Error>(())
        })?;
        let mut p = lock(&self.pending);
        for (nonce, _) in &batch {
            p.remove(nonce);
        }
        Ok(batch.len())
    }
}

/// Latest activity times not yet written.
#[derive(Debug, Default)]
pub(crate) struct ActivityBuffer {
    users: Mutex<HashMap<i64, f64>>,
    rooms: Mutex<HashMap<(i64, i64), f64>>,
}

impl ActivityBuffer {
    /// The user made an authenticated request at `now` (`User.touch`).
    pub(crate) fn touch_user(&self, user: i64, now: f64) {
        lock(&self.users).insert(user, now);
    }

    /// The user polled `room` at `now` (`update_room_activity`).
    pub(crate) fn touch_room(&self, room: i64, user: i64, now: f64) {
        lock(&self.rooms).insert((room, user), now);
    }

    /// Writes the buffered times.
    pub(crate) fn flush(&self, db: &Db) -> rusqlite::Result<()> {
        let users = std::mem::take(&mut *lock(&self.users));
        let rooms = std::mem::take(&mut *lock(&self.rooms));
        if users.is_empty() && rooms.is_empty() {
            return Ok(());
        }
        db.write(|tx| {
            let mut st = tx.prepare_cached(
                "UPDATE users SET last_active = max(last_active, ?) WHERE id = ?",
            )?;
            for (user, at) in &users {
                st.execute(params![at, user])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO room_users (room, user, last_active)
                 SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?1)
                 ON CONFLICT (room, user) DO UPDATE SET last_active = excluded.last_active",
            )?;
            for ((room, user), at) in &rooms {
                st.execute(params![room, user, at])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::Durability;

    #[test]
    fn a_nonce_is_refused_before_and_after_its_batch_is_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("n.db"), Durability::Normal).unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO users (id, session_id, created, last_active) VALUES (1, 'x', 0, 0)",
                [],
            )
        })
        .unwrap();
        let buf = NonceBuffer::default();
        assert!(buf.claim(&db, [1; 16], 1, 10.0).unwrap());
        assert!(!buf.claim(&db, [1; 16], 1, 10.0).unwrap());
        assert_eq!(buf.flush(&db).unwrap(), 1);
        assert!(!buf.claim(&db, [1; 16], 1, 10.0).unwrap());
        assert!(buf.claim(&db, [2; 16], 1, 10.0).unwrap());
    }
}
