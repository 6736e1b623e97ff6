//! `DirectTransport` against tiny loopback servers (127.0.0.1 only, no outside network).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use session_net::{DirectTransport, HttpRequest, Transport, TransportError};
use tokio::net::TcpListener;

/// Serves every connection of `listener` with `handler` until the test ends.
fn serve<F>(listener: TcpListener, handler: F)
where
    F: Fn(http::Request<Bytes>) -> http::Response<Full<Bytes>> + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: http::Request<Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        Ok::<_, Infallible>(handler(http::Request::from_parts(parts, body)))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}

async fn loopback() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, format!("127.0.0.1:{}", addr.port()))
}

/// Echoes method, path, a header and the body back as the body `METHOD PATH HEADER BODY`.
fn echo(req: http::Request<Bytes>) -> http::Response<Full<Bytes>> {
    let header = req
        .headers()
        .get("x-test")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let text = format!(
        "{} {} {} {}",
        req.method(),
        req.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""),
        header,
        String::from_utf8_lossy(req.body())
    );
    let status = if req.uri().path() == "/missing" {
        404
    } else {
        200
    };
    http::Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .header("x-reply", "yes")
        .body(Full::new(Bytes::from(text)))
        .unwrap()
}

#[tokio::test]
async fn sends_method_path_headers_and_body_and_returns_the_response() {
    let (listener, addr) = loopback().await;
    serve(listener, echo);
    let transport: Arc<dyn Transport> = Arc::new(DirectTransport::new().unwrap());
    let request = HttpRequest::post(
        format!("http://{addr}/room/lobby?x=1").parse().unwrap(),
        "hello body",
    )
    .with_header(
        HeaderName::from_static("x-test"),
        HeaderValue::from_static("abc"),
    )
    .with_destination_key([7; 32]);
    let response = transport.send(request).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.content_type(), Some("text/plain"));
    assert_eq!(response.headers.get("x-reply").unwrap(), "yes");
    assert_eq!(&response.body[..], b"POST /room/lobby?x=1 abc hello body");
}

#[tokio::test]
async fn error_statuses_are_responses_not_errors() {
    let (listener, addr) = loopback().await;
    serve(listener, echo);
    let transport = DirectTransport::new().unwrap();
    let response = transport
        .send(HttpRequest::get(
            format!("http://{addr}/missing").parse().unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(!response.is_success());
    assert_eq!(&response.body[..], b"GET /missing - ");
}

#[tokio::test]
async fn reuses_the_transport_for_many_requests() {
    let (listener, addr) = loopback().await;
    serve(listener, echo);
    let transport = DirectTransport::new().unwrap();
    for i in 0..5 {
        let request =
            HttpRequest::new(Method::PUT, format!("http://{addr}/n/{i}").parse().unwrap())
                .with_body(format!("{i}"));
        let response = transport.send(request).await.unwrap();
        assert_eq!(response.body, Bytes::from(format!("PUT /n/{i} - {i}")));
    }
}

#[tokio::test]
async fn silent_server_times_out() {
    // Accepts connections and never answers.
    let (listener, addr) = loopback().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let transport = DirectTransport::new().unwrap();
    let after = Duration::from_millis(200);
    let err = transport
        .send(HttpRequest::get(format!("http://{addr}/").parse().unwrap()).with_timeout(after))
        .await
        .unwrap_err();
    assert_eq!(err, TransportError::Timeout { after });
    assert!(err.is_retryable());
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let (listener, addr) = loopback().await;
    drop(listener);
    let transport = DirectTransport::new().unwrap();
    let err = transport
        .send(HttpRequest::get(format!("http://{addr}/").parse().unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn unsupported_scheme_is_rejected_before_connecting() {
    let transport = DirectTransport::new().unwrap();
    let err = transport
        .send(HttpRequest::get("ftp://127.0.0.1/file".parse().unwrap()))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TransportError::UnsupportedScheme {
            scheme: "ftp".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn oversized_response_is_rejected() {
    let (listener, addr) = loopback().await;
    serve(listener, |_| {
        http::Response::new(Full::new(Bytes::from(vec![b'x'; 4096])))
    });
    let transport = DirectTransport::builder()
        .max_response_bytes(1000)
        .build()
        .unwrap();
    let err = transport
        .send(HttpRequest::get(format!("http://{addr}/").parse().unwrap()))
        .await
        .unwrap_err();
    assert_eq!(err, TransportError::ResponseTooLarge { limit: 1000 });
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_error() {
    let (listener, addr) = loopback().await;
    serve(listener, echo);
    let transport = DirectTransport::new().unwrap();
    let err = transport
        .send(HttpRequest::get(
            format!("https://{addr}/").parse().unwrap(),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Tls { .. }), "{err:?}");
}
