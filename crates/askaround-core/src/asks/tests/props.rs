//! Random event sequences: whatever order people, the matcher and the timers act in (duplicates,
//! strangers and unknown offers included), the lifecycle keeps its promises.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::*;

/// People 1..=PEOPLE; person 1 is the asker.
const PEOPLE: u128 = 8;

#[derive(Debug, Clone)]
enum Op {
    /// The matcher answers, for the wave the ask waits on (`None`) or for some other wave.
    Candidates {
        wave: Option<u32>,
        people: Vec<u128>,
        reuse_ids: bool,
    },
    /// `offer` picks among the ask's offers, one past the end being an unknown offer; `by: None`
    /// is the offer's own helper, anyone else is a stranger to it.
    Accept {
        offer: usize,
        by: Option<u128>,
    },
    Decline {
        offer: usize,
        by: Option<u128>,
    },
    Pass {
        offer: usize,
        by: Option<u128>,
    },
    Refer {
        offer: usize,
        by: Option<u128>,
        to: u128,
        reuse_id: bool,
    },
    OfferDeadline {
        offer: usize,
    },
    BoardDeadline,
    Claim {
        by: u128,
    },
    Edit {
        by: u128,
    },
    Cancel {
        by: u128,
    },
    Resolve {
        by: u128,
    },
}

fn someone() -> impl Strategy<Value = u128> {
    1..=PEOPLE
}

fn mostly_the_helper() -> impl Strategy<Value = Option<u128>> {
    prop::option::weighted(0.2, someone())
}

fn op() -> impl Strategy<Value = Op> {
    let index = 0usize..12;
    prop_oneof![
        4 => (
            prop::option::weighted(0.2, 1u32..6),
            prop::collection::vec(someone(), 0..5),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(wave, people, reuse_ids)| Op::Candidates { wave, people, reuse_ids }),
        3 => (index.clone(), mostly_the_helper()).prop_map(|(offer, by)| Op::Accept { offer, by }),
        3 => (index.clone(), mostly_the_helper()).prop_map(|(offer, by)| Op::Decline { offer, by }),
        2 => (index.clone(), mostly_the_helper()).prop_map(|(offer, by)| Op::Pass { offer, by }),
        3 => (index.clone(), mostly_the_helper(), someone(), prop::bool::weighted(0.1))
            .prop_map(|(offer, by, to, reuse_id)| Op::Refer { offer, by, to, reuse_id }),
        4 => index.prop_map(|offer| Op::OfferDeadline { offer }),
        1 => Just(Op::BoardDeadline),
        1 => someone().prop_map(|by| Op::Claim { by }),
        1 => someone().prop_map(|by| Op::Edit { by }),
        1 => someone().prop_map(|by| Op::Cancel { by }),
        1 => someone().prop_map(|by| Op::Resolve { by }),
    ]
}

fn urgency() -> impl Strategy<Value = Urgency> {
    prop::sample::select(vec![Urgency::Now, Urgency::Today, Urgency::ThisWeek])
}

/// The ask as stored, plus what the server would be holding for it: the outstanding matcher run
/// and the live durable timers.
struct World {
    ask: Ask,
    policy: RoutingPolicy,
    secs: i64,
    next_id: u128,
    finding: Option<u32>,
    timers: BTreeSet<Timer>,
}

impl World {
    fn new(urgency: Urgency, policy: RoutingPolicy) -> Self {
        let created = create(
            AskId(Uuid::from_u128(7)),
            ASKER,
            NewAsk::parse("Help with a pivot", vec![], urgency, HelpMode::Chat).unwrap(),
            at(0),
        );
        Self {
            ask: created.ask,
            policy,
            secs: 0,
            next_id: 10_000,
            finding: Some(1),
            timers: BTreeSet::new(),
        }
    }

    fn fresh_id(&mut self) -> OfferId {
        self.next_id += 1;
        OfferId(Uuid::from_u128(self.next_id))
    }

    fn pick(&mut self, index: usize, by: Option<u128>) -> (OfferId, PersonId) {
        let offers = &self.ask.offers;
        match offers.get(index % (offers.len() + 1)) {
            Some(offer) => (offer.id, by.map(person).unwrap_or(offer.helper)),
            None => (self.fresh_id(), by.map(person).unwrap_or(person(PEOPLE))),
        }
    }

