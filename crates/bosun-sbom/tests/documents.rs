//! Both SBOM formats validate against their published schemas, and their
//! shape is pinned by golden snapshots (volatile fields fixed by options).

use bosun_sbom::{DocumentOptions, cyclonedx, spdx};

fn pinned() -> DocumentOptions {
    DocumentOptions {
        timestamp: Some("2026-11-23T00:00:00Z".into()),
        uuid: Some(uuid::Uuid::nil()),
    }
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let doc = serde_json::to_value(cyclonedx::from_inventory(
        &bosun_test::sample::inventory(),
        &pinned(),
    ))
    .expect("json");
    if let Err(errors) = bosun_test::schema::validate_cyclonedx_1_6(&doc) {
        panic!("CycloneDX output is invalid:\n{}", errors.join("\n"));
    }
    insta::assert_json_snapshot!("cyclonedx", doc);
}

#[test]
fn spdx_validates_against_the_2_3_schema() {
    let doc = serde_json::to_value(spdx::from_inventory(
        &bosun_test::sample::inventory(),
        &pinned(),
    ))
    .expect("json");
    if let Err(errors) = bosun_test::schema::validate_spdx_2_3(&doc) {
        panic!("SPDX output is invalid:\n{}", errors.join("\n"));
    }
    insta::assert_json_snapshot!("spdx", doc);
}

#[test]
fn the_validator_rejects_a_broken_document() {
    // Guards against a validator that accepts anything.
    let mut doc = serde_json::to_value(cyclonedx::from_inventory(
        &bosun_test::sample::inventory(),
        &pinned(),
    ))
    .expect("json");
    doc["specVersion"] = serde_json::json!(16);
    assert!(bosun_test::schema::validate_cyclonedx_1_6(&doc).is_err());
    let mut doc = serde_json::to_value(spdx::from_inventory(
        &bosun_test::sample::inventory(),
        &pinned(),
    ))
    .expect("json");
    doc["packages"][0]["SPDXID"] = serde_json::json!(["not", "a", "string"]);
    assert!(bosun_test::schema::validate_spdx_2_3(&doc).is_err());
}
