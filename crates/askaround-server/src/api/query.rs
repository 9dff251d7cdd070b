//! A query-string extractor whose errors name the parameter and use the API's error shape
//! (`?limit=abc` answers 400 with `field: "limit"`, not a plain-text rejection).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                let field = (path != ".").then_some(path);
                let message = match &field {
                    Some(f) => format!("{f}: {inner}"),
                    None => format!("the query string cannot be read: {inner}"),
                };
                ApiError::BadRequest {
                    code: "invalid_query",
                    message,
                    field,
                }
            })
    }
}