    fn id_maybe_reused(&mut self, reuse: bool) -> OfferId {
        match self.ask.offers.first() {
            Some(offer) if reuse => offer.id,
            _ => self.fresh_id(),
        }
    }

    fn event(&mut self, op: Op) -> Event {
        match op {
            Op::Candidates {
                wave,
                people,
                reuse_ids,
            } => {
                let current = match self.ask.state {
                    AskState::Routing { wave, .. } => wave,
                    _ => 1,
                };
                let candidates = people
                    .into_iter()
                    .map(|p| Candidate {
                        helper: person(p),
                        offer: self.id_maybe_reused(reuse_ids),
                    })
                    .collect();
                Event::Candidates {
                    wave: wave.unwrap_or(current),
                    candidates,
                }
            }
            Op::Accept { offer, by } => {
                let (offer, by) = self.pick(offer, by);
                Event::Accept { offer, by }
            }
            Op::Decline { offer, by } => {
                let (offer, by) = self.pick(offer, by);
                Event::Decline {
                    offer,
                    by,
                    reason: DeclineReason::NotMyArea,
                    note: None,
                }
            }
            Op::Pass { offer, by } => {
                let (offer, by) = self.pick(offer, by);
                Event::Pass { offer, by }
            }
            Op::Refer {
                offer,
                by,
                to,
                reuse_id,
            } => {
                let (offer, by) = self.pick(offer, by);
                let new_offer = self.id_maybe_reused(reuse_id);
                Event::Refer {
                    offer,
                    by,
                    to: person(to),
                    new_offer,
                }
            }
            Op::OfferDeadline { offer } => Event::Deadline(Timer::Offer(self.pick(offer, None).0)),
            Op::BoardDeadline => Event::Deadline(Timer::Board),
            Op::Claim { by } => Event::Claim { by: person(by) },
            Op::Edit { by } => edit(person(by), "Help with a pivot, in Power Query"),
            Op::Cancel { by } => Event::Cancel { by: person(by) },
            Op::Resolve { by } => Event::Resolve { by: person(by) },
        }
    }

