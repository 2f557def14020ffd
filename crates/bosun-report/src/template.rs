//! `--template FILE`: reports in any text format, written by the user in
//! Jinja syntax (minijinja). The context holds the whole scan result as
//! `result`, and for convenience `inventory`, `findings` (what the report
//! shows, most severe first), `packages`, `secrets` and `checks` (the
//! failed ones; both `none` when they did not run, an empty list when they
//! ran and found nothing) and `policy` (the verdict, `none` without a
//! policy). Besides minijinja's builtins
//! (`tojson`, `urlencode`, `default`, `length`...), `escape_xml` escapes for
//! XML and HTML. Rendering is bounded (fuel), so a runaway loop ends with an
//! error instead of hanging CI.

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context};

use bosun_model::ScanResult;

/// A template that cannot be compiled or rendered; `line` is where minijinja
/// stopped when it knows.
#[derive(Debug, thiserror::Error)]
#[error("template {name}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct TemplateError {
    pub name: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Enough for any sane report over tens of thousands of findings.
const FUEL: u64 = 50_000_000;

fn escape_xml(s: String) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Renders `source` (the template text; `name` is its file, for errors).
pub fn render(name: &str, source: &str, result: &ScanResult) -> Result<String, TemplateError> {
    let err = |e: minijinja::Error| TemplateError {
        name: name.to_owned(),
        line: e.line(),
        message: match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        },
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_fuel(Some(FUEL));
    env.add_filter("escape_xml", escape_xml);
    env.add_template(name, source).map_err(err)?;
    let tmpl = env.get_template(name).map_err(err)?;
    tmpl.render(context! {
        result => Value::from(Serde(result)),
        inventory => Value::from(Serde(&result.inventory)),
        findings => Value::from(Serde(&result.findings)),
        packages => Value::from(Serde(&result.inventory.packages)),
        secrets => Value::from(Serde(&result.secrets)),
        checks => Value::from(Serde(&result.checks)),
        policy => Value::from(Serde(&result.policy)),
    })
    .map_err(err)
}
