//! Session recovery phrases ("mnemonics"): 13 words for a 16-byte seed, 25 for a legacy
//! 32-byte seed (spec/crypto.md §1).
//!
//! Each 4-byte little-endian chunk of the seed becomes three words of the 1626-word English
//! list; a checksum word (a repeat of one of the data words, chosen by CRC-32 of the words'
//! 3-letter prefixes) ends the phrase. Only the first three letters of a word count.
//!
//! Decoding is deliberately stricter than the JavaScript clients in one place: a word triple
//! that encodes a value of 2³² or more is rejected ([`Error::InvalidValue`]) instead of being
//! silently truncated (spec/crypto.md §1.3).

mod english;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use english::WORDS;

/// Number of words in the list.
const N: u64 = WORDS.len() as u64;
/// Letters of a word that identify it.
const PREFIX_LEN: usize = 3;

/// Index of each word by its 3-letter prefix, built on first use.
fn prefix_index() -> &'static HashMap<&'static [u8], u16> {
    static INDEX: OnceLock<HashMap<&'static [u8], u16>> = OnceLock::new();
    INDEX.get_or_init(|| {
        WORDS
            .iter()
            .zip(0u16..)
            .map(|(w, i)| (&w.as_bytes()[..PREFIX_LEN], i))
            .collect()
    })
}

/// A decoded recovery phrase: the 16-byte (13-word) or legacy 32-byte (25-word) seed.
///
/// The seed is zeroized on drop and never printed by `Debug`.
///
/// ```
/// use session_crypto::Mnemonic;
/// let m: Mnemonic = "love love love love love love love love love love love love love".parse()?;
/// assert_eq!(m.seed(), [0x37, 3, 0, 0].repeat(4).as_slice());
/// assert_eq!(&*m.phrase(), "love love love love love love love love love love love love love");
/// # Ok::<(), session_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Mnemonic {
    seed: Zeroizing<Vec<u8>>,
}

impl Mnemonic {
    /// Wraps a 16-byte seed (13 words) or a legacy 32-byte seed (25 words).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        match seed.len() {
            16 | 32 => Ok(Self {
                seed: Zeroizing::new(seed.to_vec()),
            }),
            actual => Err(Error::InvalidSeedLength { actual }),
        }
    }

    /// Decodes a phrase: case-insensitive, any runs of whitespace between words, 13 or 25
    /// words, each word known by its first three letters, checksum verified.
    pub fn parse(phrase: &str) -> Result<Self> {
        let lowered = Zeroizing::new(phrase.to_lowercase());
        let words: Vec<&str> = lowered.split_whitespace().collect();
        match words.len() {
            13 | 25 => {}
            12 | 24 => return Err(Error::MissingChecksum),
            count => return Err(Error::WordCount { count }),
        }
        let (checksum_word, data_words) =
            words.split_last().ok_or(Error::WordCount { count: 0 })?;

        let index = prefix_index();
        let mut indices = Zeroizing::new(Vec::with_capacity(data_words.len()));
        for (pos, word) in words.iter().enumerate() {
            let idx = word
                .as_bytes()
                .get(..PREFIX_LEN)
                .and_then(|p| index.get(p))
                .ok_or_else(|| Error::UnknownWord {
                    position: pos + 1,
                    word: (*word).to_owned(),
                })?;
            if pos < data_words.len() {
                indices.push(u64::from(*idx));
            }
        }

        let mut seed = Zeroizing::new(Vec::with_capacity(data_words.len() / 3 * 4));
        for (group, triple) in indices.chunks_exact(3).enumerate() {
            let (i1, i2, i3) = (triple[0], triple[1], triple[2]);
            let x = i1 + N * ((N - i1 + i2) % N) + N * N * ((N - i2 + i3) % N);
            let x = u32::try_from(x).map_err(|_| Error::InvalidValue { group })?;
            seed.extend_from_slice(&x.to_le_bytes());
        }

        let expected = checksum_index(data_words.iter().copied());
        if checksum_word.as_bytes().get(..PREFIX_LEN)
            != data_words[expected].as_bytes().get(..PREFIX_LEN)
        {
            return Err(Error::BadChecksum);
        }
        Ok(Self { seed })
    }

    /// The seed: 16 bytes, or 32 for a legacy 25-word phrase.
    pub fn seed(&self) -> &[u8] {
        &self.seed
    }

    /// The phrase, words separated by single spaces, checksum word last.
    pub fn phrase(&self) -> Zeroizing<String> {
        let mut words: Vec<&'static str> = Vec::with_capacity(self.seed.len() / 4 * 3 + 1);
        for chunk in self.seed.chunks_exact(4) {
            let mut v = [0u8; 4];
            v.copy_from_slice(chunk);
            let v = u64::from(u32::from_le_bytes(v));
            let i1 = v % N;
            let i2 = (v / N + i1) % N;
            let i3 = (v / N / N + i2) % N;
            for i in [i1, i2, i3] {
                // `i < N` by construction, so the index is in bounds.
                words.push(WORDS[i as usize]);
            }
        }
        let checksum = words[checksum_index(words.iter().copied())];
        words.push(checksum);
        Zeroizing::new(words.join(" "))
    }

    /// Number of words in the phrase (13 or 25).
    pub fn word_count(&self) -> usize {
        self.seed.len() / 4 * 3 + 1
    }
}

