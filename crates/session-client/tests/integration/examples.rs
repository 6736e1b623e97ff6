//! Each example, run against `TestServer` with the server from its arguments.

#[path = "../../examples/echo_bot.rs"]
mod echo_bot;
#[path = "../../examples/read_messages.rs"]
mod read_messages;
#[path = "../../examples/room_info.rs"]
mod room_info;
#[path = "../../examples/send_message.rs"]
mod send_message;

use session_client::{Client, Identity};
use session_sogs_server::testing::TestServer;

async fn server() -> TestServer {
    let s = TestServer::builder().rate_limit(None).spawn().await;
    s.add_room("lobby");
    s
}

#[tokio::test]
async fn the_three_seed_examples_run_against_a_server() {
    let ts = server().await;
    let link = ts.join_link("lobby");
    let info = room_info::run(std::slice::from_ref(&link)).await.unwrap();
    assert_eq!(info.token, "lobby");
    // The server/key/room form of the arguments.
    let info = room_info::run(&[ts.url(), ts.public_key().to_string(), "lobby".into()])
        .await
        .unwrap();
    assert!(info.read && info.write);

    let posted = send_message::run(&[link.clone(), "hello, seed".into()])
        .await
        .unwrap();
    assert!(posted.verified);
    assert_eq!(posted.text(), Some("hello, seed"));

    let read = read_messages::run(&[link]).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        (read[0].id, read[0].text(), read[0].verified),
        (posted.id, Some("hello, seed"), true)
    );
    assert!(
        room_info::run(&[]).await.is_err(),
        "usage errors are errors"
    );
}

#[tokio::test]
async fn the_echo_bot_answers_new_messages() {
    let ts = server().await;
    let link = ts.join_link("lobby");
    let alice = Client::builder()
        .identity(Identity::generate().unwrap())
        .build()
        .unwrap();
    let room = alice.community(&link).unwrap().linked_room().unwrap();
    room.send_text("ping").await.unwrap();
    // The bot's first poll reports the recent message; it answers once and stops.
    assert_eq!(echo_bot::run(&[link, "1".into()]).await.unwrap(), 1);
    let texts: Vec<String> = room
        .messages()
        .await
        .unwrap()
        .iter()
        .map(|m| format!("{} {}", m.text().unwrap(), m.verified))
        .collect();
    assert_eq!(texts, ["ping true", "echo: ping true"]);
}
