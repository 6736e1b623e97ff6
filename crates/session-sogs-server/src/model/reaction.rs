//! Emoji reactions (spec/sogs-api.md §2.3, `PS:sogs/model/room.py` reactions).
//!
//! A reaction is 1–12 Unicode code points. Each individual reaction added or removed takes the
//! next room sequence number into the message's `seqno_reactions`, so pollers with `t=r` see
//! reaction-only updates. A message's `reactions` object lists each reaction with its
//! first-added `index`, `count`, the first N `reactors` and `you` when the caller reacted.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::message::bump_sequence;
use super::user::User;

/// Reactions are 1–12 code points (Python `len`).
pub(crate) fn valid(reaction: &str) -> bool {
    (1..=12).contains(&reaction.chars().count())
}

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// The `reactions` objects of the given messages (only messages with reactions appear).
pub(crate) fn for_messages(
    conn: &Connection,
    ids: &[i64],
    user: Option<&User>,
    reactor_limit: i64,
) -> rusqlite::Result<HashMap<i64, Map<String, Value>>> {
    let mut out: HashMap<i64, Map<String, Value>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = json_ids(ids);
    let uid = user.map_or(-1, |u| u.id);
    let mut by_reaction: HashMap<i64, (i64, String)> = HashMap::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT r.id, r.message, r.reaction,
                 (SELECT COUNT(*) FROM user_reactions ur WHERE ur.reaction = r.id),
                 EXISTS(SELECT 1 FROM user_reactions ur WHERE ur.reaction = r.id AND ur.user = ?2)
             FROM reactions r WHERE r.message IN (SELECT value FROM json_each(?1))
             ORDER BY r.id",
        )?;
        let mut rows = st.query(params![list, uid])?;
        while let Some(r) = rows.next()? {
            let (rid, msg, emoji, count, you): (i64, i64, String, i64, bool) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            if count == 0 {
                continue;
            }
            let reacts = out.entry(msg).or_default();
            let mut v = Map::new();
            v.insert("index".into(), (reacts.len() as i64).into());
            v.insert("count".into(), count.into());
            if you {
                v.insert("you".into(), true.into());
            }
            reacts.insert(emoji.clone(), Value::Object(v));
            by_reaction.insert(rid, (msg, emoji));
        }
    }
    if reactor_limit > 0 && !by_reaction.is_empty() {
        let rids: Vec<i64> = by_reaction.keys().copied().collect();
        let mut st = conn.prepare_cached(
            "SELECT x.reaction, u.session_id FROM (
                 SELECT reaction, user, at,
                        rank() OVER (PARTITION BY reaction ORDER BY at) AS rk
                 FROM user_reactions WHERE reaction IN (SELECT value FROM json_each(?1))
             ) x JOIN users u ON u.id = x.user
             WHERE x.rk <= ?2 ORDER BY x.at",
        )?;
        let mut rows = st.query(params![json_ids(&rids), reactor_limit])?;
        while let Some(r) = rows.next()? {
            let (rid, sid): (i64, String) = (r.get(0)?, r.get(1)?);
            let Some((msg, emoji)) = by_reaction.get(&rid) else {
                continue;
            };
            if let Some(Value::Object(v)) = out.get_mut(msg).and_then(|m| m.get_mut(emoji)) {
                match v.get_mut("reactors") {
                    Some(Value::Array(a)) => a.push(sid.into()),
                    _ => {
                        v.insert("reactors".into(), Value::Array(vec![sid.into()]));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The current `seqno` of a message.
pub(crate) fn message_seqno(conn: &Connection, msg: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT seqno FROM messages WHERE id = ?")?
        .query_row([msg], |r| r.get(0))
}

/// Marks a reaction change on `msg`: next room seqno into `seqno_reactions`.
fn bump_reactions(tx: &Connection, room: i64, msg: i64) -> rusqlite::Result<()> {
    let seq = bump_sequence(tx, room)?;
    tx.prepare_cached(
        "UPDATE messages SET seqno_reactions = ?1, seqno = max(seqno_data, ?1) WHERE id = ?2",
    )?
    .execute(params![seq, msg])?;
    Ok(())
}

/// Adds `user`'s reaction; `(added, message seqno)`. Adding an existing reaction is not an
/// error: `added` is false and nothing changes.
pub(crate) fn add(
    tx: &Connection,
    room: i64,
    msg: i64,
    reaction: &str,
    user: i64,
    now: f64,
) -> rusqlite::Result<(bool, i64)> {
    tx.prepare_cached(
        "INSERT INTO reactions (message, reaction) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )?
    .execute(params![msg, reaction])?;
    let rid: i64 = tx
        .prepare_cached("SELECT id FROM reactions WHERE message = ? AND reaction = ?")?
        .query_row(params![msg, reaction], |r| r.get(0))?;
    let added = tx
        .prepare_cached(
            "INSERT INTO user_reactions (reaction, user, at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![rid, user, now])?
        > 0;
    if added {
        bump_reactions(tx, room, msg)?;
    }
    Ok((added, message_seqno(tx, msg)?))
}

/// Removes `user`'s own reaction; `(removed, message seqno)`.
pub(crate) fn remove(
    tx: &Connection,
    room: i64,
    msg: i64,
    reaction: &str,
    user: i64,
) -> rusqlite::Result<(bool, i64)> {
    let rid: Option<i64> = tx
        .prepare_cached("SELECT id FROM reactions WHERE message = ? AND reaction = ?")?
        .query_row(params![msg, reaction], |r| r.get(0))
        .optional()?;
    let mut removed = false;
    if let Some(rid) = rid {
        removed = tx
            .prepare_cached("DELETE FROM user_reactions WHERE reaction = ? AND user = ?")?
            .execute(params![rid, user])?
            > 0;
        if removed {
            bump_reactions(tx, room, msg)?;
            drop_if_empty(tx, rid)?;
        }
    }
    Ok((removed, message_seqno(tx, msg)?))
}

/// Removes every reaction of `msg` (or every one of `reaction`), one seqno per individual
/// reaction; returns how many were removed.
pub(crate) fn remove_all(
    tx: &Connection,
    room: i64,
    msg: i64,
    reaction: Option<&str>,
) -> rusqlite::Result<i64> {
    let rows: Vec<(i64, i64)> = {
        let mut st = tx.prepare_cached(
            "SELECT ur.reaction, ur.user FROM user_reactions ur JOIN reactions r ON r.id = ur.reaction
             WHERE r.message = ?1 AND (?2 IS NULL OR r.reaction = ?2)
             ORDER BY ur.reaction, ur.at",
        )?;
        let it = st.query_map(params![msg, reaction], |r| Ok((r.get(0)?, r.get(1)?)))?;
        it.collect::<rusqlite::Result<_>>()?
    };
    for (rid, user) in &rows {
        tx.prepare_cached("DELETE FROM user_reactions WHERE reaction = ? AND user = ?")?
            .execute(params![rid, user])?;
        bump_reactions(tx, room, msg)?;
        drop_if_empty(tx, *rid)?;
    }
    Ok(rows.len() as i64)
}

/// Deletes a reaction row nobody uses any more, so re-adding it gets a new (last) index.
fn drop_if_empty(tx: &Connection, rid: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM reactions WHERE id = ?1
         AND NOT EXISTS (SELECT 1 FROM user_reactions WHERE reaction = ?1)",
    )?
    .execute([rid])?;
    Ok(())
}

/// Who applied `reaction` to `msg`, oldest first: `[(id, at)]`, at most `limit` if given.
pub(crate) fn reactors(
    conn: &Connection,
    msg: i64,
    reaction: &str,
    limit: Option<i64>,
) -> rusqlite::Result<Vec<(String, f64)>> {
    let mut st = conn.prepare_cached(
        "SELECT u.session_id, ur.at FROM user_reactions ur
             JOIN reactions r ON r.id = ur.reaction JOIN users u ON u.id = ur.user
         WHERE r.message = ? AND r.reaction = ? ORDER BY ur.at LIMIT ?",
    )?;
    let rows = st.query_map(params![msg, reaction, limit.unwrap_or(-1)], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reaction_length_is_counted_in_code_points() {
        for ok in [
            "🖕",
            "f",
            "y/n",
            "abcdefghijkl",
            "🦒🦍🐍🐊🦢🦁🦎",
            "‽",
            "🫑",
            "❤️",
        ] {
            assert!(valid(ok), "{ok}");
        }
        assert!(!valid(""));
        assert!(!valid("abcdefghijklm"));
    }
}
