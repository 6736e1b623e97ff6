//! `/rooms`, `/room/R` (get and update) and `/room/R/pollInfo/N` (spec/sogs-api.md §2.2,
//! `PS:sogs/routes/rooms.py`).

use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::response::Response;
use super::{Ctx, RoomCtx};
use crate::model::file;
use crate::model::room::{self, Need};

/// `GET /rooms`: every room the caller can access, sorted by token.
pub(super) fn list(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let user = ctx.user.as_ref();
    let cutoff = ctx.app.active_users_cutoff();
    let infos = ctx.app.db.read(|c| {
        let mut out = Vec::new();
        for r in room::all(c)? {
            let p = room::perms(c, &r, user)?;
            if p.allows(Need::Accessible) {
                out.push(room::info(c, &r, &p, user, cutoff)?);
            }
        }
        Ok::<_, rusqlite::Error>(out)
    })?;
    Ok(Response::json(200, &Value::Array(infos)))
}

/// `GET /room/R`: 404 (not 403) when the caller cannot access the room, banned included.
pub(super) fn info(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    if !rc.perms.allows(Need::Accessible) {
        return Err(ApiError::not_found());
    }
    let cutoff = ctx.app.active_users_cutoff();
    let v = ctx
        .app
        .db
        .read(|c| room::info(c, &rc.room, &rc.perms, ctx.user.as_ref(), cutoff))?;
    Ok(Response::json(200, &v))
}

/// `GET /room/R/pollInfo/N`: the caller's standing, plus `details` when the room's
/// `info_updates` differs from `N`. Records room activity.
pub(super) fn poll_info(ctx: &Ctx<'_>, rc: &RoomCtx, info_updates: i64) -> ApiResult<Response> {
    rc.require_read()?;
    if let Some(u) = &ctx.user {
        ctx.app.activity.touch_room(rc.room.id, u.id, ctx.now());
    }
    let p = &rc.perms;
    let mut m = Map::new();
    m.insert("token".into(), rc.room.token.clone().into());
    m.insert("active_users".into(), rc.room.active_users.into());
    m.insert("read".into(), p.allows(Need::Read).into());
    m.insert("write".into(), p.allows(Need::Write).into());
    m.insert("upload".into(), p.allows(Need::Upload).into());
    if rc.room.info_updates != info_updates {
        let cutoff = ctx.app.active_users_cutoff();
        let details = ctx
            .app
            .db
            .read(|c| room::info(c, &rc.room, p, ctx.user.as_ref(), cutoff))?;
        m.insert("details".into(), details);
    }
    room::add_caller_flags(&mut m, &rc.room, p, ctx.user.as_ref());
    Ok(Response::json(200, &Value::Object(m)))
}

/// Removes control characters: all below U+0020 from names; all but tab and newline from
/// descriptions.
fn sanitize(s: &str, keep_tab_newline: bool) -> String {
    s.chars()
        .filter(|&c| c >= ' ' || (keep_tab_newline && (c == '\t' || c == '\n')))
        .collect()
}

/// A JSON value Python's `isinstance(v, bool) or isinstance(v, int)` accepts (and its truth).
fn bool_or_int(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.as_f64() != Some(0.0)),
        _ => None,
    }
}

/// `PUT /room/R` (admin): name, description, image, default permissions. All or nothing.
pub(super) fn update(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    ctx.user()?;
    rc.require_mod(true)?;
    let req = ctx.req.json()?;
    let req = req.as_object().ok_or_else(ApiError::bad_request)?;
    let room_id = rc.room.id;
    let info_updates = ctx.app.db.write(|tx| {
        let mut did = false;
        if let Some(n) = req.get("name") {
            let n = n.as_str().ok_or_else(ApiError::bad_request)?;
            let n = sanitize(n, false);
            tx.execute(
                "UPDATE rooms SET name = ?1, info_updates = info_updates + (name IS NOT ?1)
                 WHERE id = ?2",
                rusqlite::params![n, room_id],
            )?;
            did = true;
        }
        if let Some(d) = req.get("description") {
            let d = match d {
                Value::Null => None,
                Value::String(s) => Some(sanitize(s, true)).filter(|s| !s.is_empty()),
                _ => return Err(ApiError::bad_request()),
            };
            tx.execute(
                "UPDATE rooms SET description = ?1,
                     info_updates = info_updates + (description IS NOT ?1)
                 WHERE id = ?2",
                rusqlite::params![d, room_id],
            )?;
            did = true;
        }
        if let Some(img) = req.get("image") {
            let img = img
                .as_i64()
                .filter(|_| !img.is_boolean())
                .ok_or_else(ApiError::bad_request)?;
            if !file::set_room_image(tx, room_id, img)? {
                return Err(ApiError::Abort(406));
            }
            did = true;
        }
        let mut defaults = Vec::new();
        for k in ["read", "accessible", "write", "upload"] {
            match req.get(&format!("default_{k}")) {
                None | Some(Value::Null) => {}
                Some(v) => defaults.push((k, bool_or_int(v).ok_or_else(ApiError::bad_request)?)),
            }
        }
        for (k, v) in defaults {
            tx.execute(
                &format!("UPDATE rooms SET {k} = ? WHERE id = ?"),
                rusqlite::params![v, room_id],
            )?;
            did = true;
        }
        if !did {
            return Err(ApiError::bad_request());
        }
        Ok(crate::model::pin::info_updates(tx, room_id)?)
    })?;
    Ok(Response::json(
        200,
        &json!({ "info_updates": info_updates }),
    ))
}
