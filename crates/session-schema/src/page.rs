//! Decoding a whole page of community messages with one Ed25519 batch verification.
//!
//! A poll returns up to a few hundred messages; checking their signatures together is much
//! cheaper than one verification each. For signatures `(Rᵢ, Sᵢ)` by keys `Aᵢ` on messages `Mᵢ`,
//! with `hᵢ = H(Rᵢ ‖ Aᵢ ‖ Mᵢ)` and fresh random 128-bit `zᵢ` from the OS, the page verifies iff
//!
//! ```text
//! (−Σ zᵢ·Sᵢ)·B + Σ zᵢ·Rᵢ + Σ_A (Σ_{i: Aᵢ = A} zᵢ·hᵢ)·A = 0
//! ```
//!
//! computed as one variable-time multiscalar multiplication. Messages by the same sender share
//! one key term, so a page with many posts per sender costs even less. A false page passes
//! with probability about 2⁻¹²⁸ per attempt. When the batch fails, every message is verified
//! alone so the bad one(s) are named and the good ones still come back verified.
//!
//! Batch and single verification agree: messages whose `R` or key is a small-order point or a
//! non-canonical encoding, or whose `S` is not reduced (all rejected by strict single
//! verification but possibly absorbed by a batch equation) never enter the batch; they are
//! verified alone. The one residual difference is the textbook one: a signature whose `R` or
//! key carries a torsion component can pass a cofactorless batch with probability ≤ 1/8 while
//! failing single verification. Only the key's owner can make such a signature (it is
//! malleability, not forgery), and servers reject such blinded keys at authentication
//! (spec/sogs-api.md §5, `pysogs_auth_small_subgroup`).

use std::collections::HashMap;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use curve25519_dalek::{EdwardsPoint, Scalar};
use session_crypto::padding::unpad;
use session_crypto::{AccountId, ServerPubkey};

use crate::content::Content;
use crate::error::{Error, Result};
use crate::sogs::{SogsMessage, decode_base64, signature_array};
use crate::verify::{PostKey, challenge, post_key, signature_parts, verify_post};

/// One message of a page, as the server returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageItem<'a> {
    /// The `data` field (base64).
    pub data: &'a str,
    /// The `signature` field (base64).
    pub signature: &'a str,
    /// The `session_id` field: the poster's id.
    pub sender: &'a AccountId,
}

/// A decoded message waiting for its signature check.
struct Pending {
    content: Content,
    sender: AccountId,
    padded: Vec<u8>,
    /// The signature as sent (for single verification).
    raw_signature: [u8; 64],
    /// The signature's parts in the form the batch equation takes, if it may join the batch.
    batch: Option<BatchForm>,
}

/// A signature ready for the batch equation.
struct BatchForm {
    /// The Ed25519 key bytes the signature verifies under (hashed into `h`).
    key: [u8; 32],
    /// That key as a point.
    a: EdwardsPoint,
    /// `R` as bytes (hashed) and as a point.
    r_bytes: [u8; 32],
    r: EdwardsPoint,
    /// `S`, canonical.
    s: Scalar,
}

/// Decodes and verifies a page of community messages from the server with key `server`.
///
/// Returns one result per input, in order: a malformed message is an error in its slot (as
/// [`decode_sogs_message`](crate::decode_sogs_message) would return) and does not affect the
/// others. Well-formed messages are verified together (see the module docs); if the batch
/// fails, each is verified alone, so exactly the messages whose signatures fail come back with
/// [`is_verified`](SogsMessage::is_verified) `false`.
pub fn decode_page<'a>(
    items: impl IntoIterator<Item = PageItem<'a>>,
    server: &ServerPubkey,
) -> Vec<Result<SogsMessage>> {
    let mut keys: HashMap<[u8; 32], Option<EdwardsPoint>> = HashMap::new();
    let decoded: Vec<Result<Pending>> = items
        .into_iter()
        .map(|item| prepare(item, &mut keys))
        .collect();

    let parts: Vec<BatchPart<'_>> = decoded
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .filter_map(|p| {
            p.batch.as_ref().map(|f| BatchPart {
                form: f,
                message: &p.padded,
            })
        })
        .collect();
    let batch_ok = parts.len() > 1 && verify_batch(&parts);

    decoded
        .into_iter()
        .map(|p| {
            let p = p?;
            let verified = if batch_ok && p.batch.is_some() {
                true
            } else {
                verify_post(&p.padded, &p.raw_signature, &p.sender)
            };
            Ok(SogsMessage::new(p.content, p.sender, *server, verified))
        })
        .collect()
}

/// Decodes one message and works out its batch form.
fn prepare(
    item: PageItem<'_>,
    keys: &mut HashMap<[u8; 32], Option<EdwardsPoint>>,
) -> Result<Pending> {
    let padded = decode_base64(item.data, "data")?;
    let raw_signature = signature_array(&decode_base64(item.signature, "signature")?)?;
    let content = Content::decode(unpad(&padded).map_err(|_| Error::InvalidPadding)?)?;
    let batch = batch_form(item.sender, &raw_signature, keys);
    Ok(Pending {
        content,
        sender: *item.sender,
        padded,
        raw_signature,
        batch,
    })
}

