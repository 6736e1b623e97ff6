//! The poller fed canned answers: every row kind, cursors, pages, errors, restarts.

use std::time::Duration;

use serde_json::{Value, json};
use session_crypto::{Identity, ServerPubkey, SigningMode};
use session_schema::{SogsSigner, VisibleMessage};

use super::*;
use crate::error::Error;
use crate::request::Endpoint;

const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

struct Fixture {
    server: ServerPubkey,
    signer: SogsSigner,
}

impl Fixture {
    fn new() -> Self {
        let server: ServerPubkey = SERVER.parse().unwrap();
        let id = Identity::from_seed(&[3; 16]).unwrap();
        Self {
            signer: SogsSigner::new(&id, SigningMode::Blind15, &server),
            server,
        }
    }

    fn cx(&self) -> Context<'_> {
        Context {
            server: &self.server,
            identity: None,
        }
    }

    /// A signed message row.
    fn msg(&self, id: i64, seqno: i64, text: &str) -> Value {
        let data = self
            .signer
            .encode(&VisibleMessage::text(text).timestamp(1000).into_content())
            .unwrap();
        json!({"id": id, "seqno": seqno, "session_id": self.signer.sender().to_string(),
               "posted": 1.5, "data": data.data, "signature": data.signature, "reactions": {}})
    }

    fn tombstone(&self, id: i64, seqno: i64) -> Value {
        json!({"id": id, "seqno": seqno, "session_id": self.signer.sender().to_string(),
               "posted": 1.5, "edited": 2.5, "data": null, "deleted": true})
    }
}

fn config() -> PollerConfig {
    PollerConfig {
        page_size: 3,
        jitter: false,
        ..PollerConfig::default()
    }
}

fn ok(body: Value) -> Value {
    json!({"code": 200, "headers": {"content-type": "application/json"}, "body": body})
}

fn poll_info(token: &str, details: Option<Value>) -> Value {
    let mut v =
        json!({"token": token, "active_users": 1, "read": true, "write": true, "upload": true});
    if let Some(d) = details {
        v["details"] = d;
    }
    ok(v)
}

fn room_details(token: &str, info_updates: i64, pinned: &[i64]) -> Value {
    let pins: Vec<Value> = pinned
        .iter()
        .map(|id| json!({"id": id, "pinned_at": 5.0, "pinned_by": "15ab"}))
        .collect();
    json!({"token": token, "name": "Lobby", "info_updates": info_updates, "message_sequence": 1,
           "created": 1.0, "active_users": 1, "active_users_cutoff": 604800, "moderators": [],
           "admins": [], "read": true, "write": true, "upload": true, "pinned_messages": pins})
}

/// An answer for a one-room poller: capabilities, pollInfo, messages.
fn answer(info: Value, messages: Value) -> Result<BatchResponses> {
    let body = json!([
        ok(json!({"capabilities": ["blind", "reactions", "sogs"]})),
        info,
        messages
    ]);
    crate::batch::parse_sub_responses(body.to_string().as_bytes())
        .map(BatchResponses::from_responses)
}

fn lobby() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

fn one_room() -> Poller {
    let mut p = Poller::new(config());
    p.add_room(lobby());
    p
}

fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::MessageNew { message, .. } => format!("new {}", message.id),
            Event::MessageEdited { message, .. } => format!("edited {}", message.id),
            Event::MessageDeleted { id, .. } => format!("deleted {id}"),
            Event::ReactionsChanged { id, .. } => format!("reactions {id}"),
            Event::RoomInfoChanged { info, .. } => format!("info {}", info.info_updates),
            Event::PinsChanged { pinned, .. } => {
                format!("pins {:?}", pinned.iter().map(|p| p.id).collect::<Vec<_>>())
            }
            Event::MalformedRow { id, .. } => format!("malformed {id:?}"),
            Event::Error { room, .. } => format!("error {room:?}"),
            Event::DirectMessage(d) => format!("dm {}", d.id),
            Event::DirectMessageSent(d) => format!("dm sent {}", d.id),
        })
        .collect()
}

