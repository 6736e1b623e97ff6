//! Request handling, transport-independent: authenticate, route, run the endpoint, produce a
//! [`Response`]. The axum layer (`server.rs`), `/batch`/`/sequence` and the onion endpoint all
//! call [`handle`].
//!
//! As in the reference server, authentication runs before routing, so a bad signature on an
//! unknown path is a 401, not a 404.

pub(crate) mod error;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod router;

mod dm;
mod files;
mod general;
mod messages;
mod moderation;
mod onion;
mod reactions;
mod rooms;
mod users;

use crate::app::App;
use crate::model::room::{self, Need, Perms, Room};
use crate::model::user::User;
use error::{ApiError, ApiResult};
use request::Request;
use response::Response;
use router::{RoomShape, Shape};

/// How a request is authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// From its own `X-SOGS-*` headers (direct HTTP, the inside of an onion request).
    Headers,
    /// Inherited from an enclosing `/batch` or `/sequence` (its headers are ignored).
    Inherit(Option<User>),
}

/// Deepest nesting of `/batch` inside `/batch` (or onion inside batch) that is served.
const MAX_DEPTH: u8 = 8;

/// The context of one request.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) req: &'a Request,
    pub(crate) user: Option<User>,
    pub(crate) depth: u8,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("method", &self.req.method)
            .field("path", &self.req.path)
            .finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    /// The authenticated user, or 401.
    pub(crate) fn user(&self) -> ApiResult<&User> {
        crate::auth::require_user(self.user.as_ref())
    }

    /// Current time.
    pub(crate) fn now(&self) -> f64 {
        self.app.clock.now()
    }
}

/// A room-scoped request: the room and the caller's permissions in it.
#[derive(Debug)]
pub(crate) struct RoomCtx {
    pub(crate) room: Room,
    pub(crate) perms: Perms,
}

impl RoomCtx {
    /// `read_required`: 403 with the reference text.
    pub(crate) fn require_read(&self) -> ApiResult<()> {
        if self.perms.allows(Need::Read) {
            Ok(())
        } else {
            Err(ApiError::Reason(
                403,
                "This endpoint requires room message 'read' permission".into(),
            ))
        }
    }

    /// `mod_required` / `admin_required` (after `require_user`): 403 with the reference text.
    pub(crate) fn require_mod(&self, admin: bool) -> ApiResult<()> {
        let need = if admin { Need::Admin } else { Need::Moderator };
        if self.perms.allows(need) {
            Ok(())
        } else {
            Err(ApiError::Reason(
                403,
                format!(
                    "This endpoint requires {} room permissions",
                    if admin { "admin" } else { "moderator" }
                ),
            ))
        }
    }
}

/// Handles one request and always produces a response.
pub(crate) fn handle(app: &App, req: &Request, auth: Auth, depth: u8) -> Response {
    let user = match auth {
        Auth::Inherit(u) => u,
        Auth::Headers => match crate::auth::authenticate(app, req) {
            Ok(u) => u,
            Err(e) => return e.into_response(),
        },
    };
    let ctx = Ctx {
        app,
        req,
        user,
        depth,
    };
    match dispatch(&ctx) {
        Ok(r) => r,
        Err(e) => {
            if e.status() >= 500 {
                tracing::warn!("{} {} failed", req.method, req.path);
            }
            e.into_response()
        }
    }
}

fn method_not_allowed(allowed: &[&str]) -> Response {
    Response::html_error(405).with_header("allow", allowed.join(", "))
}

fn dispatch(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let Some(shape) = router::route(&ctx.req.path, ctx.app.ids) else {
        return Err(ApiError::not_found());
    };
    // HEAD is served as GET (the transport drops the body).
    let method = match ctx.req.method.as_str() {
        "HEAD" => "GET",
        m => m,
    };
    let room = match &shape {
        Shape::Room(token, _) => {
            // The Room converter: an unknown token fails the route (404), whatever the method.
            let Some(room) = ctx.app.db.read(|c| room::by_token(c, token))? else {
                return Err(ApiError::not_found());
            };
            Some(room)
        }
        _ => None,
    };
    if !shape.methods().contains(&method) {
        return Ok(method_not_allowed(shape.methods()));
    }
    if ctx.depth > MAX_DEPTH && matches!(shape, Shape::Batch | Shape::Sequence | Shape::OnionV4) {
        return Err(ApiError::bad_request());
    }
    match (shape, room) {
        (Shape::Room(_, rs), Some(room)) => {
            let perms = ctx
                .app
                .db
                .read(|c| room::perms(c, &room, ctx.user.as_ref()))?;
            room_dispatch(ctx, method, rs, RoomCtx { room, perms })
        }
        (shape, _) => global_dispatch(ctx, method, shape),
    }
}

