//! decode_page: batch verification agrees with one-by-one verification, names exactly the bad
//! messages, and keeps malformed messages as errors in their own slots.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use session_crypto::{AccountId, SigningMode};
use session_schema::{
    Error, PageItem, SogsMessageData, SogsSigner, VisibleMessage, decode_page, decode_sogs_message,
};

use crate::{identity, server};

/// `n` posts by rotating senders and modes.
fn posts(n: usize) -> Vec<(SogsMessageData, AccountId)> {
    (0..n)
        .map(|i| {
            let mode = [
                SigningMode::Blind15,
                SigningMode::Blind25,
                SigningMode::Unblinded,
            ][i % 3];
            let signer = SogsSigner::new(&identity((i % 7) as u8), mode, &server());
            let content = VisibleMessage::text(format!("message {i}"))
                .timestamp(1_700_000_000_000 + i as u64)
                .into_content();
            (signer.encode(&content).unwrap(), signer.sender())
        })
        .collect()
}

fn items(posts: &[(SogsMessageData, AccountId)]) -> Vec<PageItem<'_>> {
    posts
        .iter()
        .map(|(p, s)| PageItem {
            data: &p.data,
            signature: &p.signature,
            sender: s,
        })
        .collect()
}

/// Flips one bit of the signature's S half (keeps it canonical-looking, never verifying).
fn corrupt_signature(post: &mut SogsMessageData) {
    let mut sig = STANDARD.decode(&post.signature).unwrap();
    sig[40] ^= 0x01;
    post.signature = STANDARD.encode(sig);
}

#[test]
fn a_good_page_verifies_entirely() {
    let page = posts(30);
    let out = decode_page(items(&page), &server());
    assert_eq!(out.len(), 30);
    for (i, r) in out.iter().enumerate() {
        let m = r.as_ref().unwrap();
        assert!(m.is_verified(), "message {i}");
        assert_eq!(m.content().text(), Some(format!("message {i}").as_str()));
        assert_eq!(m.sender(), &page[i].1);
    }
}

#[test]
fn a_bad_signature_is_named_and_the_rest_stay_verified() {
    let mut page = posts(20);
    corrupt_signature(&mut page[7].0);
    // A valid signature presented under another sender's id.
    page[11].1 = page[12].1;
    let out = decode_page(items(&page), &server());
    for (i, r) in out.iter().enumerate() {
        let m = r.as_ref().unwrap();
        assert_eq!(m.is_verified(), i != 7 && i != 11, "message {i}");
    }
}

#[test]
fn malformed_messages_are_errors_in_their_slots() {
    let mut page = posts(6);
    page[1].0.data = "not base64!".into();
    page[3].0.signature = STANDARD.encode([0u8; 10]);
    let out = decode_page(items(&page), &server());
    assert_eq!(out[1], Err(Error::InvalidBase64 { field: "data" }));
    assert_eq!(out[3], Err(Error::InvalidSignatureLength { actual: 10 }));
    for i in [0, 2, 4, 5] {
        assert!(out[i].as_ref().unwrap().is_verified(), "message {i}");
    }
}

#[test]
fn small_order_keys_and_non_canonical_signatures_never_verify() {
    let page = posts(4);
    // Identity point as a blinded key; a signature whose S is ≥ L.
    let weak: AccountId = format!(
        "15{}",
        hex::encode({
            let mut b = [0u8; 32];
            b[0] = 1;
            b
        })
    )
    .parse()
    .unwrap();
    let mut bad_s = page[2].0.clone();
    let mut sig = STANDARD.decode(&bad_s.signature).unwrap();
    sig[32..].copy_from_slice(&[0xff; 32]);
    bad_s.signature = STANDARD.encode(sig);
    let list = vec![
        page[0].clone(),
        (page[1].0.clone(), weak),
        (bad_s, page[2].1),
        page[3].clone(),
    ];
    let out = decode_page(items(&list), &server());
    let verified: Vec<bool> = out
        .iter()
        .map(|r| r.as_ref().unwrap().is_verified())
        .collect();
    assert_eq!(verified, [true, false, false, true]);
}

#[test]
fn empty_and_single_pages_work() {
    assert!(decode_page(Vec::<PageItem<'_>>::new(), &server()).is_empty());
    let page = posts(1);
    let out = decode_page(items(&page), &server());
    assert!(out[0].as_ref().unwrap().is_verified());
}

proptest! {
    #[test]
    fn batch_agrees_with_one_by_one(
        n in 2usize..24,
        corrupt in prop::collection::vec(any::<bool>(), 24),
        swap in prop::collection::vec(any::<bool>(), 24),
    ) {
        let mut page = posts(n);
        for i in 0..n {
            if corrupt[i] {
                corrupt_signature(&mut page[i].0);
            }
            if swap[i] && i + 1 < n {
                page[i].1 = page[i + 1].1;
            }
        }
        let batch = decode_page(items(&page), &server());
        for (i, (post, sender)) in page.iter().enumerate() {
            let single = decode_sogs_message(&post.data, &post.signature, sender, &server());
            prop_assert_eq!(&batch[i], &single, "message {}", i);
        }
    }
}
