//! Files: upload and download (spec §2.4).

use serde::Deserialize;

use super::room_path;
use crate::Result;
use crate::encoding::encode_segment;
use crate::link::RoomToken;
use crate::request::{Auth, Body, Context, Endpoint, Method, Response, json};

/// `{"id": n}`: an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct FileId {
    /// The file id, to reference in a post's `files` within an hour (spec §6.11).
    pub id: i64,
}

/// `POST /room/R/file`: uploads raw bytes (answer **201**).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFile {
    /// The room.
    pub room: RoomToken,
    /// The file's bytes.
    pub data: Vec<u8>,
    /// The file name, sent as `Content-Disposition: attachment; filename*=UTF-8''…`.
    pub filename: Option<String>,
}

impl Endpoint for UploadFile {
    type Output = FileId;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("{}/file", room_path(&self.room))
    }
    fn body(&self) -> Result<Body> {
        Ok(Body::Bytes {
            data: self.data.clone(),
            content_disposition: self
                .filename
                .as_deref()
                .map(|f| format!("attachment; filename*=UTF-8''{}", encode_segment(f))),
        })
    }
    fn auth(&self) -> Auth {
        Auth::Required
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<FileId> {
        json("POST /room/R/file", response)
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The bytes.
    pub data: Vec<u8>,
    /// The name from `Content-Disposition`, when the server sent one.
    pub filename: Option<String>,
}

/// `GET /room/R/file/<id>`: downloads a file (the room image is `image_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadFile {
    /// The room.
    pub room: RoomToken,
    /// The file id.
    pub id: i64,
}

impl Endpoint for DownloadFile {
    type Output = File;
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!("{}/file/{}", room_path(&self.room), self.id)
    }
    fn parse(_: &Context<'_>, response: &Response) -> Result<File> {
        response.error_for_status()?;
        Ok(File {
            data: response.body.clone(),
            filename: response.header("content-disposition").and_then(filename_of),
        })
    }
}

/// The file name of a `Content-Disposition` value: `filename*=UTF-8''<percent-encoded>`
/// preferred, else a plain `filename="…"`.
fn filename_of(disposition: &str) -> Option<String> {
    for part in disposition.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let v = v
                .strip_prefix("UTF-8''")
                .or_else(|| v.strip_prefix("utf-8''"))?;
            return percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned());
        }
    }
    disposition
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename="))
        .map(|v| v.trim_matches('"').to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_filename_forms() {
        assert_eq!(
            filename_of("attachment; filename*=UTF-8''caf%C3%A9.txt").as_deref(),
            Some("café.txt")
        );
        assert_eq!(
            filename_of("attachment; filename=\"a.png\"").as_deref(),
            Some("a.png")
        );
        assert_eq!(filename_of("attachment"), None);
    }
}
