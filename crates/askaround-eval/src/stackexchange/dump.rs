//! Reading a Stack Exchange data dump folder: `Posts.xml` (questions and answers), `Votes.xml`
//! (accept votes, optional). Every file starts with a UTF-8 byte-order mark; rows are
//! attribute-only `<row .../>` elements.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, bail};
use jiff::Timestamp;
use jiff::civil::DateTime;
use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Debug, Clone)]
pub struct Question {
    pub id: u64,
    pub asker: Option<u64>,
    pub at: Timestamp,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub accepted_answer: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub id: u64,
    pub question: u64,
    pub author: Option<u64>,
    pub at: Timestamp,
    pub body: String,
}

#[derive(Debug, Clone, Default)]
pub struct Dump {
    pub questions: Vec<Question>,
    pub answers: Vec<Answer>,
    /// Answer id → the day its accept vote was cast (dumps round vote times to the day).
    pub accept_days: HashMap<u64, Timestamp>,
}

pub fn load(dir: &Path) -> anyhow::Result<Dump> {
    let mut dump = Dump::default();
    for_each_row(&dir.join("Posts.xml"), |row| {
        let number = |k: &str| row.get(k).and_then(|v| v.parse::<u64>().ok());
        let Some(id) = number("Id") else {
            return Ok(());
        };
        let at = parse_time(row.get("CreationDate").map_or("", String::as_str))
            .with_context(|| format!("post {id}: bad CreationDate"))?;
        match row.get("PostTypeId").map(String::as_str) {
            Some("1") => dump.questions.push(Question {
                id,
                asker: number("OwnerUserId"),
                at,
                title: row.get("Title").cloned().unwrap_or_default(),
                body: strip_html(row.get("Body").map_or("", String::as_str)),
                tags: parse_tags(row.get("Tags").map_or("", String::as_str)),
                accepted_answer: number("AcceptedAnswerId"),
            }),
            Some("2") => {
                if let Some(question) = number("ParentId") {
                    dump.answers.push(Answer {
                        id,
                        question,
                        author: number("OwnerUserId"),
                        at,
                        body: strip_html(row.get("Body").map_or("", String::as_str)),
                    });
                }
            }
            _ => {}
        }
        Ok(())
    })?;
    let votes = dir.join("Votes.xml");
    if votes.exists() {
        for_each_row(&votes, |row| {
            if row.get("VoteTypeId").map(String::as_str) == Some("1") {
                let post = row.get("PostId").and_then(|v| v.parse::<u64>().ok());
                let day = row.get("CreationDate").and_then(|d| parse_time(d).ok());
                if let (Some(post), Some(day)) = (post, day) {
                    dump.accept_days.insert(post, day);
                }
            }
            Ok(())
        })?;
    }
    if dump.questions.is_empty() {
        bail!("{}: no questions found in Posts.xml", dir.display());
    }
    Ok(dump)
}

/// Calls `visit` with the attributes of every `<row>` element of the file.
fn for_each_row(
    path: &Path,
    mut visit: impl FnMut(&HashMap<String, String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let raw = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let text = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
    let mut reader = Reader::from_str(text);
    let mut row: HashMap<String, String> = HashMap::new();
    loop {
        match reader
            .read_event()
            .with_context(|| format!("parsing {}", path.display()))?
        {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == b"row" => {
                row.clear();
                for attr in e.attributes() {
                    let attr = attr.with_context(|| format!("attribute in {}", path.display()))?;
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    let value = attr
                        .unescape_value()
                        .with_context(|| format!("value of {key} in {}", path.display()))?;
                    row.insert(key, value.into_owned());
                }
                visit(&row)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// Dump times are UTC without a zone: `2014-01-21T20:26:05.383`.
fn parse_time(raw: &str) -> anyhow::Result<Timestamp> {
    let civil: DateTime = raw
        .trim()
        .parse()
        .with_context(|| format!("'{raw}' is not a date-time"))?;
    Ok(civil
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)?
        .timestamp())
}

/// `<hops><ipa>` (or `|hops|ipa|` in newer dumps) → ["hops", "ipa"].
fn parse_tags(raw: &str) -> Vec<String> {
    raw.split(['<', '>', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Post bodies are HTML; only the words matter here.
fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_in_both_dump_formats() {
        assert_eq!(parse_tags("<hops><ipa>"), ["hops", "ipa"]);
        assert_eq!(parse_tags("|hops|ipa|"), ["hops", "ipa"]);
    }

    #[test]
    fn html_is_reduced_to_its_words() {
        assert_eq!(
            strip_html("<p>Citra <b>hops</b></p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["Citra", "hops"]
        );
    }

    #[test]
    fn dump_times_are_read_as_utc() {
        assert_eq!(
            parse_time("2014-01-21T20:26:05.383").unwrap().to_string(),
            "2014-01-21T20:26:05.383Z"
        );
        assert_eq!(
            parse_time("2014-01-21T00:00:00").unwrap().as_second(),
            1_390_262_400
        );
    }
}
