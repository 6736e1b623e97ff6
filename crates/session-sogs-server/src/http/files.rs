//! File upload and download (spec/sogs-api.md §2.4, `PS:sogs/routes/rooms.py upload_file /
//! serve_file`).

use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::response::{OCTET, Response};
use super::{Ctx, RoomCtx};
use crate::model::file;
use crate::model::room::Need;

/// `POST /room/R/file`: raw body; optional `Content-Disposition` filename. 201 `{"id": n}`.
/// Uploads above `[files] max_size` get 413.
pub(super) fn upload(ctx: &Ctx<'_>, rc: &RoomCtx) -> ApiResult<Response> {
    let user = ctx.user()?.clone();
    if !rc.perms.allows(Need::Upload) {
        return Err(ApiError::forbidden());
    }
    if ctx.req.body.len() > ctx.app.config.files.max_size {
        return Err(ApiError::Abort(413));
    }
    let filename = ctx
        .req
        .header("content-disposition")
        .and_then(disposition_filename)
        // NUL and '/' become U+FFFD in stored names.
        .map(|f| f.replace(['\0', '/'], "\u{FFFD}"));
    let now = ctx.now();
    let id = ctx.app.db.write(|tx| {
        file::insert(
            tx,
            rc.room.id,
            user.id,
            &ctx.req.body,
            filename.as_deref(),
            now,
        )
    })?;
    Ok(Response::json(201, &json!({ "id": id })))
}

/// `GET /room/R/file/ID[/name]`: the bytes, with `Content-Disposition`, `Date` (upload time)
/// and `Expires` (if the file expires). 404 when missing or expired.
pub(super) fn serve(ctx: &Ctx<'_>, rc: &RoomCtx, id: i64) -> ApiResult<Response> {
    rc.require_read()?;
    let now = ctx.now();
    let Some(f) = ctx.app.db.read(|c| file::live(c, rc.room.id, id, now))? else {
        return Err(ApiError::not_found());
    };
    let disposition = match &f.filename {
        Some(name) if !name.is_empty() => {
            format!("attachment; filename*=UTF-8''{}", quote(name))
        }
        _ => "attachment".to_owned(),
    };
    let mut r = Response {
        status: 200,
        content_type: Some(OCTET),
        headers: Vec::new(),
        body: f.content,
    }
    .with_header("content-disposition", disposition)
    .with_header("date", http_date(f.uploaded));
    if let Some(e) = f.expiry {
        r = r.with_header("expires", http_date(e));
    }
    Ok(r)
}

/// The filename of a `Content-Disposition` header: `filename*=charset''pct-encoded` (RFC 5987,
/// preferred) or `filename="…"` / `filename=…`.
fn disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    for part in split_params(header).into_iter().skip(1) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        if k == "filename*" {
            let mut it = v.splitn(3, '\'');
            let (charset, _lang, enc) = (it.next()?, it.next()?, it.next()?);
            let bytes = session_crypto::percent_decode_path(enc.trim_matches('"'));
            return Some(if charset.eq_ignore_ascii_case("utf-8") {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                bytes.iter().map(|&b| char::from(b)).collect()
            });
        }
        if k == "filename" {
            plain = Some(unquote(v));
        }
    }
    plain
}

/// Splits a header on `;` outside double quotes.
fn split_params(h: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in h.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&h[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&h[start..]);
    out
}

/// Removes surrounding quotes and backslash escapes.
fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return v.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// Percent-encodes UTF-8 like Python's `urllib.parse.quote` (unreserved characters kept).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An RFC 7231 HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) of a Unix time.
pub(crate) fn http_date(ts: f64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ts.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mon = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mon <= 2);
    let wd = DAYS[days.rem_euclid(7) as usize];
    let mn = MONTHS[(mon - 1).clamp(0, 11) as usize];
    format!("{wd}, {d:02} {mn} {y} {h:02}:{m:02}:{s:02} GMT")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_match_known_values() {
        assert_eq!(http_date(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_445_412_480.0), "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(http_date(951_782_400.5), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn filenames_are_parsed_from_content_disposition() {
        assert_eq!(
            disposition_filename("attachment; filename*=UTF-8''my%20%f0%9f%8e%82.txt").as_deref(),
            Some("my 🎂.txt")
        );
        assert_eq!(
            disposition_filename("attachment; filename=\"a \\\"b\\\";c.txt\"").as_deref(),
            Some("a \"b\";c.txt")
        );
        assert_eq!(
            disposition_filename("attachment; filename=x.png; filename*=UTF-8''y.png").as_deref(),
            Some("y.png")
        );
        assert_eq!(disposition_filename("attachment"), None);
        assert_eq!(quote("my 🎂.txt"), "my%20%F0%9F%8E%82.txt");
    }
}
