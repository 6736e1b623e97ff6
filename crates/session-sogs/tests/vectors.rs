//! Published vectors (tests/vectors/README.md): each set prints one `vectors:` line and fails
//! naming its first mismatch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use session_crypto::ServerPubkey;
use session_sogs::poller::{PollerCursor, RoomCursor};
use session_sogs::{
    Batch, BatchResponses, Context, Endpoint, Error, Event, JoinLink, Poller, PollerConfig,
    Response, RoomToken, api,
};

const FILE: &str = "vectors-pysogs-client.json";

fn vectors(prefix: &str) -> Vec<Value> {
    let all: Vec<Value> =
        serde_json::from_str(include_str!("vectors/vectors-pysogs-client.json")).unwrap();
    all.into_iter()
        .filter(|v| v["name"].as_str().unwrap().starts_with(prefix))
        .collect()
}

/// Runs `check` on each vector of a set, prints the protocol line, fails on the first mismatch.
fn run_set(set: &str, vs: &[Value], check: impl Fn(&Value) -> Result<(), String>) {
    assert!(!vs.is_empty(), "set {set} has no vectors");
    let mut failed = Vec::new();
    for v in vs {
        if let Err(e) = check(v) {
            failed.push(format!("{}: {e}", v["name"]));
        }
    }
    println!(
        "\nvectors: set={set} source={FILE} passed={} failed={}",
        vs.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "first mismatch: {}", failed[0]);
}

fn eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

#[test]
fn community_links_match_libsession_and_pysogs() {
    let mut vs = vectors("libsession_community_url_parse");
    vs.extend(vectors("pysogs_server_url_format"));
    run_set("sogs_join_links", &vs, |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        if let Some(url) = i["url"].as_str() {
            let link = JoinLink::parse(url).map_err(|e| e.to_string())?;
            eq(
                "base_url",
                link.server().base_url(),
                e["base_url"].as_str().unwrap(),
            )?;
            eq("room", link.room().as_str(), e["room"].as_str().unwrap())?;
            eq(
                "canonical room",
                link.room().canonical().as_str(),
                e["room_canonical"].as_str().unwrap(),
            )?;
            eq(
                "pubkey",
                link.server().public_key().to_string().as_str(),
                e["pubkey"].as_str().unwrap(),
            )?;
            // The canonical form parses back to the same link.
            eq(
                "round trip",
                JoinLink::parse(&link.to_string()).unwrap(),
                link,
            )
        } else {
            let pk: ServerPubkey = i["server_pubkey"].as_str().unwrap().parse().unwrap();
            let server = session_sogs::Server::new(i["base_url"].as_str().unwrap(), pk).unwrap();
            let link = server.join_link(RoomToken::new(i["room"].as_str().unwrap()).unwrap());
            eq("url", link.to_string().as_str(), e["url"].as_str().unwrap())
        }
    });
}

fn cx(server: &ServerPubkey) -> Context<'_> {
    Context {
        server,
        identity: None,
    }
}

#[test]
fn capabilities_answers_parse_and_412_names_the_missing() {
    let pk = ServerPubkey::from_bytes([1; 32]);
    run_set("sogs_capabilities", &vectors("pysogs_capabilities_"), |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let request = match i["query_required"].as_str() {
            Some(q) => api::GetCapabilities::requiring(q.split(',')),
            None => api::GetCapabilities::new(),
        };
        let want_path = match i["query_required"].as_str() {
            Some(q) => format!("/capabilities?required={q}"),
            None => "/capabilities".to_owned(),
        };
        eq("path", request.path(), want_path)?;
        let response = Response {
            status: u16::try_from(e["status"].as_u64().unwrap()).unwrap(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: e["body"].to_string().into_bytes(),
        };
        let want_caps: Vec<String> =
            serde_json::from_value(e["body"]["capabilities"].clone()).unwrap();
        match api::GetCapabilities::parse(&cx(&pk), &response) {
            Ok(c) => eq("capabilities", c.capabilities, want_caps),
            Err(Error::MissingCapabilities { missing }) => {
                let want: Vec<String> =
                    serde_json::from_value(e["body"]["missing"].clone()).unwrap();
                eq("missing", missing, want)
            }
            Err(other) => Err(other.to_string()),
        }
    });
}

