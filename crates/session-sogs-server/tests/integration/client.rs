//! A minimal SOGS client for the tests: HTTP over hyper, requests signed with session-crypto
//! exactly as a real client signs them (independent of the server's own code).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use session_crypto::{Identity, ServerPubkey, SigningMode, sign_request};
use session_sogs_server::testing::TestServer;

/// One test user: an identity and the key kind it signs with.
#[derive(Clone)]
pub struct User {
    pub identity: Identity,
    pub mode: SigningMode,
    server: ServerPubkey,
}

impl User {
    /// A blind15 user with a seed derived from `n` (distinct `n`, distinct users).
    pub fn new(server: &TestServer, n: u8) -> Self {
        Self::with_mode(server, n, SigningMode::Blind15)
    }

    /// A user signing with `mode`.
    pub fn with_mode(server: &TestServer, n: u8, mode: SigningMode) -> Self {
        Self::for_key_with_mode(server.public_key(), n, mode)
    }

    /// A blind15 user of the server with key `server`.
    pub fn for_key(server: ServerPubkey, n: u8) -> Self {
        Self::for_key_with_mode(server, n, SigningMode::Blind15)
    }

    fn for_key_with_mode(server: ServerPubkey, n: u8, mode: SigningMode) -> Self {
        let mut seed = [0x5a; 16];
        seed[0] = n;
        Self {
            identity: Identity::from_seed(&seed).unwrap(),
            mode,
            server,
        }
    }

    /// The id the server knows this user by.
    pub fn id(&self) -> String {
        match self.mode {
            SigningMode::Unblinded => self.identity.session_id().to_string(),
            SigningMode::Blind15 => self.identity.blind15(&self.server).id().to_string(),
            SigningMode::Blind25 => self.identity.blind25(&self.server).id().to_string(),
        }
    }

    /// The user's Session ID (`05…`).
    pub fn session_id(&self) -> String {
        self.identity.session_id().to_string()
    }

    /// The four auth headers for a request, with a fresh random nonce and the current time.
    pub fn auth_headers(&self, method: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).unwrap();
        self.auth_headers_at(method, target, body, nonce, now())
    }

    /// The four auth headers with a given nonce and timestamp.
    pub fn auth_headers_at(
        &self,
        method: &str,
        target: &str,
        body: &[u8],
        nonce: [u8; 16],
        ts: u64,
    ) -> Vec<(String, String)> {
        let auth = sign_request(
            &self.identity,
            &self.server,
            self.mode,
            method,
            target,
            body,
            &nonce,
            ts,
        );
        auth.headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A post body `{"data", "signature"}`: `text` padded, signed with the user's key.
    pub fn post_body(&self, text: &str) -> Value {
        let data = session_crypto::padding::pad(text.as_bytes());
        let sig = match self.mode {
            SigningMode::Blind25 => self.identity.blind25(&self.server).sign(&data),
            _ => self.identity.blind15(&self.server).sign(&data),
        };
        serde_json::json!({"data": b64(&data), "signature": b64(&sig)})
    }
}

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Standard padded base64.
pub fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Standard base64 decoding.
pub fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// Percent-encodes what a URI may not carry raw (non-ASCII, spaces, controls); the signature
/// is over the decoded path, so signing the raw target gives the same bytes.
pub fn encode_target(target: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SET: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'|')
        .add(b'^');
    utf8_percent_encode(target, SET).to_string()
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// The body as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "status {}, body is not JSON: {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

/// An HTTP client bound to one test server.
#[derive(Clone)]
pub struct Client {
    http: HyperClient<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Client {
    /// A client for `server`.
    pub fn new(server: &TestServer) -> Self {
        Self::for_url(&server.url())
    }

    /// A client for a base URL.
    pub fn for_url(base: &str) -> Self {
        Self {
            http: HyperClient::builder(TokioExecutor::new()).build_http(),
            base: base.to_owned(),
        }
    }

    /// Sends a request with exactly these headers.
    pub async fn raw(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Resp {
        self.try_raw(method, target, headers, body)
            .await
            .expect("the server answers")
    }

    /// As [`raw`](Self::raw), `None` if the connection fails.
    pub async fn try_raw(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Option<Resp> {
        let mut req = hyper::Request::builder().method(method).uri(format!(
            "{}{}",
            self.base,
            encode_target(target)
        ));
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req.body(Full::new(Bytes::from(body))).unwrap();
        let resp = self.http.request(req).await.ok()?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.ok()?.to_bytes().to_vec();
        Some(Resp {
            status,
            headers,
            body,
        })
    }

    /// An anonymous GET.
    pub async fn get(&self, target: &str) -> Resp {
        self.raw("GET", target, &[], Vec::new()).await
    }

    /// A request signed by `user` (anonymous if `None`).
    pub async fn send(
        &self,
        user: Option<&User>,
        method: &str,
        target: &str,
        body: Vec<u8>,
    ) -> Resp {
        let headers = match user {
            Some(u) => u.auth_headers(method, target, &body),
            None => Vec::new(),
        };
        self.raw(method, target, &headers, body).await
    }

    /// A signed GET.
    pub async fn get_as(&self, user: &User, target: &str) -> Resp {
        self.send(Some(user), "GET", target, Vec::new()).await
    }

    /// A signed request with a JSON body.
    pub async fn json_as(&self, user: &User, method: &str, target: &str, body: &Value) -> Resp {
        let body = serde_json::to_vec(body).unwrap();
        let mut headers = user.auth_headers(method, target, &body);
        headers.push(("Content-Type".into(), "application/json".into()));
        self.raw(method, target, &headers, body).await
    }

    /// A signed DELETE.
    pub async fn delete_as(&self, user: &User, target: &str) -> Resp {
        self.send(Some(user), "DELETE", target, Vec::new()).await
    }

    /// Posts `text` to `room` as `user`; returns the response.
    pub async fn post_text(&self, user: &User, room: &str, text: &str) -> Resp {
        let body = user.post_body(text);
        self.json_as(user, "POST", &format!("/room/{room}/message"), &body)
            .await
    }
}
