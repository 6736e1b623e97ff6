//! The server's internal request: what a direct HTTP request, a `/batch` sub-request and a
//! decrypted onion request all become before routing.

use serde_json::Value;

use super::error::{ApiError, ApiResult};
use crate::encoding::{percent_decode_lossy, percent_decode_strict, python_int};

/// One request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    /// The method as sent (`GET`, `POST`, …).
    pub(crate) method: String,
    /// Path and query as sent (percent-encoded or raw UTF-8): what the signature covers, after
    /// `session_crypto::request_message` decodes its path part.
    pub(crate) target: String,
    /// The percent-decoded path, for routing.
    pub(crate) path: String,
    /// The raw query string, without `?`.
    pub(crate) query: String,
    /// Headers, names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// A request for `target` (`/path?query`) as received over HTTP: invalid UTF-8 in the
    /// decoded path becomes U+FFFD, as Werkzeug does.
    pub(crate) fn from_http(
        method: &str,
        target: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Self {
            method: method.to_owned(),
            target: target.to_owned(),
            path: percent_decode_lossy(path),
            query: query.to_owned(),
            headers,
            body,
        }
    }

    /// A sub-request (`/batch`, onion) for `endpoint`: the path is unquoted only if it contains
    /// `%`, strictly (invalid UTF-8 is an error), as `PS:sogs/routes/subrequest.py` does.
    pub(crate) fn sub(
        method: &str,
        endpoint: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Option<Self> {
        let (path, query) = endpoint.split_once('?').unwrap_or((endpoint, ""));
        let path = if path.contains('%') {
            percent_decode_strict(path)?
        } else {
            path.to_owned()
        };
        Some(Self {
            method: method.to_owned(),
            target: endpoint.to_owned(),
            path,
            query: query.to_owned(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body,
        })
    }

    /// The first header named `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`, form-decoded (`+` is a space), as Werkzeug's
    /// `request.args.get`.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k) == name).then(|| form_decode(v))
        })
    }

    /// An integer query parameter (`utils.get_int_param`): absent gives `default`, a
    /// non-integer gives 400, out-of-range values are clamped when `clamp` is given.
    pub(crate) fn int_param(
        &self,
        name: &str,
        default: i64,
        clamp: Option<(i64, i64)>,
    ) -> ApiResult<i64> {
        let Some(v) = self.query_param(name) else {
            return Ok(default);
        };
        let v = python_int(&v).ok_or_else(ApiError::bad_request)?;
        Ok(match clamp {
            Some((lo, hi)) => v.clamp(lo, hi),
            None => v,
        })
    }

    /// The body as JSON (`request.json`): an unparseable body is 400.
    pub(crate) fn json(&self) -> ApiResult<Value> {
        serde_json::from_slice(&self.body).map_err(|_| ApiError::bad_request())
    }
}

/// `application/x-www-form-urlencoded` decoding of one query component.
fn form_decode(s: &str) -> String {
    percent_decode_lossy(&s.replace('+', " "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_form_decoded() {
        let r = Request::from_http("GET", "/x?required=a%2Cb&t=r&limit=+5", vec![], vec![]);
        assert_eq!(r.query_param("required").as_deref(), Some("a,b"));
        assert_eq!(r.query_param("t").as_deref(), Some("r"));
        assert_eq!(r.int_param("limit", 100, Some((1, 256))).unwrap(), 5);
        assert_eq!(r.int_param("absent", 100, None).unwrap(), 100);
        let r = Request::from_http("GET", "/x?limit=999&reactors=-3", vec![], vec![]);
        assert_eq!(r.int_param("limit", 100, Some((1, 256))).unwrap(), 256);
        assert_eq!(r.int_param("reactors", 4, Some((0, 20))).unwrap(), 0);
        let r = Request::from_http("GET", "/x?limit=ten", vec![], vec![]);
        assert_eq!(r.int_param("limit", 100, None).unwrap_err().status(), 400);
    }

    #[test]
    fn sub_request_paths_are_unquoted_strictly() {
        let r = Request::sub(
            "PUT",
            "/room/r/reaction/1/%F0%9F%8D%8D?x=%20",
            vec![],
            vec![],
        )
        .unwrap();
        assert_eq!(r.path, "/room/r/reaction/1/🍍");
        assert_eq!(r.query, "x=%20");
        assert!(Request::sub("GET", "/room/%FF", vec![], vec![]).is_none());
        let raw = Request::sub("GET", "/room/r/reaction/1/🍍", vec![], vec![]).unwrap();
        assert_eq!(raw.path, "/room/r/reaction/1/🍍");
    }
}
