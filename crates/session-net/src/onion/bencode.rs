//! Bencode, the encoding of v4 onion payloads (network.md §3.7): byte strings
//! `<decimal length>:<bytes>`, integers `i<decimal>e`, lists `l…e` and dictionaries `d…e`.
//!
//! The decoder reads lengths and never searches for `:` inside content, bounds nesting, and
//! reports where the input went wrong. v4 itself only uses a list of one or two byte strings
//! ([`encode_byte_list`], [`decode_byte_list`]); the general [`Value`] exists so that any
//! remote bencode can be parsed to a typed error rather than a panic.

use std::collections::BTreeMap;

/// Nesting depth past which input is rejected (v4 needs 1).
pub const MAX_DEPTH: usize = 64;

/// A decoded bencode value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `i…e`.
    Int(i64),
    /// `<len>:<bytes>`.
    Bytes(Vec<u8>),
    /// `l…e`.
    List(Vec<Value>),
    /// `d…e`, keys are byte strings.
    Dict(BTreeMap<Vec<u8>, Value>),
}

/// Why bencode input was rejected. `offset` is the byte position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BencodeError {
    /// The input ended inside a value.
    #[error("bencode ends early at byte {offset}")]
    UnexpectedEnd {
        /// Where more input was needed.
        offset: usize,
    },
    /// A byte that cannot start or continue a value here.
    #[error("unexpected byte 0x{byte:02x} at byte {offset} of bencode")]
    UnexpectedByte {
        /// Where.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A string length or integer is not a valid decimal number (empty, leading zero, `-0`,
    /// overflow).
    #[error("invalid number at byte {offset} of bencode")]
    BadNumber {
        /// Where the number starts.
        offset: usize,
    },
    /// A string claims more bytes than remain.
    #[error("bencode string at byte {offset} claims {length} bytes, only {available} remain")]
    LengthOverrun {
        /// Where the string's content starts.
        offset: usize,
        /// The claimed length.
        length: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// Lists or dictionaries nest deeper than [`MAX_DEPTH`].
    #[error("bencode nests deeper than {MAX_DEPTH}")]
    TooDeep,
    /// A dictionary key is not a byte string.
    #[error("dictionary key at byte {offset} is not a string")]
    NonStringKey {
        /// Where the key starts.
        offset: usize,
    },
    /// Bytes follow the complete value.
    #[error("{extra} unexpected bytes after the bencode value at byte {offset}")]
    TrailingData {
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        extra: usize,
    },
    /// The value is valid bencode but not the expected shape (e.g. not a list of strings).
    #[error("bencode has the wrong shape: expected {expected}")]
    WrongShape {
        /// What was expected.
        expected: &'static str,
    },
}

impl Value {
    /// Appends the encoding of `self` to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Self::Int(i) => {
                out.push(b'i');
                out.extend_from_slice(i.to_string().as_bytes());
                out.push(b'e');
            }
            Self::Bytes(b) => encode_bytes_into(b, out),
            Self::List(items) => {
                out.push(b'l');
                for item in items {
                    item.encode_into(out);
                }
                out.push(b'e');
            }
            Self::Dict(map) => {
                out.push(b'd');
                for (k, v) in map {
                    encode_bytes_into(k, out);
                    v.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }

    /// The encoding of `self`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Decodes exactly one value spanning all of `input`.
    pub fn decode(input: &[u8]) -> Result<Self, BencodeError> {
        let mut reader = Reader { input, pos: 0 };
        let value = reader.value(0)?;
        reader.finish()?;
        Ok(value)
    }
}

fn encode_bytes_into(b: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(b);
}

/// Encodes a list of byte strings, `l<len>:<part>…e`: the v4 request and reply framing.
pub fn encode_byte_list(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + parts.iter().map(|p| p.len() + 12).sum::<usize>());
    out.push(b'l');
    for part in parts {
        encode_bytes_into(part, &mut out);
    }
    out.push(b'e');
    out
}