#[test]
fn batch_bodies_and_sequences_decode_as_pysogs_sends_them() {
    let pk = ServerPubkey::from_bytes([1; 32]);
    let mut vs = vectors("pysogs_batch_body_encoding");
    vs.extend(vectors("pysogs_sequence_stops"));
    run_set("sogs_batch", &vs, |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        if let Some(bodies) = i["subresponse_bodies"].as_array() {
            let encoded = e["encoded_bodies"].as_array().unwrap();
            let elements: Vec<Value> = bodies
                .iter()
                .zip(encoded)
                .map(|(b, enc)| json!({"code": 200, "headers": {"content-type": b["content-type"]}, "body": enc}))
                .collect();
            let response = Response {
                status: 200,
                headers: vec![],
                body: Value::Array(elements).to_string().into_bytes(),
            };
            let answers = Batch::parse(&cx(&pk), &response).map_err(|e| e.to_string())?;
            for (k, b) in bodies.iter().enumerate() {
                let want = match b["raw"].as_str() {
                    Some(s) => s.as_bytes().to_vec(),
                    None => hex::decode(b["raw_hex"].as_str().unwrap()).unwrap(),
                };
                eq("body", answers.response(k).unwrap().body.clone(), want)?;
            }
            // The sub-request side: a raw upload is sent as `b64`.
            let mut batch = Batch::new();
            batch
                .push(&api::UploadFile {
                    room: RoomToken::new("r").unwrap(),
                    data: e["subrequest_b64_decoded"]
                        .as_str()
                        .unwrap()
                        .as_bytes()
                        .to_vec(),
                    filename: None,
                })
                .unwrap();
            let sent: Value = serde_json::from_slice(batch.body().unwrap().bytes()).unwrap();
            eq(
                "b64",
                sent[0]["b64"].as_str().unwrap(),
                i["subrequest_b64"].as_str().unwrap(),
            )
        } else {
            // /sequence: the answer stops at the first non-2xx; later handles are NotRun.
            let codes = i["subrequest_codes_if_all_run"].as_array().unwrap();
            let mut seq = Batch::sequence();
            let handles: Vec<_> = codes
                .iter()
                .map(|_| {
                    seq.push(&api::GetRoom::new(RoomToken::new("r").unwrap()))
                        .unwrap()
                })
                .collect();
            let returned = codes
                .iter()
                .position(|c| !(200..300).contains(&c.as_u64().unwrap()))
                .map_or(codes.len(), |p| p + 1);
            let responses = codes[..returned]
                .iter()
                .map(|c| Response {
                    status: u16::try_from(c.as_u64().unwrap()).unwrap(),
                    headers: vec![],
                    body: b"{}".to_vec(),
                })
                .collect();
            let answers = BatchResponses::from_responses(responses);
            eq(
                "returned",
                answers.len() as u64,
                e["sequence_returned_count"].as_u64().unwrap(),
            )?;
            let not_run = handles
                .iter()
                .filter(|h| matches!(answers.get(&cx(&pk), h), Err(Error::NotRun)))
                .count();
            eq("not run", not_run, codes.len() - returned)?;
            eq(
                "batch count",
                codes.len() as u64,
                e["batch_returned_count"].as_u64().unwrap(),
            )
        }
    });
}

