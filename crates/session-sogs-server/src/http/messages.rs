//! Message endpoints: listings, post, edit, delete, delete-all, pins (spec/sogs-api.md §2.3,
//! `PS:sogs/routes/messages.py`, `PS:sogs/routes/rooms.py`).
//!
//! Where the reference server crashes (500) on input it did not anticipate — missing or
//! invalid base64 `data`, editing a deleted message, an anonymous delete-all — this server
//! answers 500 too, as the spec documents, but without crashing anything.

use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::response::Response;
use super::{Ctx, RoomCtx};
use crate::encoding::decode_base64;
use crate::model::message::{self, Fetch, NewPost};
use crate::model::room::{self, Need};
use crate::model::user;
use crate::model::{file, pin};

/// `limit`: default 100, clamped to 1..=256.
fn limit(ctx: &Ctx<'_>) -> ApiResult<i64> {
    ctx.req.int_param("limit", 100, Some((1, 256)))
}

/// `reactors`: default 4, clamped to 0..=20.
fn reactors(ctx: &Ctx<'_>) -> ApiResult<i64> {
    ctx.req.int_param("reactors", 4, Some((0, 20)))
}

fn listing(ctx: &Ctx<'_>, rc: &RoomCtx, what: Fetch, limit: i64) -> ApiResult<Vec<Value>> {
    rc.require_read()?;
    if let Some(u) = &ctx.user {
        ctx.app.activity.touch_room(rc.room.id, u.id, ctx.now());
    }
    let reactor_limit = reactors(ctx)?;
    let viewer_mod = rc.perms.allows(Need::Moderator);
    Ok(ctx.app.db.read(|c| {
        message::fetch(
            c,
            rc.room.id,
            ctx.user.as_ref(),
            viewer_mod,
            what,
            limit,
            reactor_limit,
        )
    })?)
}

/// `GET /room/R/messages/since/N?t=r`.
pub(super) fn since(ctx: &Ctx<'_>, rc: &RoomCtx, seqno: i64) -> ApiResult<Response> {
    rc.require_read()?;
    let limit = limit(ctx)?;
    let flags = ctx.req.query_param("t").unwrap_or_default();
    let what = Fetch::Since {
        seqno,
        reaction_updates: flags.contains('r'),
    };
    Ok(Response::json(
        200,
        &Value::Array(listing(ctx, rc, what, limit)?),
    ))
}

/// `GET /room/R/messages/before/ID`.
pub(super) fn before(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    rc.require_read()?;
    let limit = limit(ctx)?;
    let msgs = listing(ctx, rc, Fetch::Before(id), limit)?;
    Ok(Response::json(200, &Value::Array(msgs)))
}

/// `GET /room/R/messages/recent`.
pub(super) fn recent(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    rc.require_read()?;
    let limit = limit(ctx)?;
    let msgs = listing(ctx, rc, Fetch::Recent, limit)?;
    Ok(Response::json(200, &Value::Array(msgs)))
}

/// `GET /room/R/message/ID`: 404 if deleted, missing or an invisible whisper.
pub(super) fn single(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    let msgs = listing(ctx, rc, Fetch::Single(id), 1)?;
    match msgs.into_iter().next() {
        Some(m) => Ok(Response::json(200, &m)),
        None => Err(ApiError::not_found()),
    }
}

/// A required base64 field of a post body; the reference crashes (500) when it is missing,
/// not a string, or not base64.
fn b64_field(body: &Value, key: &str) -> ApiResult<Vec<u8>> {
    body.get(key)
        .and_then(Value::as_str)
        .and_then(decode_base64)
        .ok_or_else(|| ApiError::Internal(format!("post body field {key:?} is not base64")))
}

/// `files`: a list of ids (Python `int(x)` of each; anything else crashes upstream).
fn file_ids(body: &Value) -> ApiResult<Vec<i64>> {
    let Some(files) = body.get("files") else {
        return Ok(Vec::new());
    };
    let bad = || ApiError::Internal("post body field \"files\" is not a list of ids".into());
    files
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|f| match f {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|x| x as i64)),
            Value::String(s) => crate::encoding::python_int(s),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        })
        .map(|f| f.ok_or_else(bad))
        .collect()
}

/// Python truthiness of an optional JSON value (absent is false).
fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(crate::encoding::truthy)
}

