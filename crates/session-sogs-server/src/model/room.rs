//! Rooms, effective permissions and the room object clients poll (spec/sogs-api.md §2.2).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{Map, Value, json};

use super::user::User;

/// A room row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Room {
    pub(crate) id: i64,
    pub(crate) token: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) image: Option<i64>,
    pub(crate) created: f64,
    pub(crate) message_sequence: i64,
    pub(crate) info_updates: i64,
    pub(crate) active_users: i64,
    pub(crate) default_read: bool,
    pub(crate) default_accessible: bool,
    pub(crate) default_write: bool,
    pub(crate) default_upload: bool,
}

const COLS: &str = "id, token, name, description, image, created, message_sequence, \
                    info_updates, active_users, read, accessible, write, upload";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Room> {
    Ok(Room {
        id: r.get(0)?,
        token: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        image: r.get(4)?,
        created: r.get(5)?,
        message_sequence: r.get(6)?,
        info_updates: r.get(7)?,
        active_users: r.get(8)?,
        default_read: r.get(9)?,
        default_accessible: r.get(10)?,
        default_write: r.get(11)?,
        default_upload: r.get(12)?,
    })
}

/// Whether `token` can name a room: 1–64 of `[A-Za-z0-9_-]`.
pub(crate) fn valid_token(token: &str) -> bool {
    (1..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The room with this token (case-insensitive).
pub(crate) fn by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<Room>> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM rooms WHERE token = ?"))?
        .query_row([token], from_row)
        .optional()
}

/// Every room, sorted by token.
pub(crate) fn all(conn: &Connection) -> rusqlite::Result<Vec<Room>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM rooms ORDER BY token"))?;
    let rows = st.query_map([], from_row)?;
    rows.collect()
}

/// A user's effective permissions in a room (the reference's `user_permissions` view).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Perms {
    pub(crate) banned: bool,
    pub(crate) read: bool,
    pub(crate) accessible: bool,
    pub(crate) write: bool,
    pub(crate) upload: bool,
    pub(crate) moderator: bool,
    pub(crate) admin: bool,
}

/// What a check requires (`PS:sogs/model/room.py check_permission`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Read messages.
    Read,
    /// See the room at all (read or accessible).
    Accessible,
    /// Post.
    Write,
    /// Upload (write and upload).
    Upload,
    /// Moderator (or admin).
    Moderator,
    /// Admin.
    Admin,
}

impl Perms {
    /// Whether these permissions satisfy `need`: admins pass everything, moderators every
    /// non-admin check, everyone else needs to be unbanned plus the named flag.
    pub(crate) fn allows(&self, need: Need) -> bool {
        if self.admin {
            return true;
        }
        if need == Need::Admin {
            return false;
        }
        if self.moderator {
            return true;
        }
        if need == Need::Moderator {
            return false;
        }
        !self.banned
            && match need {
                Need::Read => self.read,
                Need::Accessible => self.read || self.accessible,
                Need::Write => self.write,
                Need::Upload => self.write && self.upload,
                Need::Moderator | Need::Admin => false,
            }
    }
}

/// The raw override row of a user in a room, `None` if there is none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Override {
    pub(crate) banned: bool,
    pub(crate) read: Option<bool>,
    pub(crate) accessible: Option<bool>,
    pub(crate) write: Option<bool>,
    pub(crate) upload: Option<bool>,
    pub(crate) moderator: bool,
    pub(crate) admin: bool,
    pub(crate) visible_mod: bool,
}

/// The override row of `user` in `room`.
pub(crate) fn override_of(
    conn: &Connection,
    room: i64,
    user: i64,
) -> rusqlite::Result<Option<Override>> {
    conn.prepare_cached(
        "SELECT banned, read, accessible, write, upload, moderator, admin, visible_mod
         FROM user_permission_overrides WHERE room = ? AND user = ?",
    )?
    .query_row([room, user], |r| {
        Ok(Override {
            banned: r.get(0)?,
            read: r.get(1)?,
            accessible: r.get(2)?,
            write: r.get(3)?,
            upload: r.get(4)?,
            moderator: r.get(5)?,
            admin: r.get(6)?,
            visible_mod: r.get(7)?,
        })
    })
    .optional()
}

/// Effective permissions of `user` (or an anonymous visitor) in `room`.
pub(crate) fn perms(
    conn: &Connection,
    room: &Room,
    user: Option<&User>,
) -> rusqlite::Result<Perms> {
    let Some(user) = user else {
        return Ok(Perms {
            banned: false,
            read: room.default_read,
            accessible: room.default_accessible,
            write: room.default_write,
            upload: room.default_upload,
            moderator: false,
            admin: false,
        });
    };
    let o = override_of(conn, room.id, user.id)?.unwrap_or_default();
    let global = user.global_moderator;
    Ok(Perms {
        banned: user.banned || o.banned,
        read: global || o.read.unwrap_or(room.default_read),
        accessible: global || o.accessible.unwrap_or(room.default_accessible),
        write: global || o.write.unwrap_or(room.default_write),
        upload: global || o.upload.unwrap_or(room.default_upload),
        moderator: global || o.moderator,
        admin: user.global_admin || o.admin,
    })
}