fn paths(req: &PollRequest) -> Vec<String> {
    let body = req.batch().body().unwrap();
    let v: Value = serde_json::from_slice(body.bytes()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn first_poll_reads_recent_then_since_the_highest_seqno() {
    let f = Fixture::new();
    let mut p = one_room();
    let req = p.poll().unwrap();
    assert_eq!(
        paths(&req),
        [
            "/capabilities",
            "/room/lobby",
            "/room/lobby/messages/recent?limit=50&reactors=5"
        ]
    );
    // recent is newest first; seqnos are not in id order (message 1 got a reaction later).
    let events = p.handle(
        req,
        &f.cx(),
        answer(
            ok(room_details("lobby", 4, &[])),
            ok(json!([f.msg(2, 2, "b"), f.msg(1, 7, "a")])),
        ),
    );
    assert_eq!(kinds(&events), ["info 4", "new 1", "new 2"]);
    let Event::MessageNew { message, .. } = &events[1] else {
        unreachable!()
    };
    assert!(message.verified);
    assert_eq!(message.text(), Some("a"));
    assert_eq!(
        p.capabilities().unwrap().signing_mode(),
        SigningMode::Blind15
    );
    assert_eq!(p.rooms()[&lobby()].seqno, Some(7));
    assert_eq!(p.next_delay(), Duration::from_secs(10));
    assert_eq!(
        paths(&p.poll().unwrap())[1..],
        [
            "/room/lobby/pollInfo/4",
            "/room/lobby/messages/since/7?limit=3&t=r&reactors=5"
        ]
    );
}

#[test]
fn since_rows_become_new_edited_deleted_and_reaction_events() {
    let f = Fixture::new();
    let mut p = Poller::from_cursor(
        config(),
        PollerCursor {
            rooms: [(
                "lobby".to_owned(),
                RoomCursor {
                    seqno: Some(10),
                    info_updates: 1,
                    max_id: 5,
                    pinned: Some(vec![]),
                },
            )]
            .into(),
            ..PollerCursor::default()
        },
    );
    let mut edited = f.msg(4, 13, "edited");
    edited["edited"] = json!(3.0);
    let rows = json!([
        f.msg(6, 11, "new"),
        {"id": 2, "seqno": 12, "reactions": {"👍": {"index": 0, "count": 1}}},
        edited,
    ]);
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(poll_info("lobby", None), ok(rows)),
    );
    assert_eq!(kinds(&events), ["new 6", "reactions 2", "edited 4"]);
    let Event::ReactionsChanged { reactions, .. } = &events[1] else {
        unreachable!()
    };
    assert_eq!(reactions["👍"].count, 1);
    // A full page (3 rows of 3): poll again at once.
    assert_eq!(p.next_delay(), Duration::ZERO);
    assert_eq!(p.rooms()[&lobby()].seqno, Some(13));
    assert_eq!(p.rooms()[&lobby()].max_id, 6);
    // The next, partial page holds only a deletion: back to the interval.
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(poll_info("lobby", None), ok(json!([f.tombstone(3, 14)]))),
    );
    assert_eq!(kinds(&events), ["deleted 3"]);
    assert_eq!(p.rooms()[&lobby()].seqno, Some(14));
    assert_eq!(p.next_delay(), Duration::from_secs(10));
}

#[test]
fn whisper_only_and_empty_polls_keep_the_cursor_right() {
    let f = Fixture::new();
    let mut p = one_room();
    let _ = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(ok(room_details("lobby", 0, &[])), ok(json!([]))),
    );
    assert_eq!(
        p.rooms()[&lobby()].seqno,
        Some(0),
        "an empty room starts at 0"
    );
    let mut w = f.msg(1, 1, "psst");
    w["whisper"] = json!(true);
    w["whisper_mods"] = json!(true);
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(poll_info("lobby", None), ok(json!([w]))),
    );
    let Event::MessageNew { message, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(message.whisper && message.whisper_mods && message.verified);
    assert_eq!(p.rooms()[&lobby()].seqno, Some(1));
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(poll_info("lobby", None), ok(json!([]))),
    );
    assert!(events.is_empty());
    assert_eq!(p.rooms()[&lobby()].seqno, Some(1));
}

#[test]
fn pin_changes_and_info_changes_are_reported() {
    let f = Fixture::new();
    let mut p = one_room();
    let first = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(ok(room_details("lobby", 1, &[])), ok(json!([]))),
    );
    assert_eq!(
        kinds(&first),
        ["info 1"],
        "the first details are not a pin change"
    );
    let pinned = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(
            poll_info("lobby", Some(room_details("lobby", 2, &[7, 3]))),
            ok(json!([])),
        ),
    );
    assert_eq!(kinds(&pinned), ["info 2", "pins [7, 3]"]);
    let renamed = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(
            poll_info("lobby", Some(room_details("lobby", 3, &[7, 3]))),
            ok(json!([])),
        ),
    );
    assert_eq!(kinds(&renamed), ["info 3"]);
    // A stale answer (older info_updates) changes nothing.
    let stale = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(
            poll_info("lobby", Some(room_details("lobby", 2, &[]))),
            ok(json!([])),
        ),
    );
    assert!(stale.is_empty());
    assert_eq!(p.rooms()[&lobby()].pinned, Some(vec![7, 3]));
}

