//! `/capabilities`, `/batch` and `/sequence` (spec/sogs-api.md §2.1, `PS:sogs/routes/
//! general.py`).

use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::request::Request;
use super::response::{JSON, Response};
use super::{Auth, Ctx, handle};
use crate::encoding::{decode_base64, encode_base64};

/// `GET /capabilities[?required=a,b]`: 412 with the missing ones if any is absent.
pub(super) fn capabilities(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let caps = ctx.app.capabilities();
    let mut body = json!({ "capabilities": caps });
    let mut status = 200;
    if let Some(required) = ctx.req.query_param("required") {
        let missing: Vec<&str> = required.split(',').filter(|c| !caps.contains(c)).collect();
        if !missing.is_empty() {
            body["missing"] = json!(missing);
            status = 412;
        }
    }
    Ok(Response::json(status, &body))
}

/// One parsed sub-request.
struct Sub {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Validates one sub-request (`parse_batch_request`); any problem fails the whole batch.
fn parse_sub(v: &Value) -> ApiResult<Sub> {
    let obj = v.as_object().ok_or_else(ApiError::bad_request)?;
    let method = obj
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(ApiError::bad_request)?;
    let path = obj
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(ApiError::bad_request)?;
    let mut headers = Vec::new();
    if let Some(h) = obj.get("headers") {
        let h = h.as_object().ok_or_else(ApiError::bad_request)?;
        for (k, v) in h {
            let v = v.as_str().ok_or_else(ApiError::bad_request)?;
            headers.push((k.to_ascii_lowercase(), v.to_owned()));
        }
    }
    let has_body = matches!(method, "POST" | "PUT");
    if !has_body && !matches!(method, "GET" | "DELETE") {
        return Err(ApiError::bad_request());
    }
    if !path.starts_with('/') {
        return Err(ApiError::bad_request());
    }
    let bodies = ["b64", "json", "bytes"]
        .iter()
        .filter(|k| obj.contains_key(**k))
        .count();
    let body = if has_body {
        if bodies != 1 {
            return Err(ApiError::bad_request());
        }
        if let Some(b) = obj.get("b64") {
            // An invalid b64 body is only a warning upstream: the sub-request gets no body.
            b.as_str().and_then(decode_base64).unwrap_or_default()
        } else if let Some(b) = obj.get("bytes") {
            match b {
                Value::String(s) => s.clone().into_bytes(),
                _ => return Err(ApiError::bad_request()),
            }
        } else {
            let j = obj.get("json").cloned().unwrap_or(Value::Null);
            serde_json::to_vec(&j).map_err(|_| ApiError::bad_request())?
        }
    } else {
        if bodies != 0 {
            return Err(ApiError::bad_request());
        }
        Vec::new()
    };
    Ok(Sub {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body,
    })
}

/// A sub-response as a batch element: JSON bodies inline, anything else base64.
fn element(r: &Response) -> Value {
    let body = if r.content_type == Some(JSON) {
        serde_json::from_slice(&r.body).unwrap_or(Value::Null)
    } else {
        Value::String(encode_base64(&r.body))
    };
    let mut m = Map::new();
    m.insert("code".into(), r.status.into());
    m.insert("headers".into(), Value::Object(r.reported_headers()));
    m.insert("body".into(), body);
    Value::Object(m)
}

/// `POST /batch` (all sub-requests) and `POST /sequence` (in order, stopping after the first
/// non-2xx). Sub-requests run as the batch's user; their own auth headers are ignored.
pub(super) fn batch(ctx: &Ctx<'_>, sequential: bool) -> ApiResult<Response> {
    let subs = ctx.req.json()?;
    let subs = subs.as_array().ok_or_else(ApiError::bad_request)?;
    let subs = subs.iter().map(parse_sub).collect::<ApiResult<Vec<_>>>()?;
    let mut out = Vec::with_capacity(subs.len());
    for s in subs {
        let el = match Request::sub(&s.method, &s.path, s.headers, s.body) {
            Some(req) => {
                let r = handle(
                    ctx.app,
                    &req,
                    Auth::Inherit(ctx.user.clone()),
                    ctx.depth + 1,
                );
                element(&r)
            }
            // The reference's shape for a sub-request that raised before producing a response.
            None => json!({"code": 500, "content-type": "text/plain", "body": ""}),
        };
        let ok = el
            .get("code")
            .and_then(Value::as_u64)
            .is_some_and(|c| (200..300).contains(&c));
        out.push(el);
        if sequential && !ok {
            break;
        }
    }
    Ok(Response::json(200, &Value::Array(out)))
}
