//! Every endpoint, through the typed client, against the real server.

use std::sync::Arc;

use session_crypto::{AccountId, Identity, SigningMode};
use session_sogs::api::{self, Scope};
use session_sogs::{Batch, Error, MessageUpdate, SigningPolicy, VisibleMessage};
use session_sogs_server::ModScope;
use session_sogs_server::testing::TestServer;

use crate::common::*;

#[tokio::test]
async fn capabilities_are_fetched_once_and_pick_blind15() {
    let ts = server().await;
    let alice = user(&ts);
    assert!(alice.cached_capabilities().is_none());
    assert_eq!(alice.signing_mode().await.unwrap(), SigningMode::Blind15);
    let caps = alice.cached_capabilities().unwrap();
    assert!(caps.has("blind") && caps.has("reactions") && !caps.has("blind25"));
    let me = alice.account_id().await.unwrap();
    assert_eq!(
        me,
        AccountId::from(alice.identity().unwrap().blind15(&ts.public_key()).id())
    );
    // The post comes back from the server under that id, verified.
    let posted = alice.post_text(&lobby(), "hello").await.unwrap();
    assert_eq!(posted.sender, me);
    assert!(posted.verified);
    assert_eq!(posted.text(), Some("hello"));
}

#[tokio::test]
async fn blind25_servers_get_blind25_and_open_servers_unblinded() {
    let ts25 = TestServer::builder()
        .blind25(true)
        .rate_limit(None)
        .spawn()
        .await;
    ts25.add_room("lobby");
    let c = user(&ts25);
    assert_eq!(c.signing_mode().await.unwrap(), SigningMode::Blind25);
    let m = c.post_text(&lobby(), "from 25").await.unwrap();
    assert!(m.sender.to_string().starts_with("25") && m.verified);

    let open = TestServer::builder()
        .require_blind_keys(false)
        .rate_limit(None)
        .spawn()
        .await;
    open.add_room("lobby");
    let c = user(&open);
    assert_eq!(c.signing_mode().await.unwrap(), SigningMode::Unblinded);
    let m = c.post_text(&lobby(), "from 05").await.unwrap();
    assert_eq!(
        m.sender,
        AccountId::from(c.identity().unwrap().session_id())
    );
    assert!(
        m.verified,
        "XEd25519 post signatures verify under the Session ID"
    );
    // A fixed policy overrides the capabilities.
    let fixed = user(&open).with_signing(SigningPolicy::Fixed(SigningMode::Blind15));
    let m = fixed.post_text(&lobby(), "blinded anyway").await.unwrap();
    assert!(m.sender.to_string().starts_with("15") && m.verified);
}

#[tokio::test]
async fn rooms_and_room_info() {
    let ts = server().await;
    ts.add_room("annex");
    let anon = anonymous(&ts);
    let rooms = anon.rooms().await.unwrap();
    assert_eq!(
        rooms.iter().map(|r| r.token.as_str()).collect::<Vec<_>>(),
        ["annex", "lobby"]
    );
    let info = anon.room(&lobby()).await.unwrap();
    assert_eq!(
        (info.token.as_str(), info.read, info.write),
        ("lobby", true, true)
    );
    let poll = anon.poll_info(&lobby(), info.info_updates).await.unwrap();
    assert!(
        poll.details.is_none(),
        "no details when info_updates is current"
    );
    let poll = anon
        .poll_info(&lobby(), info.info_updates + 1)
        .await
        .unwrap();
    assert_eq!(poll.details.unwrap().token, "lobby");
}