#[test]
fn malformed_rows_are_reported_and_skipped() {
    let f = Fixture::new();
    let mut p = one_room();
    let _ = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(ok(room_details("lobby", 0, &[])), ok(json!([]))),
    );
    let mut bad_sig = f.msg(3, 3, "forged");
    bad_sig["data"] = f.msg(9, 9, "other")["data"].clone();
    let rows = json!([
        {"id": "one", "seqno": 1},
        {"id": 2, "seqno": 2, "session_id": "not an id", "data": "AA==", "signature": "AA=="},
        bad_sig,
    ]);
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(poll_info("lobby", None), ok(rows)),
    );
    assert_eq!(
        kinds(&events),
        ["malformed None", "malformed Some(2)", "new 3"]
    );
    let Event::MessageNew { message, .. } = &events[2] else {
        unreachable!()
    };
    assert!(
        !message.verified,
        "a signature over other data never verifies"
    );
    assert_eq!(message.text(), Some("other"));
    assert_eq!(p.rooms()[&lobby()].seqno, Some(3));
}

#[test]
fn broken_answers_give_errors_back_off_and_recover() {
    let f = Fixture::new();
    let mut p = one_room();
    let truncated = crate::batch::parse_sub_responses(b"[{\"code\":200,\"body\":[");
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        truncated.map(BatchResponses::from_responses),
    );
    assert!(matches!(
        &events[..],
        [Event::Error {
            room: None,
            error: Error::Decode { .. }
        }]
    ));
    assert_eq!(p.failures(), 1);
    assert_eq!(p.next_delay(), Duration::from_secs(2));
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        Err(Error::Server {
            status: 502,
            reason: "Bad Gateway".into(),
        }),
    );
    assert_eq!(events.len(), 1);
    assert_eq!(p.next_delay(), Duration::from_secs(4));
    // Per-room failures (an HTML 404 page, wrong types) do not stop the poller.
    let html = json!({"code": 404, "headers": {"content-type": "text/html"},
                      "body": "PCFkb2N0eXBlIGh0bWw+PHRpdGxlPjQwNCBOb3QgRm91bmQ8L3RpdGxlPg=="});
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(html, ok(json!({"not": "a list"}))),
    );
    assert_eq!(
        kinds(&events),
        [
            "error Some(RoomToken(lobby))",
            "error Some(RoomToken(lobby))"
        ]
    );
    let Event::Error {
        error: Error::NotFound { reason },
        ..
    } = &events[0]
    else {
        panic!()
    };
    assert_eq!(reason, "404 Not Found");
    assert_eq!(p.failures(), 0);
    assert_eq!(
        p.rooms()[&lobby()].seqno,
        None,
        "nothing read, nothing skipped"
    );
    let events = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(
            ok(room_details("lobby", 0, &[])),
            ok(json!([f.msg(1, 1, "x")])),
        ),
    );
    assert_eq!(kinds(&events), ["info 0", "new 1"]);
}

#[test]
fn a_restored_cursor_neither_loses_nor_repeats() {
    let f = Fixture::new();
    let mut p = one_room();
    let _ = p.handle(
        p.poll().unwrap(),
        &f.cx(),
        answer(
            ok(room_details("lobby", 0, &[])),
            ok(json!([f.msg(2, 2, "b"), f.msg(1, 1, "a")])),
        ),
    );
    let saved = serde_json::to_string(&p.cursor()).unwrap();
    let mut again = Poller::from_cursor(config(), serde_json::from_str(&saved).unwrap());
    assert_eq!(again.cursor(), p.cursor());
    let req = again.poll().unwrap();
    assert_eq!(
        paths(&req)[2],
        "/room/lobby/messages/since/2?limit=3&t=r&reactors=5"
    );
    let events = again.handle(
        req,
        &f.cx(),
        answer(poll_info("lobby", None), ok(json!([f.msg(3, 3, "c")]))),
    );
    assert_eq!(kinds(&events), ["new 3"]);
}

#[test]
fn ticks_over_many_rooms_build_one_batch() {
    let mut p = Poller::new(PollerConfig {
        capabilities: false,
        ..config()
    });
    for i in 0..1000 {
        p.add_room(RoomToken::new(&format!("room{i}")).unwrap());
    }
    p.set_direct_messages(true);
    let req = p.poll().unwrap();
    let paths = paths(&req);
    assert_eq!(paths.len(), 2002);
    assert_eq!(paths[2000..], ["/inbox/since/0", "/outbox/since/0"]);
}
