//! The v4 payload for server destinations (network.md §3.7): a bencoded list of one or two
//! byte strings, request-info JSON plus an optional body going out, metadata JSON plus a body
//! coming back.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::bencode::{decode_byte_list, encode_byte_list};
use super::error::{OnionError, clip};
use super::frame::parse_meta;

/// A request to a server (SOGS, file server) as carried inside a v4 onion request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V4Request {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// Path and query, starting with `/` (e.g. `/room/lobby/messages/recent?limit=5`).
    pub endpoint: String,
    /// Request headers (auth headers and `Content-Type`; v4 has no default content type).
    pub headers: BTreeMap<String, String>,
    /// The body, sent as the second list item; `None` for none (GET, DELETE).
    pub body: Option<Vec<u8>>,
}

#[derive(Serialize)]
struct RequestInfo<'a> {
    endpoint: &'a str,
    headers: &'a BTreeMap<String, String>,
    method: &'a str,
}

impl V4Request {
    /// A request with no headers and no body.
    pub fn new(method: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            endpoint: endpoint.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// `l<len>:{"endpoint",…,"headers",…,"method",…}[<len>:<body>]e` (compact JSON, sorted
    /// keys).
    pub fn encode(&self) -> Vec<u8> {
        let info = RequestInfo {
            endpoint: &self.endpoint,
            headers: &self.headers,
            method: &self.method,
        };
        // Invariant: a struct of strings and a string map always serialises.
        #[allow(clippy::expect_used)]
        let info = serde_json::to_vec(&info).expect("request info of strings serialises");
        match &self.body {
            Some(body) => encode_byte_list(&[&info, body]),
            None => encode_byte_list(&[&info]),
        }
    }

    /// Parses a decrypted v4 request (the server side). The endpoint must start with `/`.
    pub fn decode(bytes: &[u8]) -> Result<Self, OnionError> {
        let parts = decode_byte_list(bytes)?;
        let (info, body) = match parts.as_slice() {
            [info] => (*info, None),
            [info, body] => (*info, Some(body.to_vec())),
            _ => {
                return Err(OnionError::BadV4 {
                    reason: format!("request has {} parts, expected 1 or 2", parts.len()),
                });
            }
        };
        let info = parse_meta(info, "v4 request info")?;
        let field = |name: &'static str| -> Result<String, OnionError> {
            match info.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(OnionError::BadField {
                    what: "v4 request info",
                    field: name,
                    reason: "not a string".into(),
                }),
                None => Err(OnionError::MissingField {
                    what: "v4 request info",
                    field: name,
                }),
            }
        };
        let method = field("method")?;
        let endpoint = field("endpoint")?;
        if !endpoint.starts_with('/') {
            return Err(OnionError::BadField {
                what: "v4 request info",
                field: "endpoint",
                reason: "does not start with /".into(),
            });
        }
        let headers = headers_of(info.get("headers"), "v4 request info")?;
        Ok(Self {
            method,
            endpoint,
            headers,
            body,
        })
    }
}

/// A server's answer inside a v4 onion reply: metadata (`code`, `headers`) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V4Response {
    /// The server's HTTP status.
    pub code: u16,
    /// Response headers, lower-case names (`content-length` is removed by servers).
    pub headers: BTreeMap<String, String>,
    /// The body (empty when the server sent none or a `0:` part).
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct ResponseMeta<'a> {
    code: u16,
    headers: &'a BTreeMap<String, String>,
}

