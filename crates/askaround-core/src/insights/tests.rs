use jiff::civil::date;
use jiff::{Timestamp, ToSpan};

use super::clock::{HOUR_MS, LocalClock, WEEK_MS, local_midnight_ms};
use super::raw::*;
use super::stats::{gini, percentile, two_significant_digits};
use super::*;
use crate::ids::{PersonId, SkillId};
use crate::timezone::TimeZoneName;

fn lisbon() -> TimeZoneName {
    TimeZoneName::parse("Europe/Lisbon").expect("tz")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let h = vec![(10, 1), (20, 1), (30, 1), (40, 1), (50, 1)];
    assert_eq!(percentile(&h, 50), Some(30));
    assert_eq!(percentile(&h, 90), Some(50));
    assert_eq!(percentile(&h, 0), Some(10));
    // Order does not matter and counts weigh.
    assert_eq!(percentile(&[(5, 1), (1, 9)], 90), Some(1));
    assert_eq!(percentile(&[(5, 1), (1, 9)], 91), Some(5));
    assert_eq!(percentile(&[], 50), None);
}

#[test]
fn gini_is_zero_when_even_and_grows_with_concentration() {
    assert_eq!(gini(&[(3, 4)]), Some(0.0));
    // Amounts 1,1,1,1,6: Σ|xi−xj| over all ordered pairs = 40, 2·n²·μ = 2·25·2 = 100 → 0.4.
    let g = gini(&[(1, 4), (6, 1)]).expect("some");
    assert!((g - 0.4).abs() < 1e-12, "{g}");
    assert_eq!(gini(&[]), None);
    assert_eq!(gini(&[(0, 3)]), None);
}

#[test]
fn durations_keep_two_significant_digits() {
    let cases = [
        (0, 0),
        (99, 99),
        (100, 100),
        (105, 100),
        (999, 990),
        (1234, 1200),
    ];
    for (secs, want) in cases {
        assert_eq!(two_significant_digits(secs), want, "{secs}");
    }
    assert_eq!(two_significant_digits(86_399), 86_000);
}

#[test]
fn the_local_clock_follows_daylight_saving() {
    // Lisbon: UTC+0 in winter, UTC+1 from 2026-03-29 01:00 UTC.
    let zone = lisbon();
    let clock = LocalClock::new(
        zone.zone(),
        ts("2026-03-01T00:00:00Z"),
        ts("2026-05-01T00:00:00Z"),
    );
    assert_eq!(clock.periods().len(), 2);
    let before = ts("2026-03-28T23:30:00Z").as_millisecond();
    let after = ts("2026-03-29T23:30:00Z").as_millisecond();
    assert_eq!(clock.hour_of(before), 23);
    assert_eq!(clock.hour_of(after), 0);
}

#[test]
fn weeks_start_on_local_mondays() {
    let zone = lisbon();
    // Wednesday 2026-03-25 to Thursday 2026-04-09: the weeks of 23 Mar, 30 Mar and 6 Apr.
    let scope = Scope::new(date(2026, 3, 25), date(2026, 4, 10), None, None, &zone);
    assert_eq!(scope.weeks.count(), 3);
    assert_eq!(scope.weeks.start(1), date(2026, 3, 30));
    // Sunday 29 March 23:30 local (22:30 UTC, summer time) is still the first week; Monday
    // 00:30 local (23:30 UTC on Sunday) is the second, though in UTC it is still Sunday.
    let sunday = scope
        .clock
        .local_ms(ts("2026-03-29T22:30:00Z").as_millisecond());
    let monday = scope
        .clock
        .local_ms(ts("2026-03-29T23:30:00Z").as_millisecond());
    assert_eq!(scope.weeks.index_of_local(sunday), Some(0));
    assert_eq!(scope.weeks.index_of_local(monday), Some(1));
    assert_eq!(
        monday - scope.weeks.first_local_ms(),
        WEEK_MS + HOUR_MS / 2,
        "local Monday 00:30 is half an hour into the second week"
    );
    assert_eq!(scope.from, ts("2026-03-25T00:00:00Z"));
    assert_eq!(
        scope.to,
        ts("2026-04-09T23:00:00Z"),
        "midnight in summer time"
    );
    assert_eq!(local_midnight_ms(date(1970, 1, 2)), 86_400_000);
}