/// The moderator lists of a room as `viewer` may see them: (visible mods, visible admins,
/// hidden mods, hidden admins), each sorted. Global moderators count in every room; a room
/// row's visibility takes precedence over the global one.
pub(crate) fn mods(
    conn: &Connection,
    room: i64,
    viewer_is_mod: bool,
) -> rusqlite::Result<[Vec<String>; 4]> {
    let mut all: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    let mut st =
        conn.prepare_cached("SELECT session_id, visible_mod, admin FROM users WHERE moderator")?;
    for row in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        let (sid, visible, admin): (String, bool, bool) = row?;
        all.insert(sid, (visible, admin));
    }
    let mut st = conn.prepare_cached(
        "SELECT u.session_id, o.visible_mod, o.admin
         FROM user_permission_overrides o JOIN users u ON u.id = o.user
         WHERE o.room = ? AND o.moderator",
    )?;
    for row in st.query_map([room], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        let (sid, visible, admin): (String, bool, bool) = row?;
        let e = all.entry(sid).or_insert((visible, admin));
        *e = (visible, e.1 || admin);
    }
    let mut out: [Vec<String>; 4] = Default::default();
    for (sid, (visible, admin)) in all {
        if !visible && !viewer_is_mod {
            continue;
        }
        let i = match (visible, admin) {
            (true, false) => 0,
            (true, true) => 1,
            (false, false) => 2,
            (false, true) => 3,
        };
        out[i].push(sid);
    }
    Ok(out)
}

/// Pinned messages `[{id, pinned_at, pinned_by}]` ordered by pin time.
pub(crate) fn pinned(conn: &Connection, room: i64) -> rusqlite::Result<Vec<Value>> {
    let mut st = conn.prepare_cached(
        "SELECT p.message, p.pinned_at, u.session_id
         FROM pinned_messages p JOIN users u ON p.pinned_by = u.id
         WHERE p.room = ? ORDER BY p.pinned_at, p.message",
    )?;
    let rows = st.query_map([room], |r| {
        let (id, at, by): (i64, f64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        Ok(json!({"id": id, "pinned_at": at, "pinned_by": by}))
    })?;
    rows.collect()
}

/// The fields every view of the caller's own standing adds (room info and pollInfo):
/// `moderator` + `default_*` for mods, `admin`, `global_moderator`, `global_admin`.
pub(crate) fn add_caller_flags(
    m: &mut Map<String, Value>,
    room: &Room,
    p: &Perms,
    user: Option<&User>,
) {
    if p.allows(Need::Moderator) {
        m.insert("moderator".into(), true.into());
        m.insert("default_read".into(), room.default_read.into());
        m.insert("default_accessible".into(), room.default_accessible.into());
        m.insert("default_write".into(), room.default_write.into());
        m.insert("default_upload".into(), room.default_upload.into());
    }
    if p.allows(Need::Admin) {
        m.insert("admin".into(), true.into());
    }
    if let Some(u) = user {
        if u.global_moderator {
            m.insert("global_moderator".into(), true.into());
        }
        if u.global_admin {
            m.insert("global_admin".into(), true.into());
        }
    }
}

/// The room object of `GET /room/R` (`get_room_info`), as `user` sees it.
pub(crate) fn info(
    conn: &Connection,
    room: &Room,
    p: &Perms,
    user: Option<&User>,
    active_users_cutoff: i64,
) -> rusqlite::Result<Value> {
    let [m, a, hm, ha] = mods(conn, room.id, p.allows(Need::Moderator))?;
    let mut r = Map::new();
    r.insert("token".into(), room.token.clone().into());
    r.insert("name".into(), room.name.clone().into());
    r.insert("info_updates".into(), room.info_updates.into());
    r.insert("message_sequence".into(), room.message_sequence.into());
    r.insert("created".into(), room.created.into());
    r.insert("active_users".into(), room.active_users.into());
    r.insert("active_users_cutoff".into(), active_users_cutoff.into());
    r.insert("moderators".into(), m.into());
    r.insert("admins".into(), a.into());
    r.insert("read".into(), p.allows(Need::Read).into());
    r.insert("write".into(), p.allows(Need::Write).into());
    r.insert("upload".into(), p.allows(Need::Upload).into());
    if let Some(d) = &room.description {
        r.insert("description".into(), d.clone().into());
    }
    if let Some(img) = room.image {
        r.insert("image_id".into(), img.into());
    }
    let pins = pinned(conn, room.id)?;
    if !pins.is_empty() {
        r.insert("pinned_messages".into(), pins.into());
    }
    if !hm.is_empty() {
        r.insert("hidden_moderators".into(), hm.into());
    }
    if !ha.is_empty() {
        r.insert("hidden_admins".into(), ha.into());
    }
    add_caller_flags(&mut r, room, p, user);
    Ok(Value::Object(r))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn perms(banned: bool, read: bool, accessible: bool, write: bool, upload: bool) -> Perms {
        Perms {
            banned,
            read,
            accessible,
            write,
            upload,
            moderator: false,
            admin: false,
        }
    }

    #[test]
    fn permission_checks_follow_the_reference_rules() {
        let p = perms(false, false, true, false, true);
        assert!(p.allows(Need::Accessible));
        assert!(!p.allows(Need::Read));
        assert!(!p.allows(Need::Upload), "upload needs write too");
        let banned = perms(true, true, true, true, true);
        assert!(!banned.allows(Need::Read));
        assert!(!banned.allows(Need::Accessible));
        let mut m = perms(true, false, false, false, false);
        m.moderator = true;
        assert!(
            m.allows(Need::Write),
            "moderators pass every non-admin check"
        );
        assert!(!m.allows(Need::Admin));
        let a = Perms {
            admin: true,
            ..Perms::default()
        };
        assert!(a.allows(Need::Admin) && a.allows(Need::Moderator));
    }

    #[test]
    fn tokens_are_validated() {
        assert!(valid_token("lobby-1_X"));
        assert!(!valid_token(""));
        assert!(!valid_token(&"a".repeat(65)));
        assert!(!valid_token("café"));
        assert!(!valid_token("a b"));
    }
}
