//! Malformed server answers: typed errors, never a panic; the poller keeps going.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, StatusCode};
use session_crypto::ServerPubkey;
use session_net::{HttpRequest, HttpResponse, Transport, TransportFuture};
use session_sogs::poller::Event;
use session_sogs::{Error, Poller, PollerConfig, RoomToken, Server, SogsClient};

/// Answers each request with the next canned response.
#[derive(Debug, Default)]
struct Canned(Mutex<VecDeque<(u16, &'static str, Vec<u8>)>>);

impl Canned {
    fn new(answers: Vec<(u16, &'static str, &[u8])>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(
            answers
                .into_iter()
                .map(|(s, t, b)| (s, t, b.to_vec()))
                .collect(),
        )))
    }
}

impl Transport for Canned {
    fn send(&self, _: HttpRequest) -> TransportFuture<'_> {
        let next = self.0.lock().unwrap().pop_front();
        Box::pin(async move {
            let (status, content_type, body) =
                next.unwrap_or((500, "text/plain", b"no more".to_vec()));
            let mut headers = HeaderMap::new();
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            );
            Ok(HttpResponse::new(
                StatusCode::from_u16(status).unwrap(),
                headers,
                body,
            ))
        })
    }
}

fn client(t: Arc<Canned>) -> SogsClient {
    let server = Server::new("http://127.0.0.1:9", ServerPubkey::from_bytes([7; 32])).unwrap();
    SogsClient::new(server, t)
}

const JSON: &str = "application/json";
const HTML_404: &[u8] =
    b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>";

#[tokio::test]
async fn malformed_answers_become_typed_errors() {
    let room = RoomToken::new("lobby").unwrap();
    let c = client(Canned::new(vec![
        (200, JSON, br#"{"token":"lobby","name":"#),
        (
            200,
            JSON,
            br#"{"token":5,"name":"x","info_updates":1,"message_sequence":1}"#,
        ),
        (404, "text/html", HTML_404),
        (500, "text/plain", b""),
        (200, JSON, br#"[{"id":1,"seqno":"x"}]"#),
        (200, "text/html", b"<html>not json</html>"),
    ]));
    for _ in 0..2 {
        let e = c.room(&room).await.unwrap_err();
        assert!(
            matches!(&e, Error::Decode { endpoint, .. } if endpoint == "GET /room/R"),
            "{e}"
        );
    }
    match c.room(&room).await.unwrap_err() {
        Error::NotFound { reason } => assert_eq!(reason, "404 Not Found"),
        e => panic!("{e}"),
    }
    assert!(matches!(
        c.rooms().await,
        Err(Error::Server { status: 500, .. })
    ));
    assert!(matches!(
        c.recent_messages(&room, 5).await,
        Err(Error::Decode { .. })
    ));
    assert!(matches!(c.rooms().await, Err(Error::Decode { .. })));
}

#[tokio::test]
async fn the_poller_survives_bad_answers_and_backs_off() {
    let room = RoomToken::new("lobby").unwrap();
    let good = br#"[{"code":200,"headers":{"content-type":"application/json"},"body":{"capabilities":["sogs"]}},
        {"code":200,"headers":{"content-type":"application/json"},"body":{"token":"lobby","name":"Lobby","info_updates":0,"message_sequence":0}},
        {"code":200,"headers":{"content-type":"application/json"},"body":[]}]"#;
    let t = Canned::new(vec![
        (200, JSON, b"[{\"code\":200,"),
        (
            502,
            "text/html",
            b"<html><title>502 Bad Gateway</title></html>",
        ),
        (200, JSON, br#"{"not":"an array"}"#),
        (200, JSON, good),
    ]);
    let c = client(t);
    let mut p = Poller::new(PollerConfig {
        jitter: false,
        ..PollerConfig::default()
    });
    p.add_room(room.clone());
    for failures in 1..=3u32 {
        let request = p.poll().unwrap();
        let answer = c.batch(request.batch()).await;
        let events = p.handle(request, &c.context(), answer);
        assert!(
            matches!(&events[..], [Event::Error { room: None, .. }]),
            "{events:?}"
        );
        assert_eq!(p.failures(), failures);
        assert_eq!(
            p.next_delay(),
            std::time::Duration::from_secs(2 << (failures - 1))
        );
    }
    let request = p.poll().unwrap();
    let answer = c.batch(request.batch()).await;
    let events = p.handle(request, &c.context(), answer);
    assert!(matches!(&events[..], [Event::RoomInfoChanged { info, .. }] if info.name == "Lobby"));
    assert_eq!(p.failures(), 0);
    assert_eq!(p.rooms()[&room].seqno, Some(0));
}