fn global_dispatch(ctx: &Ctx<'_>, method: &str, shape: Shape<'_>) -> ApiResult<Response> {
    match (shape, method) {
        (Shape::Capabilities, _) => general::capabilities(ctx),
        (Shape::Batch, _) => general::batch(ctx, false),
        (Shape::Sequence, _) => general::batch(ctx, true),
        (Shape::Rooms, _) => rooms::list(ctx),
        (Shape::RoomsDeleteAll(sid), _) => messages::delete_all_everywhere(ctx, sid),
        (Shape::UserModerator(sid), _) => users::moderator(ctx, sid),
        (Shape::UserBan(sid), _) => users::ban(ctx, sid),
        (Shape::UserUnban(sid), _) => users::unban(ctx, sid),
        (Shape::Inbox, "DELETE") => dm::clear_inbox(ctx),
        (Shape::Inbox, _) => dm::mailbox(ctx, false, None),
        (Shape::InboxSince(id), _) => dm::mailbox(ctx, false, Some(id)),
        (Shape::Outbox, _) => dm::mailbox(ctx, true, None),
        (Shape::OutboxSince(id), _) => dm::mailbox(ctx, true, Some(id)),
        (Shape::InboxSend(sid), _) => dm::send(ctx, sid),
        (Shape::OnionV4, _) => onion::v4(ctx),
        (Shape::OnionV3, _) => onion::v3(ctx),
        (Shape::Room(..), _) => Err(ApiError::not_found()),
    }
}

fn room_dispatch(
    ctx: &Ctx<'_>,
    method: &str,
    shape: RoomShape<'_>,
    rc: RoomCtx,
) -> ApiResult<Response> {
    use RoomShape as R;
    match (shape, method) {
        (R::Info, "PUT") => rooms::update(ctx, &rc),
        (R::Info, _) => rooms::info(ctx, &rc),
        (R::PollInfo(n), _) => rooms::poll_info(ctx, &rc, n),
        (R::Permissions, _) => moderation::room_permissions(ctx, &rc),
        (R::UserPermissions(sid), "POST") => moderation::set_permissions(ctx, &rc, sid),
        (R::UserPermissions(sid), _) => moderation::user_permissions(ctx, &rc, sid),
        (R::FuturePermissions, _) => moderation::room_futures(ctx, &rc),
        (R::UserFuturePermissions(sid), "POST") => moderation::add_future(ctx, &rc, sid),
        (R::UserFuturePermissions(sid), _) => moderation::user_futures(ctx, &rc, sid),
        (R::MessagesSince(n), _) => messages::since(ctx, &rc, n),
        (R::MessagesBefore(n), _) => messages::before(ctx, &rc, n),
        (R::MessagesRecent, _) => messages::recent(ctx, &rc),
        (R::Message, _) => messages::post(ctx, &rc),
        (R::MessageId(id), "PUT") => messages::edit(ctx, &rc, id),
        (R::MessageId(id), "DELETE") => messages::delete(ctx, &rc, id),
        (R::MessageId(id), _) => messages::single(ctx, &rc, id),
        (R::Pin(id), _) => messages::pin(ctx, &rc, id),
        (R::Unpin(id), _) => messages::unpin(ctx, &rc, Some(id)),
        (R::UnpinAll, _) => messages::unpin(ctx, &rc, None),
        (R::Reaction(id, r), "PUT") => reactions::add(ctx, &rc, id, r),
        (R::Reaction(id, r), _) => reactions::remove(ctx, &rc, id, r),
        (R::Reactions(id, r), _) => reactions::clear(ctx, &rc, id, r),
        (R::Reactors(id, r), _) => reactions::reactors(ctx, &rc, id, r),
        (R::File, _) => files::upload(ctx, &rc),
        (R::FileId(id), _) => files::serve(ctx, &rc, id),
        (R::DeleteAll(sid), _) => messages::delete_all(ctx, &rc, sid),
    }
}
