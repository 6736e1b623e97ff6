//! Request failures and the exact response each one produces.
//!
//! The reference server answers errors in three shapes (spec/sogs-api.md §2, `PS:sogs/routes/
//! exc.py`): `abort_with_reason` gives `text/plain` with a message; `abort(code)` gives
//! Werkzeug's small HTML page; model exceptions give their message as `text/html`. Clients are
//! told never to parse error bodies, but the status codes are a contract, so each variant here
//! maps to exactly one of them.

use super::response::Response;

/// Why a request failed.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// `abort_with_reason(status, text)`: a `text/plain` body.
    Reason(u16, String),
    /// `abort(status)`: an HTML page naming the status.
    Abort(u16),
    /// A model `NotFound` (`No such room|file|user|post: X`): 404.
    NotFound(String),
    /// Model `BadPermission`: 403 `Permission denied`.
    BadPermission,
    /// Model `PostRejected`/`PostRateLimited`: 429 with the reason.
    PostRejected(&'static str),
    /// Model `InvalidData`: 400 with an empty body.
    InvalidData,
    /// An internal failure (database error, reference-server crash case): 500.
    Internal(String),
}

impl ApiError {
    /// 401 `X-SOGS-* request authentication required`.
    pub(crate) fn auth_required() -> Self {
        Self::Reason(401, "X-SOGS-* request authentication required".into())
    }

    /// 400 with Werkzeug's page.
    pub(crate) fn bad_request() -> Self {
        Self::Abort(400)
    }

    /// 403 with Werkzeug's page.
    pub(crate) fn forbidden() -> Self {
        Self::Abort(403)
    }

    /// 404 with Werkzeug's page.
    pub(crate) fn not_found() -> Self {
        Self::Abort(404)
    }

    /// The HTTP status this error answers with.
    pub(crate) fn status(&self) -> u16 {
        match self {
            Self::Reason(s, _) | Self::Abort(s) => *s,
            Self::NotFound(_) => 404,
            Self::BadPermission => 403,
            Self::PostRejected(_) => 429,
            Self::InvalidData => 400,
            Self::Internal(_) => 500,
        }
    }

    /// The response the reference server gives for this error.
    pub(crate) fn into_response(self) -> Response {
        match self {
            Self::Reason(status, text) => Response::text(status, text.into_bytes()),
            Self::Abort(status) => Response::html_error(status),
            Self::NotFound(msg) => Response::html(404, msg.into_bytes()),
            Self::BadPermission => Response::html(403, b"Permission denied".to_vec()),
            Self::PostRejected(msg) => Response::html(429, msg.as_bytes().to_vec()),
            Self::InvalidData => Response::html(400, Vec::new()),
            Self::Internal(what) => {
                tracing::warn!("internal error: {what}");
                Response::html_error(500)
            }
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

/// `Result` of a request handler.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
