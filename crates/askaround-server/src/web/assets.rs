//! The stylesheet and scripts, compiled into the binary. Their URLs carry a hash of the whole set
//! (`/static/3f9a…/app.css`), so browsers may cache them for good and still get a new release at
//! once; the scripts' relative `import`s inherit the same prefix.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!("../../static/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("js/app.js", JS),
    asset!("js/live.js", JS),
    asset!("js/forms.js", JS),
    asset!("js/notices.js", JS),
    asset!("js/offers.js", JS),
    asset!("js/autocomplete.js", JS),
    asset!("js/asks.js", JS),
    asset!("js/conversation.js", JS),
];

/// A short hash of every asset: changes whenever any of them does.
pub fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut hash = Sha256::new();
        for asset in ASSETS {
            hash.update(asset.path.as_bytes());
            hash.update(asset.body.as_bytes());
        }
        hash.finalize()
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect()
    });
    &VERSION
}

pub async fn serve(Path((version, path)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.path == path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    // A page of the previous release may still ask for its version: answer with today's file,
    // but do not let it be cached under the old name.
    let cache = if version == self::version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_import_names_an_embedded_module() {
        for asset in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
            for line in asset.body.lines().filter(|l| l.starts_with("import ")) {
                let target = line
                    .split(['\'', '"'])
                    .nth(1)
                    .and_then(|t| t.strip_prefix("./"))
                    .unwrap_or_else(|| panic!("{}: relative import expected: {line}", asset.path));
                let full = format!("js/{target}");
                assert!(
                    ASSETS.iter().any(|a| a.path == full),
                    "{} imports {full}, which is not embedded",
                    asset.path
                );
            }
        }
    }

    #[test]
    fn the_version_is_a_short_stable_hash() {
        assert_eq!(version().len(), 12);
        assert_eq!(version(), version());
    }
}
