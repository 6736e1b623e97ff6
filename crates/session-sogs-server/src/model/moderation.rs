//! Moderators, admins, bans and permission overrides, per room and global
//! (spec/sogs-api.md §2.2 permissions, §2.5, `PS:sogs/model/room.py`, `PS:sogs/model/user.py`).
//!
//! Invariants kept here rather than in triggers: an admin is always a moderator; a ban clears
//! moderator and admin; an override row with nothing in it is deleted; any change to a room's
//! moderator/admin set bumps its `info_updates`, and any change to a global moderator (or its
//! visibility) bumps every room's.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::room::{Override, override_of};

/// Writes `new` as the override of `user` in `room` (deleting it when empty), bumping the
/// room's `info_updates` when the moderator/admin standing changed.
fn store_override(
    tx: &Connection,
    room: i64,
    user: i64,
    old: Option<Override>,
    mut new: Override,
) -> rusqlite::Result<()> {
    if new.admin {
        new.moderator = true;
    }
    let was = old.map_or((false, false), |o| (o.moderator, o.admin));
    let empty = !new.banned
        && !new.moderator
        && !new.admin
        && new.read.is_none()
        && new.accessible.is_none()
        && new.write.is_none()
        && new.upload.is_none();
    if empty {
        tx.prepare_cached("DELETE FROM user_permission_overrides WHERE room = ? AND user = ?")?
            .execute([room, user])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO user_permission_overrides
                 (room, user, banned, read, accessible, write, upload, moderator, admin, visible_mod)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (room, user) DO UPDATE SET
                 banned = excluded.banned, read = excluded.read,
                 accessible = excluded.accessible, write = excluded.write,
                 upload = excluded.upload, moderator = excluded.moderator,
                 admin = excluded.admin, visible_mod = excluded.visible_mod",
        )?
        .execute(params![
            room,
            user,
            new.banned,
            new.read,
            new.accessible,
            new.write,
            new.upload,
            new.moderator,
            new.admin,
            new.visible_mod
        ])?;
    }
    if was != (new.moderator, new.admin) {
        tx.prepare_cached("UPDATE rooms SET info_updates = info_updates + 1 WHERE id = ?")?
            .execute([room])?;
    }
    if new.banned && old.is_none_or(|o| !o.banned) {
        tx.prepare_cached("DELETE FROM room_users WHERE room = ? AND user = ?")?
            .execute([room, user])?;
    }
    Ok(())
}

fn current(
    tx: &Connection,
    room: i64,
    user: i64,
) -> rusqlite::Result<(Option<Override>, Override)> {
    let old = override_of(tx, room, user)?;
    let base = old.unwrap_or(Override {
        visible_mod: true,
        ..Override::default()
    });
    Ok((old, base))
}

/// Makes `user` a room moderator (`admin: Some(true)` admin, `Some(false)` explicitly not
/// admin, `None` admin status unchanged), with the given visibility.
pub(crate) fn set_room_moderator(
    tx: &Connection,
    room: i64,
    user: i64,
    admin: Option<bool>,
    visible: bool,
) -> rusqlite::Result<()> {
    let (old, mut o) = current(tx, room, user)?;
    o.moderator = true;
    o.banned = false;
    if let Some(a) = admin {
        o.admin = a;
    }
    o.visible_mod = visible;
    store_override(tx, room, user, old, o)
}

/// Removes room admin (`admin_only`) or both moderator and admin.
pub(crate) fn remove_room_moderator(
    tx: &Connection,
    room: i64,
    user: i64,
    admin_only: bool,
) -> rusqlite::Result<()> {
    let Some(mut o) = override_of(tx, room, user)? else {
        return Ok(());
    };
    let old = Some(o);
    o.admin = false;
    if !admin_only {
        o.moderator = false;
        o.visible_mod = true;
    }
    store_override(tx, room, user, old, o)
}

