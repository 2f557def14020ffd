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

/// What an SBOM cannot carry (each package's owned files) and what reading
/// one records differently (the source is now the document).
fn comparable(mut inv: bosun_model::Inventory) -> bosun_model::Inventory {
    for p in &mut inv.packages {
        p.files.clear();
    }
    inv.source.kind = bosun_model::SourceKind::Sbom;
    inv.source.reference = "doc.json".into();
    inv
}

#[test]
fn bosun_documents_read_back_into_the_same_inventory() {
    let inv = bosun_test::sample::inventory();
    let want = comparable(inv.clone());
    for (name, text) in [
        (
            "cyclonedx",
            serde_json::to_string(&cyclonedx::from_inventory(&inv, &pinned())).expect("json"),
        ),
        (
            "spdx",
            serde_json::to_string(&spdx::from_inventory(&inv, &pinned())).expect("json"),
        ),
        ("bosun", serde_json::to_string(&want).expect("json")),
    ] {
        let (_, back) = bosun_sbom::read_inventory(text.as_bytes(), "doc.json").expect(name);
        assert_eq!(back, want, "{name} round trip");
    }
}

#[test]
fn broken_documents_name_the_field() {
    let err = bosun_sbom::read_inventory(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":5}]}"#, "x")
        .expect_err("bad name");
    assert!(err.to_string().contains("components[0].name"), "{err}");
    let err = bosun_sbom::read_inventory(b"{\"spdxVersion\": ", "x").expect_err("truncated");
    assert!(err.to_string().contains("line 1"), "{err}");
    let err = bosun_sbom::read_inventory(b"{\"hello\": 1}", "x").expect_err("unknown");
    assert!(err.to_string().contains("neither CycloneDX"), "{err}");
}
