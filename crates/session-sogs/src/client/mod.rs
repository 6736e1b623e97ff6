//! [`SogsClient`]: sends typed requests to one community server through any
//! [`Transport`], signing them with the mode the server's capabilities call for.
//! One convenience call per endpoint is in `calls.rs`.

mod calls;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use session_crypto::{AccountId, Identity, RequestSigner, SigningMode};
use session_net::{HttpRequest, HttpResponse, Transport};

use crate::api;
use crate::capabilities::Capabilities;
use crate::clock::now_secs;
use crate::error::{Error, Result};
use crate::link::Server;
use crate::request::{Auth, Body, Context, Endpoint, Method, Response};

/// Which key signs requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningPolicy {
    /// From the server's capabilities (spec §6.1): blind25 if offered, else blind15 when
    /// blinding is required, else unblinded.
    #[default]
    Auto,
    /// Always this mode (e.g. blind15 on a server that does not require blinding).
    Fixed(SigningMode),
}

#[derive(Debug, Default)]
struct State {
    capabilities: Option<Capabilities>,
    /// Server clock − local clock, seconds.
    clock_offset: i64,
}

/// A client of one community server.
///
/// It caches the server's capabilities (fetched once, on the first signed request), derives
/// the signing mode from them, learns the server's clock from each response's `Date` header,
/// and retries a 425 (clock skew or nonce reuse) once with fresh headers and the corrected
/// clock. Any [`Transport`] works: direct HTTP(S) or onion.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use session_crypto::Identity;
/// use session_net::DirectTransport;
/// use session_sogs::{JoinLink, SogsClient};
///
/// let link: JoinLink = "http://127.0.0.1:8080/lobby?public_key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".parse()?;
/// let (server, room) = link.into_parts();
/// let client = SogsClient::new(server, Arc::new(DirectTransport::new()?))
///     .with_identity(Arc::new(Identity::generate()?));
/// let info = client.room(&room).await?;
/// let posted = client.post_text(&room, "hello").await?;
/// assert!(posted.verified);
/// # let _ = info; Ok(()) }
/// ```
#[derive(Debug)]
pub struct SogsClient {
    server: Server,
    transport: Arc<dyn Transport>,
    identity: Option<Arc<Identity>>,
    policy: SigningPolicy,
    timeout: Option<Duration>,
    state: Mutex<State>,
}

impl SogsClient {
    /// An anonymous client of `server`.
    pub fn new(server: Server, transport: Arc<dyn Transport>) -> Self {
        Self {
            server,
            transport,
            identity: None,
            policy: SigningPolicy::Auto,
            timeout: None,
            state: Mutex::new(State::default()),
        }
    }

    /// Signs requests as `identity`.
    #[must_use]
    pub fn with_identity(mut self, identity: Arc<Identity>) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Sets how the signing key is chosen.
    #[must_use]
    pub fn with_signing(mut self, policy: SigningPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets a per-request timeout (the transport's default otherwise).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The identity, if the client signs requests.
    pub fn identity(&self) -> Option<&Arc<Identity>> {
        self.identity.as_ref()
    }

    /// What parsing answers needs.
    pub fn context(&self) -> Context<'_> {
        Context {
            server: self.server.public_key(),
            identity: self.identity.as_deref(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two plain values; a panic elsewhere cannot leave them inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The learned offset of the server's clock from the local one, in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.state().clock_offset
    }

    /// Sets the clock offset (normally learned from responses).
    pub fn set_clock_offset(&self, secs: i64) {
        self.state().clock_offset = secs;
    }

    /// The cached capabilities, if fetched.
    pub fn cached_capabilities(&self) -> Option<Capabilities> {
        self.state().capabilities.clone()
    }

    /// Replaces the cached capabilities (the poller refreshes them from its batches).
    pub fn set_capabilities(&self, capabilities: Capabilities) {
        self.state().capabilities = Some(capabilities);
    }

    /// The server's capabilities, fetched once and cached.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        if let Some(c) = self.cached_capabilities() {
            return Ok(c);
        }
        let request = api::GetCapabilities::new();
        let response = self
            .exchange(request.method(), &request.path(), &Body::Empty, None)
            .await?;
        let caps = api::GetCapabilities::parse(&self.context(), &response)?;
        self.set_capabilities(caps.clone());
        Ok(caps)
    }

    /// The signing mode in use (fetches the capabilities under [`SigningPolicy::Auto`]).
    pub async fn signing_mode(&self) -> Result<SigningMode> {
        match self.policy {
            SigningPolicy::Fixed(m) => Ok(m),
            SigningPolicy::Auto => Ok(self.capabilities().await?.signing_mode()),
        }
    }

    /// The id this server sees for the client's identity (its blinded id, or its Session ID
    /// in unblinded mode).
    pub async fn account_id(&self) -> Result<AccountId> {
        let identity = self.identity.as_deref().ok_or(Error::NoIdentity)?;
        let mode = self.signing_mode().await?;
        Ok(account_id(identity, &self.server, mode))
    }

    /// Sends a typed request and reads its answer.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output> {
        let response = self
            .send_raw(
                endpoint.method(),
                &endpoint.path(),
                endpoint.body()?,
                endpoint.auth(),
            )
            .await?;
        E::parse(&self.context(), &response)
    }