#[test]
fn scope_filters_name_the_bad_field() {
    let zone = lisbon();
    let today = date(2026, 6, 30);
    let bad = |input: ScopeInput<'_>| {
        Scope::parse(&input, &zone, today)
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bad(ScopeInput {
            from: Some("yesterday"),
            ..ScopeInput::default()
        }),
        ["from"]
    );
    assert_eq!(
        bad(ScopeInput {
            from: Some("2026-05-02"),
            to: Some("2026-05-01"),
            ..ScopeInput::default()
        }),
        ["from"]
    );
    assert_eq!(
        bad(ScopeInput {
            from: Some("2020-01-01"),
            ..ScopeInput::default()
        }),
        ["from"]
    );
    let long = "x".repeat(201);
    assert_eq!(
        bad(ScopeInput {
            to: Some("31/12"),
            team: Some(&long),
            ..ScopeInput::default()
        }),
        ["to", "team"]
    );
    let scope = Scope::parse(&ScopeInput::default(), &zone, today).expect("defaults");
    assert_eq!(scope.to_date, today);
    assert_eq!(scope.days(), scope::DEFAULT_DAYS);
    assert_eq!(scope.from_date, today.checked_sub(83.days()).expect("date"));
}

fn group(team: &str, population: u64, connected: u64) -> PeopleGroup {
    PeopleGroup {
        team: Some(team.into()),
        location: Some("Lisbon".into()),
        population,
        asked: connected,
        learned: connected,
        helped: 0,
        connected,
        repeat: 0,
    }
}

#[test]
fn adoption_hides_small_groups_and_reads_as_a_sentence() {
    let zone = lisbon();
    let scope = Scope::new(date(2026, 1, 1), date(2026, 3, 2), None, None, &zone);
    let raw = AdoptionRaw {
        groups: vec![
            group("Finance", 20, 8),
            group("Legal", 3, 3),
            group("Ops", 7, 2),
        ],
        first_connections: vec![(0, 4), (2, 9)],
    };
    let a = adoption(&raw, &scope, date(2026, 1, 1));
    assert_eq!(a.population, Some(30));
    assert_eq!(a.connected.people, Some(13));
    assert_eq!(a.connected.share, Some(0.4333));
    assert_eq!(
        a.headline,
        "43% of your people connected with a colleague to learn or to help in the first 60 days."
    );
    let legal = a
        .by_team
        .iter()
        .find(|r| r.name.as_deref() == Some("Legal"));
    assert_eq!(legal.map(|r| r.population), Some(None), "3 people: hidden");
    let ops = a.by_team.iter().find(|r| r.name.as_deref() == Some("Ops"));
    assert_eq!(
        ops.map(|r| r.connected.people),
        Some(None),
        "2 of 7: hidden"
    );
    assert_eq!(a.by_location.len(), 1);
    assert_eq!(a.by_location[0].connected.people, Some(13));
    // The curve is cumulative; 4 people in week 0 are too few to show.
    let curve: Vec<Option<u64>> = a.curve.iter().map(|p| p.connected.people).collect();
    assert_eq!(curve[..4], [None, None, Some(13), Some(13)]);
    let later = Scope::new(date(2026, 2, 1), date(2026, 3, 2), None, None, &zone);
    assert!(
        adoption(&raw, &later, date(2026, 1, 1))
            .headline
            .ends_with("by 2026-03-01.")
    );
}

fn skill(name: &str) -> SkillRef {
    SkillRef {
        id: SkillId::generate(),
        name: name.into(),
    }
}

