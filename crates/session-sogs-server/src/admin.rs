//! Operator commands on an opened server: rooms and moderators, the equivalent of the
//! reference server's `python -m sogs --add-room/--add-moderators/…` (used by the `session
//! sogs room|mod` commands and the test harness). These act directly on the database, with
//! operator authority: no request signature, no permission checks.

use std::fmt;
use std::str::FromStr;

use rusqlite::params;

use crate::error::{Error, Result};
use crate::model::{moderation, room, user};
use crate::server::Server;

/// The default permissions of a room, spelled as the reference server's `--add-perms`
/// letters: `r` read, `w` write, `u` upload, `a` accessible.
///
/// ```
/// use session_sogs_server::RoomPermissions;
/// let p: RoomPermissions = "rwua".parse()?;
/// assert_eq!(p, RoomPermissions::default());
/// let read_only: RoomPermissions = "r".parse()?;
/// assert!(read_only.read && !read_only.write);
/// assert_eq!(read_only.to_string(), "r");
/// # Ok::<(), session_sogs_server::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomPermissions {
    /// Anyone may read messages.
    pub read: bool,
    /// Anyone may post.
    pub write: bool,
    /// Anyone may upload files (needs `write` too).
    pub upload: bool,
    /// Anyone may see the room's details even without `read`.
    pub accessible: bool,
}

impl Default for RoomPermissions {
    /// `rwua`: an open room.
    fn default() -> Self {
        Self {
            read: true,
            write: true,
            upload: true,
            accessible: true,
        }
    }
}

impl FromStr for RoomPermissions {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let mut p = Self {
            read: false,
            write: false,
            upload: false,
            accessible: false,
        };
        for c in s.chars() {
            match c {
                'r' => p.read = true,
                'w' => p.write = true,
                'u' => p.upload = true,
                'a' => p.accessible = true,
                _ => return Err(Error::InvalidPermissions(s.to_owned())),
            }
        }
        Ok(p)
    }
}

