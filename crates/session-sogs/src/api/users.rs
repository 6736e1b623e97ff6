//! Moderation: moderators, bans (spec §2.5).

use serde::Serialize;
use session_crypto::AccountId;

use crate::Result;
use crate::link::RoomToken;
use crate::model::RoomInfoUpdates;
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, empty, json};

/// Where a moderation call applies: some rooms, or the whole server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// These rooms (the caller needs the permission in all of them).
    Rooms(Vec<RoomToken>),
    /// Every room where the caller has the permission (`rooms: ["*"]`).
    AllMyRooms,
    /// Server-wide (global moderators / admins).
    Global,
}

#[derive(Serialize)]
struct ScopeBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    rooms: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    global: bool,
}

impl Scope {
    fn body(&self) -> ScopeBody<'_> {
        match self {
            Self::Rooms(r) => ScopeBody {
                rooms: Some(r.iter().map(RoomToken::as_str).collect()),
                global: false,
            },
            Self::AllMyRooms => ScopeBody {
                rooms: Some(vec!["*"]),
                global: false,
            },
            Self::Global => ScopeBody {
                rooms: None,
                global: true,
            },
        }
    }
}

/// `POST /user/<id>/moderator`: adds or removes moderator / admin status.
///
/// `moderator: Some(true)` adds a moderator, `admin: Some(true)` an admin,
/// `moderator: Some(false)` removes both, `admin: Some(false)` demotes an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetModerator {
    /// The user.
    pub user: AccountId,
    /// Where.
    pub scope: Scope,
    /// Moderator status.
    pub moderator: Option<bool>,
    /// Admin status.
    pub admin: Option<bool>,
    /// Whether the moderator is listed publicly (default: yes for rooms, no for global).
    pub visible: Option<bool>,
}

#[derive(Serialize)]
struct ModeratorBody<'a> {
    #[serde(flatten)]
    scope: ScopeBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moderator: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visible: Option<bool>,
}

impl Endpoint for SetModerator {
    type Output = RoomInfoUpdates;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/user/{}/moderator", self.user)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&ModeratorBody {
            scope: self.scope.body(),
            moderator: self.moderator,
            admin: self.admin,
            visible: self.visible,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<RoomInfoUpdates> {
        json("POST /user/ID/moderator", response)
    }
}

/// `POST /user/<id>/ban`: bans a user, for `timeout` seconds or for ever. Banning does not
/// delete posts; combine with [`DeleteAllFrom`](super::DeleteAllFrom) in a `/sequence`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ban {
    /// The user.
    pub user: AccountId,
    /// Where.
    pub scope: Scope,
    /// Seconds until the ban lifts; `None` is permanent.
    pub timeout: Option<f64>,
}

#[derive(Serialize)]
struct BanBody<'a> {
    #[serde(flatten)]
    scope: ScopeBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<f64>,
}

impl Endpoint for Ban {
    type Output = ();
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/user/{}/ban", self.user)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&BanBody {
            scope: self.scope.body(),
            timeout: self.timeout,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<()> {
        empty(response)
    }
}

/// `POST /user/<id>/unban`: lifts a ban (room and global bans are independent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unban {
    /// The user.
    pub user: AccountId,
    /// Where.
    pub scope: Scope,
}

impl Endpoint for Unban {
    type Output = ();
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/user/{}/unban", self.user)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&self.scope.body())
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<()> {
        empty(response)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const ID: &str = "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c";

    #[test]
    fn bodies_follow_the_spec() {
        let ban = Ban {
            user: ID.parse().unwrap(),
            scope: Scope::Rooms(vec![RoomToken::new("lobby").unwrap()]),
            timeout: Some(60.0),
        };
        assert_eq!(ban.path(), format!("/user/{ID}/ban"));
        assert_eq!(
            ban.body().unwrap().bytes(),
            br#"{"rooms":["lobby"],"timeout":60.0}"#
        );
        let m = SetModerator {
            user: ID.parse().unwrap(),
            scope: Scope::Global,
            moderator: Some(true),
            admin: None,
            visible: Some(false),
        };
        assert_eq!(
            m.body().unwrap().bytes(),
            br#"{"global":true,"moderator":true,"visible":false}"#
        );
        let u = Unban {
            user: ID.parse().unwrap(),
            scope: Scope::AllMyRooms,
        };
        assert_eq!(u.body().unwrap().bytes(), br#"{"rooms":["*"]}"#);
    }
}
