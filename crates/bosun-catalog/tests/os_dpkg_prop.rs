//! Property tests of the deb822 stanza parser and the package-database
//! parsers: no panics on any input, and simple stanzas round-trip.

use std::collections::HashSet;

use bosun_catalog::os::dpkg::control::parse;
use bosun_catalog::os::dpkg::{Flavor, parse_status};
use proptest::prelude::*;

/// A field: name, first-line value, continuation lines.
type Field = (String, String, Vec<String>);

fn field() -> impl Strategy<Value = Field> {
    (
        "[A-Za-z][A-Za-z0-9-]{0,15}",
        // First line: no surrounding blanks (the parser trims them).
        prop::option::of("[!-~]([ -~]{0,30}[!-~])?").prop_map(Option::unwrap_or_default),
        // Continuation lines: start with a non-blank (one leading space is
        // the marker), no trailing blanks.
        prop::collection::vec("[!-~]([ -~]{0,20}[!-~])?", 0..3),
    )
}

fn stanza() -> impl Strategy<Value = Vec<Field>> {
    prop::collection::vec(field(), 1..8).prop_map(|fields| {
        // Field names are unique per stanza, case-insensitively.
        let mut seen = HashSet::new();
        fields
            .into_iter()
            .filter(|(n, _, _)| seen.insert(n.to_ascii_lowercase()))
            .collect()
    })
}

fn write(stanzas: &[Vec<Field>]) -> String {
    let mut out = String::new();
    for s in stanzas {
        for (name, first, conts) in s {
            out.push_str(name);
            out.push(':');
            if !first.is_empty() {
                out.push(' ');
                out.push_str(first);
            }
            out.push('\n');
            for c in conts {
                out.push(' ');
                out.push_str(c);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

proptest! {
    #[test]
    fn simple_stanzas_round_trip(stanzas in prop::collection::vec(stanza(), 0..6)) {
        let text = write(&stanzas);
        let parsed = parse(&text);
        prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        prop_assert_eq!(parsed.stanzas.len(), stanzas.len());
        for (got, want) in parsed.stanzas.iter().zip(&stanzas) {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(n, first, conts)| {
                    let mut v = first.clone();
                    for c in conts {
                        v.push('\n');
                        v.push_str(c);
                    }
                    (n.clone(), v)
                })
                .collect();
            prop_assert_eq!(&got.fields, &want);
        }
    }

    #[test]
    fn parse_never_panics_on_text(text in "(?s).{0,400}") {
        let p = parse(&text);
        // Every non-blank line belongs to a stanza or an error.
        prop_assert!(p.stanzas.len() + p.errors.len() <= text.lines().count().max(1));
    }

    #[test]
    fn parse_status_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let a = parse_status(&bytes, Flavor::Status);
        let b = parse_status(&bytes, Flavor::StatusD);
        prop_assert!(a.entries.len() <= b.entries.len());
    }

    #[test]
    fn parse_status_never_panics_on_near_valid_stanzas(
        lines in prop::collection::vec(
            prop_oneof![
                Just("Package: p".to_owned()),
                Just("Version: 1.0".to_owned()),
                Just("Status: install ok installed".to_owned()),
                Just("Status: deinstall ok config-files".to_owned()),
                Just("Source: src (2.0)".to_owned()),
                Just("Architecture: amd64".to_owned()),
                Just(String::new()),
                Just(" continuation".to_owned()),
                "[ -~]{0,20}",
            ],
            0..40,
        )
    ) {
        let text = lines.join("\n");
        let f = parse_status(text.as_bytes(), Flavor::Status);
        for e in &f.entries {
            prop_assert!(!e.name.is_empty() && !e.version.is_empty());
        }
    }
}
