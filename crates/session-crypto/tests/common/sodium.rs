//! Tiny safe wrappers over the libsodium functions the tests and benches compare against.
//!
//! libsodium (through `libsodium-sys-stable`, a dev-dependency only) is the independent
//! reference implementation: every wrapper passes buffers of exactly the sizes libsodium
//! documents for the call, and reports libsodium's failure returns as `None`.
#![allow(unsafe_code)]
#![allow(dead_code)]

use std::sync::Once;

use libsodium_sys as ffi;

/// Initialises libsodium once (required before any other call).
pub fn init() {
    static INIT: Once = Once::new();
    // SAFETY: sodium_init is thread-safe and idempotent; Once runs it a single time.
    INIT.call_once(|| unsafe {
        assert!(ffi::sodium_init() >= 0, "sodium_init failed");
    });
}

/// `crypto_sign_seed_keypair`: (public key, 64-byte secret key `seed ‖ pk`).
pub fn sign_seed_keypair(seed: &[u8; 32]) -> ([u8; 32], [u8; 64]) {
    init();
    let (mut pk, mut sk) = ([0u8; 32], [0u8; 64]);
    // SAFETY: pk is 32 bytes, sk 64, seed 32, as crypto_sign_seed_keypair requires.
    let rc =
        unsafe { ffi::crypto_sign_seed_keypair(pk.as_mut_ptr(), sk.as_mut_ptr(), seed.as_ptr()) };
    assert_eq!(rc, 0);
    (pk, sk)
}