impl V4Response {
    /// A response with the given status, headers and body.
    pub fn new(code: u16, headers: BTreeMap<String, String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            code,
            headers,
            body: body.into(),
        }
    }

    /// `l<len>:{"code":…,"headers":{…}}<len>:<body>e` (the server side).
    pub fn encode(&self) -> Vec<u8> {
        let meta = ResponseMeta {
            code: self.code,
            headers: &self.headers,
        };
        // Invariant: an integer and a string map always serialise.
        #[allow(clippy::expect_used)]
        let meta = serde_json::to_vec(&meta).expect("response meta serialises");
        encode_byte_list(&[&meta, &self.body])
    }

    /// Parses a decrypted v4 reply. The body part may be missing (libsession tolerates it);
    /// `code` is required.
    pub fn decode(bytes: &[u8]) -> Result<Self, OnionError> {
        let parts = decode_byte_list(bytes)?;
        let (meta, body) = match parts.as_slice() {
            [meta] => (*meta, Vec::new()),
            [meta, body] => (*meta, body.to_vec()),
            _ => {
                return Err(OnionError::BadV4 {
                    reason: format!("reply has {} parts, expected 2", parts.len()),
                });
            }
        };
        let meta = parse_meta(meta, "v4 reply metadata")?;
        let code = match meta.get("code") {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .filter(|c| (100..=999).contains(c))
                .ok_or_else(|| OnionError::BadField {
                    what: "v4 reply metadata",
                    field: "code",
                    reason: format!("{n} is not an HTTP status"),
                })?,
            Some(_) => {
                return Err(OnionError::BadField {
                    what: "v4 reply metadata",
                    field: "code",
                    reason: "not a number".into(),
                });
            }
            None => {
                return Err(OnionError::MissingField {
                    what: "v4 reply metadata",
                    field: "code",
                });
            }
        };
        let headers = headers_of(meta.get("headers"), "v4 reply metadata")?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(Self {
            code,
            headers,
            body,
        })
    }

    /// Whether `code` is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// The `content-type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type").map(String::as_str)
    }

    /// `Ok(self)` for 2xx, else [`OnionError::Destination`] with the status and body text.
    pub fn error_for_status(self) -> Result<Self, OnionError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(OnionError::Destination {
                status: self.code,
                text: clip(&String::from_utf8_lossy(&self.body)),
            })
        }
    }
}

/// A headers object; non-string values are kept as their JSON text. Absent or null → empty.
fn headers_of(
    value: Option<&Value>,
    what: &'static str,
) -> Result<BTreeMap<String, String>, OnionError> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => Ok(map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect()),
        Some(_) => Err(OnionError::BadField {
            what,
            field: "headers",
            reason: "not an object".into(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips_with_and_without_body() {
        let get = V4Request::new("GET", "/room/test");
        assert_eq!(
            get.encode(),
            br#"l53:{"endpoint":"/room/test","headers":{},"method":"GET"}e"#
        );
        assert_eq!(V4Request::decode(&get.encode()).unwrap(), get);
        let post = V4Request::new("POST", "/x")
            .with_header("Content-Type", "application/json")
            .with_body(b"{}".to_vec());
        assert_eq!(V4Request::decode(&post.encode()).unwrap(), post);
    }

    #[test]
    fn request_decode_rejects_bad_shapes() {
        assert!(matches!(
            V4Request::decode(b"le"),
            Err(OnionError::BadV4 { .. })
        ));
        let relative = encode_byte_list(&[br#"{"method":"GET","endpoint":"x"}"#]);
        assert!(matches!(
            V4Request::decode(&relative),
            Err(OnionError::BadField {
                field: "endpoint",
                ..
            })
        ));
        assert!(matches!(
            V4Request::decode(b"l2:{}e"),
            Err(OnionError::MissingField {
                field: "method",
                ..
            })
        ));
        assert!(matches!(
            V4Request::decode(b"l3:abce"),
            Err(OnionError::BadJson { .. })
        ));
    }

    #[test]
    fn response_decode_tolerates_missing_body_and_rejects_bad_codes() {
        let r = V4Response::decode(&encode_byte_list(&[br#"{"code":204}"#])).unwrap();
        assert_eq!((r.code, r.body.len()), (204, 0));
        for bad in [
            &br#"{"code":"200"}"#[..],
            br#"{"code":99}"#,
            br#"{"code":-1}"#,
        ] {
            assert!(matches!(
                V4Response::decode(&encode_byte_list(&[bad, b""])),
                Err(OnionError::BadField { field: "code", .. })
            ));
        }
        let not_found = V4Response::new(404, BTreeMap::new(), b"gone".to_vec());
        assert_eq!(
            not_found.error_for_status(),
            Err(OnionError::Destination {
                status: 404,
                text: "gone".into()
            })
        );
    }
}
