//! Property tests for every scheme, on generated versions shaped like real
//! ones (epochs, tildes, carets, suffixes, pre-releases, qualifiers, local
//! versions): the order is reflexive, antisymmetric and transitive (Maven:
//! not transitive, as Maven itself), printing
//! a version gives back the string it came from, and no input panics.

use std::cmp::Ordering;

use bosun_version::pep440::Pep440Version;
use bosun_version::{Scheme, Version};
use proptest::prelude::*;

fn parse(scheme: Scheme, s: &str) -> Version {
    scheme
        .parse(s)
        .unwrap_or_else(|e| panic!("generated {scheme} version {s:?} refused: {e}"))
}

/// Reflexivity, antisymmetry, transitivity (of <= and of =) and Display
/// round trip for three versions of one scheme.
fn check_order(scheme: Scheme, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let vs = [parse(scheme, a), parse(scheme, b), parse(scheme, c)];
    for v in &vs {
        prop_assert_eq!(v.cmp(v), Ordering::Equal, "{} not equal to itself", v);
        let again = parse(scheme, &v.to_string());
        prop_assert_eq!(v.to_string(), v.as_str());
        prop_assert_eq!(again.cmp(v), Ordering::Equal, "round trip of {}", v);
    }
    for x in &vs {
        for y in &vs {
            prop_assert_eq!(x.cmp(y), y.cmp(x).reverse(), "antisymmetry {} {}", x, y);
            // Maven's own order has cycles (`1-eta < 1-0-alpha < 1 < 1-eta`),
            // reproduced on purpose (see bosun_version::maven).
            if scheme == Scheme::Maven {
                continue;
            }
            for z in &vs {
                if x <= y && y <= z {
                    prop_assert!(x <= z, "transitivity {} <= {} <= {}", x, y, z);
                }
                if x == y && y == z {
                    prop_assert!(x == z, "transitivity of = {} {} {}", x, y, z);
                }
            }
        }
    }
    Ok(())
}

macro_rules! scheme_props {
    ($name:ident, $scheme:expr, $re:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn $name(a in $re, b in $re, c in $re) {
                check_order($scheme, &a, &b, &c)?;
            }
        }
    };
}

scheme_props!(
    deb_order,
    Scheme::Deb,
    "([0-3]:)?[0-9]{1,3}(\\.[0-9]{1,2}){0,2}([~+][a-z0-9]{1,4}){0,2}(-[0-9]{1,2}([.+~][a-z0-9]{1,5}){0,2})?"
);
scheme_props!(
    apk_order,
    Scheme::Apk,
    "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,6})?(-r[0-9]{1,2})?"
);
scheme_props!(
    apk_order_pre_3_0,
    Scheme::Apk,
    "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}p[0-9](-r[0-9]{1,2})?"
);
scheme_props!(
    rpm_order,
    Scheme::Rpm,
    "([0-9]{1,2}:)?[0-9a-z]{1,3}([._+~^][0-9a-z]{1,3}){0,4}-[0-9a-z]{1,3}([._~^][0-9a-z]{1,3}){0,2}"
);
scheme_props!(
    semver_order,
    Scheme::Semver,
    "v?[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(-[0-9A-Za-z-]{1,4}(\\.[0-9A-Za-z-]{1,4}){0,2})?(\\+[0-9A-Za-z]{1,4})?"
);
scheme_props!(
    go_order,
    Scheme::Go,
    "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-(rc|beta)\\.[0-9]|-0\\.[0-9]{14}-[0-9a-f]{12})?(\\+incompatible)?"
);
scheme_props!(
    pep440_order,
    Scheme::Pep440,
    "([0-9]!)?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}((a|b|rc|c|alpha|beta|pre|preview)[0-9]{0,2})?(\\.post[0-9]{1,2}|-[0-9])?(\\.dev[0-9]{0,2})?(\\+[a-z0-9]{1,4}(\\.[a-z0-9]{1,3})?)?|[a-z0-9._-]{1,8}"
);
scheme_props!(
    maven_order,
    Scheme::Maven,
    "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([.-]?(alpha|beta|milestone|rc|cr|snapshot|ga|final|release|sp|a|b|m|foo|x)[0-9]{0,2}){0,2}(-[0-9]{1,2})?"
);
scheme_props!(
    rubygems_order,
    Scheme::RubyGems,
    "[0-9]{1,3}(\\.[0-9a-z]{1,3}){0,3}(-[0-9a-z]{1,3})?"
);
scheme_props!(
    packagist_order,
    Scheme::Packagist,
    "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-._]?(dev|alpha|beta|RC|rc|a|b|p|pl|patch)[0-9]{0,2})?"
);
scheme_props!(
    nuget_order,
    Scheme::NuGet,
    "[0-9]{1,2}(\\.[0-9]{1,2}){1,3}(-[0-9A-Za-z]{1,4}(\\.[0-9A-Za-z]{1,3}){0,2})?(\\+[a-z]{1,3})?"
);
scheme_props!(
    pub_order,
    Scheme::Pub,
    "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[0-9a-z]{1,4}(\\.[0-9a-z]{1,3})?)?(\\+[0-9a-z]{1,4}(\\.[0-9a-z]{1,3})?)?"
);
scheme_props!(
    hackage_order,
    Scheme::Hackage,
    "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}"
);
scheme_props!(cran_order, Scheme::Cran, "[0-9]{1,3}([.-][0-9]{1,3}){0,4}");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Any string, under every scheme: parsing never panics, and what parses
    /// equals itself and prints back as given.
    #[test]
    fn no_input_panics(s in "\\PC{0,40}", t in "[0-9a-zA-Z.~^_+:-]{0,20}") {
        for scheme in Scheme::ALL {
            for x in [&s, &t] {
                if let Ok(v) = scheme.parse(x) {
                    prop_assert_eq!(v.cmp(&v), Ordering::Equal);
                    prop_assert_eq!(v.to_string(), x.as_str());
                }
            }
            if let (Ok(a), Ok(b)) = (scheme.parse(&s), scheme.parse(&t)) {
                prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            }
        }
    }

    /// PEP 440: the normalized form is a fixed point and the same version.
    #[test]
    fn pep440_normalization_round_trip(
        s in "([0-9]!)?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-_.]?(a|b|rc|c|alpha|beta|pre|preview)[-_.]?[0-9]{0,2})?([-_.]?(post|rev|r)[0-9]{0,2}|-[0-9])?([-_.]?dev[0-9]{0,2})?(\\+[a-z0-9]{1,4}([-_.][a-z0-9]{1,3})?)?"
    ) {
        let v = Pep440Version::parse(&s).expect("never fails");
        let norm = v.normalized();
        prop_assert!(norm.is_some(), "{} read as legacy", s);
        let norm = norm.unwrap_or_default();
        let w = Pep440Version::parse(&norm).expect("never fails");
        prop_assert_eq!(w.normalized(), Some(norm.clone()));
        prop_assert_eq!(v.cmp(&w), Ordering::Equal, "{} vs {}", s, norm);
    }

}
