//! Where the shared data sets live: `ASKAROUND_DATA`, or `shared/data` beside the repository.

use std::path::PathBuf;

pub fn data_dir(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("ASKAROUND_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = root.join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (set ASKAROUND_DATA to the data folder)",
            dir.display()
        );
        None
    }
}