/// Index of the data word that the checksum word repeats: CRC-32 of the concatenated 3-letter
/// prefixes, modulo the number of data words.
fn checksum_index<'a>(data_words: impl ExactSizeIterator<Item = &'a str>) -> usize {
    let count = data_words.len();
    let mut crc = crc32fast::Hasher::new();
    for w in data_words {
        crc.update(w.as_bytes().get(..PREFIX_LEN).unwrap_or(w.as_bytes()));
    }
    crc.finalize() as usize % count.max(1)
}

impl std::str::FromStr for Mnemonic {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mnemonic({} words, redacted)", self.word_count())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    const LOVE: &str = "love love love love love love love love love love love love love";

    #[test]
    fn word_list_matches_the_published_fingerprint() {
        assert_eq!(WORDS.len(), 1626);
        let digest = Sha256::digest(WORDS.join("\n").as_bytes());
        assert_eq!(
            hex::encode(digest),
            "998df55cb16d2318130c5cf7e9d4408247c8c4674935ee6e07d53f2f00ccf19b"
        );
        assert_eq!(prefix_index().len(), 1626, "3-letter prefixes are unique");
        assert_eq!(WORDS[823], "love");
        assert_eq!(WORDS[1244], "session");
    }

    #[test]
    fn love_times_13_decodes_to_the_published_seed() {
        let m = Mnemonic::parse(LOVE).unwrap();
        assert_eq!(hex::encode(m.seed()), "37030000370300003703000037030000");
        assert_eq!(&*m.phrase(), LOVE);
    }

    #[test]
    fn decoding_ignores_case_whitespace_and_suffixes() {
        let m = Mnemonic::parse(
            "  LOVE love\tlove love love love love love love love love love\n lovely ",
        )
        .unwrap();
        assert_eq!(&*m.phrase(), LOVE);
        let m = Mnemonic::parse("puf lux ann rus mem fax smi pud kiw nyl uto zin kiw").unwrap();
        assert_eq!(hex::encode(m.seed()), "39038c8988db02c1af44e8c847bd9713");
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            Mnemonic::parse("love love"),
            Err(Error::WordCount { count: 2 })
        );
        assert_eq!(Mnemonic::parse(""), Err(Error::WordCount { count: 0 }));
        let twelve = LOVE.rsplit_once(' ').unwrap().0;
        assert_eq!(Mnemonic::parse(twelve), Err(Error::MissingChecksum));
        let unknown = LOVE.replacen("love", "qwerty", 1);
        assert_eq!(
            Mnemonic::parse(&unknown),
            Err(Error::UnknownWord {
                position: 1,
                word: "qwerty".into()
            })
        );
        let overflow = "abbey abbey zoom love love love love love love love love love love";
        assert_eq!(
            Mnemonic::parse(overflow),
            Err(Error::InvalidValue { group: 0 })
        );
        let bad_sum = format!("{twelve} abbey");
        assert_eq!(Mnemonic::parse(&bad_sum), Err(Error::BadChecksum));
        assert_eq!(
            Mnemonic::from_seed(&[0; 15]).unwrap_err(),
            Error::InvalidSeedLength { actual: 15 }
        );
    }

    #[test]
    fn debug_redacts_the_seed() {
        let m = Mnemonic::parse(LOVE).unwrap();
        let dbg = format!("{m:?}");
        assert!(!dbg.contains("love") && !dbg.contains("37"), "{dbg}");
    }
}
