//! Key kinds (spec/sogs-api.md §1.4): `15` always, `25` only with blind25, `00` only when
//! blinding is not required; and permissions granted to a `05` id reaching its blinded id.

use serde_json::json;
use session_crypto::SigningMode;
use session_sogs_server::ModScope;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User};

#[tokio::test]
async fn blind15_users_are_known_by_their_15_id() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let r = c.post_text(&alice, "lobby", "hello").await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["session_id"], alice.id());
    assert!(alice.id().starts_with("15"));
}

#[tokio::test]
async fn blind25_keys_are_refused_unless_enabled() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let caps = c.get("/capabilities").await.json();
    assert_eq!(
        caps,
        json!({"capabilities": ["blind", "reactions", "sogs"]})
    );
    let carol = User::with_mode(&server, 3, SigningMode::Blind25);
    let r = c.get_as(&carol, "/inbox").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        "Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed"
    );
}

#[tokio::test]
async fn blind25_keys_are_accepted_and_advertised_when_enabled() {
    let server = TestServer::builder().blind25(true).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let caps = c.get("/capabilities").await.json();
    assert_eq!(
        caps,
        json!({"capabilities": ["blind", "blind25", "reactions", "sogs"]})
    );
    let carol = User::with_mode(&server, 3, SigningMode::Blind25);
    assert!(carol.id().starts_with("25"));
    let r = c.post_text(&carol, "lobby", "hi from 25").await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["session_id"], carol.id());
    // DMs work between 15 and 25 users; the inbox path accepts 25 ids.
    assert_eq!(c.get_as(&carol, "/inbox").await.json(), json!([]));
    let alice = User::new(&server, 1);
    let dm = json!({"message": crate::client::b64(b"x")});
    let r = c
        .json_as(&alice, "POST", &format!("/inbox/{}", carol.id()), &dm)
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["recipient"], carol.id());
}

#[tokio::test]
async fn unblinded_keys_are_refused_while_blinding_is_required() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let plain = User::with_mode(&server, 4, SigningMode::Unblinded);
    let r = c.get_as(&plain, "/capabilities").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        "Invalid authentication: this server requires the use of blinded ids"
    );
}

#[tokio::test]
async fn unblinded_keys_are_accepted_as_05_ids_when_allowed() {
    let server = TestServer::builder()
        .require_blind_keys(false)
        .spawn()
        .await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let caps = c.get("/capabilities").await.json();
    assert_eq!(caps, json!({"capabilities": ["reactions", "sogs"]}));
    let plain = User::with_mode(&server, 4, SigningMode::Unblinded);
    let r = c.post_text(&plain, "lobby", "unblinded").await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["session_id"], plain.session_id());
    // The DM inbox is for blinded users only.
    let r = c.get_as(&plain, "/inbox").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), "This endpoint requires blinded pubkeys be used");
    // Blinded users are still welcome.
    let alice = User::new(&server, 1);
    assert_eq!(c.get_as(&alice, "/inbox").await.status, 200);
}

#[tokio::test]
async fn admin_granted_to_a_session_id_reaches_the_blinded_user() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    // Seeds cover both signs of the Ed25519 key (the blinded id's ambiguous bit).
    let mut signs = std::collections::HashSet::new();
    for n in 10..18u8 {
        let u = User::new(&server, n);
        signs.insert(u.identity.ed25519_public_key()[31] >> 7);
        server.add_admin("lobby", u.session_id());
        let info = c.get_as(&u, "/room/lobby").await.json();
        assert_eq!(info["admin"], true, "seed {n}");
        assert_eq!(info["moderator"], true);
        assert!(
            info["admins"].as_array().unwrap().contains(&json!(u.id())),
            "the blinded id is listed, not the 05 id"
        );
    }
    assert_eq!(signs.len(), 2, "both key signs were exercised");
}

#[tokio::test]
async fn a_05_id_resolves_to_a_known_blinded_user_in_moderation_calls() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let admin = User::new(&server, 1);
    server.set_moderator(admin.id(), &ModScope::Global, true, true);
    let bob = User::new(&server, 2);
    // Bob has connected blinded before.
    assert_eq!(c.get_as(&bob, "/inbox").await.status, 200);
    let r = c
        .json_as(
            &admin,
            "POST",
            &format!("/user/{}/ban", bob.session_id()),
            &json!({"rooms": ["lobby"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The ban landed on the blinded user.
    let r = c.post_text(&bob, "lobby", "am I banned?").await;
    assert_eq!(r.status, 403);
}
