//! Bad input gets a typed error, never a panic (issue 3 §3): every mnemonic error; ids and keys
//! of wrong length, prefix or hex; signatures of wrong length or non-canonical S; sealed boxes
//! too short or tampered; padding without 0x80 or with non-zero bytes after it; 1:1 and blinded
//! DM ciphertexts; attachments; onion layers with a tampered tag. Random bytes into every
//! parser and decrypter must not panic either.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ciphertexts;
mod garbage;
mod keys;

pub(crate) const PUFFIN: &str =
    "puffin luxury annoyed rustled memoir faxed smidgen puddle kiwi nylon utopia zinger kiwi";
pub(crate) const SID: &str = "054830367d369d94605247999a375dbd0a0f65fdec5de1535612bcb6d4de452c69";
pub(crate) const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";
/// The group order L, little-endian.
pub(crate) const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

pub(crate) fn words() -> Vec<&'static str> {
    PUFFIN.split(' ').collect()
}
