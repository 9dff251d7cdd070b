//! Turns free text (an ask, a bio, the ask someone once helped with) into index terms.
//!
//! The rules follow [`crate::skill::matching_key`] so that a word in an ask and the same word in a
//! skill name meet: lower case, `+`, `#` and `.` kept inside words (C++, C#, ASP.NET), simple plurals
//! folded. On top of that, words that carry no topic ("how", "the", "does") are dropped: they would
//! only add noise and cost, since nearly every ask contains them.

/// Longest word kept; anything longer is a pasted hash, URL or base64 blob, not a topic.
const MAX_WORD_BYTES: usize = 40;

/// English function words and ask boilerplate. Small on purpose: topic words must never be lost.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "but", "by", "can", "could", "did", "do", "doe", "does",
    "doing", "don't", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her",
    "here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "it's", "its", "just", "me",
    "more", "most", "my", "no", "not", "of", "on", "one", "only", "or", "other", "our", "out",
    "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your",
];

/// Calls `emit` with each index term of `text`, in order (repeats included: they are term
/// frequency). Allocation-free apart from the one reusable word buffer.
pub fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut word = String::with_capacity(32);
    for c in text.chars() {
        if c.is_alphanumeric() || c == '+' || c == '#' || c == '.' || c == '\'' {
            for lower in c.to_lowercase() {
                word.push(lower);
            }
        } else {
            flush(&mut word, &mut emit);
        }
    }
    flush(&mut word, &mut emit);
}

/// The terms of `text` as owned strings; convenient where speed does not matter.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t.to_owned()));
    out
}

fn flush(word: &mut String, emit: &mut impl FnMut(&str)) {
    let end = word.trim_end_matches(['.', '\'']).len();
    word.truncate(end);
    let start = word.len() - word.trim_start_matches(['.', '\'']).len();
    if start > 0 {
        word.drain(..start);
    }
    if !word.is_empty() && word.len() <= MAX_WORD_BYTES {
        fold_plural(word);
        let end = word.trim_end_matches('.').len();
        word.truncate(end);
        if !word.is_empty() && !is_stopword(word) && word.chars().any(char::is_alphanumeric) {
            emit(word);
        }
    }
    word.clear();
}

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// The same plural folding as skill matching keys, so "tables" in an ask meets "Pivot tables" and
/// "queries" meets "query".
fn fold_plural(word: &mut String) {
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.truncate(word.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stopwords_are_sorted_so_binary_search_finds_them() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn an_ask_keeps_its_topic_words_and_folds_plurals() {
        let t = terms("How do I make my Pivot Tables update when rows are added?");
        assert_eq!(t, ["make", "pivot", "table", "update", "row", "added"]);
    }

    #[test]
    fn programming_names_survive() {
        assert_eq!(
            terms("C++ vs C# on ASP.NET, node.js."),
            ["c++", "vs", "c#", "asp.net", "node.j"]
        );
    }

    #[test]
    fn terms_agree_with_skill_matching_keys() {
        assert_eq!(
            terms("Queries Kubernetes analysis"),
            ["query", "kubernete", "analysis"]
        );
    }

    #[test]
    fn blobs_and_punctuation_are_not_terms() {
        assert!(terms("... ''' --- !!!").is_empty());
        assert!(terms(&"x".repeat(500)).is_empty());
    }

    proptest! {
        #[test]
        fn every_term_is_a_non_empty_lower_case_word(text in "\\PC{0,200}") {
            for term in terms(&text) {
                prop_assert!(!term.is_empty());
                prop_assert!(term.len() <= MAX_WORD_BYTES);
                prop_assert!(!term.contains(' '));
            }
        }
    }
}
