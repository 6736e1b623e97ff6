//! The server's internal response: status, content type, extra headers, body. The same value is
//! written to the socket, embedded in a `/batch` reply, or bencoded into an onion reply.

use serde_json::Value;

/// `application/json`, the only content type `/batch` inlines (spec §2.1).
pub(crate) const JSON: &str = "application/json";
/// `text/plain` error bodies (`abort_with_reason`).
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
/// Werkzeug HTML error pages and Flask string responses.
pub(crate) const HTML: &str = "text/html; charset=utf-8";
/// Raw file bodies.
pub(crate) const OCTET: &str = "application/octet-stream";

/// One response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Response {
    /// HTTP status.
    pub(crate) status: u16,
    /// `Content-Type`, if any.
    pub(crate) content_type: Option<&'static str>,
    /// Other headers, names in lower case (never `content-length`).
    pub(crate) headers: Vec<(String, String)>,
    /// The body bytes.
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// A compact JSON body.
    pub(crate) fn json(status: u16, value: &Value) -> Self {
        Self {
            status,
            content_type: Some(JSON),
            headers: Vec::new(),
            // Serialising a `Value` cannot fail (no non-string keys, no foreign types).
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    /// A `text/plain` body.
    pub(crate) fn text(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: Some(TEXT),
            headers: Vec::new(),
            body,
        }
    }

    /// A `text/html` body.
    pub(crate) fn html(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: Some(HTML),
            headers: Vec::new(),
            body,
        }
    }

    /// A small HTML page for `status`, as `abort(status)` produces.
    pub(crate) fn html_error(status: u16) -> Self {
        let reason = reason_phrase(status);
        let body = format!(
            "<!doctype html>\n<html lang=en>\n<title>{status} {reason}</title>\n<h1>{reason}</h1>\n"
        );
        Self::html(status, body.into_bytes())
    }

    /// An empty body with no content type (e.g. 304).
    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (name given in lower case).
    pub(crate) fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }

    /// The headers as `/batch` and onion replies report them: lower-case names, content type
    /// included, no `content-length`.
    pub(crate) fn reported_headers(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        if let Some(ct) = self.content_type {
            m.insert("content-type".into(), Value::String(ct.into()));
        }
        for (k, v) in &self.headers {
            m.insert(k.clone(), Value::String(v.clone()));
        }
        m
    }
}

/// The standard reason phrase of the statuses this server produces.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        425 => "Too Early",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Error",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_are_compact_and_headers_reported_in_lower_case() {
        let r = Response::json(200, &serde_json::json!({"a": [1, 2]}));
        assert_eq!(r.body, br#"{"a":[1,2]}"#);
        let r = r.with_header("expires", "x".into());
        let h = r.reported_headers();
        assert_eq!(h["content-type"], "application/json");
        assert_eq!(h["expires"], "x");
        assert!(!h.contains_key("content-length"));
    }

    #[test]
    fn abort_pages_name_the_status() {
        let r = Response::html_error(404);
        assert_eq!(r.status, 404);
        assert!(String::from_utf8(r.body).unwrap().contains("404 Not Found"));
    }
}