/// `crypto_sign_detached`.
pub fn sign_detached(sk: &[u8; 64], msg: &[u8]) -> [u8; 64] {
    init();
    let mut sig = [0u8; 64];
    // SAFETY: sig is 64 bytes, sk 64, msg valid for msg.len() bytes; siglen may be null.
    let rc = unsafe {
        ffi::crypto_sign_detached(
            sig.as_mut_ptr(),
            std::ptr::null_mut(),
            msg.as_ptr(),
            msg.len() as u64,
            sk.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    sig
}

/// `crypto_sign_verify_detached`: whether the signature verifies.
pub fn verify_detached(sig: &[u8; 64], msg: &[u8], pk: &[u8; 32]) -> bool {
    init();
    // SAFETY: sig 64 bytes, pk 32, msg valid for msg.len() bytes.
    unsafe {
        ffi::crypto_sign_verify_detached(sig.as_ptr(), msg.as_ptr(), msg.len() as u64, pk.as_ptr())
            == 0
    }
}

/// `crypto_sign_ed25519_pk_to_curve25519`; `None` when libsodium rejects the key.
pub fn ed25519_pk_to_curve25519(pk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_sign_ed25519_pk_to_curve25519(out.as_mut_ptr(), pk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_sign_ed25519_sk_to_curve25519`.
pub fn ed25519_sk_to_curve25519(sk: &[u8; 64]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: out is 32 bytes, sk 64.
    let rc = unsafe { ffi::crypto_sign_ed25519_sk_to_curve25519(out.as_mut_ptr(), sk.as_ptr()) };
    assert_eq!(rc, 0);
    out
}

/// `crypto_scalarmult_base` (X25519 public key of a secret).
pub fn x25519_base(sk: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_scalarmult_base(out.as_mut_ptr(), sk.as_ptr()) };
    assert_eq!(rc, 0);
    out
}

/// `crypto_scalarmult` (X25519); `None` for an all-zero result.
pub fn x25519(sk: &[u8; 32], pk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_scalarmult(out.as_mut_ptr(), sk.as_ptr(), pk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult_ed25519_base_noclamp`; `None` for a zero scalar.
pub fn ed25519_base_noclamp(s: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_scalarmult_ed25519_base_noclamp(out.as_mut_ptr(), s.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult_ed25519_noclamp`; `None` for an invalid point or identity result.
pub fn ed25519_noclamp(s: &[u8; 32], p: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    let rc =
        unsafe { ffi::crypto_scalarmult_ed25519_noclamp(out.as_mut_ptr(), s.as_ptr(), p.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_core_ed25519_is_valid_point`.
pub fn is_valid_point(p: &[u8; 32]) -> bool {
    init();
    // SAFETY: p is 32 bytes.
    unsafe { ffi::crypto_core_ed25519_is_valid_point(p.as_ptr()) == 1 }
}

/// `crypto_core_ed25519_scalar_reduce` of 64 bytes.
pub fn scalar_reduce(wide: &[u8; 64]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: out is 32 bytes, the input 64.
    unsafe { ffi::crypto_core_ed25519_scalar_reduce(out.as_mut_ptr(), wide.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_mul`.
pub fn scalar_mul(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_mul(out.as_mut_ptr(), a.as_ptr(), b.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_add`.
pub fn scalar_add(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_add(out.as_mut_ptr(), a.as_ptr(), b.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_negate`.
pub fn scalar_negate(a: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both buffers are 32 bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_negate(out.as_mut_ptr(), a.as_ptr()) };
    out
}

/// `crypto_hash_sha512`.
pub fn sha512(msg: &[u8]) -> [u8; 64] {
    init();
    let mut out = [0u8; 64];
    // SAFETY: out is 64 bytes, msg valid for msg.len() bytes.
    unsafe { ffi::crypto_hash_sha512(out.as_mut_ptr(), msg.as_ptr(), msg.len() as u64) };
    out
}

/// `crypto_hash_sha256`.
pub fn sha256(msg: &[u8]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: out is 32 bytes, msg valid for msg.len() bytes.
    unsafe { ffi::crypto_hash_sha256(out.as_mut_ptr(), msg.as_ptr(), msg.len() as u64) };
    out
}

/// `crypto_generichash` (BLAKE2b) with an optional key (empty = unkeyed).
pub fn generichash(out_len: usize, key: &[u8], msg: &[u8]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; out_len];
    let key_ptr = if key.is_empty() {
        std::ptr::null()
    } else {
        key.as_ptr()
    };
    // SAFETY: out is out_len bytes; key (or null) valid for key.len(); msg for msg.len().
    let rc = unsafe {
        ffi::crypto_generichash(
            out.as_mut_ptr(),
            out_len,
            msg.as_ptr(),
            msg.len() as u64,
            key_ptr,
            key.len(),
        )
    };
    assert_eq!(rc, 0, "crypto_generichash rejected its parameters");
    out
}

/// `crypto_generichash_blake2b_salt_personal` with 16-byte salt and personal strings.
pub fn generichash_salt_personal(
    out_len: usize,
    key: &[u8],
    salt: &[u8; 16],
    personal: &[u8; 16],
    msg: &[u8],
) -> Vec<u8> {
    init();
    let mut out = vec![0u8; out_len];
    let key_ptr = if key.is_empty() {
        std::ptr::null()
    } else {
        key.as_ptr()
    };
    // SAFETY: as generichash; salt and personal are 16 bytes as the call requires.
    let rc = unsafe {
        ffi::crypto_generichash_blake2b_salt_personal(
            out.as_mut_ptr(),
            out_len,
            msg.as_ptr(),
            msg.len() as u64,
            key_ptr,
            key.len(),
            salt.as_ptr(),
            personal.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out
}

/// `crypto_box_seal`.
pub fn box_seal(msg: &[u8], pk: &[u8; 32]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; msg.len() + 48];
    // SAFETY: out has room for msg + crypto_box_SEALBYTES (48); pk is 32 bytes.
    let rc = unsafe {
        ffi::crypto_box_seal(
            out.as_mut_ptr(),
            msg.as_ptr(),
            msg.len() as u64,
            pk.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out
}

/// `crypto_box_seal_open`; `None` when it fails.
pub fn box_seal_open(ct: &[u8], pk: &[u8; 32], sk: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    if ct.len() < 48 {
        return None;
    }
    let mut out = vec![0u8; ct.len() - 48];
    // SAFETY: out has ct.len() - 48 bytes; pk and sk are 32 bytes.
    let rc = unsafe {
        ffi::crypto_box_seal_open(
            out.as_mut_ptr(),
            ct.as_ptr(),
            ct.len() as u64,
            pk.as_ptr(),
            sk.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_box_beforenm`: HSalsa20 of the X25519 shared secret.
pub fn box_beforenm(pk: &[u8; 32], sk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all buffers are 32 bytes.
    let rc = unsafe { ffi::crypto_box_beforenm(out.as_mut_ptr(), pk.as_ptr(), sk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_aead_xchacha20poly1305_ietf_encrypt` (no additional data): `ct ‖ tag`.
pub fn xchacha_encrypt(msg: &[u8], nonce: &[u8; 24], key: &[u8; 32]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; msg.len() + 16];
    let mut out_len = 0u64;
    // SAFETY: out has msg + 16 bytes; nonce 24, key 32; no AD (null, 0); nsec unused (null).
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.as_mut_ptr(),
            &mut out_len,
            msg.as_ptr(),
            msg.len() as u64,
            std::ptr::null(),
            0,
            std::ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out.truncate(out_len as usize);
    out
}

/// `crypto_aead_xchacha20poly1305_ietf_decrypt`; `None` when the tag does not verify.
pub fn xchacha_decrypt(ct: &[u8], nonce: &[u8; 24], key: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    let mut out = vec![0u8; ct.len()];
    let mut out_len = 0u64;
    // SAFETY: out has ct.len() bytes (≥ plaintext); nonce 24, key 32; no AD; nsec null.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.as_mut_ptr(),
            &mut out_len,
            std::ptr::null_mut(),
            ct.as_ptr(),
            ct.len() as u64,
            std::ptr::null(),
            0,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then(|| {
        out.truncate(out_len as usize);
        out
    })
}

/// `crypto_aead_aes256gcm_is_available` (AES-NI and PCLMUL present).
pub fn aes256gcm_available() -> bool {
    init();
    // SAFETY: no arguments.
    unsafe { ffi::crypto_aead_aes256gcm_is_available() == 1 }
}

/// `crypto_aead_aes256gcm_encrypt` (no additional data): `ct ‖ tag`. Only call when
/// [`aes256gcm_available`].
pub fn aes256gcm_encrypt(msg: &[u8], nonce: &[u8; 12], key: &[u8; 32]) -> Vec<u8> {
    init();
    let mut out = vec![0u8; msg.len() + 16];
    let mut out_len = 0u64;
    // SAFETY: out has msg + 16 bytes; nonce 12, key 32; no AD; nsec null.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_encrypt(
            out.as_mut_ptr(),
            &mut out_len,
            msg.as_ptr(),
            msg.len() as u64,
            std::ptr::null(),
            0,
            std::ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    out.truncate(out_len as usize);
    out
}

/// `crypto_aead_aes256gcm_decrypt`; `None` when the tag does not verify.
pub fn aes256gcm_decrypt(ct: &[u8], nonce: &[u8; 12], key: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    let mut out = vec![0u8; ct.len()];
    let mut out_len = 0u64;
    // SAFETY: out has ct.len() bytes; nonce 12, key 32; no AD; nsec null.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_decrypt(
            out.as_mut_ptr(),
            &mut out_len,
            std::ptr::null_mut(),
            ct.as_ptr(),
            ct.len() as u64,
            std::ptr::null(),
            0,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then(|| {
        out.truncate(out_len as usize);
        out
    })
}

/// A `crypto_secretstream_xchacha20poly1305` state.
pub struct StreamState(ffi::crypto_secretstream_xchacha20poly1305_state);

/// `crypto_secretstream_xchacha20poly1305_init_push`: a state and its random header.
pub fn secretstream_init_push(key: &[u8; 32]) -> (StreamState, [u8; 24]) {
    init();
    let mut st = StreamState(ffi::crypto_secretstream_xchacha20poly1305_state {
        k: [0; 32],
        nonce: [0; 12],
        _pad: [0; 8],
    });
    let mut header = [0u8; 24];
    // SAFETY: st is a valid state struct, header 24 bytes, key 32.
    let rc = unsafe {
        ffi::crypto_secretstream_xchacha20poly1305_init_push(
            &mut st.0,
            header.as_mut_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    (st, header)
}

/// `crypto_secretstream_xchacha20poly1305_init_pull`. The state equals the one `init_push`
/// makes with the same header, so pushing from it reproduces a stream with a chosen header.
pub fn secretstream_init_pull(header: &[u8; 24], key: &[u8; 32]) -> StreamState {
    init();
    let mut st = StreamState(ffi::crypto_secretstream_xchacha20poly1305_state {
        k: [0; 32],
        nonce: [0; 12],
        _pad: [0; 8],
    });
    // SAFETY: st is a valid state struct, header 24 bytes, key 32.
    let rc = unsafe {
        ffi::crypto_secretstream_xchacha20poly1305_init_pull(
            &mut st.0,
            header.as_ptr(),
            key.as_ptr(),
        )
    };
    assert_eq!(rc, 0);
    st
}

/// `crypto_secretstream_xchacha20poly1305_push` without additional data.
pub fn secretstream_push(st: &mut StreamState, msg: &[u8], tag: u8) -> Vec<u8> {
    let mut out = vec![0u8; msg.len() + 17];
    let mut out_len = 0u64;
    // SAFETY: out has msg + ABYTES (17) bytes; no AD (null, 0).
    let rc = unsafe {
        ffi::crypto_secretstream_xchacha20poly1305_push(
            &mut st.0,
            out.as_mut_ptr(),
            &mut out_len,
            msg.as_ptr(),
            msg.len() as u64,
            std::ptr::null(),
            0,
            tag,
        )
    };
    assert_eq!(rc, 0);
    out.truncate(out_len as usize);
    out
}

/// `crypto_secretstream_xchacha20poly1305_pull` without additional data: (message, tag), or
/// `None` when the chunk does not verify.
pub fn secretstream_pull(st: &mut StreamState, chunk: &[u8]) -> Option<(Vec<u8>, u8)> {
    if chunk.len() < 17 {
        return None;
    }
    let mut out = vec![0u8; chunk.len() - 17];
    let (mut out_len, mut tag) = (0u64, 0u8);
    // SAFETY: out has chunk - ABYTES bytes; no AD.
    let rc = unsafe {
        ffi::crypto_secretstream_xchacha20poly1305_pull(
            &mut st.0,
            out.as_mut_ptr(),
            &mut out_len,
            &mut tag,
            chunk.as_ptr(),
            chunk.len() as u64,
            std::ptr::null(),
            0,
        )
    };
    (rc == 0).then(|| {
        out.truncate(out_len as usize);
        (out, tag)
    })
}