#[test]
fn reactions_validate_encode_and_parse_as_pysogs() {
    let mut vs = vectors("pysogs_reaction_");
    let pk = ServerPubkey::from_bytes([1; 32]);
    vs.sort_by_key(|v| v["name"].as_str().unwrap().to_owned());
    run_set("sogs_reactions", &vs, |v| {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let room = RoomToken::new("test-room").unwrap();
        if let Some(reactions) = i["reactions"].as_array() {
            for r in reactions {
                api::AddReaction::new(room.clone(), 1, r.as_str().unwrap())
                    .map_err(|e| e.to_string())?;
            }
            for (_, bad) in e["invalid_examples"].as_object().unwrap() {
                if api::AddReaction::new(room.clone(), 1, bad.as_str().unwrap()).is_ok() {
                    return Err(format!("{bad} accepted"));
                }
            }
            Ok(())
        } else {
            // Raw and encoded paths sign the same bytes; our requests send the encoded form.
            let paths = i["paths"].as_array().unwrap();
            for pair in paths.chunks(2) {
                let (raw, enc) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
                let emoji = raw.rsplit('/').next().unwrap();
                eq(
                    "path",
                    api::AddReaction::new(room.clone(), 1, emoji)
                        .unwrap()
                        .path()
                        .as_str(),
                    enc,
                )?;
                eq(
                    "signed",
                    session_crypto::percent_decode_path(enc),
                    raw.as_bytes().to_vec(),
                )?;
            }
            // The polled row of the vector reads as a message update with those reactions.
            let mut row = e["message"].clone();
            row["session_id"] = json!(format!("05{}", "11".repeat(32)));
            let response = Response {
                status: 200,
                headers: vec![],
                body: json!([row]).to_string().into_bytes(),
            };
            let rows = api::MessagesSince::parse(&cx(&pk), &response).map_err(|e| e.to_string())?;
            let [session_sogs::MessageUpdate::Message(m)] = &rows[..] else {
                return Err(format!("{rows:?}"));
            };
            eq("seqno", m.seqno, 5)?;
            eq(
                "pineapple",
                (
                    m.reactions["🍍"].count,
                    m.reactions["🍍"].index,
                    m.reactions["🍍"].you,
                ),
                (2, 0, true),
            )?;
            eq(
                "heart",
                (m.reactions["❤️"].count, m.reactions["❤️"].index),
                (2, 1),
            )?;
            eq("verified", m.verified, false)
        }
    });
}

#[test]
fn poller_follows_the_pysogs_tombstone_table() {
    let pk = ServerPubkey::from_bytes([1; 32]);
    let vs = vectors("pysogs_messages_since_tombstones");
    run_set("sogs_since_tombstones", &vs, |v| {
        let table = v["expected"]["since_to_result"].as_object().unwrap();
        for (since, rows) in table {
            let since: i64 = since.parse().unwrap();
            let config = PollerConfig {
                capabilities: false,
                page_size: 100,
                ..PollerConfig::default()
            };
            let cursor = PollerCursor {
                rooms: [(
                    "r".to_owned(),
                    RoomCursor {
                        seqno: Some(since),
                        info_updates: 0,
                        max_id: since.min(10),
                        pinned: Some(Vec::new()),
                    },
                )]
                .into(),
                ..PollerCursor::default()
            };
            let mut poller = Poller::from_cursor(config, cursor);
            let sender = format!("05{}", "22".repeat(32));
            let wire: Vec<Value> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let mut w = json!({"id": r["id"], "seqno": r["seqno"], "session_id": sender, "posted": 1.0});
                    if r["deleted"] == json!(true) {
                        w["deleted"] = json!(true);
                        w["data"] = Value::Null;
                        w["edited"] = json!(2.0);
                    } else {
                        w["data"] = json!("ZmFrZQ==");
                        w["signature"] = json!(format!("{}==", "A".repeat(86)));
                    }
                    w
                })
                .collect();
            let request = poller.poll().unwrap();
            let answer = BatchResponses::from_responses(vec![
                Response {
                    status: 200,
                    headers: vec![],
                    body: br#"{"token":"r"}"#.to_vec(),
                },
                Response {
                    status: 200,
                    headers: vec![],
                    body: Value::Array(wire.clone()).to_string().into_bytes(),
                },
            ]);
            let events = poller.handle(request, &cx(&pk), Ok(answer));
            let got: Vec<(bool, i64)> = events
                .iter()
                .map(|e| match e {
                    Event::MessageDeleted { id, .. } => (true, *id),
                    Event::MessageNew { message, .. } | Event::MessageEdited { message, .. } => {
                        (false, message.id)
                    }
                    other => (false, -1 - i64::from(matches!(other, Event::Error { .. }))),
                })
                .collect();
            let want: Vec<(bool, i64)> = wire
                .iter()
                .map(|w| (w["deleted"] == json!(true), w["id"].as_i64().unwrap()))
                .collect();
            eq(&format!("since {since}: events"), got, want)?;
            let max = wire
                .iter()
                .map(|w| w["seqno"].as_i64().unwrap())
                .max()
                .unwrap_or(since);
            eq(
                &format!("since {since}: cursor"),
                poller.rooms()[&RoomToken::new("r").unwrap()].seqno,
                Some(max),
            )?;
        }
        Ok(())
    });
}
