//! [`DirectTransport`]: plain HTTP and HTTPS on hyper 1 + hyper-rustls (rustls 0.23, ring).

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::socks::{Connector, Credentials, Socks5Config, SocksError};
use super::{HttpRequest, HttpResponse, Transport, TransportError, TransportFuture};

/// Default timeout for a whole request (network.md §3.4: SD uses 10 s for snode RPC and 30 s
/// for file transfers; 30 s covers both).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default timeout for establishing the TCP connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on a response body: 10 MiB is the largest body any Session server or snode
/// accepts (network.md §3.2), plus room for framing and encryption overhead.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 12 * 1024 * 1024;

/// Sends requests straight to the server over HTTP or HTTPS.
///
/// HTTPS certificates are checked against the Mozilla roots of `webpki-roots` unless the
/// builder was given another rustls configuration (for example the snode verifier of the
/// `danger` module). Plain `http://` URLs are allowed, since real communities use them.
/// Connections are pooled and reused. Cloning is cheap and shares the pool.
///
/// The [`HttpRequest::destination_key`] is ignored: a direct request is not onion-encrypted.
#[derive(Clone)]
pub struct DirectTransport {
    client: Client<HttpsConnector<Connector>, Full<Bytes>>,
    timeout: Duration,
    max_response_bytes: usize,
}

impl std::fmt::Debug for DirectTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectTransport")
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl DirectTransport {
    /// A transport with the default settings (webpki roots, 30 s timeout).
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change timeouts, the response limit or the TLS configuration.
    pub fn builder() -> DirectTransportBuilder {
        DirectTransportBuilder::default()
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let req = to_hyper_request(request)?;
        let response = self
            .client
            .request(req)
            .await
            .map_err(classify_client_error)?;
        let (parts, body) = response.into_parts();
        let limit = self.max_response_bytes;
        let body = Limited::new(body, limit)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    TransportError::ResponseTooLarge { limit }
                } else {
                    TransportError::Http {
                        reason: error_chain(e.as_ref()),
                    }
                }
            })?
            .to_bytes();
        Ok(HttpResponse::new(parts.status, parts.headers, body))
    }
}

impl Transport for DirectTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        let after = request.timeout.unwrap_or(self.timeout);
        Box::pin(async move {
            tokio::time::timeout(after, self.send_inner(request))
                .await
                .unwrap_or(Err(TransportError::Timeout { after }))
        })
    }
}

/// Builds a [`DirectTransport`].
#[derive(Debug, Clone)]
pub struct DirectTransportBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    tls: Option<rustls::ClientConfig>,
    socks5: Option<(std::net::SocketAddr, Option<Credentials>)>,
}

impl Default for DirectTransportBuilder {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            tls: None,
            socks5: None,
        }
    }
}

impl DirectTransportBuilder {
    /// The timeout for a whole request when the request sets none.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The timeout for establishing a TCP connection.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted; larger ones fail with
    /// [`TransportError::ResponseTooLarge`].
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Uses this rustls configuration for HTTPS instead of the webpki roots (for example the
    /// snode or seed-pinning configurations of the `danger` module). ALPN is set by the
    /// transport.
    #[must_use]
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Sends every connection through the SOCKS5 proxy at `proxy` (e.g. Tor at
    /// `127.0.0.1:9050`). Host names are resolved by the proxy.
    #[must_use]
    pub fn socks5_proxy(mut self, proxy: std::net::SocketAddr) -> Self {
        self.socks5 = Some((proxy, None));
        self
    }

    /// Like [`DirectTransportBuilder::socks5_proxy`], logging in with a user name and password
    /// (RFC 1929; Tor uses distinct credentials to isolate circuits).
    #[must_use]
    pub fn socks5_proxy_with_auth(
        mut self,
        proxy: std::net::SocketAddr,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.socks5 = Some((
            proxy,
            Some((user.into(), zeroize::Zeroizing::new(password.into()))),
        ));
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<DirectTransport, TransportError> {
        let tls = match self.tls {
            Some(config) => config,
            None => webpki_tls_config()?,
        };
        let connector = match self.socks5 {
            Some((proxy, credentials)) => Connector::Socks5(Socks5Config {
                proxy,
                credentials,
                connect_timeout: self.connect_timeout,
            }),
            None => {
                let mut http = HttpConnector::new();
                http.enforce_http(false);
                http.set_connect_timeout(Some(self.connect_timeout));
                http.set_nodelay(true);
                Connector::Direct(http)
            }
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(DirectTransport {
            client,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

/// The ring crypto provider, shared by every TLS configuration of this crate.
pub(crate) fn ring_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// rustls with the Mozilla roots from `webpki-roots`: the configuration for ordinary HTTPS
/// servers (SOGS, file server).
pub fn webpki_tls_config() -> Result<rustls::ClientConfig, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Ok(rustls::ClientConfig::builder_with_provider(ring_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Tls {
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Turns our request into a hyper request, checking what hyper would reject later with a
/// less helpful error.
fn to_hyper_request(request: HttpRequest) -> Result<http::Request<Full<Bytes>>, TransportError> {
    let scheme = request.url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(TransportError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        });
    }
    if request.url.host_str().is_none_or(str::is_empty) {
        return Err(TransportError::InvalidRequest {
            reason: format!("URL {} has no host", request.url),
        });
    }
    let uri: http::Uri = request
        .url
        .as_str()
        .parse()
        .map_err(|e: http::uri::InvalidUri| TransportError::InvalidRequest {
            reason: format!("URL {}: {e}", request.url),
        })?;
    let mut builder = http::Request::builder().method(request.method).uri(uri);
    if let Some(headers) = builder.headers_mut() {
        *headers = request.headers;
    }
    builder
        .body(Full::new(request.body))
        .map_err(|e| TransportError::InvalidRequest {
            reason: e.to_string(),
        })
}

/// Sorts a hyper client error into the variant a caller can act on.
fn classify_client_error(e: hyper_util::client::legacy::Error) -> TransportError {
    let reason = error_chain(&e);
    if let Some(socks) = find_error::<SocksError>(&e) {
        return TransportError::Proxy {
            reason: socks.0.clone(),
        };
    }
    if let Some(tls) = find_error::<rustls::Error>(&e) {
        return TransportError::Tls {
            reason: tls.to_string(),
        };
    }
    if e.is_connect() {
        TransportError::Connect { reason }
    } else {
        TransportError::Http { reason }
    }
}

/// Looks for an error of type `T` anywhere in the chain, including inside `io::Error`s
/// (whose `source()` skips the wrapped error itself).
fn find_error<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current: Option<&'a (dyn StdError + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            let inner: &'a (dyn StdError + 'static) = inner;
            if let Some(found) = find_error::<T>(inner) {
                return Some(found);
            }
        }
        current = err.source();
    }
    None
}

/// `error: cause: cause` on one line.
pub(crate) fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    let mut current = e.source();
    while let Some(err) = current {
        let text = err.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = err.source();
    }
    out
}