/// `POST /room/R/message`: 201 with the message object, committed before the answer.
pub(super) fn post(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    let body = ctx.req.json()?;
    if !body.is_object() {
        return Err(ApiError::Internal("post body is not a JSON object".into()));
    }
    let data = b64_field(&body, "data")?;
    let signature = b64_field(&body, "signature")?;
    let whisper_to = match body.get("whisper_to") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(
            s.parse::<session_crypto::AccountId>()
                .map_err(|_| ApiError::bad_request())?
                .to_string(),
        ),
        Some(_) => return Err(ApiError::bad_request()),
    };
    let whisper_mods = truthy(body.get("whisper_mods"));
    let files = file_ids(&body)?;

    if !rc.perms.allows(Need::Write) {
        return Err(ApiError::BadPermission);
    }
    if signature.len() != 64 {
        return Err(ApiError::InvalidData);
    }
    let is_mod = rc.perms.allows(Need::Moderator);
    if (whisper_to.is_some() || whisper_mods) && !is_mod {
        return Err(ApiError::BadPermission);
    }
    let app = ctx.app;
    let now = ctx.now();
    let room_id = rc.room.id;
    let exempt = rc.perms.allows(Need::Admin);
    let limit = &app.config.messages;
    let msg = app.db.write(|tx| {
        let target = match &whisper_to {
            Some(sid) => Some(user::get_or_create(tx, sid, now, &app.policy)?),
            None => None,
        };
        if limit.rate_limit_size > 0 && !exempt {
            let since = now - limit.rate_limit_interval;
            let n = message::recent_post_count(tx, room_id, user.id, since)?;
            if n >= i64::from(limit.rate_limit_size) {
                return Err(ApiError::PostRejected("Rate limited"));
            }
        }
        let (id, msg) = message::insert(
            tx,
            &NewPost {
                room: room_id,
                user: &user,
                data: &data,
                signature: &signature,
                whisper_to: target.as_ref(),
                whisper_mods,
                now,
            },
        )?;
        if !files.is_empty() {
            message::own_files(
                tx,
                room_id,
                id,
                &files,
                user.id,
                now,
                app.config.file_expiry_secs(),
            )?;
        }
        Ok(msg)
    })?;
    Ok(Response::json(201, &msg))
}

/// `PUT /room/R/message/ID`: only the author, only with write permission; 200 `{}`.
pub(super) fn edit(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    let body = ctx.req.json()?;
    if !body.is_object() {
        return Err(ApiError::Internal("edit body is not a JSON object".into()));
    }
    let data = b64_field(&body, "data")?;
    let signature = b64_field(&body, "signature")?;
    let files = file_ids(&body)?;
    if !rc.perms.allows(Need::Write) {
        return Err(ApiError::BadPermission);
    }
    if signature.len() != 64 {
        return Err(ApiError::InvalidData);
    }
    let app = ctx.app;
    let now = ctx.now();
    let room_id = rc.room.id;
    app.db.write(|tx| {
        let Some(author) = message::live_author(tx, room_id, id)? else {
            // Upstream raises NoSuchPost() without its argument: a crash, hence 500.
            return Err(ApiError::Internal(format!("edit of missing message {id}")));
        };
        if author != user.id {
            return Err(ApiError::BadPermission);
        }
        message::replace_data(tx, room_id, id, &data, &signature, now)?;
        if !files.is_empty() {
            message::own_files(
                tx,
                room_id,
                id,
                &files,
                user.id,
                now,
                app.config.file_expiry_secs(),
            )?;
        }
        Ok(())
    })?;
    Ok(Response::json(200, &json!({})))
}

/// `DELETE /room/R/message/ID`: own messages with write permission, anyone's as a moderator.
pub(super) fn delete(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    if !rc.perms.allows(Need::Write) {
        return Err(ApiError::forbidden());
    }
    let is_mod = rc.perms.allows(Need::Moderator);
    let now = ctx.now();
    let room_id = rc.room.id;
    let deleted = ctx.app.db.write(|tx| {
        let live: Vec<i64> = message::live_author(tx, room_id, id)?
            .map(|_| vec![id])
            .unwrap_or_default();
        if live.is_empty() {
            return Ok(0);
        }
        if !is_mod && message::any_not_by(tx, &live, user.id)? {
            return Err(ApiError::BadPermission);
        }
        Ok(message::delete(tx, room_id, &live, now)?.len())
    })?;
    if deleted == 0 {
        return Err(ApiError::not_found());
    }
    Ok(Response::json(200, &json!({})))
}

