//! Shared helpers: clients of the testnet, direct RPC, and libsodium as the independent
//! reference.
#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::Identity;
use session_net::onion::EncType;
use session_net::snode::MemoryStore;
use session_net::{DirectTransport, HttpRequest, NetworkConfig, SnodeNetwork, Transport, danger};
use session_testnet::{SnodeInfo, Testnet};

/// A client of `testnet` with its own in-memory store.
pub fn client(testnet: &Testnet, enc: EncType) -> Arc<SnodeNetwork> {
    client_with(
        testnet,
        testnet.network_config().enc_type(enc),
        Arc::default(),
    )
}

/// A client with a given configuration and store.
pub fn client_with(
    testnet: &Testnet,
    config: NetworkConfig,
    store: Arc<MemoryStore>,
) -> Arc<SnodeNetwork> {
    let snodes = DirectTransport::builder()
        .tls_config(danger::snode_tls_config())
        .build()
        .unwrap();
    let seed = testnet.seed_config().transport().unwrap();
    Arc::new(SnodeNetwork::with_parts(
        config,
        Arc::new(snodes),
        Arc::new(seed),
        store,
    ))
}

/// A transport that talks to snodes directly (self-signed certificates accepted).
pub fn snode_transport() -> DirectTransport {
    DirectTransport::builder()
        .tls_config(danger::snode_tls_config())
        .build()
        .unwrap()
}

/// The status and body (JSON if it parses, else a string) of a direct `/storage_rpc/v1`
/// call.
pub async fn direct(node: &SnodeInfo, method: &str, params: Value) -> (u16, Value) {
    let body = json!({"jsonrpc": "2.0", "method": method, "params": params});
    let url = format!("{}/storage_rpc/v1", node.url()).parse().unwrap();
    let r = snode_transport()
        .send(HttpRequest::post(url, body.to_string()))
        .await
        .unwrap();
    let value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&r.body).into_owned()));
    (r.status.as_u16(), value)
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// A fixed identity per byte.
pub fn identity(byte: u8) -> Identity {
    Identity::from_seed(&[byte; 16]).unwrap()
}

/// Signed `retrieve` params of `id`'s namespace `ns` at `timestamp`.
pub fn retrieve_params(id: &Identity, ns: i16, last_hash: &str, timestamp: u64) -> Value {
    let ns_text = if ns == 0 {
        String::new()
    } else {
        ns.to_string()
    };
    let sig = id.sign(format!("retrieve{ns_text}{timestamp}").as_bytes());
    json!({"pubkey": id.session_id().to_string(), "pubkey_ed25519": hex::encode(id.ed25519_public_key()),
           "namespace": ns, "last_hash": last_hash, "timestamp": timestamp, "signature": b64(&sig)})
}

/// libsodium, the independent reference for hashes and signatures.
#[allow(unsafe_code)]
pub mod sodium {
    use std::sync::Once;

    use libsodium_sys as ffi;

    fn init() {
        static INIT: Once = Once::new();
        // SAFETY: sodium_init is thread-safe and idempotent; Once runs it a single time.
        INIT.call_once(|| unsafe {
            assert!(ffi::sodium_init() >= 0, "sodium_init failed");
        });
    }

    /// `crypto_generichash` (unkeyed BLAKE2b) with a 32-byte output.
    pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
        init();
        let mut out = [0u8; 32];
        // SAFETY: out is 32 bytes as requested; data valid for its length; no key.
        let rc = unsafe {
            ffi::crypto_generichash(
                out.as_mut_ptr(),
                32,
                data.as_ptr(),
                data.len() as u64,
                std::ptr::null(),
                0,
            )
        };
        assert_eq!(rc, 0);
        out
    }

    /// `crypto_sign_verify_detached`.
    pub fn verify(sig: &[u8; 64], msg: &[u8], pk: &[u8; 32]) -> bool {
        init();
        // SAFETY: sig 64 bytes, pk 32, msg valid for its length.
        unsafe {
            ffi::crypto_sign_verify_detached(
                sig.as_ptr(),
                msg.as_ptr(),
                msg.len() as u64,
                pk.as_ptr(),
            ) == 0
        }
    }

    /// `crypto_sign_ed25519_pk_to_curve25519`.
    pub fn ed_to_x(pk: &[u8; 32]) -> [u8; 32] {
        init();
        let mut out = [0u8; 32];
        // SAFETY: both buffers are 32 bytes.
        let rc =
            unsafe { ffi::crypto_sign_ed25519_pk_to_curve25519(out.as_mut_ptr(), pk.as_ptr()) };
        assert_eq!(rc, 0);
        out
    }
}

/// The message hash computed independently with libsodium: unpadded base64 of
/// BLAKE2b-256(prefix ‖ key ‖ ns text ‖ data).
pub fn expected_hash(account: &[u8; 33], ns: i16, data: &[u8]) -> String {
    let mut input = account.to_vec();
    if ns != 0 {
        input.extend_from_slice(ns.to_string().as_bytes());
    }
    input.extend_from_slice(data);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(sodium::blake2b_256(&input))
}