/// Bans `user` from `room`; a truthy `timeout` schedules the unban (replacing any schedule).
pub(crate) fn ban_in_room(
    tx: &Connection,
    room: i64,
    user: i64,
    timeout: Option<f64>,
    now: f64,
) -> rusqlite::Result<()> {
    let (old, mut o) = current(tx, room, user)?;
    o.banned = true;
    o.moderator = false;
    o.admin = false;
    store_override(tx, room, user, old, o)?;
    tx.prepare_cached("DELETE FROM user_ban_futures WHERE room = ? AND user = ?")?
        .execute([room, user])?;
    if let Some(t) = timeout.filter(|t| *t != 0.0) {
        tx.prepare_cached(
            "INSERT INTO user_ban_futures (room, user, at, banned) VALUES (?, ?, ?, 0)",
        )?
        .execute(params![room, user, now + t])?;
    }
    Ok(())
}

/// Lifts a room ban; `true` if there was one.
pub(crate) fn unban_in_room(tx: &Connection, room: i64, user: i64) -> rusqlite::Result<bool> {
    let Some(mut o) = override_of(tx, room, user)?.filter(|o| o.banned) else {
        return Ok(false);
    };
    let old = Some(o);
    o.banned = false;
    store_override(tx, room, user, old, o)?;
    Ok(true)
}

/// Sets or clears (`None`) individual permission overrides: `(name, value)` with name one of
/// `read`, `accessible`, `write`, `upload`.
pub(crate) fn set_permissions(
    tx: &Connection,
    room: i64,
    user: i64,
    perms: &[(&str, Option<bool>)],
) -> rusqlite::Result<()> {
    let (old, mut o) = current(tx, room, user)?;
    for (name, v) in perms {
        match *name {
            "read" => o.read = *v,
            "accessible" => o.accessible = *v,
            "write" => o.write = *v,
            "upload" => o.upload = *v,
            _ => {}
        }
    }
    store_override(tx, room, user, old, o)
}

/// The override flags of one user as the reference's `user_permissions` dict: every non-null
/// column as a bool.
pub(crate) fn override_flags(o: &Override) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("banned".into(), o.banned.into());
    for (k, v) in [
        ("read", o.read),
        ("accessible", o.accessible),
        ("write", o.write),
        ("upload", o.upload),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), v.into());
        }
    }
    m.insert("moderator".into(), o.moderator.into());
    m.insert("admin".into(), o.admin.into());
    m.insert("visible_mod".into(), o.visible_mod.into());
    m
}

/// `addExtraPermInfo`: one of `moderator`/`admin`, `hidden` for hidden mods, `banned` only
/// when true, no `visible_mod`.
pub(crate) fn simplify_flags(mut m: Map<String, Value>) -> Map<String, Value> {
    let visible = m
        .remove("visible_mod")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let is = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_bool) == Some(true);
    if is(&m, "moderator") {
        if !visible {
            m.insert("hidden".into(), true.into());
        }
        let drop = if is(&m, "admin") {
            "moderator"
        } else {
            "admin"
        };
        m.remove(drop);
    } else {
        m.remove("moderator");
        m.remove("admin");
    }
    if !is(&m, "banned") {
        m.remove("banned");
    }
    m
}

/// All override rows of a room: `(session_id, override)`.
pub(crate) fn room_overrides(
    conn: &Connection,
    room: i64,
) -> rusqlite::Result<Vec<(String, Override)>> {
    let mut st = conn.prepare_cached(
        "SELECT u.session_id, o.banned, o.read, o.accessible, o.write, o.upload, o.moderator,
             o.admin, o.visible_mod
         FROM user_permission_overrides o JOIN users u ON u.id = o.user WHERE o.room = ?",
    )?;
    let rows = st.query_map([room], |r| {
        Ok((
            r.get(0)?,
            Override {
                banned: r.get(1)?,
                read: r.get(2)?,
                accessible: r.get(3)?,
                write: r.get(4)?,
                upload: r.get(5)?,
                moderator: r.get(6)?,
                admin: r.get(7)?,
                visible_mod: r.get(8)?,
            },
        ))
    })?;
    rows.collect()
}

/// Clears scheduled changes of the named permissions for `user` in `room`.
pub(crate) fn clear_futures(
    tx: &Connection,
    room: i64,
    user: i64,
    read: bool,
    write: bool,
    upload: bool,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE user_permission_futures SET
             read = CASE WHEN ?3 THEN NULL ELSE read END,
             write = CASE WHEN ?4 THEN NULL ELSE write END,
             upload = CASE WHEN ?5 THEN NULL ELSE upload END
         WHERE room = ?1 AND user = ?2",
    )?
    .execute(params![room, user, read, write, upload])?;
    tx.prepare_cached(
        "DELETE FROM user_permission_futures WHERE room = ? AND user = ?
         AND read IS NULL AND write IS NULL AND upload IS NULL",
    )?
    .execute([room, user])?;
    Ok(())
}

