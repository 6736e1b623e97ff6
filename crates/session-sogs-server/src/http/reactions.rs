//! Reaction endpoints (spec/sogs-api.md §2.3): add, remove, moderator clear, reactor list.
//! Check order as upstream: user, read permission, reaction length (400), regular message
//! (404).

use rusqlite::Connection;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::response::Response;
use super::{Ctx, RoomCtx};
use crate::model::message;
use crate::model::reaction;
use crate::model::room::Need;

/// `_check_reaction_request`, first half: length and permission.
fn check(rc: &RoomCtx, reaction: Option<&str>, need: Need) -> ApiResult<()> {
    if let Some(r) = reaction
        && !reaction::valid(r)
    {
        return Err(ApiError::InvalidData);
    }
    if !rc.perms.allows(need) {
        return Err(ApiError::BadPermission);
    }
    Ok(())
}

/// Second half, inside the transaction that acts: the message must be a regular one.
fn regular(conn: &Connection, room: i64, id: i64) -> ApiResult<()> {
    if message::is_regular(conn, room, id)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("No such post: {id}")))
    }
}

/// `PUT /room/R/reaction/ID/EMOJI`: `{"added": bool, "seqno": n}`.
pub(super) fn add(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64, r: &str) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    rc.require_read()?;
    check(rc, Some(r), Need::Read)?;
    let now = ctx.now();
    let (added, seqno) = ctx.app.db.write(|tx| {
        regular(tx, rc.room.id, id)?;
        Ok::<_, ApiError>(reaction::add(tx, rc.room.id, id, r, user.id, now)?)
    })?;
    Ok(Response::json(
        200,
        &json!({"added": added, "seqno": seqno}),
    ))
}

/// `DELETE /room/R/reaction/ID/EMOJI`: the caller's own reaction.
pub(super) fn remove(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64, r: &str) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    rc.require_read()?;
    check(rc, Some(r), Need::Read)?;
    let (removed, seqno) = ctx.app.db.write(|tx| {
        regular(tx, rc.room.id, id)?;
        Ok::<_, ApiError>(reaction::remove(tx, rc.room.id, id, r, user.id)?)
    })?;
    Ok(Response::json(
        200,
        &json!({"removed": removed, "seqno": seqno}),
    ))
}

/// `DELETE /room/R/reactions/ID[/EMOJI]` (moderator): `{"removed": count, "seqno": n}`.
pub(super) fn clear(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64, r: Option<&str>) -> ApiResult<Response> {
    ctx.user()?;
    rc.require_mod(false)?;
    check(rc, r, Need::Moderator)?;
    let (removed, seqno) = ctx.app.db.write(|tx| {
        regular(tx, rc.room.id, id)?;
        let n = reaction::remove_all(tx, rc.room.id, id, r)?;
        Ok::<_, ApiError>((n, reaction::message_seqno(tx, id)?))
    })?;
    Ok(Response::json(
        200,
        &json!({"removed": removed, "seqno": seqno}),
    ))
}

/// `GET /room/R/reactors/ID/EMOJI?limit`: `[[id, at], …]` oldest first; anonymous allowed.
pub(super) fn reactors(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64, r: &str) -> ApiResult<Response> {
    rc.require_read()?;
    let limit = ctx.req.int_param("limit", 0, None)?;
    check(rc, Some(r), Need::Read)?;
    let list = ctx.app.db.read(|c| {
        regular(c, rc.room.id, id)?;
        Ok::<_, ApiError>(reaction::reactors(c, id, r, (limit > 0).then_some(limit))?)
    })?;
    let out: Vec<Value> = list.into_iter().map(|(sid, at)| json!([sid, at])).collect();
    Ok(Response::json(200, &Value::Array(out)))
}
