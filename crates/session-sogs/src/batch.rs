//! `/batch` and `/sequence` (spec §2.1): several typed requests in one signed round trip.
//!
//! ```
//! use session_sogs::{Batch, RoomToken, api};
//! let lobby = RoomToken::new("lobby")?;
//! let mut batch = Batch::new();
//! let caps = batch.push(&api::GetCapabilities::new())?;
//! let info = batch.push(&api::GetPollInfo::new(lobby.clone(), 0))?;
//! let recent = batch.push(&api::RecentMessages::new(lobby))?;
//! assert_eq!(batch.len(), 3);
//! // let answers = client.batch(batch).await?;
//! // let caps = answers.get(&caps)?; let info = answers.get(&info)?; …
//! # let _ = (caps, info, recent);
//! # Ok::<(), session_sogs::Error>(())
//! ```

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::encoding::{decode_base64, encode_base64};
use crate::error::{Error, Result};
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, decode_error};

/// Whether the sub-requests run independently or in order, stopping at the first failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// `/batch`: all run, in no guaranteed order.
    Batch,
    /// `/sequence`: in order, stopping after the first non-2xx.
    Sequence,
}

/// One sub-request, serialized as pysogs expects.
#[derive(Debug, Clone, Serialize)]
struct SubRequest {
    method: &'static str,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<&'static str, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b64: Option<String>,
}

/// A `/batch` or `/sequence` of typed requests.
#[derive(Debug, Clone)]
pub struct Batch {
    kind: BatchKind,
    requests: Vec<SubRequest>,
}

/// Where one request's answer is in a [`BatchResponses`]; typed by the request.
#[derive(Debug)]
pub struct Handle<E> {
    index: usize,
    _endpoint: PhantomData<fn() -> E>,
}

impl<E> Clone for Handle<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Handle<E> {}

impl<E> Handle<E> {
    /// The position of the request in its batch.
    pub fn index(&self) -> usize {
        self.index
    }
}

impl Default for Batch {
    fn default() -> Self {
        Self::new()
    }
}

impl Batch {
    /// An empty `/batch`.
    pub fn new() -> Self {
        Self {
            kind: BatchKind::Batch,
            requests: Vec::new(),
        }
    }

    /// An empty `/sequence`.
    pub fn sequence() -> Self {
        Self {
            kind: BatchKind::Sequence,
            requests: Vec::new(),
        }
    }

    /// Which kind this is.
    pub fn kind(&self) -> BatchKind {
        self.kind
    }

    /// How many requests it holds.
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Adds a request; the handle reads its answer later. Authentication is the batch's own
    /// (spec §1.3): headers inside sub-requests are ignored by servers.
    pub fn push<E: Endpoint>(&mut self, endpoint: &E) -> Result<Handle<E>> {
        let (headers, json, b64) = match endpoint.body()? {
            Body::Empty => (None, None, None),
            Body::Json(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| Error::InvalidInput {
                    what: "request body",
                    reason: e.to_string(),
                })?;
                let raw = RawValue::from_string(text).map_err(|e| Error::InvalidInput {
                    what: "request body",
                    reason: e.to_string(),
                })?;
                (None, Some(raw), None)
            }
            Body::Bytes {
                data,
                content_disposition,
            } => {
                let mut h = BTreeMap::new();
                h.insert("Content-Type", "application/octet-stream".to_owned());
                if let Some(cd) = content_disposition {
                    h.insert("Content-Disposition", cd);
                }
                (Some(h), None, Some(encode_base64(&data)))
            }
        };
        self.requests.push(SubRequest {
            method: endpoint.method().as_str(),
            path: endpoint.path(),
            headers,
            json,
            b64,
        });
        Ok(Handle {
            index: self.requests.len() - 1,
            _endpoint: PhantomData,
        })
    }
}

impl Endpoint for Batch {
    type Output = BatchResponses;

    fn method(&self) -> Method {
        Method::Post
    }

    fn path(&self) -> String {
        match self.kind {
            BatchKind::Batch => "/batch".to_owned(),
            BatchKind::Sequence => "/sequence".to_owned(),
        }
    }

    fn body(&self) -> Result<Body> {
        Body::json(&self.requests)
    }

    fn auth(&self) -> Auth {
        Auth::Optional
    }

    fn parse(_: &Context<'_>, response: &Response) -> Result<BatchResponses> {
        response.error_for_status()?;
        parse_sub_responses(&response.body).map(|responses| BatchResponses { responses })
    }
}

/// One element of a batch answer. pysogs: `{code, headers, body}`; on an exception
/// `{code: 500, content-type, body: ""}`; bunsogs failures `{status: 500, body: null}`.
#[derive(Deserialize)]
struct SubResponse<'a> {
    code: Option<u16>,
    status: Option<u16>,
    #[serde(default)]
    headers: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "content-type")]
    content_type: Option<String>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
}

const WHAT: &str = "POST /batch";

