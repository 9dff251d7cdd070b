pub(super) mod fixtures;
mod props;
mod ranking;
mod updates;
