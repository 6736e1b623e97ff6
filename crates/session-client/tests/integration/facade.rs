//! The facade's calls against a real server.

use futures_util::StreamExt;
use session_client::{Client, Error, Event, Identity};
use session_sogs_server::testing::TestServer;

#[tokio::test]
async fn builder_community_room_calls_and_events() {
    let ts = TestServer::builder().rate_limit(None).spawn().await;
    ts.add_room("lobby");
    let client = Client::builder()
        .identity(Identity::from_seed(&[5; 16]).unwrap())
        .build()
        .unwrap();
    let community = client.community(&ts.join_link("lobby")).unwrap();
    let room = community.room("lobby").unwrap();
    assert_eq!(room.info().await.unwrap().token, "lobby");
    let a = room.send_text("a").await.unwrap();
    let b = room.send_text("b").await.unwrap();
    assert!(room.react(a.id, "👍").await.unwrap());
    assert!(!room.react(a.id, "👍").await.unwrap());
    let texts: Vec<_> = room
        .messages()
        .await
        .unwrap()
        .iter()
        .map(|m| m.text().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["a", "b"], "oldest first");
    room.delete(b.id).await.unwrap();
    assert_eq!(room.messages().await.unwrap().len(), 1);
    let me = community.account_id().await.unwrap();
    assert_eq!(me, a.sender);
    assert_eq!(community.rooms().await.unwrap().len(), 1);

    let news: Vec<Event> = room.events().take(2).collect().await;
    assert!(matches!(&news[0], Event::RoomInfoChanged { .. }));
    assert!(
        matches!(&news[1], Event::MessageNew { message, .. } if message.text() == Some("a") && message.verified)
    );
}

#[tokio::test]
async fn bad_links_and_anonymous_posts_are_typed_errors() {
    let client = Client::builder().build().unwrap();
    assert!(matches!(
        client.community("not a link"),
        Err(Error::Link(_))
    ));
    let ts = TestServer::spawn().await;
    ts.add_room("lobby");
    let room = client
        .community(&ts.join_link("lobby"))
        .unwrap()
        .room("lobby")
        .unwrap();
    assert!(matches!(
        room.send_text("x").await,
        Err(Error::Sogs(session_sogs::Error::NoIdentity))
    ));
    assert!(matches!(
        client
            .community(&ts.join_link("lobby"))
            .unwrap()
            .room("bad token!"),
        Err(Error::Link(_))
    ));
}
