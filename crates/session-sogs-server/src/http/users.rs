//! `POST /user/ID/moderator|ban|unban` (spec/sogs-api.md §2.5, `PS:sogs/routes/users.py`).
//!
//! A Session ID (`05…`) on a blinding server resolves to its known blinded user, or is kept
//! for migration (`model::user::resolve_target`).

use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::Ctx;
use super::error::{ApiError, ApiResult};
use super::response::Response;
use crate::model::moderation;
use crate::model::room::{self, Need, Room};
use crate::model::user::{self, User};

/// Where a moderation call applies.
enum Scope {
    Rooms(Vec<Room>),
    Global,
}

/// Python truthiness of an optional JSON value (absent is false).
fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(crate::encoding::truthy)
}

/// `None` for absent/null, else the value's truthiness.
fn opt_bool(v: Option<&Value>) -> Option<bool> {
    match v {
        None | Some(Value::Null) => None,
        v => Some(truthy(v)),
    }
}

/// `extract_rooms_or_global`: `rooms` (a list of tokens, or `["*"]` for every room where the
/// caller qualifies) or `global: true`, never both. Every listed room must exist and the
/// caller must be a moderator (an admin when `admin`) in each, else 403.
fn scope(conn: &Connection, req: &Value, caller: &User, admin: bool) -> ApiResult<Scope> {
    let obj = req.as_object().ok_or_else(ApiError::bad_request)?;
    let rooms = obj.get("rooms");
    let global = truthy(obj.get("global"));
    let has_rooms = truthy(rooms);
    if has_rooms && !matches!(rooms, Some(Value::Array(_))) {
        return Err(ApiError::bad_request());
    }
    if has_rooms && global {
        return Err(ApiError::bad_request());
    }
    if !has_rooms && !global {
        return Err(ApiError::bad_request());
    }
    let need = if admin { Need::Admin } else { Need::Moderator };
    if let Some(Value::Array(list)) = rooms.filter(|_| has_rooms) {
        let star = list.iter().any(|t| t.as_str() == Some("*"));
        if star && list.len() > 1 {
            return Err(ApiError::bad_request());
        }
        // A token that is not a string is a 404 upstream ("almost certainly a bad token").
        let tokens: Vec<&str> = list
            .iter()
            .map(|t| t.as_str().ok_or_else(ApiError::not_found))
            .collect::<ApiResult<_>>()?;
        let mut out = Vec::new();
        for r in room::all(conn)? {
            let listed = star || tokens.iter().any(|t| t.eq_ignore_ascii_case(&r.token));
            if listed && room::perms(conn, &r, Some(caller))?.allows(need) {
                out.push(r);
            }
        }
        if (!star && out.len() != tokens.len()) || out.is_empty() {
            return Err(ApiError::forbidden());
        }
        return Ok(Scope::Rooms(out));
    }
    if !caller.global_moderator || (admin && !caller.global_admin) {
        return Err(ApiError::forbidden());
    }
    Ok(Scope::Global)
}

