//! libsodium, the independent reference: Ed25519 verification and a blind15 signer built
//! only from libsodium primitives (the construction pysogs uses, spec/crypto.md §2.2–§2.3,
//! with libsession's nonce key). Shared by the integration tests and the benches.

#![allow(unsafe_code, dead_code)]

use libsodium_sys as ffi;

/// Initialises libsodium (idempotent).
pub fn init() {
    // SAFETY: sodium_init has no preconditions and may be called repeatedly.
    let rc = unsafe { ffi::sodium_init() };
    assert!(rc >= 0, "sodium_init failed");
}

/// `crypto_sign_verify_detached`.
pub fn verify(signature: &[u8; 64], message: &[u8], public_key: &[u8; 32]) -> bool {
    // SAFETY: fixed-size arrays and a slice with its exact length.
    unsafe {
        ffi::crypto_sign_verify_detached(
            signature.as_ptr(),
            message.as_ptr(),
            message.len() as u64,
            public_key.as_ptr(),
        ) == 0
    }
}

fn sha512(parts: &[&[u8]]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // SAFETY: the state is initialised by crypto_hash_sha512_init before use; every pointer
    // comes with its length.
    unsafe {
        let mut st = std::mem::MaybeUninit::<ffi::crypto_hash_sha512_state>::uninit();
        ffi::crypto_hash_sha512_init(st.as_mut_ptr());
        for p in parts {
            ffi::crypto_hash_sha512_update(st.as_mut_ptr(), p.as_ptr(), p.len() as u64);
        }
        ffi::crypto_hash_sha512_final(st.as_mut_ptr(), out.as_mut_ptr());
    }
    out
}

fn reduce(wide: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: 64-byte input, 32-byte output, as the function requires.
    unsafe { ffi::crypto_core_ed25519_scalar_reduce(out.as_mut_ptr(), wide.as_ptr()) };
    out
}

fn base_noclamp(s: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: 32-byte scalar in, 32-byte point out.
    let rc = unsafe { ffi::crypto_scalarmult_ed25519_base_noclamp(out.as_mut_ptr(), s.as_ptr()) };
    assert_eq!(rc, 0, "base_noclamp failed");
    out
}

fn mul(x: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: 32-byte scalars.
    unsafe { ffi::crypto_core_ed25519_scalar_mul(out.as_mut_ptr(), x.as_ptr(), y.as_ptr()) };
    out
}

fn add(x: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: 32-byte scalars.
    unsafe { ffi::crypto_core_ed25519_scalar_add(out.as_mut_ptr(), x.as_ptr(), y.as_ptr()) };
    out
}

/// A blind15 keypair derived and used with libsodium only.
pub struct Blind15 {
    ka: [u8; 32],
    /// The blinded public key `kA`.
    pub public: [u8; 32],
    nonce_key: [u8; 32],
}

impl Blind15 {
    /// The blind15 keypair of the 32-byte Ed25519 seed `seed` on server `server`.
    pub fn new(seed: &[u8; 32], server: &[u8; 32]) -> Self {
        init();
        let mut pk = [0u8; 32];
        let mut sk = [0u8; 64];
        let mut a = [0u8; 32];
        let mut k_wide = [0u8; 64];
        // SAFETY: output buffers of the documented sizes; inputs of their exact lengths.
        unsafe {
            ffi::crypto_sign_seed_keypair(pk.as_mut_ptr(), sk.as_mut_ptr(), seed.as_ptr());
            ffi::crypto_sign_ed25519_sk_to_curve25519(a.as_mut_ptr(), sk.as_ptr());
            ffi::crypto_generichash(
                k_wide.as_mut_ptr(),
                64,
                server.as_ptr(),
                32,
                std::ptr::null(),
                0,
            );
        }
        let k = reduce(&k_wide);
        let ka = mul(&k, &a);
        let public = base_noclamp(&ka);
        let mut nonce_key = [0u8; 32];
        nonce_key.copy_from_slice(&sha512(&[&sk])[32..]);
        Self {
            ka,
            public,
            nonce_key,
        }
    }

    /// `r = H(nonce_key ‖ kA ‖ M)`, `R = rB`, `S = r + H(R ‖ kA ‖ M)·ka`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let r = reduce(&sha512(&[&self.nonce_key, &self.public, message]));
        let big_r = base_noclamp(&r);
        let h = reduce(&sha512(&[&big_r, &self.public, message]));
        let s = add(&r, &mul(&h, &self.ka));
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(&s);
        sig
    }
}
