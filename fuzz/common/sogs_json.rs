//! The body of the `sogs_json` fuzz target, shared with its stable smoke run in session-sogs
//! (`tests/integration/fuzz_corpus.rs`): a community server's answer (status and body) read
//! by every endpoint of the typed API, posts and DMs decoded and verified on the way. Nothing
//! may panic; every failure is a typed error.

use std::sync::OnceLock;

use session_crypto::{Identity, ServerPubkey};
use session_sogs::api::{
    AddReaction, Ban, ClearInbox, ClearReactions, DeleteAllFrom, DeleteMessage, DownloadFile,
    EditMessage, GetCapabilities, GetFuturePermissions, GetMessage, GetPermissions, GetPollInfo,
    GetRoom, GetRooms, GetUserPermissions, Inbox, InboxSince, MessagesBefore, MessagesSince,
    Outbox, OutboxSince, Pin, PostMessage, Reactors, RecentMessages, RemoveReaction,
    SchedulePermissions, SendDm, SetModerator, SetPermissions, Unban, Unpin, UnpinAll, UpdateRoom,
    UploadFile,
};
use session_sogs::{Context, Endpoint, Response};

/// The signed-in reader (DMs are decrypted for it), derived once.
fn me() -> Option<&'static Identity> {
    static ME: OnceLock<Option<Identity>> = OnceLock::new();
    ME.get_or_init(|| Identity::from_seed(&[7; 16]).ok())
        .as_ref()
}

macro_rules! parse_with_every_endpoint {
    ($cx:expr, $response:expr; $($endpoint:ty),* $(,)?) => {
        $( let _ = <$endpoint as Endpoint>::parse($cx, $response); )*
    };
}

/// The first byte picks the status (0 → 200, else 200 + the byte: 201 … 455); the rest is the
/// body, and its text is also offered as the `Date` header the client learns the clock from.
pub fn exercise(data: &[u8]) {
    let (selector, body) = data.split_first().unwrap_or((&0, &[]));
    let status = 200 + u16::from(*selector);
    let response = Response {
        status,
        headers: vec![(
            "date".to_owned(),
            String::from_utf8_lossy(body).into_owned(),
        )],
        body: body.to_vec(),
    };
    let _ = response.server_time();
    let server = ServerPubkey::from_bytes([0x42; 32]);
    let cx = Context {
        server: &server,
        identity: me(),
    };
    parse_with_every_endpoint!(&cx, &response;
        GetCapabilities, GetRooms, GetRoom, GetPollInfo, UpdateRoom,
        RecentMessages, MessagesSince, MessagesBefore, GetMessage,
        PostMessage, EditMessage, DeleteMessage, DeleteAllFrom,
        AddReaction, RemoveReaction, ClearReactions, Reactors,
        Pin, Unpin, UnpinAll, UploadFile, DownloadFile,
        SendDm, Inbox, InboxSince, Outbox, OutboxSince, ClearInbox,
        GetPermissions, GetUserPermissions, SetPermissions, GetFuturePermissions,
        SchedulePermissions, SetModerator, Ban, Unban,
    );
}