impl fmt::Display for RoomPermissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, c) in [
            (self.read, 'r'),
            (self.write, 'w'),
            (self.upload, 'u'),
            (self.accessible, 'a'),
        ] {
            if on {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// A room as the operator sees it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct RoomSummary {
    /// The room token (the last path segment of its join link).
    pub token: String,
    /// Display name.
    pub name: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Default permissions.
    #[serde(serialize_with = "display")]
    pub permissions: RoomPermissions,
    /// Users active within the activity window (recomputed every 10 s while serving).
    pub active_users: i64,
    /// Live (non-deleted) messages.
    pub messages: i64,
    /// The room's message sequence counter.
    pub message_sequence: i64,
}

fn display<S: serde::Serializer>(
    v: &RoomPermissions,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Where a moderator acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModScope {
    /// One room, by token.
    Room(String),
    /// Every room (a global moderator).
    Global,
}

fn check_id(id: &str) -> Result<String> {
    let id = id.to_ascii_lowercase();
    id.parse::<session_crypto::AccountId>()
        .map_err(|e| Error::InvalidId {
            id: id.clone(),
            reason: e.to_string(),
        })?;
    Ok(id)
}

impl Server {
    /// Creates a room. `name` defaults to the token.
    pub fn add_room(
        &self,
        token: &str,
        name: Option<&str>,
        description: Option<&str>,
        permissions: RoomPermissions,
    ) -> Result<RoomSummary> {
        if !room::valid_token(token) {
            return Err(Error::InvalidToken(token.to_owned()));
        }
        let app = self.app();
        let now = app.clock.now();
        let created = app.db.write(|tx| {
            if room::by_token(tx, token)?.is_some() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO rooms (token, name, description, created, read, accessible, write,
                     upload)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    token,
                    name.unwrap_or(token),
                    description.filter(|d| !d.is_empty()),
                    now,
                    permissions.read,
                    permissions.accessible,
                    permissions.write,
                    permissions.upload
                ],
            )?;
            Ok::<_, rusqlite::Error>(true)
        })?;
        if !created {
            return Err(Error::RoomExists(token.to_owned()));
        }
        self.room(token)
    }

    /// One room by token (case-insensitive).
    pub fn room(&self, token: &str) -> Result<RoomSummary> {
        self.rooms()?
            .into_iter()
            .find(|r| r.token.eq_ignore_ascii_case(token))
            .ok_or_else(|| Error::NoSuchRoom(token.to_owned()))
    }

    /// Every room, sorted by token.
    pub fn rooms(&self) -> Result<Vec<RoomSummary>> {
        let app = self.app();
        Ok(app.db.read(|c| {
            let mut out = Vec::new();
            for r in room::all(c)? {
                let messages: i64 = c.query_row(
                    "SELECT COUNT(*) FROM messages WHERE room = ? AND data IS NOT NULL",
                    [r.id],
                    |row| row.get(0),
                )?;
                out.push(RoomSummary {
                    token: r.token,
                    name: r.name,
                    description: r.description,
                    permissions: RoomPermissions {
                        read: r.default_read,
                        write: r.default_write,
                        upload: r.default_upload,
                        accessible: r.default_accessible,
                    },
                    active_users: r.active_users,
                    messages,
                    message_sequence: r.message_sequence,
                });
            }
            Ok::<_, rusqlite::Error>(out)
        })?)
    }

    /// Deletes a room with all its messages, reactions, pins and files. Irreversible.
    pub fn delete_room(&self, token: &str) -> Result<()> {
        let n = self
            .app()
            .db
            .write(|tx| tx.execute("DELETE FROM rooms WHERE token = ?", [token]))?;
        if n == 0 {
            return Err(Error::NoSuchRoom(token.to_owned()));
        }
        Ok(())
    }

    /// Makes `id` (`05…`, `15…` or `25…`) a moderator — or an admin — of a room or of every
    /// room. A `05` id on a server that requires blinding applies to the user's blinded id once
    /// they first connect (spec/sogs-api.md §1.4). Hidden moderators are not listed publicly.
    pub fn add_moderator(
        &self,
        id: &str,
        scope: &ModScope,
        admin: bool,
        visible: bool,
    ) -> Result<()> {
        let id = check_id(id)?;
        let app = self.app();
        let now = app.clock.now();
        app.db.write(|tx| {
            let u = user::resolve_target(tx, &id, now, &app.policy)?;
            match scope {
                ModScope::Room(token) => {
                    let r = room::by_token(tx, token)?
                        .ok_or_else(|| Error::NoSuchRoom(token.clone()))?;
                    moderation::set_room_moderator(tx, r.id, u.id, Some(admin), visible)?;
                }
                ModScope::Global => {
                    moderation::set_global_moderator(tx, u.id, Some(admin), visible)?;
                }
            }
            Ok(())
        })
    }

    /// Removes moderator and admin status of `id` (`admin_only`: only admin, leaving a plain
    /// moderator).
    pub fn remove_moderator(&self, id: &str, scope: &ModScope, admin_only: bool) -> Result<()> {
        let id = check_id(id)?;
        let app = self.app();
        let now = app.clock.now();
        app.db.write(|tx| {
            let u = user::resolve_target(tx, &id, now, &app.policy)?;
            match scope {
                ModScope::Room(token) => {
                    let r = room::by_token(tx, token)?
                        .ok_or_else(|| Error::NoSuchRoom(token.clone()))?;
                    moderation::remove_room_moderator(tx, r.id, u.id, admin_only)?;
                }
                ModScope::Global => {
                    moderation::remove_global_moderator(tx, u.id, admin_only)?;
                }
            }
            Ok(())
        })
    }

    /// Bans `id` from a room or globally, for `timeout_secs` or for ever.
    pub fn ban(&self, id: &str, scope: &ModScope, timeout_secs: Option<f64>) -> Result<()> {
        let id = check_id(id)?;
        let app = self.app();
        let now = app.clock.now();
        app.db.write(|tx| {
            let u = user::resolve_target(tx, &id, now, &app.policy)?;
            match scope {
                ModScope::Room(token) => {
                    let r = room::by_token(tx, token)?
                        .ok_or_else(|| Error::NoSuchRoom(token.clone()))?;
                    moderation::ban_in_room(tx, r.id, u.id, timeout_secs, now)?;
                }
                ModScope::Global => moderation::ban_global(tx, u.id, timeout_secs, now)?,
            }
            Ok(())
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn permission_letters_round_trip() {
        for s in ["", "r", "rw", "rwua", "ra", "wu"] {
            let p: RoomPermissions = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        assert!(matches!(
            "rx".parse::<RoomPermissions>(),
            Err(Error::InvalidPermissions(_))
        ));
    }
}
