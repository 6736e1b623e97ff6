//! Path matching with the reference server's URL converters (`PS:sogs/routes/converters.py`):
//! `Room` (`[\w-]{1,64}`, existence checked by the caller), `int` (ASCII digits),
//! `SessionID` (`15…` only while blinding is required, else `05`/`15`), `AnySessionID`,
//! `BlindSessionID`, and `path` (the rest of the path, slashes included, not starting with `/`).
//!
//! Routing is hand-written rather than axum's because `/batch`, `/sequence` and onion requests
//! run sub-requests through the very same table, with the caller's identity already known.

/// The path shapes the server knows; the method is checked afterwards (405 when the shape
/// matches but the method does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape<'p> {
    Capabilities,
    Batch,
    Sequence,
    Rooms,
    Room(&'p str, RoomShape<'p>),
    RoomsDeleteAll(&'p str),
    UserModerator(&'p str),
    UserBan(&'p str),
    UserUnban(&'p str),
    Inbox,
    InboxSince(i64),
    InboxSend(&'p str),
    Outbox,
    OutboxSince(i64),
    OnionV4,
    OnionV3,
}

/// Shapes under `/room/<token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoomShape<'p> {
    Info,
    PollInfo(i64),
    Permissions,
    UserPermissions(&'p str),
    FuturePermissions,
    UserFuturePermissions(&'p str),
    MessagesSince(i64),
    MessagesBefore(i64),
    MessagesRecent,
    Message,
    MessageId(i64),
    Pin(i64),
    Unpin(i64),
    UnpinAll,
    Reaction(i64, &'p str),
    Reactions(i64, Option<&'p str>),
    Reactors(i64, &'p str),
    File,
    FileId(i64),
    DeleteAll(&'p str),
}

impl Shape<'_> {
    /// The methods this shape answers.
    pub(crate) fn methods(&self) -> &'static [&'static str] {
        match self {
            Self::Capabilities | Self::Rooms | Self::InboxSince(_) | Self::Outbox => &["GET"],
            Self::OutboxSince(_) => &["GET"],
            Self::Batch | Self::Sequence | Self::OnionV4 | Self::OnionV3 => &["POST"],
            Self::UserModerator(_) | Self::UserBan(_) | Self::UserUnban(_) => &["POST"],
            Self::InboxSend(_) => &["POST"],
            Self::RoomsDeleteAll(_) => &["DELETE"],
            Self::Inbox => &["GET", "DELETE"],
            Self::Room(_, r) => match r {
                RoomShape::Info => &["GET", "PUT"],
                RoomShape::UserPermissions(_) | RoomShape::UserFuturePermissions(_) => {
                    &["GET", "POST"]
                }
                RoomShape::MessageId(_) => &["GET", "PUT", "DELETE"],
                RoomShape::Message
                | RoomShape::Pin(_)
                | RoomShape::Unpin(_)
                | RoomShape::UnpinAll
                | RoomShape::File => &["POST"],
                RoomShape::Reaction(..) => &["PUT", "DELETE"],
                RoomShape::Reactions(..) | RoomShape::DeleteAll(_) => &["DELETE"],
                RoomShape::PollInfo(_)
                | RoomShape::Permissions
                | RoomShape::FuturePermissions
                | RoomShape::MessagesSince(_)
                | RoomShape::MessagesBefore(_)
                | RoomShape::MessagesRecent
                | RoomShape::Reactors(..)
                | RoomShape::FileId(_) => &["GET"],
            },
        }
    }
}

/// Which session-id converters are in force.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdRules {
    /// Blinding required: `SessionID` matches only blinded ids.
    pub(crate) require_blind: bool,
    /// `25` ids accepted wherever `15` ids are.
    pub(crate) blind25: bool,
}

impl IdRules {
    fn hex64(s: &str) -> bool {
        s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
    }

    fn prefixed(s: &str, prefixes: &[&str]) -> bool {
        s.len() == 66
            && prefixes.iter().any(|p| s.get(..2) == Some(p))
            && s.get(2..).is_some_and(Self::hex64)
    }

    /// `BlindSessionID`: `15…` (and `25…` with blind25).
    fn blind(&self, s: &str) -> bool {
        Self::prefixed(s, if self.blind25 { &["15", "25"] } else { &["15"] })
    }

    /// `AnySessionID`: `05…` or blinded.
    fn any(&self, s: &str) -> bool {
        Self::prefixed(s, &["05"]) || self.blind(s)
    }

    /// `SessionID`: blinded only while blinding is required.
    fn session(&self, s: &str) -> bool {
        if self.require_blind {
            self.blind(s)
        } else {
            self.any(s)
        }
    }
}

/// Werkzeug's `int` converter: one or more ASCII digits.
fn int(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The `Room` converter's pattern (existence is checked by the caller).
fn room_token(s: &str) -> bool {
    (1..=64).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The `path` converter: non-empty, not starting with `/`.
fn path_rest(s: &str) -> Option<&str> {
    (!s.is_empty() && !s.starts_with('/')).then_some(s)
}

/// Matches a decoded path against the route table.
pub(crate) fn route<'p>(path: &'p str, ids: IdRules) -> Option<Shape<'p>> {
    let rest = path.strip_prefix('/')?;
    let mut it = rest.splitn(2, '/');
    let first = it.next()?;
    let tail = it.next();
    match (first, tail) {
        ("capabilities", None) => Some(Shape::Capabilities),
        ("batch", None) => Some(Shape::Batch),
        ("sequence", None) => Some(Shape::Sequence),
        ("rooms", None) => Some(Shape::Rooms),
        ("rooms", Some(t)) => {
            let sid = t.strip_prefix("all/")?;
            ids.session(sid).then_some(Shape::RoomsDeleteAll(sid))
        }
        ("room", Some(t)) => room_route(t, ids),
        ("user", Some(t)) => {
            let (sid, action) = t.split_once('/')?;
            if !ids.any(sid) {
                return None;
            }
            match action {
                "moderator" => Some(Shape::UserModerator(sid)),
                "ban" => Some(Shape::UserBan(sid)),
                "unban" => Some(Shape::UserUnban(sid)),
                _ => None,
            }
        }
        ("inbox", None) => Some(Shape::Inbox),
        ("outbox", None) => Some(Shape::Outbox),
        ("inbox", Some(t)) => match t.strip_prefix("since/") {
            Some(n) => int(n).map(Shape::InboxSince),
            None => ids.blind(t).then_some(Shape::InboxSend(t)),
        },
        ("outbox", Some(t)) => int(t.strip_prefix("since/")?).map(Shape::OutboxSince),
        ("oxen", Some("v4/lsrpc")) => Some(Shape::OnionV4),
        ("oxen" | "loki", Some("v3/lsrpc")) => Some(Shape::OnionV3),
        _ => None,
    }
}

fn room_route(t: &str, ids: IdRules) -> Option<Shape<'_>> {
    let mut it = t.splitn(2, '/');
    let token = it.next()?;
    if !room_token(token) {
        return None;
    }
    let Some(rest) = it.next() else {
        return Some(Shape::Room(token, RoomShape::Info));
    };
    let (seg, tail) = match rest.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let shape = match (seg, tail) {
        ("pollInfo", Some(n)) => RoomShape::PollInfo(int(n)?),
        ("permissions", None) => RoomShape::Permissions,
        ("permissions", Some(sid)) if ids.session(sid) => RoomShape::UserPermissions(sid),
        ("futurePermissions", None) => RoomShape::FuturePermissions,
        ("futurePermissions", Some(sid)) if ids.session(sid) => {
            RoomShape::UserFuturePermissions(sid)
        }
        ("messages", Some("recent")) => RoomShape::MessagesRecent,
        ("messages", Some(t)) => match t.split_once('/')? {
            ("since", n) => RoomShape::MessagesSince(int(n)?),
            ("before", n) => RoomShape::MessagesBefore(int(n)?),
            _ => return None,
        },
        ("message", None) => RoomShape::Message,
        ("message", Some(n)) => RoomShape::MessageId(int(n)?),
        ("pin", Some(n)) => RoomShape::Pin(int(n)?),
        ("unpin", Some("all")) => RoomShape::UnpinAll,
        ("unpin", Some(n)) => RoomShape::Unpin(int(n)?),
        ("reaction", Some(t)) => {
            let (n, r) = t.split_once('/')?;
            RoomShape::Reaction(int(n)?, path_rest(r)?)
        }
        ("reactions", Some(t)) => match t.split_once('/') {
            Some((n, r)) => RoomShape::Reactions(int(n)?, Some(path_rest(r)?)),
            None => RoomShape::Reactions(int(t)?, None),
        },
        ("reactors", Some(t)) => {
            let (n, r) = t.split_once('/')?;
            RoomShape::Reactors(int(n)?, path_rest(r)?)
        }
        ("file", None) => RoomShape::File,
        ("file", Some(t)) => match t.split_once('/') {
            // `/file/<id>/<filename>`: the name is one segment and is ignored.
            Some((n, name)) if !name.is_empty() && !name.contains('/') => {
                RoomShape::FileId(int(n)?)
            }
            Some(_) => return None,
            None => RoomShape::FileId(int(t)?),
        },
        ("all", Some(sid)) if ids.session(sid) => RoomShape::DeleteAll(sid),
        _ => return None,
    };
    Some(Shape::Room(token, shape))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const BLIND: IdRules = IdRules {
        require_blind: true,
        blind25: false,
    };
    const OPEN: IdRules = IdRules {
        require_blind: false,
        blind25: false,
    };
    const ID15: &str = "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c";
    const ID05: &str = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818";

    #[test]
    fn routes_room_endpoints() {
        assert_eq!(
            route("/room/lobby/messages/since/12", BLIND),
            Some(Shape::Room("lobby", RoomShape::MessagesSince(12)))
        );
        assert_eq!(
            route("/room/lobby/reaction/3/y/n", BLIND),
            Some(Shape::Room("lobby", RoomShape::Reaction(3, "y/n")))
        );
        assert_eq!(
            route("/room/lobby/reactions/3", BLIND),
            Some(Shape::Room("lobby", RoomShape::Reactions(3, None)))
        );
        assert_eq!(
            route("/room/lobby/file/9/cat.png", BLIND),
            Some(Shape::Room("lobby", RoomShape::FileId(9)))
        );
        assert_eq!(
            route("/room/lobby/unpin/all", BLIND),
            Some(Shape::Room("lobby", RoomShape::UnpinAll))
        );
        assert_eq!(route("/room/lobby/", BLIND), None);
        assert_eq!(route("/room/lobby/messages/since/x", BLIND), None);
        assert_eq!(route("/room/lobby/reaction/3/", BLIND), None);
        assert_eq!(route("/room/lobby/reaction/3//x", BLIND), None);
        assert_eq!(route(&format!("/room/{}", "a".repeat(65)), BLIND), None);
    }

    #[test]
    fn session_id_converter_follows_the_blinding_policy() {
        let p05 = format!("/room/lobby/permissions/{ID05}");
        let p15 = format!("/room/lobby/permissions/{ID15}");
        assert_eq!(route(&p05, BLIND), None);
        assert!(route(&p15, BLIND).is_some());
        assert!(route(&p05, OPEN).is_some());
        // /user/<AnySessionID> accepts both either way.
        assert!(route(&format!("/user/{ID05}/ban"), BLIND).is_some());
        // The inbox accepts blinded ids only.
        assert_eq!(route(&format!("/inbox/{ID05}"), OPEN), None);
        assert_eq!(
            route(&format!("/inbox/{ID15}"), OPEN),
            Some(Shape::InboxSend(ID15))
        );
        let id25 = format!("25{}", &ID15[2..]);
        assert_eq!(route(&format!("/inbox/{id25}"), BLIND), None);
        let b25 = IdRules {
            require_blind: true,
            blind25: true,
        };
        assert!(route(&format!("/inbox/{id25}"), b25).is_some());
    }

    #[test]
    fn methods_per_shape() {
        assert_eq!(
            route("/room/x/message/1", BLIND).unwrap().methods(),
            &["GET", "PUT", "DELETE"]
        );
        assert_eq!(
            route("/inbox", BLIND).unwrap().methods(),
            &["GET", "DELETE"]
        );
        assert_eq!(route("/oxen/v4/lsrpc", BLIND), Some(Shape::OnionV4));
        assert_eq!(route("/loki/v3/lsrpc", BLIND), Some(Shape::OnionV3));
        assert_eq!(route("/nope", BLIND), None);
        assert_eq!(route("capabilities", BLIND), None);
    }
}