#[tokio::test]
async fn post_read_edit_delete_round_trip() {
    let ts = server().await;
    let alice = user(&ts);
    let room = lobby();
    let first = alice.post_text(&room, "one").await.unwrap();
    let second = alice.post_text(&room, "two").await.unwrap();
    let recent = anonymous(&ts).recent_messages(&room, 10).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.text().unwrap()).collect::<Vec<_>>(),
        ["two", "one"]
    );
    assert!(recent.iter().all(|m| m.verified));
    let single = alice.message(&room, first.id).await.unwrap();
    assert_eq!((single.text(), single.verified), (Some("one"), true));
    let before = alice.messages_before(&room, second.id, 10).await.unwrap();
    assert_eq!(before.iter().map(|m| m.id).collect::<Vec<_>>(), [first.id]);

    alice
        .edit(
            &room,
            first.id,
            &VisibleMessage::text("one, edited").into_content(),
        )
        .await
        .unwrap();
    alice.delete(&room, second.id).await.unwrap();
    let since = alice
        .messages_since(&room, second.seqno, 100)
        .await
        .unwrap();
    let summary: Vec<(i64, bool, Option<&str>)> = since
        .iter()
        .map(|u| match u {
            MessageUpdate::Message(m) => (m.id, m.deleted, m.text()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            (first.id, false, Some("one, edited")),
            (second.id, true, None)
        ]
    );
    let MessageUpdate::Message(edited) = &since[0] else {
        unreachable!()
    };
    assert!(edited.edited.is_some() && edited.verified);
    assert!(matches!(
        alice.message(&room, second.id).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn reactions_add_remove_list_and_clear() {
    let ts = server().await;
    let (alice, bob, moderator) = (user(&ts), user(&ts), user(&ts));
    let room = lobby();
    let m = alice.post_text(&room, "react to me").await.unwrap();
    let added = bob.react(&room, m.id, "🍍").await.unwrap();
    assert!(added.added && added.seqno > m.seqno);
    assert!(
        !bob.react(&room, m.id, "🍍").await.unwrap().added,
        "adding twice is not an error"
    );
    alice.react(&room, m.id, "🍍").await.unwrap();
    alice.react(&room, m.id, "y/n").await.unwrap();
    let reactors = anonymous(&ts).reactors(&room, m.id, "🍍").await.unwrap();
    assert_eq!(
        reactors
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>(),
        [id_of(&bob).await, id_of(&alice).await]
    );
    let read = alice.message(&room, m.id).await.unwrap();
    assert_eq!(read.reactions["🍍"].count, 2);
    assert!(read.reactions["🍍"].you && read.reactions["y/n"].you);
    assert!(bob.unreact(&room, m.id, "🍍").await.unwrap().removed);
    assert!(matches!(
        bob.clear_reactions(&room, m.id, None).await,
        Err(Error::Forbidden { .. })
    ));
    ts.add_moderator("lobby", id_of(&moderator).await);
    let cleared = moderator.clear_reactions(&room, m.id, None).await.unwrap();
    assert_eq!(cleared.removed, 2);
    assert!(
        alice
            .message(&room, m.id)
            .await
            .unwrap()
            .reactions
            .is_empty()
    );
}

#[tokio::test]
async fn pins_bump_info_updates() {
    let ts = server().await;
    let (admin, alice) = (user(&ts), user(&ts));
    let room = lobby();
    ts.add_admin("lobby", id_of(&admin).await);
    let a = alice.post_text(&room, "a").await.unwrap();
    let b = alice.post_text(&room, "b").await.unwrap();
    let before = admin.room(&room).await.unwrap().info_updates;
    let pinned = admin.pin(&room, a.id).await.unwrap();
    assert!(pinned.info_updates > before);
    admin.pin(&room, b.id).await.unwrap();
    let info = alice.room(&room).await.unwrap();
    assert_eq!(
        info.pinned_messages
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [a.id, b.id]
    );
    assert!(admin.unpin(&room, a.id).await.unwrap().unpinned);
    assert_eq!(admin.unpin_all(&room).await.unwrap().unpinned, 1);
    assert!(alice.room(&room).await.unwrap().pinned_messages.is_empty());
    assert!(matches!(
        alice.pin(&room, a.id).await,
        Err(Error::Forbidden { .. })
    ));
}

#[tokio::test]
async fn files_upload_and_download() {
    let ts = server().await;
    let alice = user(&ts);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let id = alice
        .upload(&lobby(), bytes.clone(), Some("café.bin"))
        .await
        .unwrap()
        .id;
    let file = anonymous(&ts).download(&lobby(), id).await.unwrap();
    assert_eq!(file.data, bytes);
    assert_eq!(file.filename.as_deref(), Some("café.bin"));
    assert!(matches!(
        alice.download(&lobby(), id + 100).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn moderation_bans_unbans_and_promotes() {
    let ts = server().await;
    let (admin, troll, helper) = (user(&ts), user(&ts), user(&ts));
    let room = lobby();
    ts.set_moderator(id_of(&admin).await, &ModScope::Global, true, true);
    let troll_id: AccountId = troll.account_id().await.unwrap();
    troll.post_text(&room, "first").await.unwrap();
    troll.post_text(&room, "second").await.unwrap();

    admin
        .ban(troll_id, Scope::Rooms(vec![room.clone()]), None)
        .await
        .unwrap();
    assert!(matches!(
        troll.post_text(&room, "still here?").await,
        Err(Error::Forbidden { .. })
    ));
    admin.delete_all_from(&room, troll_id).await.unwrap();
    assert!(
        anonymous(&ts)
            .recent_messages(&room, 10)
            .await
            .unwrap()
            .is_empty()
    );
    admin
        .unban(troll_id, Scope::Rooms(vec![room.clone()]))
        .await
        .unwrap();
    troll.post_text(&room, "sorry").await.unwrap();

    admin.ban(troll_id, Scope::Global, None).await.unwrap();
    assert!(
        matches!(troll.rooms().await, Err(Error::Banned)),
        "a global ban stops every signed request"
    );

    let helper_id = helper.account_id().await.unwrap();
    let updates = admin
        .set_moderator(api::SetModerator {
            user: helper_id,
            scope: Scope::Rooms(vec![room.clone()]),
            moderator: Some(true),
            admin: None,
            visible: Some(true),
        })
        .await
        .unwrap();
    assert!(updates.info_updates.contains_key("lobby"));
    assert!(
        admin
            .room(&room)
            .await
            .unwrap()
            .moderators
            .contains(&helper_id.to_string())
    );
    assert!(helper.room(&room).await.unwrap().moderator);
}

#[tokio::test]
async fn whispers_reach_their_target_only() {
    let ts = server().await;
    let (moderator, target, bystander) = (user(&ts), user(&ts), user(&ts));
    let room = lobby();
    ts.add_moderator("lobby", id_of(&moderator).await);
    let target_id = target.account_id().await.unwrap();
    let post = moderator
        .post_request(&room, &VisibleMessage::text("psst").into_content())
        .await
        .unwrap()
        .whisper_to(target_id);
    let sent = moderator.send(&post).await.unwrap();
    assert!(sent.whisper && sent.verified);
    assert_eq!(sent.whisper_to, Some(target_id));
    let seen = target.recent_messages(&room, 10).await.unwrap();
    assert_eq!(
        seen.iter().map(|m| m.text().unwrap()).collect::<Vec<_>>(),
        ["psst"]
    );
    assert!(
        bystander
            .recent_messages(&room, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Only moderators may whisper.
    let mut back = target
        .post_request(&room, &VisibleMessage::text("psst back").into_content())
        .await
        .unwrap();
    back.whisper_mods = true;
    assert!(matches!(
        target.send(&back).await,
        Err(Error::Forbidden { .. })
    ));
}

#[tokio::test]
async fn batch_and_sequence_carry_typed_requests() {
    let ts = server().await;
    let alice = user(&ts);
    let room = lobby();
    alice.post_text(&room, "in a batch").await.unwrap();
    let mut batch = Batch::new();
    let info = batch.push(&api::GetRoom::new(room.clone())).unwrap();
    let recent = batch.push(&api::RecentMessages::new(room.clone())).unwrap();
    let missing = batch
        .push(&api::GetRoom::new("nope".parse().unwrap()))
        .unwrap();
    let answers = alice.batch(&batch).await.unwrap();
    let cx = alice.context();
    assert_eq!(answers.get(&cx, &info).unwrap().token, "lobby");
    assert_eq!(
        answers.get(&cx, &recent).unwrap()[0].text(),
        Some("in a batch")
    );
    assert!(matches!(
        answers.get(&cx, &missing),
        Err(Error::NotFound { .. })
    ));

    let mut seq = Batch::sequence();
    let post = alice
        .post_request(&room, &VisibleMessage::text("sequenced").into_content())
        .await
        .unwrap();
    let first = seq.push(&post).unwrap();
    let denied = seq
        .push(&api::Pin {
            room: room.clone(),
            id: 1,
        })
        .unwrap();
    let never = seq.push(&api::GetRoom::new(room.clone())).unwrap();
    let answers = alice.batch(&seq).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers.get(&cx, &first).unwrap().text(), Some("sequenced"));
    assert!(matches!(
        answers.get(&cx, &denied),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(answers.get(&cx, &never), Err(Error::NotRun)));
}

#[tokio::test]
async fn a_shared_identity_sees_its_own_posts_as_its_own() {
    let ts = server().await;
    let id = Arc::new(Identity::generate().unwrap());
    let a = anonymous(&ts).with_identity(id.clone());
    let b = anonymous(&ts).with_identity(id);
    let m = a.post_text(&lobby(), "same me").await.unwrap();
    assert_eq!(m.sender, b.account_id().await.unwrap());
}

#[tokio::test]
async fn permission_overrides_and_scheduled_changes() {
    let ts = server().await;
    let (moderator, user_a) = (user(&ts), user(&ts));
    let room = lobby();
    ts.add_moderator("lobby", id_of(&moderator).await);
    let a_id = user_a.account_id().await.unwrap();
    user_a.post_text(&room, "before").await.unwrap();

    let flags = moderator
        .set_permissions(
            &room,
            a_id,
            api::PermissionChanges {
                write: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(flags.write, Some(false));
    assert!(matches!(
        user_a.post_text(&room, "muted").await,
        Err(Error::Forbidden { .. })
    ));
    let all = moderator.permissions(&room).await.unwrap();
    assert_eq!(all[&a_id.to_string()].write, Some(false));
    let one = moderator
        .send(&api::GetUserPermissions {
            room: room.clone(),
            user: a_id,
        })
        .await
        .unwrap();
    assert_eq!(one.write, Some(false));

    let scheduled = moderator
        .send(&api::SchedulePermissions {
            room: room.clone(),
            user: a_id,
            read: None,
            write: Some(true),
            upload: None,
            in_secs: 3600.0,
        })
        .await
        .unwrap();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].write, Some(true));
    let listed = moderator
        .send(&api::GetFuturePermissions {
            room: room.clone(),
            user: None,
        })
        .await
        .unwrap();
    assert_eq!(
        listed[0].session_id.as_deref(),
        Some(a_id.to_string().as_str())
    );

    moderator
        .set_permissions(
            &room,
            a_id,
            api::PermissionChanges {
                reset_write: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    user_a.post_text(&room, "unmuted").await.unwrap();
    assert!(matches!(
        user_a.permissions(&room).await,
        Err(Error::Forbidden { .. })
    ));
}