/// Decodes a list whose items are all byte strings, borrowing them from `input`.
pub fn decode_byte_list(input: &[u8]) -> Result<Vec<&[u8]>, BencodeError> {
    let mut reader = Reader { input, pos: 0 };
    match reader.peek()? {
        b'l' => reader.pos += 1,
        _ => {
            return Err(BencodeError::WrongShape {
                expected: "a list of byte strings",
            });
        }
    }
    let mut parts = Vec::new();
    loop {
        match reader.peek()? {
            b'e' => {
                reader.pos += 1;
                break;
            }
            b'0'..=b'9' => parts.push(reader.bytes()?),
            _ => {
                return Err(BencodeError::WrongShape {
                    expected: "a list of byte strings",
                });
            }
        }
    }
    reader.finish()?;
    Ok(parts)
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, BencodeError> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or(BencodeError::UnexpectedEnd { offset: self.pos })
    }

    fn finish(&self) -> Result<(), BencodeError> {
        if self.pos == self.input.len() {
            Ok(())
        } else {
            Err(BencodeError::TrailingData {
                offset: self.pos,
                extra: self.input.len() - self.pos,
            })
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, BencodeError> {
        if depth > MAX_DEPTH {
            return Err(BencodeError::TooDeep);
        }
        match self.peek()? {
            b'i' => {
                self.pos += 1;
                let start = self.pos;
                let end = self.digits_until(b'e', true)?;
                let text = std::str::from_utf8(&self.input[start..end])
                    .map_err(|_| BencodeError::BadNumber { offset: start })?;
                let n = text
                    .parse::<i64>()
                    .map_err(|_| BencodeError::BadNumber { offset: start })?;
                self.pos = end + 1;
                Ok(Value::Int(n))
            }
            b'0'..=b'9' => Ok(Value::Bytes(self.bytes()?.to_vec())),
            b'l' => {
                self.pos += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    items.push(self.value(depth + 1)?);
                }
                self.pos += 1;
                Ok(Value::List(items))
            }
            b'd' => {
                self.pos += 1;
                let mut map = BTreeMap::new();
                while self.peek()? != b'e' {
                    let at = self.pos;
                    if !self.peek()?.is_ascii_digit() {
                        return Err(BencodeError::NonStringKey { offset: at });
                    }
                    let key = self.bytes()?.to_vec();
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                }
                self.pos += 1;
                Ok(Value::Dict(map))
            }
            byte => Err(BencodeError::UnexpectedByte {
                offset: self.pos,
                byte,
            }),
        }
    }

    /// Scans a decimal number up to `terminator`, returning the terminator's index. With
    /// `signed`, one leading `-` is allowed. Rejects empty numbers, leading zeros and `-0`.
    fn digits_until(&self, terminator: u8, signed: bool) -> Result<usize, BencodeError> {
        let start = self.pos;
        let mut i = start;
        if signed && self.input.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits_start = i;
        loop {
            match self.input.get(i) {
                None => return Err(BencodeError::UnexpectedEnd { offset: i }),
                Some(b) if b.is_ascii_digit() => i += 1,
                Some(&b) if b == terminator => break,
                Some(&byte) => return Err(BencodeError::UnexpectedByte { offset: i, byte }),
            }
        }
        let digits = &self.input[digits_start..i];
        let negative = digits_start > start;
        if digits.is_empty()
            || (digits.len() > 1 && digits[0] == b'0')
            || (negative && digits == b"0")
        {
            return Err(BencodeError::BadNumber { offset: start });
        }
        Ok(i)
    }

    /// Reads `<len>:<bytes>` and borrows the bytes.
    fn bytes(&mut self) -> Result<&'a [u8], BencodeError> {
        let start = self.pos;
        let colon = self.digits_until(b':', false)?;
        let length = std::str::from_utf8(&self.input[start..colon])
            .ok()
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or(BencodeError::BadNumber { offset: start })?;
        let content = colon + 1;
        let available = self.input.len() - content;
        if length > available {
            return Err(BencodeError::LengthOverrun {
                offset: content,
                length,
                available,
            });
        }
        self.pos = content + length;
        Ok(&self.input[content..content + length])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_value() {
        let mut map = BTreeMap::new();
        map.insert(b"a".to_vec(), Value::Int(-42));
        map.insert(
            b"b".to_vec(),
            Value::List(vec![Value::Bytes(b"xyz".to_vec())]),
        );
        let value = Value::List(vec![Value::Dict(map), Value::Int(0), Value::Bytes(vec![])]);
        let encoded = value.encode();
        assert_eq!(&encoded, b"ld1:ai-42e1:bl3:xyzeei0e0:e");
        assert_eq!(Value::decode(&encoded).unwrap(), value);
    }

    #[test]
    fn byte_lists_encode_lengths_not_separators() {
        let encoded = encode_byte_list(&[b"a:b", b""]);
        assert_eq!(&encoded, b"l3:a:b0:e");
        assert_eq!(
            decode_byte_list(&encoded).unwrap(),
            vec![&b"a:b"[..], &b""[..]]
        );
    }

    #[test]
    fn rejects_malformed_input_with_positions() {
        use BencodeError::*;
        let cases: &[(&[u8], BencodeError)] = &[
            (b"", UnexpectedEnd { offset: 0 }),
            (
                b"l5:abce",
                LengthOverrun {
                    offset: 3,
                    length: 5,
                    available: 4,
                },
            ),
            (b"i-0e", BadNumber { offset: 1 }),
            (b"i012e", BadNumber { offset: 1 }),
            (b"ie", BadNumber { offset: 1 }),
            (b"i99999999999999999999e", BadNumber { offset: 1 }),
            (b"99999999999999999999999:", BadNumber { offset: 0 }),
            (
                b"x",
                UnexpectedByte {
                    offset: 0,
                    byte: b'x',
                },
            ),
            (
                b"le1",
                TrailingData {
                    offset: 2,
                    extra: 1,
                },
            ),
            (b"di1e1:ae", NonStringKey { offset: 1 }),
            (b"l1:a", UnexpectedEnd { offset: 4 }),
        ];
        for (input, expected) in cases {
            assert_eq!(&Value::decode(input).unwrap_err(), expected, "{:?}", input);
        }
        let deep = [vec![b'l'; MAX_DEPTH + 2], vec![b'e'; MAX_DEPTH + 2]].concat();
        assert_eq!(Value::decode(&deep).unwrap_err(), TooDeep);
        assert_eq!(
            decode_byte_list(b"li1ee").unwrap_err(),
            WrongShape {
                expected: "a list of byte strings"
            }
        );
    }
}