/// Schedules a permission change at `at`.
pub(crate) fn add_future(
    tx: &Connection,
    room: i64,
    user: i64,
    at: f64,
    read: Option<bool>,
    write: Option<bool>,
    upload: Option<bool>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO user_permission_futures (room, user, at, read, write, upload)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![room, user, at, read, write, upload])?;
    Ok(())
}

/// Scheduled changes (permissions and bans) in `room`, optionally for one user, sorted by
/// time: `[{session_id?, at, read?, write?, upload?, banned?}]`.
pub(crate) fn futures(
    conn: &Connection,
    room: i64,
    user: Option<i64>,
) -> rusqlite::Result<Vec<Value>> {
    let mut st = conn.prepare_cached(
        "SELECT u.session_id, f.at, f.read, f.write, f.upload, f.banned FROM (
             SELECT user, at, read, write, upload, NULL AS banned
             FROM user_permission_futures WHERE room = ?1
             UNION ALL
             SELECT user, at, NULL, NULL, NULL, banned FROM user_ban_futures WHERE room = ?1
         ) f JOIN users u ON u.id = f.user
         WHERE ?2 IS NULL OR f.user = ?2 ORDER BY f.at",
    )?;
    let with_id = user.is_none();
    let rows = st.query_map(params![room, user], |r| {
        let mut m = Map::new();
        if with_id {
            m.insert("session_id".into(), r.get::<_, String>(0)?.into());
        }
        m.insert("at".into(), r.get::<_, f64>(1)?.into());
        for (i, k) in [(2, "read"), (3, "write"), (4, "upload"), (5, "banned")] {
            if let Some(v) = r.get::<_, Option<bool>>(i)? {
                m.insert(k.into(), v.into());
            }
        }
        Ok(Value::Object(m))
    })?;
    rows.collect()
}

fn bump_all_rooms(tx: &Connection) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE rooms SET info_updates = info_updates + 1")?
        .execute([])?;
    Ok(())
}

