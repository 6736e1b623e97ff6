//! Error paths: forbidden, banned, not found, rate limited, clock skew, no identity.

use std::sync::Arc;

use session_net::{HttpRequest, HttpResponse, Transport, TransportFuture};
use session_sogs::{Error, SogsClient};
use session_sogs_server::RoomPermissions;
use session_sogs_server::testing::TestServer;

use crate::common::*;

#[tokio::test]
async fn forbidden_and_not_found() {
    let ts = server().await;
    ts.add_room_with("readonly", "r".parse::<RoomPermissions>().unwrap());
    let alice = user(&ts);
    let readonly = "readonly".parse().unwrap();
    let e = alice.post_text(&readonly, "hi").await.unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    assert_eq!(e.status(), Some(403));
    let e = alice.room(&"nowhere".parse().unwrap()).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert!(matches!(
        alice.message(&lobby(), 12345).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        alice.delete(&lobby(), 12345).await,
        Err(Error::NotFound { .. })
    ));
    // Anonymous clients cannot make signed-only calls.
    assert!(matches!(
        anonymous(&ts).post_text(&lobby(), "x").await,
        Err(Error::NoIdentity)
    ));
    assert!(matches!(
        anonymous(&ts).inbox().await,
        Err(Error::NoIdentity)
    ));
}

#[tokio::test]
async fn banned_users_get_typed_errors() {
    let ts = server().await;
    let troll = user(&ts);
    let id = id_of(&troll).await;
    ts.ban(
        &id,
        &session_sogs_server::ModScope::Room("lobby".into()),
        None,
    );
    assert!(matches!(
        troll.post_text(&lobby(), "x").await,
        Err(Error::Forbidden { .. })
    ));
    ts.ban(&id, &session_sogs_server::ModScope::Global, None);
    assert!(matches!(troll.room(&lobby()).await, Err(Error::Banned)));
}

#[tokio::test]
async fn rate_limits_come_back_with_a_retry_after() {
    let ts = TestServer::builder()
        .rate_limit(Some((2, 16.0)))
        .spawn()
        .await;
    ts.add_room("lobby");
    let alice = user(&ts);
    alice.post_text(&lobby(), "1").await.unwrap();
    alice.post_text(&lobby(), "2").await.unwrap();
    match alice.post_text(&lobby(), "3").await {
        Err(Error::RateLimited {
            retry_after,
            reason,
        }) => {
            assert_eq!(retry_after, session_sogs::DEFAULT_RETRY_AFTER);
            assert_eq!(reason, "Rate limited");
        }
        other => panic!("{other:?}"),
    }
    // Nothing was stored for the refused post.
    assert_eq!(alice.recent_messages(&lobby(), 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn clock_skew_is_corrected_and_retried_once() {
    let ts = server().await;
    let alice = user(&ts);
    alice.capabilities().await.unwrap();
    alice.set_clock_offset(-2 * 86_400);
    let posted = alice.post_text(&lobby(), "on time").await.unwrap();
    assert!(posted.verified);
    assert!(
        alice.clock_offset().abs() <= 2,
        "offset learned: {}",
        alice.clock_offset()
    );
}

/// A transport that drops the `Date` header, so the client cannot learn the server's clock.
#[derive(Debug)]
struct NoDate(Arc<dyn Transport>);

impl Transport for NoDate {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let mut r: HttpResponse = self.0.send(request).await?;
            r.headers.remove(http::header::DATE);
            Ok(r)
        })
    }
}

#[tokio::test]
async fn clock_skew_without_a_server_clock_is_reported() {
    let ts = server().await;
    let inner: Arc<dyn Transport> = Arc::new(session_net::DirectTransport::new().unwrap());
    let alice = SogsClient::new(sogs_server(&ts), Arc::new(NoDate(inner)))
        .with_identity(Arc::new(session_crypto::Identity::generate().unwrap()));
    alice.capabilities().await.unwrap();
    alice.set_clock_offset(3 * 86_400);
    let e = alice.post_text(&lobby(), "late").await.unwrap_err();
    assert!(matches!(e, Error::ClockSkew { server_time: None }), "{e}");
    assert!(e.is_transient());
    assert!(
        alice.recent_messages(&lobby(), 5).await.is_err(),
        "still skewed, still refused"
    );
    alice.set_clock_offset(0);
    assert!(alice.recent_messages(&lobby(), 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn connection_failures_are_transport_errors() {
    let ts = server().await;
    let server = sogs_server(&ts);
    ts.shutdown().await;
    let c = SogsClient::new(
        server,
        Arc::new(session_net::DirectTransport::new().unwrap()),
    );
    let e = c.rooms().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e}");
    assert!(e.is_transient());
}
