//! `--onion` from the command line (issue 7 §5, "Done when"), as outside tools run it:
//! `session demo --onion` with its in-process local network, and the SOGS client commands
//! through a `session testnet` child process to a `session sogs serve` child process. Every
//! address is on 127.0.0.0/8; every child is killed (by its pid) when its guard drops.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Lines};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, ChildStdout, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_session");
const PHRASE: &str = "love love love love love love love love love love love love love";

/// A child process killed and reaped when dropped; its stdout stays open (a closed pipe
/// would fail the child's next write).
struct Running {
    child: Child,
    _out: Lines<BufReader<ChildStdout>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `session testnet --snodes 12`; returns it and the seed URL from its first line.
fn testnet() -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(["testnet", "--snodes", "12"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = out.next().expect("testnet printed nothing").unwrap();
    let seed = first
        .strip_prefix("SEED=")
        .unwrap_or_else(|| panic!("first line is not SEED=: {first}"))
        .to_owned();
    let running = Running {
        child,
        _out: out,
        _dir: None,
    };
    (running, seed)
}

/// A free loopback port (the OS picks it; the listener is closed before the server binds).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `session sogs serve` with a `lobby` room on a free port and a temporary database;
/// returns it and the room's join link.
fn sogs_serve() -> (Running, String) {
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
    let port = free_port().to_string();
    let mut child = Command::new(BIN)
        .args(["sogs", "serve", "--db", db, "--port", &port])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    // The server prints each room's join link at start ("lobby: http://…").
    let link = out
        .by_ref()
        .take(20)
        .map(Result::unwrap)
        .find_map(|l| l.strip_prefix("lobby: ").map(str::to_owned))
        .expect("serve printed no join link");
    assert!(
        link.contains(&format!(":{port}/lobby?public_key=")),
        "{link}"
    );
    let running = Running {
        child,
        _out: out,
        _dir: Some(dir),
    };
    (running, link)
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

/// A hop of a path as the demo's JSON gives it: on a testnet address (127.0.<i>.1 with
/// i in 1..=12, each snode in its own /24), a port, and a 32-byte Ed25519 key.
fn check_hop(hop: &Value) -> (u8, String) {
    let ip: Ipv4Addr = hop["ip"].as_str().unwrap().parse().unwrap();
    let [a, b, c, d] = ip.octets();
    assert!(
        a == 127 && b == 0 && (1..=12).contains(&c) && d == 1,
        "{ip}"
    );
    assert!(hop["port"].as_u64().is_some_and(|p| p > 0));
    let ed = hop["ed25519"].as_str().unwrap().to_owned();
    assert_eq!(hex::decode(&ed).unwrap().len(), 32);
    (c, ed)
}

#[test]
fn demo_onion_runs_the_seed_steps_over_a_local_network_and_prints_the_path() {
    let (ok, out, err) = session(&["demo", "--onion"]);
    assert!(ok, "{err}\n{out}");
    for line in [
        "Started a local Session network: 12 snodes, seed http://127.0.0.1:",
        "Started a local SOGS: http://127.0.0.1:",
        "Session ID: 05",
        "Blinded ID: 15",
        "Route: onion requests through 3-hop paths of the local Session network",
        "Step 1: room info",
        "Step 2: 2 recent messages, decoded and verified",
        "Step 3: encode, sign and post",
        "signature verified",
        "; the third hop forwards to http://127.0.0.1:",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    // Every message read in step 2 verified.
    assert_eq!(out.matches("[verified]").count(), 2, "{out}");
    // The path: a guard and two relays per path used, each `ip:port  ed25519 <8 hex>…`.
    let hops: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("guard 127.0.") || l.starts_with("relay 127.0."))
        .collect();
    assert!(!hops.is_empty() && hops.len().is_multiple_of(3), "{out}");
    for (i, hop) in hops.iter().enumerate() {
        let role = if i % 3 == 0 { "guard" } else { "relay" };
        let (address, key) = hop
            .strip_prefix(role)
            .and_then(|h| h.split_once("  ed25519 "))
            .unwrap_or_else(|| panic!("hop {i} is not a {role}: {hop}"));
        let (ip, port) = address.trim().split_once(':').unwrap();
        assert!(
            ip.parse::<Ipv4Addr>().is_ok() && port.parse::<u16>().is_ok(),
            "{hop}"
        );
        let prefix = key.strip_suffix('…').unwrap();
        assert_eq!(prefix.len(), 8);
        assert!(hex::decode(prefix).is_ok(), "{hop}");
    }
}

#[test]
fn demo_onion_json_names_three_distinct_hops_per_path_and_a_verified_read_back() {
    let demo = json(&["demo", "--onion", "--json", "--mnemonic", PHRASE]);
    assert_eq!(demo["read_back_verified"], true);
    assert_eq!(demo["local"], true);
    assert_eq!(demo["posted"]["verified"], true);
    assert_eq!(demo["recent"].as_array().unwrap().len(), 2);
    assert!(
        demo["onion"]["local_network"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let paths = demo["onion"]["paths"].as_array().unwrap();
    assert!(!paths.is_empty() && paths.len() <= 2, "{paths:?}");
    for path in paths {
        let hops: Vec<(u8, String)> = path.as_array().unwrap().iter().map(check_hop).collect();
        assert_eq!(hops.len(), 3);
        let mut subnets: Vec<u8> = hops.iter().map(|h| h.0).collect();
        subnets.sort_unstable();
        subnets.dedup();
        assert_eq!(subnets.len(), 3, "hops of a path in distinct /24s: {path}");
    }
}

#[test]
fn sogs_client_commands_go_over_onion_through_session_testnet() {
    let (mut net, seed) = testnet();
    assert!(seed.starts_with("http://127.0.0.1:"), "{seed}");
    let (_sogs, link) = sogs_serve();
    let onion = ["--onion", "--network", "local", "--seed", seed.as_str()];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(onion.iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let run = |args: &[&str]| {
        let args = with(args);
        json(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let rooms = run(&["sogs", "rooms", "--link", &link, "--json"]);
    assert_eq!(rooms[0]["token"], "lobby");
    let info = run(&["sogs", "info", "--link", &link, "--json"]);
    assert_eq!(
        (&info["token"], &info["name"]),
        (&"lobby".into(), &"Lobby".into())
    );
    let post = |text: &str| {
        run(&[
            "sogs",
            "post",
            "--link",
            &link,
            "--mnemonic",
            PHRASE,
            "--text",
            text,
            "--json",
        ])
    };
    let posted = post("hi over onion");
    assert_eq!(posted["text"], "hi over onion");
    assert_eq!(posted["verified"], true);
    assert!(posted["sender"].as_str().unwrap().starts_with("15"));
    let id = posted["id"].as_i64().unwrap().to_string();
    let react = run(&[
        "sogs",
        "react",
        "--link",
        &link,
        "--mnemonic",
        PHRASE,
        "--id",
        &id,
        "--emoji",
        "👍",
        "--json",
    ]);
    assert_eq!(react["added"], true);
    let doomed = post("to be deleted");
    let doomed_id = doomed["id"].as_i64().unwrap().to_string();
    let deleted = run(&[
        "sogs",
        "delete",
        "--link",
        &link,
        "--mnemonic",
        PHRASE,
        "--id",
        &doomed_id,
        "--json",
    ]);
    assert_eq!(deleted["deleted"], doomed["id"]);

    let read = run(&["sogs", "read", "--link", &link, "--json"]);
    assert_eq!(read.as_array().unwrap().len(), 1, "{read}");
    assert_eq!(read[0]["text"], "hi over onion");
    assert_eq!(read[0]["verified"], true);
    assert_eq!(read[0]["id"], posted["id"]);
    assert_eq!(read[0]["sender"], posted["sender"]);
    assert_eq!(read[0]["reactions"]["👍"], 1);
    let (ok, text, err) = session(
        &with(&["sogs", "read", "--link", &link])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(
        ok && text.contains("[verified]: hi over onion"),
        "{text}{err}"
    );

    // watch over onion: the first poll runs at once (room details, then the message).
    let mut watch = Command::new(BIN)
        .args(with(&[
            "sogs",
            "watch",
            "--link",
            &link,
            "--json",
            "--interval",
            "1",
        ]))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let events: Vec<Value> = lines
        .by_ref()
        .take(2)
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    let watch = Running {
        child: watch,
        _out: lines,
        _dir: None,
    };
    drop(watch);
    assert_eq!(events[0]["event"], "room_info_changed");
    assert_eq!(events[1]["event"], "message_new");
    assert_eq!(events[1]["message"]["text"], "hi over onion");
    assert_eq!(events[1]["message"]["verified"], true);

    // Without the network the same command fails, in one line: it did use the onion.
    let _ = net.child.kill();
    let _ = net.child.wait();
    let (ok, _, err) = session(
        &with(&["sogs", "read", "--link", &link, "--json"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(!ok, "read over a stopped network succeeded");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    // Directly, the server still answers.
    let read = json(&["sogs", "read", "--link", &link, "--json"]);
    assert_eq!(read[0]["text"], "hi over onion");
}

#[test]
fn network_choices_need_onion() {
    let (ok, _, err) = session(&[
        "sogs",
        "read",
        "--link",
        "http://127.0.0.1:1/lobby?public_key=09324794aa9c11948189762d198c618148e9136ac9582068180661208927ef34",
        "--network",
        "local",
        "--seed",
        "http://127.0.0.1:1/",
    ]);
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "error: --network and --seed choose the onion network: add --onion"
    );
    let (ok, _, err) = session(&["demo", "--onion", "--network", "local"]);
    assert!(!ok);
    assert_eq!(err.trim(), "error: --network local needs --seed URL");
}
