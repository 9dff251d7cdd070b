//! `askaround taxonomy build`: regenerates the seed taxonomy compiled into askaround from the
//! public data it is derived from (O*NET technology skills, Stack Exchange tags) plus our curated
//! additions. Run by maintainers; the output is committed as
//! `crates/askaround-core/taxonomy/seed.tsv`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use askaround_core::taxonomy::{OnetTechnologyRow, SeedBuilder, StackExchangeTag, write_seed};

pub struct BuildArgs {
    pub onet: PathBuf,
    /// `(topic, dump folder)`, e.g. `("Artificial intelligence", ".../stackexchange-ai-2017-03")`.
    pub stackexchange: Vec<(String, PathBuf)>,
    pub curated: PathBuf,
}

pub fn build(args: &BuildArgs) -> Result<String> {
    let mut builder = SeedBuilder::new();
    builder.add_onet(&read_onet(&args.onet.join("Technology Skills.txt"))?);
    for (topic, dir) in &args.stackexchange {
        builder.add_stackexchange(topic, &read_tags(&dir.join("Tags.xml"))?);
    }
    let curated = fs::read_to_string(&args.curated)
        .with_context(|| format!("reading {}", args.curated.display()))?;
    builder.add_curated(&curated).map_err(anyhow::Error::msg)?;
    Ok(write_seed(&builder.finish()))
}

fn read_onet(path: &Path) -> Result<Vec<OnetTechnologyRow>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{}: no '{name}' column", path.display()))
    };
    let (product, commodity) = (col("Example")?, col("Commodity Title")?);
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        match (cells.get(product), cells.get(commodity)) {
            (Some(p), Some(c)) => rows.push(OnetTechnologyRow {
                product: unescape_entities(p.trim()),
                commodity: unescape_entities(c.trim()),
            }),
            _ => bail!("{}: line {} has too few columns", path.display(), i + 2),
        }
    }
    Ok(rows)
}

/// A few O*NET names carry HTML entities ("Tradesman&apos;s Software").
fn unescape_entities(text: &str) -> String {
    text.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads `<row TagName="..." Count="..."/>` elements of a Stack Exchange `Tags.xml`.
fn read_tags(path: &Path) -> Result<Vec<StackExchangeTag>> {
    use quick_xml::Reader;
    use quick_xml::events::Event;

    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut tags = Vec::new();
    loop {
        match reader
            .read_event()
            .with_context(|| format!("parsing {}", path.display()))?
        {
            Event::Eof => break,
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == b"row" => {
                let mut name = None;
                let mut count = 0u32;
                for attr in e.attributes() {
                    let attr = attr.with_context(|| format!("parsing {}", path.display()))?;
                    let value = attr
                        .unescape_value()
                        .with_context(|| format!("parsing {}", path.display()))?;
                    match attr.key.as_ref() {
                        b"TagName" => name = Some(value.into_owned()),
                        b"Count" => count = value.parse().unwrap_or(0),
                        _ => {}
                    }
                }
                if let Some(name) = name {
                    tags.push(StackExchangeTag { name, count });
                }
            }
            _ => {}
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed seed is exactly what the public data and the curated file produce, so it can
    /// be audited and regenerated. Needs the shared data folder; says so when it is absent.
    #[test]
    fn the_committed_seed_is_reproducible_from_the_public_data() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let data = root.join("../shared/data");
        if !data.join("onet-29.2-subset").exists() {
            eprintln!("skipped: {} is not on this machine", data.display());
            return;
        }
        let built = build(&BuildArgs {
            onet: data.join("onet-29.2-subset"),
            stackexchange: vec![
                (
                    "Artificial intelligence".into(),
                    data.join("stackexchange-ai-2017-03"),
                ),
                (
                    "Beer, wine and spirits".into(),
                    data.join("stackexchange-beer-2020-06"),
                ),
            ],
            curated: root.join("crates/askaround-core/taxonomy/curated.tsv"),
        })
        .expect("build");
        let committed =
            fs::read_to_string(root.join("crates/askaround-core/taxonomy/seed.tsv")).expect("seed");
        assert!(
            built == committed,
            "seed.tsv is stale: regenerate it with `askaround taxonomy build` (see the README)"
        );
    }
}