/// Deletes every live post of `poster` in the room as `deleter` (`delete_all_posts`):
/// yourself, or as a moderator (an admin to purge an admin). Also expires their uploads
/// except the room image. Returns how many posts were deleted.
fn purge(
    tx: &rusqlite::Connection,
    room: &room::Room,
    poster: &user::User,
    deleter: &user::User,
    now: f64,
) -> ApiResult<usize> {
    let dp = room::perms(tx, room, Some(deleter))?;
    let pp = room::perms(tx, room, Some(poster))?;
    if poster.id != deleter.id && !dp.allows(Need::Moderator) {
        return Err(ApiError::BadPermission);
    }
    if pp.allows(Need::Admin) && !dp.allows(Need::Admin) {
        return Err(ApiError::BadPermission);
    }
    let ids = message::live_ids_of(tx, room.id, poster.id)?;
    let n = message::delete(tx, room.id, &ids, now)?.len();
    file::expire_uploads_of(tx, room.id, poster.id)?;
    Ok(n)
}

/// `DELETE /room/R/all/ID`: 404 if the user is unknown or has no posts here.
pub(super) fn delete_all(ctx: &Ctx<'_>, rc: &RoomCtx, sid: &str) -> ApiResult<Response> {
    let sid = sid.to_ascii_lowercase();
    let Some(poster) = ctx.app.db.read(|c| user::by_session_id(c, &sid))? else {
        return Err(ApiError::NotFound(format!("No such user: {sid}")));
    };
    // No `user_required` upstream: an anonymous call crashes there.
    let Some(deleter) = ctx.user.clone() else {
        return Err(ApiError::Internal("anonymous delete-all".into()));
    };
    let now = ctx.now();
    let n = ctx
        .app
        .db
        .write(|tx| purge(tx, &rc.room, &poster, &deleter, now))?;
    if n == 0 {
        return Err(ApiError::not_found());
    }
    Ok(Response::json(200, &json!({})))
}

/// `DELETE /rooms/all/ID`: delete-all in every room the caller can access; rooms where it
/// lacks permission are skipped. `{"total": n, "rooms": {token: n}}`.
pub(super) fn delete_all_everywhere(ctx: &Ctx<'_>, sid: &str) -> ApiResult<Response> {
    let sid = sid.to_ascii_lowercase();
    let Some(poster) = ctx.app.db.read(|c| user::by_session_id(c, &sid))? else {
        return Err(ApiError::NotFound(format!("No such user: {sid}")));
    };
    let Some(deleter) = ctx.user.clone() else {
        return Err(ApiError::Internal("anonymous delete-all".into()));
    };
    let now = ctx.now();
    let (total, per_room) = ctx.app.db.write(|tx| {
        let mut total = 0usize;
        let mut per_room = serde_json::Map::new();
        for r in room::all(tx)? {
            let p = room::perms(tx, &r, Some(&deleter))?;
            if !p.allows(Need::Accessible) {
                continue;
            }
            match purge(tx, &r, &poster, &deleter, now) {
                Ok(n) => {
                    total += n;
                    per_room.insert(r.token.clone(), n.into());
                }
                Err(ApiError::BadPermission) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((total, per_room))
    })?;
    Ok(Response::json(
        200,
        &json!({"total": total, "rooms": Value::Object(per_room)}),
    ))
}

/// `POST /room/R/pin/ID` (admin): 404 unless a regular live message.
pub(super) fn pin(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    let Some(admin) = ctx.user.clone().filter(|_| rc.perms.allows(Need::Admin)) else {
        return Err(ApiError::BadPermission);
    };
    let now = ctx.now();
    let room_id = rc.room.id;
    let info_updates = ctx.app.db.write(|tx| {
        if !message::is_regular(tx, room_id, id)? {
            return Err(ApiError::NotFound(format!("No such post: {id}")));
        }
        pin::pin(tx, room_id, id, admin.id, now)?;
        Ok(pin::info_updates(tx, room_id)?)
    })?;
    Ok(Response::json(
        200,
        &json!({ "info_updates": info_updates }),
    ))
}

/// `POST /room/R/unpin/ID` and `/unpin/all` (admin).
pub(super) fn unpin(ctx: &Ctx<'_>, rc: &RoomCtx, id: Option<i64>) -> ApiResult<Response> {
    if ctx.user.is_none() || !rc.perms.allows(Need::Admin) {
        return Err(ApiError::BadPermission);
    }
    let room_id = rc.room.id;
    let lifetime = ctx.app.config.file_expiry_secs();
    let (n, info_updates) = ctx.app.db.write(|tx| {
        let n = pin::unpin(tx, room_id, id, lifetime)?;
        Ok::<_, ApiError>((n, pin::info_updates(tx, room_id)?))
    })?;
    let unpinned = match id {
        Some(_) => json!(n > 0),
        None => json!(n),
    };
    Ok(Response::json(
        200,
        &json!({"unpinned": unpinned, "info_updates": info_updates}),
    ))
}
