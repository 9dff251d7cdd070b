use super::*;
use crate::skill::Skill;
use uuid::Uuid;

fn taxonomy() -> Taxonomy {
    let skill = |n: u128, name: &str, aliases: &[&str]| Skill {
        id: SkillId(Uuid::from_u128(n)),
        name: name.into(),
        parent_id: None,
        aliases: aliases.iter().map(|a| (*a).into()).collect(),
        popularity: 1,
    };
    Taxonomy::new(vec![
        skill(1, "Microsoft Excel", &["Excel"]),
        skill(2, "Structured query language SQL", &["SQL"]),
        skill(3, "Tableau", &[]),
    ])
}

fn defaults() -> ImportDefaults {
    ImportDefaults {
        timezone: TimeZoneName::parse("Europe/Lisbon").unwrap(),
    }
}

fn parse(text: &str) -> ParsedImport {
    parse_people_csv(text.as_bytes(), &taxonomy(), &defaults(), |_| {})
}

fn messages(parsed: &ParsedImport) -> Vec<String> {
    parsed.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_good_file_parses_with_defaults_for_empty_cells() {
    let parsed = parse(
        "email,name,team,timezone,working_hours,languages,weekly_budget,role,skills,goals\n\
         ana@acme.test,Ana Lima,Finance,America/Sao_Paulo,mon-thu 08:00-16:00,pt-BR; en,3,admin,Excel:expert; SQL,Tableau\n\
         bo@acme.test,Bo Chen,,,,,,,,\n",
    );
    assert!(parsed.errors.is_empty(), "{:?}", messages(&parsed));
    assert_eq!(parsed.rows.len(), 2);
    let ana = &parsed.rows[0];
    assert_eq!(ana.line, 2);
    assert_eq!(ana.fields.timezone.as_str(), "America/Sao_Paulo");
    assert_eq!(ana.fields.role, Role::Admin);
    assert_eq!(
        ana.skills,
        [
            (SkillId(Uuid::from_u128(1)), SkillLevel::Expert),
            (SkillId(Uuid::from_u128(2)), SkillLevel::Intermediate)
        ]
    );
    assert_eq!(ana.goals, [SkillId(Uuid::from_u128(3))]);
    let bo = &parsed.rows[1];
    assert_eq!(bo.fields.timezone.as_str(), "Europe/Lisbon");
    assert_eq!(bo.fields.working_hours, WorkingHours::office());
    assert_eq!(bo.fields.weekly_budget, DEFAULT_WEEKLY_BUDGET);
    assert_eq!(bo.fields.languages[0].as_str(), "en");
    assert!(parsed.columns.has("skills"));
    assert!(!parsed.columns.has("bio"));
}

#[test]
fn each_kind_of_bad_row_is_reported_with_line_and_column() {
    let parsed = parse(
        "email,name,timezone,working_hours,languages,weekly_budget,role,active,skills\n\
         ok@acme.test,Fine Person,,,,,,,\n\
         bob@,Bob,,,,,,,\n\
         c@acme.test,,,,,,,,\n\
         d@acme.test,Dee,Mars/Base,,,,,,\n\
         e@acme.test,Eve,,mon 9-5,,,,,\n\
         f@acme.test,Fay,,,English,,,,\n\
         g@acme.test,Gus,,,,lots,,,\n\
         h@acme.test,Hal,,,,,boss,,\n\
         i@acme.test,Ivy,,,,,,maybe,\n\
         j@acme.test,Jo,,,,,,,Exccel:expert\n\
         k@acme.test,Kim,,,,,,,SQL:guru\n\
         ok@acme.test,Again,,,,,,,\n",
    );
    assert_eq!(
        messages(&parsed),
        [
            "line 3: email 'bob@' is not a valid address",
            "line 4: name is required",
            "line 5: timezone 'Mars/Base' is not an IANA time zone (e.g. Europe/Lisbon)",
            "line 6: working_hours 'mon 9-5': '9' is not a time like 09:00",
            "line 7: languages 'English' is not a language tag (e.g. en, pt-BR)",
            "line 8: weekly_budget 'lots' is not a whole number",
            "line 9: role 'boss' is not a role (member or admin)",
            "line 10: active 'maybe' is not true or false",
            "line 11: skills 'Exccel' is not a known skill; did you mean 'Microsoft Excel'?",
            "line 12: skills 'SQL:guru': 'guru' is not a level (beginner, intermediate or expert)",
            "line 13: email 'ok@acme.test' already appears on line 2",
        ]
    );
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.total_rows, 12);
}

