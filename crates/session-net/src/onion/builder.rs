//! Building an onion request, innermost layer first (network.md §3.3).
//!
//! ```text
//! L_d = Enc(k_d → D, payload framed for a snode | v4 payload for a server)
//! L_i = Enc(k_i → H_i, frame(L_{i+1}, route_i))      for i = n … 1
//! body = frame(L_1, {"enc_type", "ephemeral_key": K_1})   POSTed to the guard's /onion_req/v2
//! ```
//! Each route carries the ephemeral key that the *next* recipient needs.

use session_crypto::X25519Keypair;
use session_crypto::onion::{EncType, HopCipher};
use url::Url;
use zeroize::Zeroizing;

use super::error::{OnionError, from_crypto};
use super::frame::{FinalMeta, GuardMeta, RelayMeta, ServerMeta, frame, to_json};
use super::reply::{DestinationKind, ReplyOpener};
use super::v4::V4Request;

/// Storage servers reject requests that went through more than 15 hops (network.md §3.3).
pub const MAX_HOPS: usize = 15;

/// The standard number of snodes in a path: the guard plus two relays (network.md §2).
pub const PATH_HOPS: usize = 3;

/// The keys of one snode on a path: its Ed25519 key names it in routing JSON, its X25519 key
/// encrypts its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HopKeys {
    /// The snode's Ed25519 public key (`pubkey_ed25519`).
    pub ed25519: [u8; 32],
    /// The snode's X25519 public key (`pubkey_x25519`).
    pub x25519: [u8; 32],
}

/// `http` or `https`, for the last hop's request to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// Plain HTTP (the file server is reached this way, on port 80).
    Http,
    /// HTTPS (the storage server's default).
    #[default]
    Https,
}

impl Protocol {
    /// `"http"` or `"https"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// 80 or 443.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// An HTTP server reached through the onion: the last snode POSTs to
/// `protocol://host:port/target`, and the server decrypts with its X25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerDestination {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `http` or `https`.
    pub protocol: Protocol,
    /// The server's X25519 public key.
    pub x25519: [u8; 32],
    /// The onion endpoint, `/oxen/v4/lsrpc` for v4.
    pub target: String,
}

/// The v4 onion endpoint of SOGS and the file server.
pub const V4_TARGET: &str = "/oxen/v4/lsrpc";

impl ServerDestination {
    /// A v4 destination (`/oxen/v4/lsrpc`).
    pub fn new(host: impl Into<String>, port: u16, protocol: Protocol, x25519: [u8; 32]) -> Self {
        Self {
            host: host.into(),
            port,
            protocol,
            x25519,
            target: V4_TARGET.to_owned(),
        }
    }

    /// The v4 destination serving `url` (scheme, host and port of it; the path is ignored).
    pub fn from_url(url: &Url, x25519: [u8; 32]) -> Result<Self, OnionError> {
        let protocol = match url.scheme() {
            "http" => Protocol::Http,
            "https" => Protocol::Https,
            other => {
                return Err(OnionError::BadField {
                    what: "server URL",
                    field: "scheme",
                    reason: format!("{other:?} is neither http nor https"),
                });
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(OnionError::MissingField {
                what: "server URL",
                field: "host",
            })?;
        // An IPv6 literal is written without brackets in the routing JSON.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port().unwrap_or(protocol.default_port());
        Ok(Self::new(host, port, protocol, x25519))
    }
}

/// Where the onion request ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A snode running the RPC in the payload (it must not be on the path).
    Snode(HopKeys),
    /// An HTTP server; the payload is a v4 request.
    Server(ServerDestination),
}

impl Destination {
    fn x25519(&self) -> &[u8; 32] {
        match self {
            Self::Snode(hop) => &hop.x25519,
            Self::Server(server) => &server.x25519,
        }
    }
}

/// A built onion request: the body for the guard and what is needed to open the reply.
#[derive(Debug)]
pub struct OnionRequest {
    /// `POST` this to `https://<guard>/onion_req/v2`.
    pub body: Vec<u8>,
    /// Opens the reply of the destination.
    pub reply: ReplyOpener,
}

/// The ephemeral secret and nonce of one layer, for reproducible builds.
#[derive(Clone)]
pub struct LayerSecret {
    /// The layer's ephemeral X25519 secret.
    pub ephemeral_secret: Zeroizing<[u8; 32]>,
    /// The layer's nonce (12 bytes for AES-GCM, 24 for XChaCha20).
    pub nonce: Vec<u8>,
}

impl std::fmt::Debug for LayerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LayerSecret { <redacted> }")
    }
}

/// Every ephemeral secret and nonce of a request, for [`build_with_secrets`].
#[derive(Debug, Clone)]
pub struct OnionSecrets {
    /// The destination layer's.
    pub destination: LayerSecret,
    /// One per path hop, guard first.
    pub hops: Vec<LayerSecret>,
}

/// Builds an onion request through `path` (guard first) to `destination` with fresh random
/// ephemeral keys and nonces.
///
/// `payload` is the snode RPC JSON (`{"method":…,"params":…}`) for a snode destination, or
/// a v4 request ([`V4Request::encode`]) for a server; see also [`build_v4`].
pub fn build(
    path: &[HopKeys],
    destination: &Destination,
    payload: &[u8],
    enc: EncType,
) -> Result<OnionRequest, OnionError> {
    build_inner(path, destination, payload, enc, &mut |_| {
        Ok((X25519Keypair::generate().map_err(OnionError::Crypto)?, None))
    })
}

