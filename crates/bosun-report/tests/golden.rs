//! Golden outputs of the inventory writers.

use bosun_report::{TableOptions, inventory_json, inventory_table};

#[test]
fn inventory_table_golden() {
    let inv = bosun_test::sample::inventory();
    insta::assert_snapshot!(inventory_table(&inv, &TableOptions::default()));
}

#[test]
fn inventory_json_round_trips() {
    let inv = bosun_test::sample::inventory();
    let text = inventory_json(&inv);
    let back: bosun_model::Inventory = serde_json::from_str(&text).expect("parse back");
    assert_eq!(back, inv);
    insta::assert_snapshot!(text);
}
