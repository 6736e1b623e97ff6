//! Blinded DM endpoints (spec/sogs-api.md §2.6, `PS:sogs/routes/dm.py`).

use serde_json::{Value, json};

use super::Ctx;
use super::error::{ApiError, ApiResult};
use super::response::Response;
use crate::auth::require_blind_user;
use crate::encoding::decode_base64;
use crate::model::{dm, user};

/// `GET /inbox`, `/outbox` (200, `[]` when empty) and `/inbox/since/N`, `/outbox/since/N`
/// (304 with an empty body when nothing is newer).
pub(super) fn mailbox(ctx: &Ctx<'_>, outbox: bool, since: Option<i64>) -> ApiResult<Response> {
    let me = require_blind_user(ctx.user.as_ref())?;
    let limit = ctx.req.int_param("limit", 100, Some((1, 256)))?;
    let now = ctx.now();
    let msgs = ctx
        .app
        .db
        .read(|c| dm::list(c, me.id, outbox, since, limit, now))?;
    if msgs.is_empty() && since.is_some() {
        return Ok(Response::empty(304));
    }
    Ok(Response::json(200, &Value::Array(msgs)))
}

/// `POST /inbox/ID`: `{"message": base64}` → 201 without `message`. 404 when the recipient
/// never authenticated here or is globally banned.
pub(super) fn send(ctx: &Ctx<'_>, sid: &str) -> ApiResult<Response> {
    let me = ctx.user()?.clone();
    let sid = sid.to_ascii_lowercase();
    let recipient = ctx
        .app
        .db
        .read(|c| user::by_session_id(c, &sid))?
        .filter(|u| !u.banned)
        .ok_or_else(ApiError::not_found)?;
    let req = ctx.req.json()?;
    let message = match req.get("message") {
        None | Some(Value::Null) => return Err(ApiError::bad_request()),
        Some(m) => m
            .as_str()
            .and_then(decode_base64)
            // Invalid base64 is an uncaught exception upstream.
            .ok_or_else(|| ApiError::Internal("DM message is not base64".into()))?,
    };
    let now = ctx.now();
    let lifetime = ctx.app.config.dm_expiry_secs();
    let (id, posted, expires) = ctx
        .app
        .db
        .write(|tx| dm::send(tx, me.id, recipient.id, &message, now, lifetime))?;
    let obj = dm::object(
        id,
        posted,
        expires,
        &me.session_id,
        &recipient.session_id,
        None,
    );
    Ok(Response::json(201, &obj))
}

/// `DELETE /inbox`: deletes every received DM; `{"deleted": n}`.
pub(super) fn clear_inbox(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let me = require_blind_user(ctx.user.as_ref())?;
    let n = ctx.app.db.write(|tx| dm::clear(tx, me.id))?;
    Ok(Response::json(200, &json!({ "deleted": n })))
}
