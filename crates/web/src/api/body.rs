//! The API's request bodies, read at the edge so that every bad body is a clear JSON error:
//! only `application/json` for JSON (a form post from another site cannot be one, so no web
//! page can submit through its visitors' browsers), only file types for uploads, 413 over
//! `max_request_mb`, and JSON without duplicate keys (which parsers disagree on: one takes the
//! first, another the last).

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON request body, parsed strictly.
#[derive(Debug)]
pub struct JsonBody(pub Value);

/// A file sent as the whole body (`POST /api/v1/attachments`).
#[derive(Debug)]
pub struct FileBody(pub Bytes);

/// The content types an upload may declare; what the file is, is read from its content.
pub const FILE_TYPES: [&str; 4] = [
    "application/octet-stream",
    "application/pdf",
    "image/jpeg",
    "image/png",
];

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn unsupported(expected: &str) -> WebError {
    WebError::Api(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("send the body as {expected}"),
    ))
}

async fn read_bytes(request: Request, state: &AppState) -> Result<Bytes, WebError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            let status = rejection.into_response().status();
            WebError::Api(if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    status,
                    "payload_too_large",
                    format!(
                        "the body is larger than {} MB",
                        state.portal.config.limits.max_request_mb
                    ),
                )
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_body",
                    "the body could not be read",
                )
            })
        })
}

impl FromRequest<AppState> for JsonBody {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if media_type(request.headers()) != "application/json" {
            return Err(unsupported("application/json"));
        }
        let bytes = read_bytes(request, state).await?;
        parse_strict(&bytes).map(Self).map_err(|message| {
            WebError::Api(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("request body: {message}"),
            ))
        })
    }
}

impl FromRequest<AppState> for FileBody {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !FILE_TYPES.contains(&media_type(request.headers()).as_str()) {
            return Err(unsupported(&FILE_TYPES.join(", ")));
        }
        read_bytes(request, state).await.map(Self)
    }
}

/// Parses JSON as `serde_json` does, but refuses an object with the same key twice.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice::<Strict>(bytes)
        .map(|Strict(v)| v)
        .map_err(|e| e.to_string())
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key \"{key}\"")));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        assert!(parse_strict(br#"{"a": 1, "a": 2}"#).is_err());
        let nested = parse_strict(br#"{"answers": {"name": "x", "name": "y"}}"#).unwrap_err();
        assert!(nested.contains("duplicate key \"name\""), "{nested}");
        assert_eq!(
            parse_strict(br#"{"a": [1, {"b": null}], "c": 2.5}"#).unwrap(),
            serde_json::json!({ "a": [1, { "b": null }], "c": 2.5 })
        );
        assert!(parse_strict(b"{} trailing").is_err());
    }
}