fn global_flags(tx: &Connection, user: i64) -> rusqlite::Result<(bool, bool, bool, bool)> {
    tx.prepare_cached("SELECT banned, moderator, admin, visible_mod FROM users WHERE id = ?")?
        .query_row([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
}

fn store_global(
    tx: &Connection,
    user: i64,
    old: (bool, bool, bool, bool),
    new: (bool, bool, bool, bool),
) -> rusqlite::Result<()> {
    let (banned, moderator, admin, visible) = new;
    let moderator = moderator || admin;
    tx.prepare_cached(
        "UPDATE users SET banned = ?, moderator = ?, admin = ?, visible_mod = ? WHERE id = ?",
    )?
    .execute(params![banned, moderator, admin, visible, user])?;
    if (old.1, old.2, old.3) != (moderator, admin, visible) {
        bump_all_rooms(tx)?;
    }
    Ok(())
}

/// Makes `user` a global moderator (`admin` as for [`set_room_moderator`]).
pub(crate) fn set_global_moderator(
    tx: &Connection,
    user: i64,
    admin: Option<bool>,
    visible: bool,
) -> rusqlite::Result<()> {
    let old = global_flags(tx, user)?;
    let new = (false, true, admin.unwrap_or(old.2), visible);
    store_global(tx, user, old, new)
}

/// Removes global admin (`admin_only`) or both global moderator and admin.
pub(crate) fn remove_global_moderator(
    tx: &Connection,
    user: i64,
    admin_only: bool,
) -> rusqlite::Result<()> {
    let old = global_flags(tx, user)?;
    let new = (old.0, old.1 && admin_only, false, old.3);
    store_global(tx, user, old, new)
}

/// Bans `user` globally; a truthy `timeout` schedules the unban (replacing any schedule).
pub(crate) fn ban_global(
    tx: &Connection,
    user: i64,
    timeout: Option<f64>,
    now: f64,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE users SET banned = 1 WHERE id = ?")?
        .execute([user])?;
    tx.prepare_cached("DELETE FROM user_ban_futures WHERE room IS NULL AND user = ?")?
        .execute([user])?;
    if let Some(t) = timeout.filter(|t| *t != 0.0) {
        tx.prepare_cached(
            "INSERT INTO user_ban_futures (room, user, at, banned) VALUES (NULL, ?, ?, 0)",
        )?
        .execute(params![user, now + t])?;
    }
    Ok(())
}

/// Lifts a global ban and its schedule.
pub(crate) fn unban_global(tx: &Connection, user: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE users SET banned = 0 WHERE id = ?")?
        .execute([user])?;
    tx.prepare_cached("DELETE FROM user_ban_futures WHERE room IS NULL AND user = ?")?
        .execute([user])?;
    Ok(())
}

/// Applies scheduled permission changes and (un)bans due at `now` (the reference cleanup job's
/// `apply_permission_updates`): a scheduled value equal to the room default clears the
/// override instead of setting it. Returns how many were applied.
pub(crate) fn apply_due(tx: &Connection, now: f64) -> rusqlite::Result<usize> {
    /// (room, user, read, write, upload) of a due permission change.
    type Due = (i64, i64, Option<bool>, Option<bool>, Option<bool>);
    let due: Vec<Due> = {
        let mut st = tx.prepare_cached(
            "SELECT room, user, read, write, upload FROM user_permission_futures
             WHERE at <= ? ORDER BY at",
        )?;
        let rows = st.query_map([now], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (room, user, read, write, upload) in &due {
        let defaults: Option<(bool, bool, bool)> = tx
            .prepare_cached("SELECT read, write, upload FROM rooms WHERE id = ?")?
            .query_row([room], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ok();
        let Some((dr, dw, du)) = defaults else {
            continue;
        };
        let (old, mut o) = current(tx, *room, *user)?;
        let apply = |cur: Option<bool>, fut: Option<bool>, default: bool| match fut {
            None => cur,
            Some(v) if v == default => None,
            Some(v) => Some(v),
        };
        o.read = apply(o.read, *read, dr);
        o.write = apply(o.write, *write, dw);
        o.upload = apply(o.upload, *upload, du);
        store_override(tx, *room, *user, old, o)?;
    }
    if !due.is_empty() {
        tx.prepare_cached("DELETE FROM user_permission_futures WHERE at <= ?")?
            .execute([now])?;
    }
    let bans: Vec<(Option<i64>, i64, bool)> = {
        let mut st = tx.prepare_cached(
            "SELECT room, user, banned FROM user_ban_futures WHERE at <= ? ORDER BY at",
        )?;
        let rows = st.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (room, user, banned) in &bans {
        match room {
            None => {
                tx.prepare_cached("UPDATE users SET banned = ? WHERE id = ?")?
                    .execute(params![banned, user])?;
            }
            Some(room) => {
                let (old, mut o) = current(tx, *room, *user)?;
                o.banned = *banned;
                if *banned {
                    o.moderator = false;
                    o.admin = false;
                }
                store_override(tx, *room, *user, old, o)?;
            }
        }
    }
    if !bans.is_empty() {
        tx.prepare_cached("DELETE FROM user_ban_futures WHERE at <= ?")?
            .execute([now])?;
    }
    Ok(due.len() + bans.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_are_simplified_like_add_extra_perm_info() {
        let hidden_admin = Override {
            moderator: true,
            admin: true,
            visible_mod: false,
            read: Some(true),
            ..Override::default()
        };
        assert_eq!(
            Value::Object(simplify_flags(override_flags(&hidden_admin))),
            json!({"admin": true, "hidden": true, "read": true})
        );
        let banned = Override {
            banned: true,
            visible_mod: true,
            write: Some(false),
            ..Override::default()
        };
        assert_eq!(
            Value::Object(simplify_flags(override_flags(&banned))),
            json!({"banned": true, "write": false})
        );
        let m = Override {
            moderator: true,
            visible_mod: true,
            ..Override::default()
        };
        assert_eq!(
            Value::Object(simplify_flags(override_flags(&m))),
            json!({"moderator": true})
        );
    }
}
