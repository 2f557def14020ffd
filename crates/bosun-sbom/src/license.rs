//! Declared licences as SBOM formats want them.

/// How a declared licence string fits SPDX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LicenseKind {
    /// A single SPDX licence identifier (`MIT`), canonical spelling.
    Id(String),
    /// A valid SPDX expression with operators (`MIT OR Apache-2.0`).
    Expression(String),
    /// Anything else, kept verbatim.
    Other(String),
}

pub(crate) fn classify(raw: &str) -> LicenseKind {
    let raw = raw.trim();
    if let Some(id) = spdx::license_id(raw) {
        return LicenseKind::Id(id.name.to_owned());
    }
    match spdx::Expression::parse(raw) {
        Ok(expr) => {
            let mut reqs = expr.requirements();
            match (reqs.next(), reqs.next()) {
                (Some(only), None) if only.req.to_string() == raw => {
                    LicenseKind::Id(raw.to_owned())
                }
                _ => LicenseKind::Expression(raw.to_owned()),
            }
        }
        Err(_) => LicenseKind::Other(raw.to_owned()),
    }
}

/// A `LicenseRef-` identifier for a licence string that is not SPDX.
pub(crate) fn license_ref(raw: &str) -> String {
    format!("LicenseRef-{}", crate::ids::spdx_safe(raw.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_others() {
        assert_eq!(classify("MIT"), LicenseKind::Id("MIT".into()));
        assert_eq!(
            classify("MIT OR Apache-2.0"),
            LicenseKind::Expression("MIT OR Apache-2.0".into())
        );
        assert_eq!(
            classify("public-domain"),
            LicenseKind::Other("public-domain".into())
        );
        assert_eq!(
            license_ref("GPL-2+ with exception"),
            "LicenseRef-GPL-2--with-exception"
        );
    }
}
