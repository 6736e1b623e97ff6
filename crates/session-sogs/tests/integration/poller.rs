//! The poller against the real server: every event kind, pages, restarts, the stream driver.

use futures_util::StreamExt;
use session_sogs::poller::{self, Event};
use session_sogs::{Poller, PollerConfig, VisibleMessage};

use crate::common::*;

fn config() -> PollerConfig {
    PollerConfig {
        page_size: 3,
        jitter: false,
        ..PollerConfig::default()
    }
}

#[tokio::test]
async fn new_edited_deleted_and_reaction_only_rows() {
    let ts = server().await;
    let (alice, bob) = (user(&ts), user(&ts));
    let room = lobby();
    let first = alice.post_text(&room, "first").await.unwrap();
    let mut p = Poller::new(config());
    p.add_room(room.clone());
    let events = tick(&bob, &mut p).await;
    assert_eq!(labels(&events)[1..], ["new first"]);

    let second = alice.post_text(&room, "second").await.unwrap();
    alice
        .edit(
            &room,
            first.id,
            &VisibleMessage::text("first, edited").into_content(),
        )
        .await
        .unwrap();
    assert_eq!(
        labels(&tick(&bob, &mut p).await),
        ["new second", "edited first, edited"]
    );

    bob.react(&room, second.id, "👍").await.unwrap();
    assert_eq!(
        labels(&tick(&bob, &mut p).await),
        [format!("reactions {} [(\"👍\", 1)]", second.id)]
    );

    alice.delete(&room, second.id).await.unwrap();
    assert_eq!(
        labels(&tick(&bob, &mut p).await),
        [format!("deleted {}", second.id)]
    );
    assert!(
        tick(&bob, &mut p).await.is_empty(),
        "nothing new, nothing repeated"
    );
}

#[tokio::test]
async fn whisper_only_and_deletion_only_polls() {
    let ts = server().await;
    let (moderator, target) = (user(&ts), user(&ts));
    let room = lobby();
    ts.add_moderator("lobby", id_of(&moderator).await);
    let mut p = Poller::new(config());
    p.add_room(room.clone());
    let _ = tick(&target, &mut p).await;

    let whisper = moderator
        .post_request(&room, &VisibleMessage::text("for you").into_content())
        .await
        .unwrap()
        .whisper_to(target.account_id().await.unwrap());
    let sent = moderator.send(&whisper).await.unwrap();
    let events = tick(&target, &mut p).await;
    let [Event::MessageNew { message, .. }] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(message.whisper && message.verified);
    assert_eq!(message.text(), Some("for you"));

    moderator.delete(&room, sent.id).await.unwrap();
    assert_eq!(
        labels(&tick(&target, &mut p).await),
        [format!("deleted {}", sent.id)]
    );
}

#[tokio::test]
async fn pins_and_info_changes() {
    let ts = server().await;
    let (admin, alice) = (user(&ts), user(&ts));
    let room = lobby();
    ts.add_admin("lobby", id_of(&admin).await);
    let m = alice.post_text(&room, "pin me").await.unwrap();
    let mut p = Poller::new(config());
    p.add_room(room.clone());
    let first = labels(&tick(&alice, &mut p).await);
    assert!(first.iter().any(|l| l.starts_with("info ")), "{first:?}");

    let updates = admin.pin(&room, m.id).await.unwrap().info_updates;
    assert_eq!(
        labels(&tick(&alice, &mut p).await),
        [format!("info {updates}"), format!("pins [{}]", m.id)]
    );
    let renamed = admin
        .update_room(
            &room,
            session_sogs::api::RoomUpdate {
                name: Some("The Lobby".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let events = tick(&alice, &mut p).await;
    assert_eq!(labels(&events), [format!("info {}", renamed.info_updates)]);
    let Event::RoomInfoChanged { info, .. } = &events[0] else {
        unreachable!()
    };
    assert_eq!(info.name, "The Lobby");
}

#[tokio::test]
async fn a_full_page_is_followed_by_an_immediate_repoll() {
    let ts = server().await;
    let alice = user(&ts);
    let room = lobby();
    let mut p = Poller::new(config());
    p.add_room(room.clone());
    let _ = tick(&alice, &mut p).await;
    for i in 0..5 {
        alice.post_text(&room, &format!("m{i}")).await.unwrap();
    }
    assert_eq!(
        labels(&tick(&alice, &mut p).await),
        ["new m0", "new m1", "new m2"]
    );
    assert_eq!(p.next_delay(), std::time::Duration::ZERO);
    assert_eq!(labels(&tick(&alice, &mut p).await), ["new m3", "new m4"]);
    assert_eq!(p.next_delay(), config().interval);
}

#[tokio::test]
async fn a_saved_cursor_resumes_without_loss_or_repeat() {
    let ts = server().await;
    let alice = user(&ts);
    let room = lobby();
    alice.post_text(&room, "before").await.unwrap();
    let mut p = Poller::new(config());
    p.add_room(room.clone());
    assert_eq!(labels(&tick(&alice, &mut p).await)[1..], ["new before"]);
    let saved = serde_json::to_vec(&p.cursor()).unwrap();
    drop(p);

    for text in ["while", "away", "we", "talked"] {
        alice.post_text(&room, text).await.unwrap();
    }
    let mut resumed = Poller::from_cursor(config(), serde_json::from_slice(&saved).unwrap());
    let mut seen = labels(&tick(&alice, &mut resumed).await);
    seen.extend(labels(&tick(&alice, &mut resumed).await));
    assert_eq!(seen, ["new while", "new away", "new we", "new talked"]);
    assert!(tick(&alice, &mut resumed).await.is_empty());
}

#[tokio::test]
async fn the_stream_yields_messages_and_dms() {
    let ts = server().await;
    let (alice, bob) = (user(&ts), std::sync::Arc::new(user(&ts)));
    let room = lobby();
    alice.post_text(&room, "streamed").await.unwrap();
    let bob_id = *bob.account_id().await.unwrap().as_blinded().unwrap();
    bob.inbox().await.unwrap();
    alice
        .send_dm(&bob_id, &VisibleMessage::text("direct").into_content())
        .await
        .unwrap();
    let mut p = Poller::new(config());
    p.add_room(room);
    // The first tick runs at once; its events come out in order.
    let events: Vec<Event> = poller::stream(bob, p).take(3).collect().await;
    assert!(
        matches!(events[0], Event::RoomInfoChanged { .. }),
        "{events:?}"
    );
    assert_eq!(labels(&events)[1..], ["new streamed", "dm direct"]);
}
