//! Blinded direct messages: send, inbox, outbox, clear (spec §2.6).

use serde::{Deserialize, Serialize};
use session_crypto::BlindedId;

use super::with_query;
use crate::Result;
use crate::model::{DirectMessage, DmSent, RawDirectMessage};
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, decode_error, json};

/// `POST /inbox/<id15>`: sends an encrypted DM (answer **201**, without the body).
///
/// [`SogsClient::send_dm`](crate::SogsClient::send_dm) encrypts a `Content` for the recipient
/// and sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendDm {
    /// The recipient.
    pub recipient: BlindedId,
    /// Base64 of `0x00 ‖ ciphertext ‖ nonce`.
    pub message: String,
}

#[derive(Serialize)]
struct SendBody<'a> {
    message: &'a str,
}

impl Endpoint for SendDm {
    type Output = DmSent;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/inbox/{}", self.recipient)
    }
    fn body(&self) -> Result<Body> {
        Body::json(&SendBody {
            message: &self.message,
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<DmSent> {
        json("POST /inbox/ID", response)
    }
}

/// Parses a DM list: 304 (nothing newer, or bunsogs' empty inbox) is an empty list.
fn dm_list(what: &str, cx: &Context<'_>, response: &Response) -> Result<Vec<DirectMessage>> {
    if response.status == 304 {
        return Ok(Vec::new());
    }
    let raw: Vec<RawDirectMessage> = json(what, response)?;
    raw.into_iter()
        .map(|r| DirectMessage::from_raw(r, cx).map_err(|e| decode_error(what, &e)))
        .collect()
}

macro_rules! dm_endpoint {
    ($(#[$doc:meta])* $name:ident, $base:literal, since) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// Messages with ids above this one.
            pub since: i64,
            /// Page size (server default 100, at most 256).
            pub limit: Option<u16>,
        }

        impl $name {
            /// Messages after id `since`.
            pub fn new(since: i64) -> Self {
                Self { since, limit: None }
            }
        }

        impl Endpoint for $name {
            type Output = Vec<DirectMessage>;
            fn method(&self) -> Method {
                Method::Get
            }
            fn path(&self) -> String {
                with_query(
                    format!(concat!($base, "/since/{}"), self.since),
                    &[("limit", self.limit.map(|l| l.to_string()))],
                )
            }
            fn auth(&self) -> Auth {
                Auth::Required
            }
            fn parse(cx: &Context<'_>, response: &Response) -> Result<Vec<DirectMessage>> {
                dm_list(concat!("GET ", $base, "/since"), cx, response)
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, $base:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name {
            /// Page size (server default 100, at most 256).
            pub limit: Option<u16>,
        }

        impl Endpoint for $name {
            type Output = Vec<DirectMessage>;
            fn method(&self) -> Method {
                Method::Get
            }
            fn path(&self) -> String {
                with_query(
                    $base.to_owned(),
                    &[("limit", self.limit.map(|l| l.to_string()))],
                )
            }
            fn auth(&self) -> Auth {
                Auth::Required
            }
            fn parse(cx: &Context<'_>, response: &Response) -> Result<Vec<DirectMessage>> {
                dm_list(concat!("GET ", $base), cx, response)
            }
        }
    };
}

dm_endpoint!(
    /// `GET /inbox`: received DMs, oldest first, decrypted.
    Inbox,
    "/inbox"
);
dm_endpoint!(
    /// `GET /inbox/since/<id>`: received DMs newer than `since` (304 → none).
    InboxSince,
    "/inbox",
    since
);
dm_endpoint!(
    /// `GET /outbox`: sent DMs, oldest first, decrypted.
    Outbox,
    "/outbox"
);
dm_endpoint!(
    /// `GET /outbox/since/<id>`: sent DMs newer than `since` (304 → none).
    OutboxSince,
    "/outbox",
    since
);

/// `{"deleted": count}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Cleared {
    /// How many received messages were deleted.
    pub deleted: i64,
}

/// `DELETE /inbox`: deletes every received DM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClearInbox;

impl Endpoint for ClearInbox {
    type Output = Cleared;
    fn method(&self) -> Method {
        Method::Delete
    }
    fn path(&self) -> String {
        "/inbox".to_owned()
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<Cleared> {
        json("DELETE /inbox", response)
    }
}
