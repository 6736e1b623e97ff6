//! The HTTP(S) side: accept loops for snodes (HTTPS with a throwaway self-signed
//! certificate) and the seed, request routing, and where each fault acts.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use session_net::HttpResponse;
use session_net::onion::MAX_BODY;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::fault::{corrupt, hop_status_text};
use crate::network::Network;
use crate::node::{Counters, Node};
use crate::{onion, rpc, seed};

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// What a handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpReply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub(crate) fn text(status: u16, text: impl Into<String>) -> Self {
        Self {
            status,
            content_type: TEXT.to_owned(),
            body: text.into().into_bytes(),
        }
    }

    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Self {
        Self {
            status,
            content_type: JSON.to_owned(),
            body: value.to_string().into_bytes(),
        }
    }

    pub(crate) fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            body,
        }
    }

    /// Passes on another server's answer with `status`.
    pub(crate) fn from_response(status: u16, r: &HttpResponse) -> Self {
        Self {
            status,
            content_type: r
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned(),
            body: r.body.to_vec(),
        }
    }

    fn into_hyper(self) -> http::Response<Full<Bytes>> {
        let mut response = http::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        if let Ok(ct) = http::HeaderValue::from_str(&self.content_type) {
            response
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, ct);
        }
        response
    }
}

/// Whose listener it is.
#[derive(Debug, Clone)]
pub(crate) enum Role {
    Snode(Arc<Node>),
    Seed,
}

/// Accepts connections until `shutdown` flips; dropping the loop aborts its connections.
pub(crate) fn spawn_listener(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    net: Arc<Network>,
    role: Role,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.changed() => break,
            };
            // Reap finished connection tasks so the set does not grow without bound.
            while connections.try_join_next().is_some() {}
            let Ok((stream, _)) = accepted else {
                continue;
            };
            let (net, role, tls) = (net.clone(), role.clone(), tls.clone());
            connections.spawn(async move {
                match tls {
                    Some(tls) => {
                        if let Ok(stream) = tls.accept(stream).await {
                            serve_connection(TokioIo::new(stream), net, role).await;
                        }
                    }
                    None => serve_connection(TokioIo::new(stream), net, role).await,
                }
            });
        }
    })
}

async fn serve_connection<IO>(io: TokioIo<IO>, net: Arc<Network>, role: Role)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let (net, role) = (net.clone(), role.clone());
        async move { serve(&net, &role, req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
}

/// The error that makes hyper close a connection without answering (a dropped request).
fn dropped() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "dropped by fault")
}

async fn read_body(req: http::Request<hyper::body::Incoming>) -> Result<Vec<u8>, HttpReply> {
    // Framing and encryption add a little to the 10 MiB the network carries.
    match Limited::new(req.into_body(), MAX_BODY + 64 * 1024)
        .collect()
        .await
    {
        Ok(body) => Ok(body.to_bytes().to_vec()),
        Err(_) => Err(HttpReply::text(413, "Request body too large")),
    }
}

async fn serve(
    net: &Arc<Network>,
    role: &Role,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, std::io::Error> {
    let path = req.uri().path().to_owned();
    let post = req.method() == http::Method::POST;
    let body = match read_body(req).await {
        Ok(b) => b,
        Err(reply) => return Ok(reply.into_hyper()),
    };
    match role {
        Role::Seed => {
            let reply = if post && path == "/json_rpc" {
                seed::handle(net, &body)
            } else {
                HttpReply::text(404, "Not found")
            };
            Ok(reply.into_hyper())
        }
        Role::Snode(node) => serve_snode(net, node, post, &path, &body).await,
    }
}

/// A snode request, with the node's faults applied in order: drop, delay, hop-level status,
/// the work, reply drop, corruption.
async fn serve_snode(
    net: &Arc<Network>,
    node: &Arc<Node>,
    post: bool,
    path: &str,
    body: &[u8],
) -> Result<http::Response<Full<Bytes>>, std::io::Error> {
    let faults = node.faults();
    if node.hit(faults.drop) {
        Counters::bump(&node.counters.dropped);
        return Err(dropped());
    }
    if let Some(delay) = faults.delay {
        tokio::time::sleep(delay).await;
    }
    let mut reply = if let Some(status) = faults.hop_status() {
        HttpReply::text(status, hop_status_text(status, node.ed25519()))
    } else {
        match (post, path) {
            (true, "/onion_req/v2") => onion::handle(net, node, body).await,
            (true, "/storage_rpc/v1") => {
                Counters::bump(&node.counters.direct_rpcs);
                let r = rpc::handle_body(net, node, body);
                match &r.body {
                    rpc::Body::Json(v) => HttpReply::json(r.status, v),
                    rpc::Body::Text(t) => HttpReply::text(r.status, t.clone()),
                }
            }
            _ => HttpReply::text(404, "Not found"),
        }
    };
    if node.hit(faults.drop_reply) {
        Counters::bump(&node.counters.dropped_replies);
        return Err(dropped());
    }
    if node.hit(faults.corrupt) {
        Counters::bump(&node.counters.corrupted);
        corrupt(&mut reply.body);
    }
    Ok(reply.into_hyper())
}
