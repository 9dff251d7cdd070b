use askaround_core::ids::SkillId;
use askaround_core::skill::SkillLevel;

use super::fixtures::*;
use crate::*;

pub async fn names_and_aliases_mean_one_skill_per_organisation(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let dup = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "K8S".into(),
                ..NewSkill::default()
            },
        )
        .await;
    assert_eq!(
        refusal(dup.expect_err("alias clash")),
        ("conflict", "skill_exists")
    );
    let alias_dup = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "Docker".into(),
                parent_id: None,
                aliases: vec!["excel".into()],
            },
        )
        .await;
    match alias_dup.expect_err("alias clash") {
        StoreError::Conflict { code, error } => {
            assert_eq!((code, error.field.as_str()), ("skill_exists", "aliases"));
            assert!(
                error.message.contains("Microsoft Excel"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }
    // Nothing of the refused skill was left behind.
    assert!(taxonomy(store, acme.id).await.resolve("Docker").is_none());
    // Another organisation may use the same names.
    store
        .create_skill(
            globex.id,
            &NewSkill {
                name: "Docker".into(),
                ..NewSkill::default()
            },
        )
        .await
        .expect("other org");
    let docker = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "Docker".into(),
                parent_id: None,
                aliases: vec!["containers".into()],
            },
        )
        .await
        .expect("create");
    assert_eq!(docker.aliases, ["containers"]);
}

pub async fn a_rename_keeps_the_old_name_as_an_alias(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let k8s = skill(store, acme.id, "Kubernetes").await;
    let renamed = store
        .update_skill(
            acme.id,
            k8s,
            &SkillPatch {
                name: Some("Kubernetes (K8s)".into()),
                ..SkillPatch::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(renamed.name, "Kubernetes (K8s)");
    let t = taxonomy(store, acme.id).await;
    assert_eq!(t.resolve("kubernetes").map(|s| s.id), Some(k8s));
    assert_eq!(t.resolve("k8s").map(|s| s.id), Some(k8s));
    let patched = store
        .update_skill(
            acme.id,
            k8s,
            &SkillPatch {
                add_aliases: vec!["kube".into()],
                remove_aliases: vec!["k8s".into()],
                ..SkillPatch::default()
            },
        )
        .await
        .expect("aliases");
    assert!(patched.aliases.contains(&"kube".to_owned()));
    assert!(!patched.aliases.contains(&"k8s".to_owned()));
    let other = store
        .update_skill(acme.id, SkillId::generate(), &SkillPatch::default())
        .await;
    assert!(matches!(other, Err(StoreError::NotFound)));
}

pub async fn a_parent_cycle_is_refused(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let sheet = skill(store, acme.id, "Spreadsheet software").await;
    let pivot = skill(store, acme.id, "Pivot tables").await;
    let cycle = store
        .update_skill(
            acme.id,
            sheet,
            &SkillPatch {
                parent_id: Some(Some(pivot)),
                ..SkillPatch::default()
            },
        )
        .await;
    assert_eq!(
        refusal(cycle.expect_err("cycle")),
        ("invalid", "parent_cycle")
    );
    let to_root = store
        .update_skill(
            acme.id,
            pivot,
            &SkillPatch {
                parent_id: Some(None),
                ..SkillPatch::default()
            },
        )
        .await;
    assert_eq!(to_root.expect("re-parent").parent_id, None);
}

pub async fn a_merge_moves_holders_learners_aliases_and_children(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let excel = skill(store, acme.id, "Excel").await;
    let sheet = skill(store, acme.id, "Spreadsheet software").await;
    let tableau = skill(store, acme.id, "Tableau").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let bob = person(store, acme.id, "bob@acme.test", "Bob").await;
    store
        .set_person_skills(
            acme.id,
            ann,
            &[(excel, SkillLevel::Expert), (sheet, SkillLevel::Beginner)],
            t0(),
        )
        .await
        .expect("skills");
    store
        .set_person_skills(acme.id, bob, &[(excel, SkillLevel::Beginner)], t0())
        .await
        .expect("skills");
    store
        .set_person_goals(acme.id, bob, &[excel, tableau], t0())
        .await
        .expect("goals");
    let merged = store
        .merge_skills(acme.id, excel, sheet)
        .await
        .expect("merge");
    assert!(
        merged.aliases.contains(&"Microsoft Excel".to_owned()),
        "{:?}",
        merged.aliases
    );
    assert!(merged.aliases.contains(&"Excel".to_owned()));
    let t = taxonomy(store, acme.id).await;
    assert!(t.get(excel).is_none());
    assert_eq!(t.resolve("excel").map(|s| s.id), Some(sheet));
    assert_eq!(
        t.resolve("pivot tables").and_then(|s| s.parent_id),
        Some(sheet)
    );
    let ann = store.person(acme.id, ann).await.expect("ann");
    assert_eq!(ann.skills.len(), 1);
    assert_eq!(
        (ann.skills[0].skill_id, ann.skills[0].level),
        (sheet, SkillLevel::Expert)
    );
    let bob = store.person(acme.id, bob).await.expect("bob");
    assert_eq!(bob.skills[0].skill_id, sheet);
    let goals: Vec<SkillId> = bob.goals.iter().map(|g| g.skill_id).collect();
    assert!(goals.contains(&sheet) && goals.contains(&tableau) && goals.len() == 2);
    assert_eq!(
        refusal(
            store
                .merge_skills(acme.id, sheet, sheet)
                .await
                .expect_err("self")
        ),
        ("invalid", "same_skill")
    );
}

pub async fn a_merge_into_a_descendant_keeps_the_tree_whole(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    // Spreadsheet software → Microsoft Excel → Pivot tables; fold the top into the bottom.
    let sheet = skill(store, acme.id, "Spreadsheet software").await;
    let excel = skill(store, acme.id, "Excel").await;
    let pivot = skill(store, acme.id, "Pivot tables").await;
    let k8s = skill(store, acme.id, "k8s").await;
    store
        .update_skill(
            acme.id,
            sheet,
            &SkillPatch {
                parent_id: Some(Some(k8s)),
                ..SkillPatch::default()
            },
        )
        .await
        .expect("re-parent");
    store
        .merge_skills(acme.id, sheet, pivot)
        .await
        .expect("merge");
    let t = taxonomy(store, acme.id).await;
    // Pivot tables took Spreadsheet software's place under Kubernetes; Excel moved under Pivot
    // tables without a cycle.
    assert_eq!(t.get(pivot).and_then(|s| s.parent_id), Some(k8s));
    assert_eq!(t.get(excel).and_then(|s| s.parent_id), Some(pivot));
    assert_eq!(t.ancestors(excel), [pivot, k8s]);
}
