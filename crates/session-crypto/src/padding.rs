//! Message padding: `content ‖ 0x80 ‖ 0x00…` (spec/crypto.md §5).
//!
//! Two length rules are in use; both are interoperable because receivers only look for the
//! `0x80` marker. This crate produces [`PaddingRule::Libsession`] by default, the rule of current
//! clients. SOGS signatures cover the padded bytes, so the choice only has to be stable.

use crate::error::{Error, Result};

/// The padding block size of both rules.
const BLOCK: usize = 160;

/// How long a padded message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PaddingRule {
    /// libsession's `pad_message` (current clients): `160·(⌊(n + 1)/160⌋ + 1)`.
    #[default]
    Libsession,
    /// Session.js and Session Desktop ≤ 2025: the smallest `160k − 1 ≥ n + 1`.
    LegacyJs,
}

impl PaddingRule {
    /// The padded length of `n` content bytes.
    pub const fn padded_len(self, n: usize) -> usize {
        match self {
            Self::Libsession => BLOCK * ((n + 1) / BLOCK + 1),
            Self::LegacyJs => BLOCK * (n + 2).div_ceil(BLOCK) - 1,
        }
    }
}

/// Pads `content` with the default rule ([`PaddingRule::Libsession`]).
pub fn pad(content: &[u8]) -> Vec<u8> {
    pad_with(content, PaddingRule::default())
}

/// Pads `content` with `rule`: `content ‖ 0x80 ‖ zeros`.
pub fn pad_with(content: &[u8], rule: PaddingRule) -> Vec<u8> {
    let mut out = Vec::with_capacity(rule.padded_len(content.len()));
    out.extend_from_slice(content);
    out.push(0x80);
    out.resize(rule.padded_len(content.len()), 0);
    out
}

/// Removes padding strictly: strips trailing zeros, then requires and strips one `0x80`.
///
/// Fails with [`Error::InvalidPadding`] when there is no `0x80` before the trailing zeros
/// (including empty and all-zero input).
pub fn unpad(padded: &[u8]) -> Result<&[u8]> {
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(Error::InvalidPadding)?;
    if padded[end] != 0x80 {
        return Err(Error::InvalidPadding);
    }
    Ok(&padded[..end])
}

/// Removes padding leniently: as [`unpad`], but input without a valid marker is returned
/// unchanged (legacy unpadded senders; Session.js behaviour).
pub fn unpad_lenient(data: &[u8]) -> &[u8] {
    unpad(data).unwrap_or(data)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn lengths_match_the_spec_table() {
        let ns = [0, 1, 157, 158, 159, 160, 161, 318, 319, 320];
        let legacy = [159, 159, 159, 159, 319, 319, 319, 319, 479, 479];
        let libsession = [160, 160, 160, 160, 320, 320, 320, 320, 480, 480];
        for ((n, l), s) in ns.iter().zip(legacy).zip(libsession) {
            assert_eq!(PaddingRule::LegacyJs.padded_len(*n), l, "legacy n={n}");
            assert_eq!(
                PaddingRule::Libsession.padded_len(*n),
                s,
                "libsession n={n}"
            );
        }
    }

    #[test]
    fn round_trip_and_errors() {
        let p = pad(b"abc");
        assert_eq!(p.len(), 160);
        assert_eq!(unpad(&p).unwrap(), b"abc");
        assert_eq!(unpad(b"ab\x80").unwrap(), b"ab");
        assert_eq!(unpad(b""), Err(Error::InvalidPadding));
        assert_eq!(unpad(&[0; 10]), Err(Error::InvalidPadding));
        assert_eq!(unpad(b"abc\0\0"), Err(Error::InvalidPadding));
        assert_eq!(unpad(b"abc\x80\x01"), Err(Error::InvalidPadding));
        assert_eq!(unpad_lenient(b"abc"), b"abc");
    }
}