/// `POST /user/ID/moderator`: add, demote or remove a room or global moderator/admin.
/// `{"info_updates": {token: n}}`.
pub(super) fn moderator(ctx: &Ctx<'_>, sid: &str) -> ApiResult<Response> {
    let caller = ctx.user()?.clone();
    let req = ctx.req.json()?;
    let sid = sid.to_ascii_lowercase();
    let now = ctx.now();
    let app = ctx.app;
    let info = app.db.write(|tx| {
        let target = user::resolve_target(tx, &sid, now, &app.policy)?;
        let scope = scope(tx, &req, &caller, true)?;
        let mut m = opt_bool(req.get("moderator"));
        let mut a = opt_bool(req.get("admin"));
        let visible = opt_bool(req.get("visible"));
        match (a, m) {
            (None, None) | (Some(true), Some(false)) => return Err(ApiError::bad_request()),
            (Some(true), Some(true)) => m = None,
            (Some(false), Some(false)) => a = None,
            _ => {}
        }
        let mut info = Map::new();
        match scope {
            Scope::Rooms(rooms) => {
                let visible = visible.unwrap_or(true);
                for r in &rooms {
                    match (a, m) {
                        (Some(true), None) => moderation::set_room_moderator(
                            tx,
                            r.id,
                            target.id,
                            Some(true),
                            visible,
                        )?,
                        (None, Some(true)) => {
                            moderation::set_room_moderator(tx, r.id, target.id, None, visible)?
                        }
                        (None, Some(false)) => {
                            moderation::remove_room_moderator(tx, r.id, target.id, false)?
                        }
                        (Some(false), None) => {
                            moderation::remove_room_moderator(tx, r.id, target.id, true)?
                        }
                        _ => {
                            // (false, true): demote to a plain moderator.
                            moderation::remove_room_moderator(tx, r.id, target.id, true)?;
                            moderation::set_room_moderator(
                                tx,
                                r.id,
                                target.id,
                                Some(false),
                                visible,
                            )?
                        }
                    }
                    info.insert(
                        r.token.clone(),
                        crate::model::pin::info_updates(tx, r.id)?.into(),
                    );
                }
            }
            Scope::Global => {
                let visible = visible.unwrap_or(false);
                match (a, m) {
                    (Some(true), None) => {
                        moderation::set_global_moderator(tx, target.id, Some(true), visible)?
                    }
                    (None, Some(true)) => {
                        moderation::set_global_moderator(tx, target.id, None, visible)?
                    }
                    (None, Some(false)) => {
                        moderation::remove_global_moderator(tx, target.id, false)?
                    }
                    (Some(false), None) => {
                        moderation::remove_global_moderator(tx, target.id, true)?
                    }
                    _ => {
                        moderation::remove_global_moderator(tx, target.id, true)?;
                        moderation::set_global_moderator(tx, target.id, Some(false), visible)?
                    }
                }
                for r in room::all(tx)? {
                    info.insert(r.token, r.info_updates.into());
                }
            }
        }
        Ok(info)
    })?;
    Ok(Response::json(
        200,
        &json!({ "info_updates": Value::Object(info) }),
    ))
}

/// A ban `timeout`: absent/null, or a number (Python `int`/`float`; `true` counts as 1).
fn timeout(req: &Value) -> ApiResult<Option<f64>> {
    match req.get("timeout") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::Bool(b)) => Ok(Some(if *b { 1.0 } else { 0.0 })),
        Some(_) => Err(ApiError::bad_request()),
    }
}

/// `POST /user/ID/ban`: room bans need moderator in every listed room; a global ban needs a
/// global moderator. Self-bans, bans of global moderators and (by non-admins) of room
/// moderators are 403. 200 `{}`.
pub(super) fn ban(ctx: &Ctx<'_>, sid: &str) -> ApiResult<Response> {
    let caller = ctx.user()?.clone();
    let req = ctx.req.json()?;
    let sid = sid.to_ascii_lowercase();
    let now = ctx.now();
    let app = ctx.app;
    app.db.write(|tx| {
        let target = user::resolve_target(tx, &sid, now, &app.policy)?;
        let scope = scope(tx, &req, &caller, false)?;
        let timeout = timeout(&req)?;
        match scope {
            Scope::Rooms(rooms) => {
                for r in &rooms {
                    let cp = room::perms(tx, r, Some(&caller))?;
                    let tp = room::perms(tx, r, Some(&target))?;
                    if target.id == caller.id
                        || target.global_moderator
                        || (tp.allows(Need::Moderator) && !cp.allows(Need::Admin))
                    {
                        return Err(ApiError::BadPermission);
                    }
                    moderation::ban_in_room(tx, r.id, target.id, timeout, now)?;
                }
            }
            Scope::Global => {
                if target.global_moderator {
                    return Err(ApiError::BadPermission);
                }
                moderation::ban_global(tx, target.id, timeout, now)?;
            }
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Response::json(200, &json!({})))
}

/// `POST /user/ID/unban`: lifts room bans (moderator in each) or the global ban. 200 `{}`.
pub(super) fn unban(ctx: &Ctx<'_>, sid: &str) -> ApiResult<Response> {
    let caller = ctx.user()?.clone();
    let req = ctx.req.json()?;
    let sid = sid.to_ascii_lowercase();
    let now = ctx.now();
    let app = ctx.app;
    app.db.write(|tx| {
        let target = user::resolve_target(tx, &sid, now, &app.policy)?;
        match scope(tx, &req, &caller, false)? {
            Scope::Rooms(rooms) => {
                for r in &rooms {
                    moderation::unban_in_room(tx, r.id, target.id)?;
                }
            }
            Scope::Global => moderation::unban_global(tx, target.id)?,
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Response::json(200, &json!({})))
}