#[test]
fn speed_percentiles_and_small_groups() {
    let stats = AskStats {
        asks: 10,
        askers: 5,
        answered: 8,
        to_board: 3,
        accept_secs: vec![(60, 4), (120, 3), (600, 1)],
        resolution_secs: vec![(3600, 2)],
        interrupted: vec![(1, 5), (3, 5)],
    };
    let few = AskStats {
        askers: 4,
        asks: 9,
        ..stats.clone()
    };
    let raw = SpeedRaw {
        overall: stats.clone(),
        by_hour: vec![(9, stats.clone()), (14, few.clone())],
        by_skill: vec![(skill("Excel"), stats), (skill("Tableau"), few)],
    };
    let s = speed(&raw);
    assert_eq!(s.overall.asks, Some(10));
    assert_eq!(s.overall.answered_share, Some(0.8));
    assert_eq!(s.overall.board_share, Some(0.3));
    assert_eq!(s.overall.accept_p50_secs, Some(60));
    assert_eq!(s.overall.accept_p90_secs, Some(600));
    assert_eq!(s.overall.resolution_p50_secs, Some(3600));
    assert_eq!(s.overall.interrupted_median, Some(1));
    assert_eq!(s.by_hour.len(), 24);
    assert_eq!(s.by_hour[14].figures.asks, None, "4 askers: hidden");
    assert_eq!(s.by_hour[3].figures.asks, Some(0));
    assert_eq!(s.by_skill.len(), 1, "Tableau left out");
}

#[test]
fn quality_load_and_connections_suppress_small_cells() {
    let q = quality(&QualityRaw {
        ratings: vec![(5, 6, 5), (4, 2, 2), (2, 1, 1)],
        learners: 8,
        learned: vec![(skill("Excel"), 7, 5), (skill("SQL"), 9, 3)],
    });
    let counts: Vec<Option<u64>> = q.ratings.iter().map(|r| r.count).collect();
    assert_eq!(counts, [Some(0), None, Some(0), None, Some(6)]);
    assert_eq!(q.rated, Some(9));
    assert_eq!(q.good_share, Some(0.8889));
    assert_eq!(q.learned.len(), 1);

    let person = |helps| HelperLoad {
        person: PersonId::generate(),
        name: "Hal".into(),
        team: None,
        helps,
        offers: helps * 2,
    };
    let l = load(&LoadRaw {
        helps_per_helper: vec![(1, 4), (6, 1)],
        top: vec![person(6)],
    });
    assert_eq!(l.helpers, Some(5));
    assert_eq!(l.helps, Some(10));
    assert_eq!(l.gini, Some(0.4));
    assert_eq!(l.top_tenth_share, Some(0.6));
    let bands: Vec<Option<u64>> = l.distribution.iter().map(|b| b.helpers).collect();
    assert_eq!(bands, [None, Some(0), Some(0), None, Some(0)]);

    let link = |a: &str, b: &str, asks, people| TeamLink {
        learner_team: Some(a.into()),
        helper_team: Some(b.into()),
        asks,
        people,
    };
    let c = connections(&[
        link("A", "A", 2, 3),
        link("A", "B", 6, 7),
        link("B", "A", 2, 4),
    ]);
    assert_eq!(c.teams, ["A", "B"]);
    assert_eq!(c.matched, Some(10));
    assert_eq!(c.cross_team_share, Some(0.8));
    let shown: Vec<Option<u64>> = c.cells.iter().map(|c| c.asks).collect();
    assert_eq!(shown, [None, Some(6), None]);
}

#[test]
fn skills_rank_unmet_demand() {
    let row = |name: &str, asks, askers, unmet| SkillSupply {
        skill: skill(name),
        asks,
        askers,
        answered: asks - unmet,
        unmet,
        holders: 3,
        helpers_to_date: 6,
        new_helpers: 0,
    };
    let r = skills(&[
        row("Excel", 10, 6, 1),
        row("Go", 8, 5, 4),
        row("R", 3, 2, 3),
    ]);
    let names: Vec<&str> = r.skills.iter().map(|s| s.skill.name.as_str()).collect();
    assert_eq!(names, ["Excel", "Go", "R"]);
    let unmet: Vec<&str> = r.top_unmet.iter().map(|s| s.skill.name.as_str()).collect();
    assert_eq!(unmet, ["Go", "Excel"], "R has too few askers to show");
    assert_eq!(r.skills[0].holders, None);
    assert_eq!(r.skills[0].helpers_to_date, Some(6));
    assert_eq!(r.skills[0].new_helpers, Some(0));
    assert_eq!(r.skills[1].answered_share, Some(0.5));
}