    /// Applies `event` the way the server would and checks everything that must always hold.
    fn play(&mut self, event: Event, elapsed: i64) -> Result<(), TestCaseError> {
        self.secs += elapsed;
        let before = &self.ask;
        // `apply` borrows the stored ask immutably: a refusal cannot change it.
        match apply(before, event.clone(), at(self.secs), &self.policy) {
            Ok(t) => {
                prop_assert!(
                    !before.state.is_finished(),
                    "{event:?} changed a finished ask"
                );
                prop_assert_eq!(t.ask.version, before.version + 1);
                prop_assert_eq!(t.ask.updated_at, at(self.secs));
                prop_assert!(t.ask.offers.len() >= before.offers.len());
                for (old, new) in before.offers.iter().zip(&t.ask.offers) {
                    prop_assert_eq!(old.id, new.id);
                    if !old.is_pending() {
                        prop_assert_eq!(old, new, "a closed offer changed");
                    }
                }
                match &event {
                    Event::Deadline(timer) => {
                        self.timers.remove(timer);
                    }
                    Event::Candidates { .. } => self.finding = None,
                    _ => {}
                }
                for effect in &t.effects {
                    match effect {
                        Effect::FindCandidates { wave, exclude } => {
                            prop_assert_eq!(self.finding, None, "two matcher runs at once");
                            self.finding = Some(*wave);
                            prop_assert!(exclude.contains(&ASKER));
                            for offer in &t.ask.offers {
                                prop_assert!(exclude.contains(&offer.helper));
                            }
                        }
                        Effect::Schedule { timer, .. } => {
                            prop_assert!(self.timers.insert(*timer), "{timer:?} scheduled twice");
                        }
                        Effect::Unschedule { timer } => {
                            prop_assert!(self.timers.remove(timer), "{timer:?} was not scheduled");
                        }
                        _ => {}
                    }
                }
                self.ask = t.ask;
            }
            // The dispatcher drops a timer whose event is refused.
            Err(_) => {
                if let Event::Deadline(timer) = &event {
                    self.timers.remove(timer);
                }
            }
        }
        self.check()
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let ask = &self.ask;
        let accepted: Vec<&Offer> = ask
            .offers
            .iter()
            .filter(|o| o.state == OfferState::Accepted)
            .collect();
        let pending: Vec<&Offer> = ask.pending_offers().collect();
        prop_assert!(accepted.len() <= 1, "two winners: {accepted:?}");
        match ask.state {
            AskState::Routing { wave, step } => {
                prop_assert!((1..=self.policy.max_waves).contains(&wave));
                prop_assert!(accepted.is_empty());
                prop_assert!(pending.iter().all(|o| o.wave == wave));
                match step {
                    WaveStep::FindingCandidates => {
                        prop_assert!(pending.is_empty());
                        prop_assert_eq!(self.finding, Some(wave), "routing but nobody is asked");
                    }
                    WaveStep::AwaitingAnswers => {
                        prop_assert!(!pending.is_empty(), "routing but no offer is pending");
                    }
                }
            }
            AskState::Matched { helper, via } => {
                prop_assert!(pending.is_empty());
                match via {
                    MatchedVia::Offer { offer } => {
                        prop_assert_eq!(accepted.len(), 1);
                        prop_assert_eq!((accepted[0].id, accepted[0].helper), (offer, helper));
                    }
                    MatchedVia::Board => prop_assert!(accepted.is_empty()),
                }
            }
            AskState::Resolved { helper } => {
                prop_assert!(pending.is_empty());
                prop_assert!(accepted.iter().all(|o| o.helper == helper));
            }
            AskState::Open { .. } | AskState::Expired => {
                prop_assert!(pending.is_empty());
                prop_assert!(accepted.is_empty());
            }
            AskState::Cancelled => prop_assert!(pending.is_empty()),
        }
        let helpers: BTreeSet<PersonId> = ask.offers.iter().map(|o| o.helper).collect();
        prop_assert_eq!(helpers.len(), ask.offers.len(), "someone was offered twice");
        prop_assert!(
            !helpers.contains(&ASKER),
            "the asker was offered their own ask"
        );
        let ids: BTreeSet<OfferId> = ask.offers.iter().map(|o| o.id).collect();
        prop_assert_eq!(ids.len(), ask.offers.len());
        prop_assert_eq!(ask.counters.people_interrupted as usize, ask.offers.len());
        prop_assert!(ask.counters.waves_sent <= self.policy.max_waves);
        // Exactly the timers the ask still needs: none dangling, none missing.
        let mut needed: BTreeSet<Timer> = pending.iter().map(|o| Timer::Offer(o.id)).collect();
        if matches!(ask.state, AskState::Open { .. }) {
            needed.insert(Timer::Board);
        }
        prop_assert_eq!(&self.timers, &needed);
        Ok(())
    }

    /// Lets the matcher answer "nobody" and every timer fire: a routing ask must then end.
    fn drain(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..100 {
            let event = match (self.ask.state, self.timers.first()) {
                (
                    AskState::Routing {
                        wave,
                        step: WaveStep::FindingCandidates,
                    },
                    _,
                ) => candidates(wave, &[]),
                (_, Some(&timer)) => Event::Deadline(timer),
                _ => break,
            };
            self.play(event, 60 * 60 * 24 * 7)?;
        }
        prop_assert!(
            matches!(
                self.ask.state,
                AskState::Matched { .. }
                    | AskState::Resolved { .. }
                    | AskState::Cancelled
                    | AskState::Expired
            ),
            "stuck in {:?}",
            self.ask.state
        );
        prop_assert!(self.timers.is_empty());
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_event_orders_keep_one_winner_and_never_lose_the_ask(
        urgency in urgency(),
        offers_per_wave in 1u32..=3,
        max_waves in 1u32..=3,
        ops in prop::collection::vec((op(), 0i64..90), 0..60),
    ) {
        let policy = RoutingPolicy { offers_per_wave, max_waves, ..RoutingPolicy::default() };
        let mut world = World::new(urgency, policy);
        world.check()?;
        for (op, elapsed) in ops {
            let event = world.event(op);
            world.play(event, elapsed)?;
        }
        world.drain()?;
    }
}
