//! The rule packs' report in three shapes: CDK's `policy-validation-report.json`,
//! SARIF 2.1.0 (for code-scanning uploads) and text for terminals.

use super::{packs, Finding, Report};
use serde_json::{json, Map, Value};

/// The report's file name in the cloud assembly (CDK's).
pub const REPORT_FILE: &str = berth_assembly::manifest::POLICY_REPORT_FILE;

fn violating_construct(f: &Finding) -> Value {
    let mut resource = Map::new();
    resource.insert("templatePath".into(), json!(f.template_file));
    resource.insert("logicalId".into(), json!(f.logical_id));
    if let Some(p) = &f.property {
        resource.insert("propertyPaths".into(), json!([p]));
    }
    json!({
        "constructPath": f.path,
        "cloudFormationResource": resource,
    })
}

/// Findings grouped by rule (and granular finding), in first-seen order, as the
/// validation report lists them.
fn grouped<'r>(findings: impl Iterator<Item = &'r Finding>) -> Vec<(String, Vec<&'r Finding>)> {
    let mut groups: indexmap::IndexMap<String, Vec<&Finding>> = indexmap::IndexMap::new();
    for f in findings {
        groups.entry(f.display_id()).or_default().push(f);
    }
    groups.into_iter().collect()
}

fn violation(id: &str, fs: &[&Finding]) -> Map<String, Value> {
    let f = fs[0];
    let mut v = Map::new();
    v.insert("ruleName".into(), json!(id));
    v.insert("description".into(), json!(f.reason));
    v.insert("severity".into(), json!(f.level.as_str()));
    v.insert("suggestedFix".into(), json!(f.fix));
    v.insert(
        "violatingConstructs".into(),
        fs.iter().map(|f| violating_construct(f)).collect(),
    );
    v
}

/// CDK's `policy-validation-report.json` (cloud assembly schema
/// `PolicyValidationReportJson`, version 1.0): one plugin report per pack, its
/// unsuppressed violations (grouped by rule) and its suppressed ones, each with the
/// suppression's reason.
pub fn report_json(report: &Report) -> Value {
    let plugin_reports: Vec<Value> = report
        .packs
        .iter()
        .map(|&name| {
            let rules = packs()
                .iter()
                .find(|p| p.name == name)
                .map_or(&[][..], |p| p.rules);
            let ours = |f: &&Finding| rules.iter().any(|r| r.id == f.rule_id);
            let open = grouped(report.unsuppressed().filter(ours));
            let suppressed = grouped(
                report
                    .findings
                    .iter()
                    .filter(|f| f.suppressed_by.is_some())
                    .filter(ours),
            );
            let violations: Vec<Value> = open
                .iter()
                .map(|(id, fs)| Value::Object(violation(id, fs)))
                .collect();
            let suppressed: Vec<Value> = suppressed
                .iter()
                .map(|(id, fs)| {
                    let mut v = violation(id, fs);
                    v.insert("acknowledgedId".into(), json!(format!("{name}::{id}")));
                    v.insert(
                        "ruleMetadata".into(),
                        json!({"reason": fs[0].suppressed_by.clone().unwrap_or_default()}),
                    );
                    Value::Object(v)
                })
                .collect();
            json!({
                "pluginName": format!("berth-{name}"),
                "pluginVersion": env!("CARGO_PKG_VERSION"),
                "conclusion": if violations.is_empty() { "success" } else { "failure" },
                "violations": violations,
                "suppressedViolations": suppressed,
            })
        })
        .collect();
    json!({
        "version": "1.0",
        "title": "Validation Report",
        "pluginReports": plugin_reports,
    })
}

/// The report as a SARIF 2.1.0 log (one run, tool `berth`): a rule per rule of the
/// packs that ran, a result per finding located at its template file (`uri_prefix`
/// joined with the template's file name, e.g. `berth.out/`) and its construct path
/// and logical ID; suppressed findings carry an in-source suppression with its reason.
pub fn sarif(report: &Report, uri_prefix: &str) -> Value {
    let rules: Vec<&super::Rule> = report
        .packs
        .iter()
        .filter_map(|&n| packs().iter().find(|p| p.name == n))
        .flat_map(|p| p.rules.iter())
        .collect();
    let rule_descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.reason},
                "help": {"text": r.fix},
                "defaultConfiguration": {"level": r.level.as_str()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut text = format!("{} {}", f.path, f.reason);
            if let Some(x) = &f.finding {
                text = format!("{} [{x}] {}", f.path, f.reason);
            }
            if let Some(p) = &f.property {
                text.push_str(&format!(" (property {p})"));
            }
            text.push_str(&format!(" Fix: {}", f.fix));
            let mut r = json!({
                "ruleId": f.rule_id,
                "ruleIndex": rules.iter().position(|r| r.id == f.rule_id).unwrap_or(0),
                "level": f.level.as_str(),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": format!("{uri_prefix}{}", f.template_file)},
                    },
                    "logicalLocations": [{
                        "name": f.logical_id,
                        "fullyQualifiedName": f.path,
                        "kind": "resource",
                    }],
                }],
                "partialFingerprints": {
                    "berthFinding/v1": format!("{}|{}|{}", f.display_id(), f.stack, f.path),
                },
            });
            if let Some(reason) = &f.suppressed_by {
                r["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "berth",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/cdklabs/cdk-nag/blob/main/RULES.md",
                "rules": rule_descriptors,
            }},
            "results": results,
        }],
    })
}

/// The report for a terminal: one line per unsuppressed finding (rule id, path,
/// logical ID, property, reason, fix), then unused and ignored suppressions, then a
/// summary line.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for f in report.unsuppressed() {
        out.push_str(&format!(
            "{} {} {}",
            f.level.as_str(),
            f.display_id(),
            f.path
        ));
        match &f.property {
            Some(p) => out.push_str(&format!(" ({}, {p})", f.logical_id)),
            None => out.push_str(&format!(" ({})", f.logical_id)),
        }
        out.push_str(&format!(": {}\n    fix: {}\n", f.reason, f.fix));
    }
    for u in &report.unused_suppressions {
        out.push_str(&format!(
            "warning unused suppression {} at {}: it suppresses nothing (reason: \"{}\")\n",
            u.rule_id, u.path, u.reason
        ));
    }
    for i in &report.invalid_suppressions {
        out.push_str(&format!(
            "warning ignored suppression at {} ({}): {}\n",
            i.path, i.logical_id, i.message
        ));
    }
    let open = report.unsuppressed().count();
    let suppressed = report.findings.len() - open;
    out.push_str(&format!(
        "{open} finding{} ({suppressed} suppressed) from {}\n",
        if open == 1 { "" } else { "s" },
        report.packs.join(", ")
    ));
    out
}
