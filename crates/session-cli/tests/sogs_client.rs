//! `session sogs rooms|info|read|post|react|delete` and `session demo`, as outside tools run
//! them: against `session sogs serve` on a loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_session");
const PHRASE: &str = "love love love love love love love love love love love love love";

/// `session sogs serve` on a free port, stopped (by its pid) when dropped.
struct Serve {
    child: Child,
    link: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sogs.db");
    let db = db.to_str().unwrap();
    let ok = Command::new(BIN)
        .args([
            "sogs", "room", "add", "lobby", "--db", db, "--name", "Lobby",
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let mut child = Command::new(BIN)
        .args(["sogs", "serve", "--db", db, "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    // The server prints each room's join link at start ("lobby: http://…").
    let link = out
        .lines()
        .take(20)
        .map(Result::unwrap)
        .find_map(|l| l.strip_prefix("lobby: ").map(str::to_owned))
        .expect("serve printed no join link");
    Serve {
        child,
        link,
        _dir: dir,
    }
}

fn session(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("SESSION_MNEMONIC")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(args: &[&str]) -> Value {
    let (ok, out, err) = session(args);
    assert!(ok, "session {args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_cli_reads_and_posts_against_sogs_serve() {
    let s = serve();
    let link = s.link.as_str();
    let rooms = json(&["sogs", "rooms", "--link", link, "--json"]);
    assert_eq!(rooms[0]["token"], "lobby");
    let info = json(&["sogs", "info", "--link", link, "--json"]);
    assert_eq!(info["name"], "Lobby");

    let posted = json(&[
        "sogs",
        "post",
        "--link",
        link,
        "--mnemonic",
        PHRASE,
        "--text",
        "hi from the CLI",
        "--json",
    ]);
    assert_eq!(posted["text"], "hi from the CLI");
    assert_eq!(posted["verified"], true);
    let id = posted["id"].as_i64().unwrap().to_string();
    assert!(posted["sender"].as_str().unwrap().starts_with("15"));

    let react = json(&[
        "sogs",
        "react",
        "--link",
        link,
        "--mnemonic",
        PHRASE,
        "--id",
        &id,
        "--emoji",
        "👍",
        "--json",
    ]);
    assert_eq!(react["added"], true);

    // The --server/--server-pk/--room form reads the same room.
    let (base, rest) = link.split_once("/lobby?public_key=").unwrap();
    let read = json(&[
        "sogs",
        "read",
        "--server",
        base,
        "--server-pk",
        rest,
        "--room",
        "lobby",
        "--json",
    ]);
    assert_eq!(read.as_array().unwrap().len(), 1);
    assert_eq!(read[0]["text"], "hi from the CLI");
    assert_eq!(read[0]["verified"], true);
    assert_eq!(read[0]["reactions"]["👍"], 1);
    assert_eq!(
        read[0]["content"]["data_message"]["body"]
            .as_str()
            .or(read[0]["text"].as_str()),
        Some("hi from the CLI")
    );

    let (ok, text, _) = session(&["sogs", "read", "--link", link]);
    assert!(ok && text.contains("[verified]: hi from the CLI"), "{text}");

    let deleted = json(&[
        "sogs",
        "delete",
        "--link",
        link,
        "--mnemonic",
        PHRASE,
        "--id",
        &id,
        "--json",
    ]);
    assert_eq!(deleted["deleted"], posted["id"]);
    assert_eq!(
        json(&["sogs", "read", "--link", link, "--json"]),
        Value::Array(vec![])
    );

    let demo = json(&["demo", "--server", base, "--server-pk", rest, "--json"]);
    assert_eq!(
        (demo["room"].as_str(), demo["read_back_verified"].as_bool()),
        (Some("lobby"), Some(true))
    );
    let demo = json(&["demo", "--link", link, "--mnemonic", PHRASE, "--json"]);
    assert_eq!(demo["read_back_verified"], true);
    assert_eq!(demo["local"], false);
    assert_eq!(demo["blinded_id"], posted["sender"]);
}

#[test]
fn watch_streams_events_as_json_lines() {
    let s = serve();
    json(&[
        "sogs",
        "post",
        "--link",
        &s.link,
        "--mnemonic",
        PHRASE,
        "--text",
        "watch me",
        "--json",
    ]);
    let mut watch = Command::new(BIN)
        .args([
            "sogs",
            "watch",
            "--link",
            &s.link,
            "--json",
            "--interval",
            "1",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The first poll runs at once: the room's details, then the recent message.
    let lines: Vec<Value> = BufReader::new(watch.stdout.take().unwrap())
        .lines()
        .take(2)
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let _ = watch.kill();
    let _ = watch.wait();
    assert_eq!(lines[0]["event"], "room_info_changed");
    assert_eq!(lines[0]["info"]["token"], "lobby");
    assert_eq!(lines[1]["event"], "message_new");
    assert_eq!(lines[1]["message"]["text"], "watch me");
    assert_eq!(lines[1]["message"]["verified"], true);
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let (ok, _, err) = session(&["sogs", "read", "--link", "http://example.com/r"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: --link: the link has no ?public_key= part"),
        "{err}"
    );
    let s = serve();
    let (ok, _, err) = session(&["sogs", "post", "--link", &s.link, "--text", "x"]);
    assert!(
        !ok && err.starts_with("error: this command needs an identity"),
        "{err}"
    );
    let (ok, _, err) = session(&["sogs", "info", "--link", &s.link, "--room", "nope"]);
    assert!(!ok && err.starts_with("error: not found (404)"), "{err}");
}

#[test]
fn the_offline_demo_prints_three_steps_and_a_verified_read_back() {
    let (ok, out, err) = session(&["demo"]);
    assert!(ok, "{err}");
    for step in [
        "Session ID: 05",
        "Blinded ID: 15",
        "Step 1: room info",
        "Step 2: 2 recent messages",
        "Step 3: encode, sign and post",
        "signature verified",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
}
