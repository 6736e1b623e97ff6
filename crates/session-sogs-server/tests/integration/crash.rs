//! Nothing lost (issue 5 §2): the server binary is killed with SIGKILL under a bounded posting
//! load; the database, reopened, holds every message whose 201 reached a client, byte for
//! byte, and a restarted server serves them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::json;
use session_sogs_server::testing::TestServer;
use session_sogs_server::{Config, RoomPermissions, Server};

use crate::client::{Client, b64};

/// Posting clients, posts each (an upper bound: the kill stops them earlier).
const CLIENTS: usize = 8;
const POSTS_EACH: usize = 400;
/// Kill once this many posts were acknowledged.
const KILL_AFTER: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_posts_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sogs.db");
    let conf = dir.path().join("sogs.toml");
    std::fs::write(&conf, "[messages]\nrate_limit_size = 0\n").unwrap();
    let key = {
        let s = Server::open(&db, Config::default()).unwrap();
        s.add_room("lobby", None, None, RoomPermissions::default())
            .unwrap();
        s.public_key()
    };

    let mut child = Command::new(env!("CARGO_BIN_EXE_session-sogs-server"))
        .args(["serve", "--port", "0", "--db"])
        .arg(&db)
        .arg("--config")
        .arg(&conf)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    // The rest of the banner names the key and the room's join link.
    let banner: Vec<String> = (0..2).map(|_| lines.next().unwrap().unwrap()).collect();
    assert_eq!(banner[0], format!("public key: {key}"));
    assert_eq!(banner[1], format!("lobby: {url}/lobby?public_key={key}"));

    let c = Client::for_url(&url);
    let acked: Arc<Mutex<Vec<(i64, Vec<u8>)>>> = Arc::default();
    let mut tasks = Vec::new();
    for n in 0..CLIENTS {
        let (c, acked, key) = (c.clone(), acked.clone(), key);
        tasks.push(tokio::spawn(async move {
            let user = crate::client::User::for_key(key, n as u8 + 1);
            for i in 0..POSTS_EACH {
                let data = format!("client {n} post {i}").into_bytes();
                let body = json!({"data": b64(&data), "signature": b64(&[n as u8; 64])});
                let body = serde_json::to_vec(&body).unwrap();
                let headers = user.auth_headers("POST", "/room/lobby/message", &body);
                let Some(r) = c
                    .try_raw("POST", "/room/lobby/message", &headers, body)
                    .await
                else {
                    break; // the server is gone
                };
                if r.status == 201 {
                    let id = r.json()["id"].as_i64().unwrap();
                    acked.lock().unwrap().push((id, data));
                }
            }
        }));
    }
    // Kill once enough posts are acknowledged (bounded wait), while the others are in flight.
    for _ in 0..20_000 {
        if acked.lock().unwrap().len() >= KILL_AFTER {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= KILL_AFTER,
        "only {} posts acknowledged",
        acked.len()
    );

    // Reopen the database directly: every acknowledged post is there, byte for byte.
    let conn = rusqlite::Connection::open(&db).unwrap();
    for (id, data) in &acked {
        let stored: Vec<u8> = conn
            .query_row("SELECT data FROM messages WHERE id = ?", [id], |r| r.get(0))
            .unwrap_or_else(|e| panic!("acknowledged message {id} lost: {e}"));
        assert_eq!(&stored, data, "message {id}");
    }
    drop(conn);

    // A restarted server serves them.
    let again = TestServer::builder().database(&db).spawn().await;
    assert_eq!(again.public_key(), key);
    let c = Client::new(&again);
    let (id, data) = &acked[acked.len() - 1];
    let m = c.get(&format!("/room/lobby/message/{id}")).await.json();
    assert_eq!(crate::client::unb64(m["data"].as_str().unwrap()), *data);
}
