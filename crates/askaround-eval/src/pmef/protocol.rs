//! Which evidence each question is ranked with.
//!
//! - [`Protocol::Replay`] (askaround's own): the experts' histories and the training split's
//!   answers are help sessions, each known from its question's time on; every question is ranked
//!   with the sessions of questions asked before it, as a live organisation would rank it. Evidence
//!   never comes from the future, and a question's own answer is never evidence for it.
//! - [`Protocol::Windows`] (for tuning): like the replay, but the evidence is frozen at the start
//!   of consecutive windows of questions, so that questions late in a window are ranked with
//!   evidence months old, as a held-out split is ranked with the evidence of the period before it.
//! - [`Protocol::Histories`] (the benchmark's): the histories as shipped, all at once; a
//!   candidate's own answer to the question is taken out first. Comparable with the published
//!   figures, but blind to the training split's answers and to time.

use super::data::{Data, Session, SplitQuestion};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Replay,
    /// Windows of this many question ids (the authors' time order).
    Windows(usize),
    Histories,
}

/// A ranking method that learns from sessions and scores a question's candidates.
pub trait Scorer {
    fn add(&mut self, session: Session) -> anyhow::Result<()>;
    fn remove(&mut self, session: Session) -> anyhow::Result<()>;
    /// Scores the question's candidates and records the metrics.
    fn score(&mut self, question: &SplitQuestion) -> anyhow::Result<()>;
}

/// Feeds `scorer` the evidence of `protocol` and has it score every question of `split`.
/// `answered` is the training split, whose answers are evidence under [`Protocol::Replay`].
pub fn walk(
    protocol: Protocol,
    data: &Data,
    split: &[SplitQuestion],
    answered: &[SplitQuestion],
    scorer: &mut dyn Scorer,
) -> anyhow::Result<()> {
    match protocol {
        Protocol::Replay | Protocol::Windows(_) => {
            let sessions = data.sessions_with(answered);
            let mut order: Vec<&SplitQuestion> = split.iter().collect();
            order.sort_by_key(|q| q.qid);
            let mut next = 0;
            for q in order {
                let known_before = match protocol {
                    Protocol::Windows(size) => q.qid / size.max(1) * size.max(1),
                    _ => q.qid,
                };
                while let Some(&s) = sessions.get(next).filter(|s| s.qid < known_before) {
                    scorer.add(s)?;
                    next += 1;
                }
                scorer.score(q)?;
            }
        }
        Protocol::Histories => {
            let sessions = data.history_sessions();
            for &s in &sessions {
                scorer.add(s)?;
            }
            for q in split {
                let own: Vec<Session> = q
                    .candidates
                    .iter()
                    .flat_map(|&aid| {
                        data.histories[aid]
                            .iter()
                            .filter(|&&h| h == q.qid)
                            .map(move |&qid| Session { aid, qid })
                    })
                    .collect();
                for &s in &own {
                    scorer.remove(s)?;
                }
                scorer.score(q)?;
                for &s in &own {
                    scorer.add(s)?;
                }
            }
        }
    }
    Ok(())
}