/// [`build`] for a v4 request to a server.
pub fn build_v4(
    path: &[HopKeys],
    server: &ServerDestination,
    request: &V4Request,
    enc: EncType,
) -> Result<OnionRequest, OnionError> {
    build(
        path,
        &Destination::Server(server.clone()),
        &request.encode(),
        enc,
    )
}

/// [`build`] with given ephemeral secrets and nonces: only for test vectors and reproducible
/// tests. Reusing a secret or nonce in real traffic breaks the onion's confidentiality.
pub fn build_with_secrets(
    path: &[HopKeys],
    destination: &Destination,
    payload: &[u8],
    enc: EncType,
    secrets: &OnionSecrets,
) -> Result<OnionRequest, OnionError> {
    if secrets.hops.len() != path.len() {
        return Err(OnionError::InvalidPath {
            reason: format!("{} hop secrets for {} hops", secrets.hops.len(), path.len()),
        });
    }
    build_inner(path, destination, payload, enc, &mut |layer| {
        let secret = match layer {
            None => &secrets.destination,
            Some(i) => secrets.hops.get(i).ok_or(OnionError::InvalidPath {
                reason: "missing hop secret".into(),
            })?,
        };
        Ok((
            X25519Keypair::from_secret(*secret.ephemeral_secret),
            Some(secret.nonce.clone()),
        ))
    })
}

/// The keypair and (optional fixed) nonce of a layer: `None` = destination, `Some(i)` = hop i.
type LayerKeys<'a> =
    dyn FnMut(Option<usize>) -> Result<(X25519Keypair, Option<Vec<u8>>), OnionError> + 'a;

/// Encrypts one layer; returns the ciphertext and the layer's cipher.
fn seal(
    ephemeral: &X25519Keypair,
    recipient: &[u8; 32],
    enc: EncType,
    nonce: Option<Vec<u8>>,
    plaintext: &[u8],
    what: &'static str,
) -> Result<(Vec<u8>, HopCipher), OnionError> {
    let cipher = HopCipher::client(ephemeral, recipient, enc).map_err(|e| from_crypto(e, what))?;
    let sealed = match nonce {
        Some(n) => cipher.encrypt_with_nonce(plaintext, &n),
        None => cipher.encrypt(plaintext),
    }
    .map_err(|e| from_crypto(e, what))?;
    Ok((sealed, cipher))
}

fn build_inner(
    path: &[HopKeys],
    destination: &Destination,
    payload: &[u8],
    enc: EncType,
    keys: &mut LayerKeys<'_>,
) -> Result<OnionRequest, OnionError> {
    if path.is_empty() || path.len() > MAX_HOPS {
        return Err(OnionError::InvalidPath {
            reason: format!("{} hops (need 1 to {MAX_HOPS})", path.len()),
        });
    }
    if let Destination::Snode(dest) = destination
        && path.iter().any(|h| h.ed25519 == dest.ed25519)
    {
        return Err(OnionError::InvalidPath {
            reason: "the destination snode is on the path".into(),
        });
    }
    let et = enc.as_str();

    // 1. Destination layer.
    let (dest_keys, dest_nonce) = keys(None)?;
    let (dest_plain, kind) = match destination {
        Destination::Snode(_) => (
            frame(payload, &to_json(&FinalMeta { headers: "" }))?,
            DestinationKind::Snode,
        ),
        Destination::Server(_) => (payload.to_vec(), DestinationKind::Server),
    };
    let (mut layer, reply_cipher) = seal(
        &dest_keys,
        destination.x25519(),
        enc,
        dest_nonce,
        &dest_plain,
        "destination layer",
    )?;

    // 2. The route the last hop reads.
    let mut route = match destination {
        Destination::Snode(dest) => to_json(&RelayMeta {
            destination: hex::encode(dest.ed25519),
            enc_type: et,
            ephemeral_key: hex::encode(dest_keys.public_key()),
        }),
        Destination::Server(server) => to_json(&ServerMeta {
            enc_type: et,
            ephemeral_key: hex::encode(dest_keys.public_key()),
            host: &server.host,
            method: "POST",
            port: server.port,
            protocol: server.protocol.as_str(),
            target: &server.target,
        }),
    };

    // 3. Hop layers, last hop first; each route names the next hop and its ephemeral key.
    //    Each layer's cipher is kept: a hop that fails after decrypting (a refused proxy
    //    target, unreadable inner JSON) answers sealed with it (network.md §3.5).
    let mut outer_key = [0u8; 32];
    let mut hop_ciphers = Vec::with_capacity(path.len());
    for (i, hop) in path.iter().enumerate().rev() {
        let (hop_keys, nonce) = keys(Some(i))?;
        let plain = frame(&layer, &route)?;
        let (sealed, cipher) = seal(&hop_keys, &hop.x25519, enc, nonce, &plain, "hop layer")?;
        layer = sealed;
        hop_ciphers.push(cipher);
        route = to_json(&RelayMeta {
            destination: hex::encode(hop.ed25519),
            enc_type: et,
            ephemeral_key: hex::encode(hop_keys.public_key()),
        });
        outer_key = *hop_keys.public_key();
    }

    // 4. The guard's body.
    let body = frame(
        &layer,
        &to_json(&GuardMeta {
            enc_type: et,
            ephemeral_key: hex::encode(outer_key),
        }),
    )?;
    Ok(OnionRequest {
        body,
        // The destination answers with the destination layer's key: keep it, so opening the
        // reply costs no second Diffie-Hellman.
        reply: ReplyOpener::new(dest_keys, *destination.x25519(), enc, kind)
            .with_cipher(reply_cipher)
            .with_hop_ciphers({
                hop_ciphers.reverse();
                hop_ciphers
            }),
    })
}
