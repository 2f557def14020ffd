//! Validation against the published SBOM JSON schemas.

use std::path::{Path, PathBuf};

use jsonschema::{Retrieve, Uri};
use serde_json::Value;

/// The directory `scripts/fetch-schemas.sh` installs the schemas into.
pub fn schema_dir() -> PathBuf {
    crate::repo_root().join(".test-tools/schemas")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "cannot read schema {}: {e}; run scripts/fetch-schemas.sh",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("schema {} is not JSON: {e}", path.display()))
}

/// Resolves `$ref`s such as `spdx.schema.json` to files beside the schema.
struct Beside(PathBuf);

impl Retrieve for Beside {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        let name = s.rsplit('/').next().unwrap_or(s);
        let path = self.0.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn validate(schema_path: PathBuf, doc: &Value) -> Result<(), Vec<String>> {
    let schema = load(&schema_path);
    let dir = schema_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let validator = jsonschema::options()
        .with_retriever(Beside(dir))
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {} does not compile: {e}", schema_path.display()));
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates a document against the CycloneDX 1.6 JSON schema.
pub fn validate_cyclonedx_1_6(doc: &Value) -> Result<(), Vec<String>> {
    validate(schema_dir().join("cyclonedx/bom-1.6.schema.json"), doc)
}

/// Validates a document against the SPDX 2.3 JSON schema.
pub fn validate_spdx_2_3(doc: &Value) -> Result<(), Vec<String>> {
    validate(schema_dir().join("spdx/spdx-2.3.schema.json"), doc)
}

/// Validates a document against the SARIF 2.1.0 JSON schema.
pub fn validate_sarif_2_1_0(doc: &Value) -> Result<(), Vec<String>> {
    validate(schema_dir().join("sarif/sarif-2.1.0.schema.json"), doc)
}
