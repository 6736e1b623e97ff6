//! The operator commands as outside tools use them (`session-sogs-server …`, the same code as
//! `session sogs …`): exact outputs and exit codes.

use std::process::{Command, Output};

use session_sogs_server::{Config, ModScope, Server};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-sogs-server"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn key_prints_the_public_key_alone_and_creates_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let first = run(&["key", "--db", db]);
    assert!(first.status.success());
    let out = stdout(&first);
    assert_eq!(out.len(), 65, "64 hex digits and a newline: {out:?}");
    assert!(out.trim_end().bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(stdout(&run(&["key", "--db", db])), out, "the key is kept");
    let server = Server::open(db, Config::default()).unwrap();
    assert_eq!(format!("{}\n", server.public_key()), out);
}

#[test]
fn rooms_and_moderators_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    assert!(run(&["room", "add", "lobby", "--db", db]).status.success());
    let ro = run(&[
        "room", "add", "news", "--db", db, "--name", "News", "--perms", "ra",
    ]);
    assert!(ro.status.success());
    let list = stdout(&run(&["room", "list", "--db", db]));
    assert_eq!(
        list,
        "lobby\tlobby\tperms=rwua\tmessages=0\tactive_users=0\n\
         news\tNews\tperms=ra\tmessages=0\tactive_users=0\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["room", "list", "--db", db, "--json"]))).unwrap();
    assert_eq!(json[1]["permissions"], "ra");

    let sid = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818";
    let id15 = "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c";
    assert!(
        run(&["mod", "add", sid, "--db", db, "--room", "lobby", "--admin"])
            .status
            .success()
    );
    assert!(
        run(&["mod", "add", id15, "--db", db, "--global", "--hidden"])
            .status
            .success()
    );
    // Scope is required; bad ids, letters and tokens are errors with one line on stderr.
    for args in [
        vec!["mod", "add", id15, "--db", db],
        vec!["mod", "add", "05abc", "--db", db, "--global"],
        vec!["room", "add", "bad token", "--db", db],
        vec!["room", "add", "x", "--db", db, "--perms", "rz"],
        vec!["room", "add", "lobby", "--db", db],
        vec!["room", "delete", "nope", "--db", db],
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.starts_with("error"), "{args:?}: {err}");
    }
    assert!(
        run(&["mod", "remove", id15, "--db", db, "--global"])
            .status
            .success()
    );
    assert!(
        run(&["room", "delete", "news", "--db", db])
            .status
            .success()
    );

    let server = Server::open(db, Config::default()).unwrap();
    assert_eq!(server.rooms().unwrap().len(), 1);
    // The admin recorded for the Session ID is there (moving it again is idempotent).
    server
        .add_moderator(sid, &ModScope::Room("lobby".into()), true, true)
        .unwrap();
}
