mod taxonomy_cmd;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let data = PathBuf::from("../shared/data");
    let out = taxonomy_cmd::build(&taxonomy_cmd::BuildArgs {
        onet: data.join("onet-29.2-subset"),
        stackexchange: vec![
            ("Artificial intelligence".into(), data.join("stackexchange-ai-2017-03")),
            ("Beer, wine and spirits".into(), data.join("stackexchange-beer-2020-06")),
        ],
        curated: "crates/askaround-core/taxonomy/curated.tsv".into(),
    })?;
    print!("{out}");
    Ok(())
}