/// Unpacks a batch answer into plain [`Response`]s: inline JSON bodies become their JSON
/// text, base64 string bodies their bytes (vector `pysogs_batch_body_encoding`).
pub(crate) fn parse_sub_responses(body: &[u8]) -> Result<Vec<Response>> {
    let subs: Vec<SubResponse<'_>> =
        serde_json::from_slice(body).map_err(|e| decode_error(WHAT, &e))?;
    subs.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let status = s.code.or(s.status).ok_or_else(|| Error::Decode {
                endpoint: WHAT.to_owned(),
                detail: format!("element {i} has no code"),
            })?;
            let mut headers: Vec<(String, String)> = s
                .headers
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k.to_ascii_lowercase(), v)
                })
                .collect();
            if let Some(ct) = s.content_type {
                headers.push(("content-type".to_owned(), ct));
            }
            let is_json = headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.contains("json"));
            let body = match s.body {
                None => Vec::new(),
                Some(raw) if is_json => raw.get().as_bytes().to_vec(),
                Some(raw) => match serde_json::from_str::<Option<String>>(raw.get()) {
                    Ok(None) => Vec::new(),
                    // A base64 string of the raw bytes; bunsogs sends text as is.
                    Ok(Some(s)) => decode_base64(&s).unwrap_or_else(|| s.into_bytes()),
                    // Inline JSON without a JSON content type.
                    Err(_) => raw.get().as_bytes().to_vec(),
                },
            };
            Ok(Response {
                status,
                headers,
                body,
            })
        })
        .collect()
}

/// The answers of a [`Batch`], read with the handles [`Batch::push`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchResponses {
    responses: Vec<Response>,
}

impl BatchResponses {
    /// Answers from already unpacked responses, in request order (for tests and for
    /// transports that unpack batches themselves).
    pub fn from_responses(responses: Vec<Response>) -> Self {
        Self { responses }
    }

    /// The typed answer of one request: its value, its error, or [`Error::NotRun`] when a
    /// `/sequence` stopped before it.
    pub fn get<E: Endpoint>(&self, cx: &Context<'_>, handle: &Handle<E>) -> Result<E::Output> {
        let response = self.responses.get(handle.index).ok_or(Error::NotRun)?;
        E::parse(cx, response)
    }

    /// The raw answer of the request at `index`.
    pub fn response(&self, index: usize) -> Option<&Response> {
        self.responses.get(index)
    }

    /// How many answers came back (fewer than requests after a failed `/sequence`).
    pub fn len(&self) -> usize {
        self.responses.len()
    }

    /// Whether none came back.
    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::api;
    use crate::link::RoomToken;

    #[test]
    fn sub_requests_serialize_as_pysogs_expects() {
        let room = RoomToken::new("lobby").unwrap();
        let mut b = Batch::new();
        b.push(&api::GetRoom::new(room.clone())).unwrap();
        b.push(&api::Pin {
            room: room.clone(),
            id: 3,
        })
        .unwrap();
        b.push(&api::UploadFile {
            room,
            data: b"hello world".to_vec(),
            filename: None,
        })
        .unwrap();
        let body = b.body().unwrap();
        assert_eq!(
            std::str::from_utf8(body.bytes()).unwrap(),
            r#"[{"method":"GET","path":"/room/lobby"},{"method":"POST","path":"/room/lobby/pin/3","json":{}},{"method":"POST","path":"/room/lobby/file","headers":{"Content-Type":"application/octet-stream"},"b64":"aGVsbG8gd29ybGQ="}]"#
        );
    }

    #[test]
    fn sub_responses_decode_json_base64_and_failure_shapes() {
        // Bodies of vector pysogs_batch_body_encoding, plus the two failure shapes of spec §2.1.
        let body = br#"[
            {"code":200,"headers":{"content-type":"application/json"},"body":{"a":[1]}},
            {"code":200,"headers":{"content-type":"application/octet-stream"},"body":"YWJjZGVm"},
            {"code":200,"headers":{"content-type":"text/plain; charset=utf-8"},"body":"ZWNobzogYXNkZgDigL16eno="},
            {"code":500,"content-type":"text/plain","body":""},
            {"body":null,"status":500}
        ]"#;
        let r = parse_sub_responses(body).unwrap();
        assert_eq!(r[0].body, br#"{"a":[1]}"#);
        assert_eq!(r[1].body, b"abcdef");
        assert_eq!(
            hex::encode(&r[2].body),
            "6563686f3a206173646600e280bd7a7a7a"
        );
        assert_eq!((r[3].status, r[3].body.len()), (500, 0));
        assert_eq!((r[4].status, r[4].body.len()), (500, 0));
        assert!(parse_sub_responses(br#"[{"headers":{}}]"#).is_err());
        assert!(parse_sub_responses(br#"{"code":200}"#).is_err());
        assert!(parse_sub_responses(b"[{\"code\":200,").is_err());
    }
}
