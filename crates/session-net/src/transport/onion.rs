//! [`OnionTransport`]: any HTTP request to any server, as a v4 onion request through a
//! [`SnodeNetwork`] path (network.md §3.7). Because it implements [`Transport`], code written
//! for [`DirectTransport`](super::DirectTransport) (the SOGS client) works over onion
//! unchanged; requests must carry the server's X25519 key
//! ([`HttpRequest::destination_key`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::{HttpRequest, HttpResponse, Transport, TransportError, TransportFuture};
use crate::network::SnodeNetwork;
use crate::onion::{ServerDestination, V4Request};
use crate::snode::{OnionPath, SnodeError};

/// Sends HTTP requests through onion paths.
#[derive(Debug, Clone)]
pub struct OnionTransport {
    network: Arc<SnodeNetwork>,
    last_path: Arc<Mutex<Option<OnionPath>>>,
}

impl OnionTransport {
    /// A transport over `network`'s paths.
    pub fn new(network: Arc<SnodeNetwork>) -> Self {
        Self {
            network,
            last_path: Arc::new(Mutex::new(None)),
        }
    }

    /// The network it uses.
    pub fn network(&self) -> &Arc<SnodeNetwork> {
        &self.network
    }

    /// The path of the last successful request (for display: `session net paths`).
    pub fn last_path(&self) -> Option<OnionPath> {
        self.last_path
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let key = request
            .destination_key
            .ok_or_else(|| TransportError::InvalidRequest {
                reason: "an onion request needs the server's X25519 key (destination_key)".into(),
            })?;
        let server = ServerDestination::from_url(&request.url, key)?;
        let v4 = to_v4(&request)?;
        let (response, path) = self
            .network
            .server_request(&server, &v4)
            .await
            .map_err(transport_error)?;
        *self.last_path.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
        let status = StatusCode::from_u16(response.code).map_err(|_| TransportError::Http {
            reason: format!("server sent status {}", response.code),
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &response.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(value.as_str()),
            ) {
                headers.append(n, v);
            }
        }
        Ok(HttpResponse::new(status, headers, response.body))
    }
}

impl Transport for OnionTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        let after = request
            .timeout
            .unwrap_or(self.network.config().request_timeout * 3);
        Box::pin(async move {
            tokio::time::timeout(after, self.send_inner(request))
                .await
                .unwrap_or(Err(TransportError::Timeout { after }))
        })
    }
}

/// The v4 request for an HTTP request: `endpoint` is path and query; the body goes along
/// for methods that have one.
fn to_v4(request: &HttpRequest) -> Result<V4Request, TransportError> {
    let mut endpoint = request.url.path().to_owned();
    if let Some(q) = request.url.query() {
        endpoint.push('?');
        endpoint.push_str(q);
    }
    let mut headers = BTreeMap::new();
    for (name, value) in &request.headers {
        let value = value.to_str().map_err(|_| TransportError::InvalidRequest {
            reason: format!("header {name} is not visible ASCII"),
        })?;
        headers.insert(name.as_str().to_owned(), value.to_owned());
    }
    let has_body = !request.body.is_empty()
        || matches!(request.method, Method::POST | Method::PUT | Method::PATCH);
    let mut v4 = V4Request::new(request.method.as_str(), endpoint);
    v4.headers = headers;
    if has_body {
        v4.body = Some(request.body.to_vec());
    }
    Ok(v4)
}

/// Maps network errors to transport errors.
fn transport_error(e: SnodeError) -> TransportError {
    match e {
        SnodeError::Onion(o) => TransportError::Onion(o),
        SnodeError::Transport(t) => t,
        SnodeError::InsufficientSnodes { reason } | SnodeError::SeedsUnreachable { reason } => {
            TransportError::NoPath { reason }
        }
        other => TransportError::Http {
            reason: other.to_string(),
        },
    }
}