/// The key and signature parts that verify a post, if they are safe to batch (the same
/// acceptance rules as single verification, [`verify_post`]).
fn batch_form(
    sender: &AccountId,
    raw: &[u8; 64],
    keys: &mut HashMap<[u8; 32], Option<EdwardsPoint>>,
) -> Option<BatchForm> {
    // Blinded keys repeat across a page: decompress each once.
    let (key, sig) = match sender {
        AccountId::Blinded(b) => {
            let bytes = *b.public_key();
            let point = *keys
                .entry(bytes)
                .or_insert_with(|| post_key(sender, raw).map(|(k, _)| k.point));
            (
                PostKey {
                    bytes,
                    point: point?,
                },
                *raw,
            )
        }
        AccountId::Session(_) => post_key(sender, raw)?,
    };
    let (r_bytes, s) = signature_parts(&sig)?;
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    Some(BatchForm {
        key: key.bytes,
        a: key.point,
        r_bytes,
        r,
        s,
    })
}

/// One signature of the batch with the bytes it signs.
struct BatchPart<'a> {
    form: &'a BatchForm,
    message: &'a [u8],
}

/// Checks the batch equation of the module docs. `false` (and so one-by-one verification) also
/// when the OS RNG fails.
fn verify_batch(parts: &[BatchPart<'_>]) -> bool {
    let mut random = vec![0u8; 16 * parts.len()];
    if getrandom::fill(&mut random).is_err() {
        return false;
    }
    let mut scalars = Vec::with_capacity(2 * parts.len() + 1);
    let mut points = Vec::with_capacity(2 * parts.len() + 1);
    let mut key_terms: Vec<(Scalar, EdwardsPoint)> = Vec::new();
    let mut key_index: HashMap<[u8; 32], usize> = HashMap::new();
    let mut b_coefficient = Scalar::ZERO;
    for (part, z) in parts.iter().zip(random.chunks_exact(16)) {
        let f = part.form;
        let z = Scalar::from(u128::from_le_bytes(z.try_into().unwrap_or([1; 16])));
        let h = challenge(&f.r_bytes, &f.key, part.message);
        b_coefficient -= z * f.s;
        scalars.push(z);
        points.push(f.r);
        let zh = z * h;
        match key_index.get(&f.key).and_then(|&j| key_terms.get_mut(j)) {
            Some(term) => term.0 += zh,
            None => {
                key_index.insert(f.key, key_terms.len());
                key_terms.push((zh, f.a));
            }
        }
    }
    scalars.push(b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    for (c, a) in key_terms {
        scalars.push(c);
        points.push(a);
    }
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    use crate::{SogsSigner, VisibleMessage};
    use session_crypto::{Identity, SigningMode};

    /// Pending messages of `n` posts by `senders` rotating senders in every signing mode.
    fn pending(n: usize, senders: usize) -> Vec<Pending> {
        let server = ServerPubkey::from_bytes([3; 32]);
        let modes = [
            SigningMode::Blind15,
            SigningMode::Blind25,
            SigningMode::Unblinded,
        ];
        let mut keys = HashMap::new();
        (0..n)
            .map(|i| {
                let id = Identity::from_seed(&[(i % senders) as u8; 16]).unwrap();
                let signer = SogsSigner::new(&id, modes[i % senders % 3], &server);
                let content = VisibleMessage::text(format!("m{i}"))
                    .timestamp(1)
                    .into_content();
                let post = signer.encode(&content).unwrap();
                let sender = signer.sender();
                let item = PageItem {
                    data: &post.data,
                    signature: &post.signature,
                    sender: &sender,
                };
                prepare(item, &mut keys).unwrap()
            })
            .collect()
    }

    fn parts(pending: &[Pending]) -> Vec<BatchPart<'_>> {
        pending
            .iter()
            .map(|p| BatchPart {
                form: p.batch.as_ref().unwrap(),
                message: &p.padded,
            })
            .collect()
    }

    #[test]
    fn batch_equation_accepts_good_pages_and_rejects_any_bad_signature() {
        // Repeated senders (merged key terms) and all distinct senders.
        for senders in [4, 12] {
            let mut page = pending(12, senders);
            assert!(verify_batch(&parts(&page)), "senders={senders}");
            // One wrong S, then one message altered after signing: each sinks the batch.
            let s = page[5].batch.as_ref().unwrap().s;
            page[5].batch.as_mut().unwrap().s = s + Scalar::ONE;
            assert!(!verify_batch(&parts(&page)));
            page[5].batch.as_mut().unwrap().s = s;
            assert!(verify_batch(&parts(&page)));
            page[9].padded[0] ^= 1;
            assert!(!verify_batch(&parts(&page)));
        }
    }

    #[test]
    fn batch_equation_binds_each_signature_to_its_own_key() {
        // Two signers' signatures swapped between their messages: each equation fails even
        // though the multiset of keys is unchanged.
        let mut page = pending(6, 6);
        let (a, b) = (page[0].batch.take().unwrap(), page[1].batch.take().unwrap());
        page[0].batch = Some(BatchForm {
            key: b.key,
            a: b.a,
            ..a
        });
        page[1].batch = Some(BatchForm {
            key: a.key,
            a: a.a,
            ..b
        });
        assert!(!verify_batch(&parts(&page)));
    }
}
