//! A minimal v4 onion server on loopback (`POST /oxen/v4/lsrpc`) that answers each request
//! with a JSON echo of it: a stand-in for "any HTTP server on loopback" as an onion
//! destination. `/missing` answers 404; undecryptable bodies get a plain 400.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use session_crypto::X25519Keypair;
use session_net::onion::{ServerLayer, V4Response};
use tokio::net::TcpListener;

/// A running echo server.
pub struct EchoServer {
    pub url: String,
    pub key: X25519Keypair,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(key: &X25519Keypair, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    if path != "/oxen/v4/lsrpc" {
        return (404, b"Not found".to_vec());
    }
    let Ok(layer) = ServerLayer::open(body, std::slice::from_ref(key)) else {
        return (400, b"Invalid ciphertext".to_vec());
    };
    let Ok(request) = layer.request() else {
        return (200, layer.reply_invalid().unwrap());
    };
    let code = if request.endpoint == "/missing" {
        404
    } else {
        200
    };
    let echo = json!({"method": request.method, "endpoint": request.endpoint,
        "headers": request.headers,
        "body": request.body.map(|b| String::from_utf8_lossy(&b).into_owned())});
    let headers = BTreeMap::from([("content-type".to_owned(), "application/json".to_owned())]);
    let reply = layer
        .reply(&V4Response::new(
            code,
            headers,
            echo.to_string().into_bytes(),
        ))
        .unwrap();
    (200, reply)
}

impl EchoServer {
    pub async fn start() -> Self {
        let key = X25519Keypair::generate().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server_key = Arc::new(key.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let key = server_key.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let key = key.clone();
                        async move {
                            let path = req.uri().path().to_owned();
                            let body = req.into_body().collect().await?.to_bytes();
                            let (status, body) = answer(&key, &path, &body);
                            let mut r = http::Response::new(Full::new(Bytes::from(body)));
                            *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
                            Ok::<_, hyper::Error>(r)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { url, key, task }
    }
}
