//! Onion requests addressed to this server (spec/sogs-api.md §2.7, `PS:sogs/routes/
//! onion_request.py`): `POST /oxen/v4/lsrpc`, and the deprecated `/oxen/v3/lsrpc` and
//! `/loki/v3/lsrpc`.
//!
//! The body is the last hop's plaintext, `u32le ‖ ciphertext ‖ route JSON`; the ciphertext is
//! opened with the server key, the `ephemeral_key` and the `enc_type` (AES-GCM or XChaCha20)
//! of the JSON (`session_net::onion::ServerLayer`). The inner request is authenticated by its
//! own `X-SOGS-*` headers and runs through the normal routes. A frame that cannot be
//! decrypted is a plain 400; anything after that is answered encrypted, with outer HTTP 200.

use serde_json::Value;
use session_net::onion::{ServerLayer, V4Response};

use super::error::{ApiError, ApiResult};
use super::request::Request;
use super::response::{OCTET, Response};
use super::{Auth, Ctx, handle};
use crate::encoding::encode_base64;

fn open(ctx: &Ctx<'_>) -> ApiResult<ServerLayer> {
    ServerLayer::open(&ctx.req.body, std::slice::from_ref(&ctx.app.keypair)).map_err(|e| {
        tracing::debug!("undecryptable onion request: {e}");
        ApiError::bad_request()
    })
}

fn encrypted(body: Vec<u8>) -> Response {
    Response {
        status: 200,
        content_type: Some(OCTET),
        headers: Vec::new(),
        body,
    }
}

fn crypto_failure(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("onion reply encryption: {e}"))
}

/// `POST /oxen/v4/lsrpc`: a bencoded `[request-info JSON, body?]` in, a bencoded
/// `[{"code", "headers"}, body]` out, both encrypted with the layer's key.
pub(super) fn v4(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let layer = open(ctx)?;
    let sub = layer.request().ok().and_then(|r| {
        let headers = r.headers.into_iter().collect();
        Request::sub(&r.method, &r.endpoint, headers, r.body.unwrap_or_default())
    });
    let reply = match sub {
        Some(req) => {
            let resp = handle(ctx.app, &req, Auth::Headers, ctx.depth + 1);
            let headers = resp
                .reported_headers()
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                .collect();
            layer.reply(&V4Response::new(resp.status, headers, resp.body))
        }
        None => layer.reply_invalid(),
    }
    .map_err(crypto_failure)?;
    Ok(encrypted(reply))
}

/// The v3 reply plaintext: the body of a 2xx response, else `{"status_code": N}`.
fn v3_plaintext(ctx: &Ctx<'_>, plaintext: &[u8]) -> Vec<u8> {
    let status_code = |n: u16| format!("{{\"status_code\": {n}}}").into_bytes();
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(plaintext) else {
        return status_code(400);
    };
    let (Some(endpoint), Some(method)) = (
        req.get("endpoint").and_then(Value::as_str),
        req.get("method").and_then(Value::as_str),
    ) else {
        return status_code(400);
    };
    let headers: Vec<(String, String)> = match req.get("headers") {
        None => Vec::new(),
        Some(Value::Object(h)) => h
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_owned())))
            .collect(),
        Some(_) => return status_code(400),
    };
    let body = req.get("body").and_then(Value::as_str).unwrap_or_default();
    let body = if matches!(method, "POST" | "PUT") {
        body.as_bytes().to_vec()
    } else if body.is_empty() || body == "null" {
        // Old Android clients send "null" on GETs.
        Vec::new()
    } else {
        return status_code(400);
    };
    // Endpoints without a leading '/' are legacy routes, which this server does not serve.
    let endpoint = if endpoint.starts_with('/') {
        endpoint.to_owned()
    } else {
        format!("/legacy/{endpoint}")
    };
    let Some(sub) = Request::sub(method, &endpoint, headers, body) else {
        return status_code(400);
    };
    let resp = handle(ctx.app, &sub, Auth::Headers, ctx.depth + 1);
    if (200..300).contains(&resp.status) {
        resp.body
    } else {
        status_code(resp.status)
    }
}

/// `POST /oxen/v3/lsrpc`, `/loki/v3/lsrpc` (deprecated): a JSON request in; base64 of the
/// encrypted reply body out (response headers are lost, as upstream).
pub(super) fn v3(ctx: &Ctx<'_>) -> ApiResult<Response> {
    let layer = open(ctx)?;
    let plaintext = v3_plaintext(ctx, layer.plaintext());
    let reply = layer.reply_raw(&plaintext).map_err(crypto_failure)?;
    // Flask answers a returned string as text/html.
    Ok(Response::html(200, encode_base64(&reply).into_bytes()))
}
