//! Periodic work: writing buffered per-request bookkeeping, and the reference server's cleanup
//! job (`PS:sogs/cleanup.py`, every 10 s): expired files, DMs, nonces and edit history are
//! pruned, `active_users` is recomputed, and scheduled permission changes and unbans are
//! applied.

use crate::app::App;
use crate::model::moderation;

const DAY: f64 = 86_400.0;

/// Writes buffered nonces and activity times.
pub(crate) fn flush(app: &App) -> rusqlite::Result<()> {
    app.nonces.flush(&app.db)?;
    app.activity.flush(&app.db)
}

/// One run of the cleanup job.
pub(crate) fn cleanup(app: &App) -> rusqlite::Result<()> {
    flush(app)?;
    let now = app.clock.now();
    let cfg = &app.config;
    app.db.write(|tx| {
        tx.execute(
            "DELETE FROM files WHERE expiry IS NOT NULL AND expiry < ?",
            [now],
        )?;
        tx.execute(
            "UPDATE rooms SET image = NULL
             WHERE image IS NOT NULL AND image NOT IN (SELECT id FROM files)",
            [],
        )?;
        tx.execute(
            "DELETE FROM message_history WHERE replaced < ?",
            [now - cfg.messages.history_prune_days * DAY],
        )?;
        tx.execute("DELETE FROM inbox WHERE expiry < ?", [now])?;
        tx.execute(
            "DELETE FROM room_users WHERE last_active < ?",
            [now - cfg.rooms.active_prune_days * DAY],
        )?;
        tx.execute(
            "UPDATE rooms SET active_users = (
                 SELECT COUNT(*) FROM room_users WHERE room = rooms.id AND last_active >= ?)",
            [now - cfg.active_threshold_secs()],
        )?;
        tx.execute("DELETE FROM user_request_nonces WHERE expiry < ?", [now])?;
        moderation::apply_due(tx, now)?;
        Ok(())
    })
}
