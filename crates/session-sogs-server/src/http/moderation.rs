//! Per-room permission overrides and scheduled changes (spec/sogs-api.md §2.2, moderators
//! only): `/room/R/permissions[/ID]` and `/room/R/futurePermissions[/ID]`.

use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use super::response::Response;
use super::{Ctx, RoomCtx};
use crate::encoding::truthy;
use crate::model::moderation;
use crate::model::room::override_of;
use crate::model::user;

fn require_mod(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<()> {
    ctx.user()?;
    rc.require_mod(false)
}

/// `GET /room/R/permissions`: `{id: flags}` for every override row.
pub(super) fn room_permissions(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let rows = ctx
        .app
        .db
        .read(|c| moderation::room_overrides(c, rc.room.id))?;
    let mut out = Map::new();
    for (sid, o) in rows {
        let flags = moderation::simplify_flags(moderation::override_flags(&o));
        out.insert(sid, Value::Object(flags));
    }
    Ok(Response::json(200, &Value::Object(out)))
}

/// `GET /room/R/permissions/ID`: the user's override flags. A user without an override row is
/// a crash upstream (`addExtraPermInfo` on `{}`), reproduced as 500.
pub(super) fn user_permissions(ctx: &Ctx<'_>, rc: &RoomCtx, sid: &str) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let sid = sid.to_ascii_lowercase();
    let o = ctx.app.db.read(|c| {
        let Some(u) = user::find_target(c, &sid, &ctx.app.policy)? else {
            return Ok(None);
        };
        override_of(c, rc.room.id, u.id)
    })?;
    let Some(o) = o else {
        return Err(ApiError::Internal(format!("no permission row for {sid}")));
    };
    let flags = moderation::simplify_flags(moderation::override_flags(&o));
    Ok(Response::json(200, &Value::Object(flags)))
}

/// `POST /room/R/permissions/ID`: `{accessible?, read?, write?, upload?: bool,
/// default_<p>?: true, unschedule?: false}`. Returns the user's new flags (`{}` if none).
pub(super) fn set_permissions(ctx: &Ctx<'_>, rc: &RoomCtx, sid: &str) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let req = ctx.req.json()?;
    let obj = req.as_object().ok_or_else(ApiError::bad_request)?;
    let mut perms: Vec<(&str, Option<bool>)> = Vec::new();
    for p in ["accessible", "read", "write", "upload"] {
        let v = obj.get(p).filter(|v| !v.is_null());
        let default = obj.get(&format!("default_{p}")).is_some_and(truthy);
        match (v, default) {
            (Some(_), true) => return Err(ApiError::bad_request()),
            (Some(v), false) => perms.push((p, Some(truthy(v)))),
            (None, true) => perms.push((p, None)),
            (None, false) => {}
        }
    }
    if perms.is_empty() {
        // `Room.set_permissions` raises ValueError upstream: a crash, hence 500.
        return Err(ApiError::Internal("no permission given".into()));
    }
    let unschedule = obj.get("unschedule") != Some(&Value::Bool(false));
    let sid = sid.to_ascii_lowercase();
    let now = ctx.now();
    let app = ctx.app;
    let room_id = rc.room.id;
    let flags = app.db.write(|tx| {
        let u = user::resolve_target(tx, &sid, now, &app.policy)?;
        let has = |n: &str| perms.iter().any(|(p, _)| *p == n);
        if unschedule && (has("read") || has("write") || has("upload")) {
            moderation::clear_futures(tx, room_id, u.id, has("read"), has("write"), has("upload"))?;
        }
        moderation::set_permissions(tx, room_id, u.id, &perms)?;
        Ok::<_, ApiError>(override_of(tx, room_id, u.id)?)
    })?;
    let out = flags
        .map(|o| moderation::simplify_flags(moderation::override_flags(&o)))
        .unwrap_or_default();
    Ok(Response::json(200, &Value::Object(out)))
}

/// `GET /room/R/futurePermissions`: every scheduled change in the room, by time.
pub(super) fn room_futures(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let list = ctx
        .app
        .db
        .read(|c| moderation::futures(c, rc.room.id, None))?;
    Ok(Response::json(200, &Value::Array(list)))
}

/// `GET /room/R/futurePermissions/ID`: one user's scheduled changes.
pub(super) fn user_futures(ctx: &Ctx<'_>, rc: &RoomCtx, sid: &str) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let sid = sid.to_ascii_lowercase();
    let list = ctx
        .app
        .db
        .read(|c| match user::find_target(c, &sid, &ctx.app.policy)? {
            Some(u) => moderation::futures(c, rc.room.id, Some(u.id)),
            None => Ok(Vec::new()),
        })?;
    Ok(Response::json(200, &Value::Array(list)))
}

/// `POST /room/R/futurePermissions/ID`: `{read?, write?, upload?: bool, in: seconds}` with
/// `0 < in < 1e9`. Returns the user's scheduled changes.
pub(super) fn add_future(ctx: &Ctx<'_>, rc: &RoomCtx, sid: &str) -> ApiResult<Response> {
    require_mod(ctx, rc)?;
    let req = ctx.req.json()?;
    let obj = req.as_object().ok_or_else(ApiError::bad_request)?;
    let get = |k: &str| obj.get(k).filter(|v| !v.is_null()).map(truthy);
    let (read, write, upload) = (get("read"), get("write"), get("upload"));
    if read.is_none() && write.is_none() && upload.is_none() {
        return Err(ApiError::bad_request());
    }
    let dur = match obj.get("in") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        _ => return Err(ApiError::bad_request()),
    };
    if !(dur > 0.0 && dur < 1e9) {
        return Err(ApiError::bad_request());
    }
    let sid = sid.to_ascii_lowercase();
    let now = ctx.now();
    let app = ctx.app;
    let room_id = rc.room.id;
    let list = app.db.write(|tx| {
        let u = user::resolve_target(tx, &sid, now, &app.policy)?;
        moderation::add_future(tx, room_id, u.id, now + dur, read, write, upload)?;
        Ok::<_, ApiError>(moderation::futures(tx, room_id, Some(u.id))?)
    })?;
    Ok(Response::json(200, &Value::Array(list)))
}