#[test]
fn header_problems_stop_before_the_rows() {
    let parsed = parse("email,nmae\nann@acme.test,Ann\n");
    assert_eq!(
        messages(&parsed),
        [
            "line 1: column 'nmae' is not known (known columns: email, name, title, team, location, timezone, working_hours, languages, bio, weekly_budget, role, active, skills, goals)",
            "line 1: the header has no 'name' column",
        ]
    );
    assert!(parsed.rows.is_empty());
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_its_line() {
    let parsed = parse("email,name\nann@acme.test,Ann\nbo@acme.test\ncy@acme.test,Cy\n");
    assert_eq!(
        messages(&parsed),
        ["line 3: has 1 fields but the header has 2"]
    );
    assert_eq!(parsed.rows.len(), 2);
}

#[test]
fn quoted_newlines_keep_line_numbers_true() {
    let parsed = parse("email,name,bio\nann@acme.test,Ann,\"two\nlines\"\nbob@,Bob,\n");
    assert_eq!(
        messages(&parsed),
        ["line 4: email 'bob@' is not a valid address"]
    );
    assert_eq!(parsed.rows[0].fields.bio.as_deref(), Some("two\nlines"));
}

#[test]
fn a_bom_and_spaced_header_names_are_accepted() {
    let parsed = parse("\u{feff}Email, Name ,Working Hours\nann@acme.test,Ann,mon 10:00-12:00\n");
    assert!(parsed.errors.is_empty(), "{:?}", messages(&parsed));
    assert!(parsed.columns.has("working_hours"));
}

#[test]
fn invalid_utf8_is_reported_not_panicked_on() {
    let mut bytes = b"email,name\nann@acme.test,An".to_vec();
    bytes.extend([0xff, 0xfe, b'\n']);
    let parsed = parse_people_csv(bytes.as_slice(), &taxonomy(), &defaults(), |_| {});
    assert_eq!(
        messages(&parsed),
        ["line 2: is not valid UTF-8 (save the file as UTF-8)"]
    );
}

#[test]
fn a_skill_whose_name_has_a_colon_is_not_read_as_a_level() {
    let skill = |n: u128, name: &str| Skill {
        id: SkillId(Uuid::from_u128(n)),
        name: name.into(),
        parent_id: None,
        aliases: vec![],
        popularity: 1,
    };
    let taxonomy = Taxonomy::new(vec![skill(1, "HASH Animation:Master")]);
    let parsed = parse_people_csv(
        "email,name,skills\na@acme.test,A,HASH Animation:Master; HASH Animation:Master:expert\n"
            .as_bytes(),
        &taxonomy,
        &defaults(),
        |_| {},
    );
    assert!(parsed.errors.is_empty(), "{:?}", messages(&parsed));
    assert_eq!(
        parsed.rows[0].skills,
        [(SkillId(Uuid::from_u128(1)), SkillLevel::Expert)]
    );
}

#[test]
fn blank_role_and_active_cells_are_marked_as_not_given() {
    let parsed = parse("email,name,role,active\na@acme.test,A,,\nb@acme.test,B,admin,false\n");
    assert!(!parsed.rows[0].role_given && !parsed.rows[0].active_given);
    assert!(parsed.rows[1].role_given && parsed.rows[1].active_given);
    assert!(!parsed.rows[1].fields.active);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_give_rows_or_line_numbered_errors_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let parsed = parse_people_csv(bytes.as_slice(), &taxonomy(), &defaults(), |_| {});
            for e in &parsed.errors {
                prop_assert!(e.line >= 1);
                let prefix = format!("line {}", e.line);
                prop_assert!(e.to_string().starts_with(&prefix));
            }
            prop_assert!(parsed.rows.len() as u64 <= parsed.total_rows);
        }

        #[test]
        fn rows_built_from_valid_cells_always_parse(
            names in proptest::collection::vec("[A-Z][a-z]{1,10} [A-Z][a-z]{1,10}", 1..20),
            budget in 0u16..=200,
        ) {
            let mut csv = String::from("email,name,weekly_budget\n");
            for (i, name) in names.iter().enumerate() {
                csv.push_str(&format!("p{i}@acme.test,{name},{budget}\n"));
            }
            let parsed = parse(&csv);
            prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
            prop_assert_eq!(parsed.rows.len(), names.len());
            prop_assert!(parsed.rows.iter().all(|r| r.fields.weekly_budget == budget));
        }
    }
}