    /// Sends a request and returns the raw answer, whatever its status.
    ///
    /// Signed requests answered 425 are sent once more with a fresh nonce and the clock
    /// offset learned from that answer (spec §6.2: a retry needs new headers).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: Auth,
    ) -> Result<Response> {
        let signer = match (auth, self.identity.as_deref()) {
            (Auth::None, _) | (Auth::Optional, None) => None,
            (Auth::Required, None) => return Err(Error::NoIdentity),
            (_, Some(id)) => Some((id, self.signing_mode().await?)),
        };
        self.exchange(method, path, &body, signer).await
    }

    /// One request with its 425 retry; never fetches capabilities (no recursion).
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: &Body,
        signer: Option<(&Identity, SigningMode)>,
    ) -> Result<Response> {
        let mut retried = false;
        loop {
            let request = self.http_request(method, path, body, signer)?;
            let response = to_response(self.transport.send(request).await?);
            self.learn_clock(&response);
            if response.status == 425 && signer.is_some() && !retried {
                retried = true;
                tracing::debug!(path, offset = self.clock_offset(), "425: retrying once");
                continue;
            }
            return Ok(response);
        }
    }

    /// Sets the clock offset from the response's `Date` header.
    fn learn_clock(&self, response: &Response) {
        if let Some(server) = response.server_time().and_then(|t| i64::try_from(t).ok()) {
            self.set_clock_offset(server - now_secs());
        }
    }

    fn http_request(
        &self,
        method: Method,
        path: &str,
        body: &Body,
        signer: Option<(&Identity, SigningMode)>,
    ) -> Result<HttpRequest> {
        let url = url::Url::parse(&self.server.url(path)).map_err(|e| Error::InvalidInput {
            what: "request URL",
            reason: e.to_string(),
        })?;
        let http_method = match method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        };
        let mut request = HttpRequest::new(http_method, url)
            .with_body(body.bytes().to_vec())
            .with_destination_key(*self.server.public_key().as_bytes());
        if let Some(t) = self.timeout {
            request = request.with_timeout(t);
        }
        let mut headers: Vec<(&str, String)> = body.headers();
        if let Some((identity, mode)) = signer {
            let auth = RequestSigner::new(identity, *self.server.public_key(), mode)
                .with_clock_offset(self.clock_offset())
                .sign(method.as_str(), path, body.bytes())?;
            for (name, value) in auth.headers() {
                headers.push((name, value.to_owned()));
            }
        }
        for (name, value) in headers {
            let bad = |e: &dyn std::fmt::Display| Error::InvalidInput {
                what: "request header",
                reason: e.to_string(),
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(&e))?;
            let value = HeaderValue::from_str(&value).map_err(|e| bad(&e))?;
            request = request.with_header(name, value);
        }
        Ok(request)
    }
}

/// The id `identity` has on `server` in `mode`.
pub fn account_id(identity: &Identity, server: &Server, mode: SigningMode) -> AccountId {
    match mode {
        SigningMode::Unblinded => identity.session_id().into(),
        SigningMode::Blind25 => identity.blind25(server.public_key()).id().into(),
        _ => identity.blind15(server.public_key()).id().into(),
    }
}

/// A transport response as a [`Response`].
fn to_response(r: HttpResponse) -> Response {
    Response {
        status: r.status.as_u16(),
        headers: r
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: r.body.to_vec(),
    }
}
