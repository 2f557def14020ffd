//! A reused matcher (registry rescans) answers exactly as a fresh one: the
//! cached findings of a package carry the new package's location, and
//! warnings are said again for every inventory.

use bosun_match::Matcher;
use bosun_model::{Ecosystem, FixState, Inventory, Location, Package};
use bosun_version::osv::Range;
use bosun_vulndb::{Advisory, AffectedRow, Db, ImportOptions, Rule};

fn db(dir: &std::path::Path) -> Db {
    let range: Range = serde_json::from_value(serde_json::json!(
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}
    ))
    .expect("range");
    let mut crate_adv = Advisory {
        id: "RUSTSEC-0000-0001".into(),
        source: "osv:crates.io".into(),
        ..Advisory::default()
    };
    crate_adv.affected.push(AffectedRow {
        namespace: "cargo".into(),
        package: "smallvec".into(),
        state: FixState::Fixed,
        rule: Rule::Osv {
            ranges: vec![range.clone()],
            versions: vec![],
        },
        severity: None,
    });
    let adv = Advisory {
        id: "PYSEC-2018-28".into(),
        source: "osv:PyPI".into(),
        aliases: vec!["CVE-2018-18074".into()],
        affected: vec![AffectedRow {
            namespace: "pypi".into(),
            package: "requests".into(),
            state: FixState::Fixed,
            rule: Rule::Osv {
                ranges: vec![range],
                versions: vec![],
            },
            severity: None,
        }],
        ..Advisory::default()
    };
    let path = dir.join("t.db");
    bosun_vulndb::import_records(&path, vec![adv, crate_adv], &ImportOptions::default())
        .expect("import");
    Db::open(&path).expect("open")
}

fn inventory(path: &str, version: &str) -> Inventory {
    inventory_of(Ecosystem::Pypi, "requests", path, version)
}

fn inventory_of(eco: Ecosystem, name: &str, path: &str, version: &str) -> Inventory {
    let mut inv: Inventory = serde_json::from_value(serde_json::json!({
        "schema": bosun_model::INVENTORY_SCHEMA, "generator": "test", "created": "2024-01-01T00:00:00Z",
        "source": {"kind": "rootfs", "reference": "x"}
    }))
    .expect("inventory");
    inv.packages.push(Package::new(
        eco,
        name,
        version,
        format!("pkg:{eco}/{name}@{version}"),
        Location::new(path, None),
    ));
    inv
}

#[test]
fn reused_matcher_gives_each_inventory_its_own_locations() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = db(tmp.path());
    let a = inventory("/a/requirements.txt", "2.19.1");
    let b = inventory("/b/METADATA", "2.19.1");
    let mut reused = Matcher::new(&db);
    let first = reused.match_inventory(&a).expect("a");
    let second = reused.match_inventory(&b).expect("b");
    assert_eq!(first.findings.len(), 1);
    assert_eq!(
        second,
        Matcher::new(&db).match_inventory(&b).expect("fresh b")
    );
    assert_eq!(second.findings[0].package.path, "/b/METADATA");
    assert_eq!(second.findings[0].id, "CVE-2018-18074");
    assert_eq!(
        reused.match_inventory(&a).expect("a again"),
        first,
        "the same inventory again"
    );
}

#[test]
fn warnings_are_said_for_every_inventory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = db(tmp.path());
    let bad = inventory_of(
        Ecosystem::Cargo,
        "smallvec",
        "/a/Cargo.lock",
        "not a version",
    );
    let mut reused = Matcher::new(&db);
    let first = reused.match_inventory(&bad).expect("first");
    assert_eq!(first.warnings.len(), 1, "{:?}", first.warnings);
    assert_eq!(reused.match_inventory(&bad).expect("second"), first);
}
