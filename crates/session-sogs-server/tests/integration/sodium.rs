//! libsodium as the independent reference for the onion tests: the client side of an onion
//! layer is built here with libsodium only, so the server's decryption and reply encryption
//! are checked against a different implementation.

#![allow(unsafe_code)]

use std::sync::Once;

use libsodium_sys as ffi;

fn init() {
    static INIT: Once = Once::new();
    // SAFETY: sodium_init is thread-safe and idempotent; Once runs it a single time.
    INIT.call_once(|| assert!(unsafe { ffi::sodium_init() } >= 0));
}

/// X25519 public key of a secret (`crypto_scalarmult_base`).
pub fn x25519_public(sk: &[u8; 32]) -> [u8; 32] {
    init();
    let mut pk = [0u8; 32];
    // SAFETY: both buffers are 32 bytes, as the function requires.
    assert_eq!(
        unsafe { ffi::crypto_scalarmult_base(pk.as_mut_ptr(), sk.as_ptr()) },
        0
    );
    pk
}

/// X25519 (`crypto_scalarmult`).
pub fn x25519(sk: &[u8; 32], pk: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all three buffers are 32 bytes.
    assert_eq!(
        unsafe { ffi::crypto_scalarmult(out.as_mut_ptr(), sk.as_ptr(), pk.as_ptr()) },
        0
    );
    out
}

/// Unkeyed BLAKE2b-256 of the concatenation of `parts`.
pub fn blake2b_256(parts: &[&[u8]]) -> [u8; 32] {
    init();
    let data: Vec<u8> = parts.concat();
    let mut out = [0u8; 32];
    // SAFETY: `out` is 32 bytes; `data` is valid for its length; no key.
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

/// HMAC-SHA256 with an arbitrary-length key.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: the state is written by init before use; all pointers are valid for their lengths.
    unsafe {
        let mut st: ffi::crypto_auth_hmacsha256_state = std::mem::zeroed();
        assert_eq!(
            ffi::crypto_auth_hmacsha256_init(&mut st, key.as_ptr(), key.len()),
            0
        );
        assert_eq!(
            ffi::crypto_auth_hmacsha256_update(&mut st, msg.as_ptr(), msg.len() as u64),
            0
        );
        assert_eq!(
            ffi::crypto_auth_hmacsha256_final(&mut st, out.as_mut_ptr()),
            0
        );
    }
    out
}

/// XChaCha20-Poly1305-IETF, no AD: `nonce ‖ ct ‖ tag`.
pub fn xchacha_seal(key: &[u8; 32], nonce: &[u8; 24], pt: &[u8]) -> Vec<u8> {
    init();
    let mut ct = vec![0u8; pt.len() + 16];
    let mut len = 0u64;
    // SAFETY: `ct` has room for the plaintext plus the 16-byte tag; key and nonce sizes match.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_encrypt(
            ct.as_mut_ptr(),
            &mut len,
            pt.as_ptr(),
            pt.len() as u64,
            std::ptr::null(),
            0,
            std::ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    [&nonce[..], &ct[..len as usize]].concat()
}

/// Opens `nonce ‖ ct ‖ tag`.
pub fn xchacha_open(key: &[u8; 32], data: &[u8]) -> Option<Vec<u8>> {
    init();
    if data.len() < 40 {
        return None;
    }
    let (nonce, ct) = data.split_at(24);
    let mut pt = vec![0u8; ct.len() - 16];
    let mut len = 0u64;
    // SAFETY: `pt` has room for the ciphertext minus the tag; key and nonce sizes match.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_decrypt(
            pt.as_mut_ptr(),
            &mut len,
            std::ptr::null_mut(),
            ct.as_ptr(),
            ct.len() as u64,
            std::ptr::null(),
            0,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then(|| pt[..len as usize].to_vec())
}

/// Whether this CPU lets libsodium do AES-256-GCM (AES-NI and PCLMUL).
pub fn aesgcm_available() -> bool {
    init();
    // SAFETY: a pure query.
    unsafe { ffi::crypto_aead_aes256gcm_is_available() == 1 }
}

/// AES-256-GCM, no AD: `iv ‖ ct ‖ tag`.
pub fn aesgcm_seal(key: &[u8; 32], iv: &[u8; 12], pt: &[u8]) -> Vec<u8> {
    init();
    let mut ct = vec![0u8; pt.len() + 16];
    let mut len = 0u64;
    // SAFETY: as for xchacha_seal, with a 12-byte IV.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_encrypt(
            ct.as_mut_ptr(),
            &mut len,
            pt.as_ptr(),
            pt.len() as u64,
            std::ptr::null(),
            0,
            std::ptr::null(),
            iv.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    [&iv[..], &ct[..len as usize]].concat()
}

/// Opens `iv ‖ ct ‖ tag`.
pub fn aesgcm_open(key: &[u8; 32], data: &[u8]) -> Option<Vec<u8>> {
    init();
    if data.len() < 28 {
        return None;
    }
    let (iv, ct) = data.split_at(12);
    let mut pt = vec![0u8; ct.len() - 16];
    let mut len = 0u64;
    // SAFETY: as for xchacha_open, with a 12-byte IV.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_decrypt(
            pt.as_mut_ptr(),
            &mut len,
            std::ptr::null_mut(),
            ct.as_ptr(),
            ct.len() as u64,
            std::ptr::null(),
            0,
            iv.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then(|| pt[..len as usize].to_vec())
}
