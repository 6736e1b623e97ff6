//! Files (spec/sogs-api.md §2.4): upload, download headers, lifetimes, room images, limits.

use serde_json::json;
use session_sogs_server::RoomPermissions;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User};

async fn upload(
    c: &Client,
    user: &User,
    room: &str,
    content: &[u8],
    name: Option<&str>,
) -> crate::client::Resp {
    let path = format!("/room/{room}/file");
    let mut headers = user.auth_headers("POST", &path, content);
    headers.push(("Content-Type".into(), "application/octet-stream".into()));
    if let Some(n) = name {
        headers.push((
            "Content-Disposition".into(),
            format!("attachment; filename*=UTF-8''{n}"),
        ));
    }
    c.raw("POST", &path, &headers, content.to_vec()).await
}

#[tokio::test]
async fn uploads_download_with_their_name_dates_and_bytes() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let content: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let r = upload(&c, &alice, "lobby", &content, Some("my%20%F0%9F%8E%82.txt")).await;
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json(), json!({"id": id}));

    for path in [
        format!("/room/lobby/file/{id}"),
        format!("/room/lobby/file/{id}/anything.bin"),
    ] {
        let d = c.get(&path).await;
        assert_eq!(d.status, 200);
        assert_eq!(d.body, content);
        assert_eq!(
            d.header("content-type").as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(
            d.header("content-disposition").as_deref(),
            Some("attachment; filename*=UTF-8''my%20%F0%9F%8E%82.txt")
        );
        let date = d.header("date").unwrap();
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
        assert!(
            d.header("expires").is_some(),
            "an unattached upload expires"
        );
    }
    // No name: a bare `attachment`; a '/' in a name is replaced.
    let id2 = upload(&c, &alice, "lobby", b"x", None).await.json()["id"]
        .as_i64()
        .unwrap();
    let d = c.get(&format!("/room/lobby/file/{id2}")).await;
    assert_eq!(
        d.header("content-disposition").as_deref(),
        Some("attachment")
    );
    let id3 = upload(&c, &alice, "lobby", b"y", Some("a%2Fb"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let d = c.get(&format!("/room/lobby/file/{id3}")).await;
    assert_eq!(
        d.header("content-disposition").as_deref(),
        Some("attachment; filename*=UTF-8''a%EF%BF%BDb")
    );
    assert_eq!(c.get("/room/lobby/file/999").await.status, 404);
}

#[tokio::test]
async fn upload_needs_a_user_with_write_and_upload() {
    let server = TestServer::spawn().await;
    server.add_room_with("noupload", "rwa".parse::<RoomPermissions>().unwrap());
    server.add_room_with("private", "a".parse::<RoomPermissions>().unwrap());
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    assert_eq!(upload(&c, &alice, "noupload", b"x", None).await.status, 403);
    let r = c
        .raw("POST", "/room/noupload/file", &[], b"x".to_vec())
        .await;
    assert_eq!(r.status, 401);
    // Downloads need read.
    let moder = User::new(&server, 2);
    server.add_moderator("private", moder.id());
    let id = upload(&c, &moder, "private", b"secret", None).await.json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(c.get(&format!("/room/private/file/{id}")).await.status, 403);
    assert_eq!(
        c.get_as(&moder, &format!("/room/private/file/{id}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn uploads_above_ten_megabytes_are_refused_with_413() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let ok = vec![7u8; 10_000_000];
    let r = upload(&c, &alice, "lobby", &ok, None).await;
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        c.get(&format!("/room/lobby/file/{id}")).await.body.len(),
        10_000_000
    );
    let too_big = vec![7u8; 10_000_001];
    assert_eq!(
        upload(&c, &alice, "lobby", &too_big, None).await.status,
        413
    );
    // The server is still fine.
    assert_eq!(c.get("/capabilities").await.status, 200);
}

#[tokio::test]
async fn file_lifetimes_follow_posts_pins_and_deletions() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, admin) = (User::new(&server, 1), User::new(&server, 2));
    server.add_admin("lobby", admin.id());
    let orphan = upload(&c, &alice, "lobby", b"orphan", None).await.json()["id"]
        .as_i64()
        .unwrap();
    let kept = upload(&c, &alice, "lobby", b"kept", None).await.json()["id"]
        .as_i64()
        .unwrap();
    let pinned = upload(&c, &admin, "lobby", b"pinned", None).await.json()["id"]
        .as_i64()
        .unwrap();
    let image = upload(&c, &admin, "lobby", b"image", None).await.json()["id"]
        .as_i64()
        .unwrap();

    let mut post = alice.post_body("with a file");
    post["files"] = json!([kept]);
    let msg = c
        .json_as(&alice, "POST", "/room/lobby/message", &post)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut post = admin.post_body("pinned post");
    post["files"] = json!([pinned]);
    let pmsg = c
        .json_as(&admin, "POST", "/room/lobby/message", &post)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    c.json_as(
        &admin,
        "POST",
        &format!("/room/lobby/pin/{pmsg}"),
        &json!({}),
    )
    .await;
    assert!(
        c.get(&format!("/room/lobby/file/{pinned}"))
            .await
            .header("expires")
            .is_none()
    );
    let r = c
        .json_as(&admin, "PUT", "/room/lobby", &json!({"image": image}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.get("/room/lobby").await.json()["image_id"], image);

    // Two hours later: the unattached upload is gone, the others remain.
    server.advance_clock(7200.0);
    server.run_maintenance();
    let status = |id: i64| {
        let c = c.clone();
        async move { c.get(&format!("/room/lobby/file/{id}")).await.status }
    };
    assert_eq!(status(orphan).await, 404);
    assert_eq!(status(kept).await, 200);
    assert_eq!(status(pinned).await, 200);
    assert_eq!(status(image).await, 200);
    // Deleting the post expires its file at once.
    c.delete_as(&alice, &format!("/room/lobby/message/{msg}"))
        .await;
    assert_eq!(status(kept).await, 404);
    // Sixteen days on: the pinned file and the room image never expire.
    server.advance_clock(16.0 * 86_400.0);
    server.run_maintenance();
    assert_eq!(status(pinned).await, 200);
    assert_eq!(status(image).await, 200);
}

#[tokio::test]
async fn room_image_must_be_a_file_of_the_room() {
    let server = TestServer::spawn().await;
    server.add_room("a");
    server.add_room("b");
    let c = Client::new(&server);
    let admin = User::new(&server, 1);
    server.add_admin("a", admin.id());
    server.add_admin("b", admin.id());
    let in_b = upload(&c, &admin, "b", b"img", None).await.json()["id"]
        .as_i64()
        .unwrap();
    let r = c
        .json_as(&admin, "PUT", "/room/a", &json!({"image": in_b}))
        .await;
    assert_eq!(r.status, 406);
    let r = c
        .json_as(&admin, "PUT", "/room/a", &json!({"image": 12345}))
        .await;
    assert_eq!(r.status, 406);
    let r = c
        .json_as(&admin, "PUT", "/room/a", &json!({"image": "1"}))
        .await;
    assert_eq!(r.status, 400);
}
