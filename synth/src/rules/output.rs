//! The rule packs' report in three shapes: CDK's `policy-validation-report.json`,
//! SARIF 2.1.0 (for code-scanning uploads) and text for terminals.

use super::{packs, Finding, Report};
use serde::Serialize;
use serde_json::{json, Value};

/// The report's file name in the cloud assembly (CDK's).
pub const REPORT_FILE: &str = berth_assembly::manifest::POLICY_REPORT_FILE;

/// CDK's `policy-validation-report.json` (cloud assembly schema
/// `PolicyValidationReportJson`, version 1.0), borrowed from a [`Report`]: one plugin
/// report per pack, its unsuppressed violations (grouped by rule and granular finding,
/// in first-seen order) and its suppressed ones, each with the suppression's reason.
///
/// It serializes straight from the findings (synthesis writes it into the assembly
/// with the assembly's JSON writer); [`report_json`] gives it as a JSON value.
#[derive(Serialize)]
pub struct ValidationReport<'r> {
    version: &'static str,
    title: &'static str,
    #[serde(rename = "pluginReports")]
    plugin_reports: Vec<PluginReport<'r>>,
}

#[derive(Serialize)]
struct PluginReport<'r> {
    #[serde(rename = "pluginName")]
    plugin_name: String,
    #[serde(rename = "pluginVersion")]
    plugin_version: &'static str,
    conclusion: &'static str,
    violations: Vec<Violation<'r>>,
    #[serde(rename = "suppressedViolations")]
    suppressed_violations: Vec<Violation<'r>>,
}

#[derive(Serialize)]
struct Violation<'r> {
    #[serde(rename = "ruleName")]
    rule_name: String,
    description: &'static str,
    severity: &'static str,
    #[serde(rename = "suggestedFix")]
    suggested_fix: &'static str,
    #[serde(rename = "violatingConstructs")]
    violating_constructs: Vec<ViolatingConstruct<'r>>,
    #[serde(rename = "acknowledgedId", skip_serializing_if = "Option::is_none")]
    acknowledged_id: Option<String>,
    #[serde(rename = "ruleMetadata", skip_serializing_if = "Option::is_none")]
    rule_metadata: Option<RuleMetadata<'r>>,
}

#[derive(Serialize)]
struct ViolatingConstruct<'r> {
    #[serde(rename = "constructPath")]
    construct_path: &'r str,
    #[serde(rename = "cloudFormationResource")]
    cloud_formation_resource: CloudFormationResource<'r>,
}

#[derive(Serialize)]
struct CloudFormationResource<'r> {
    #[serde(rename = "templatePath")]
    template_path: &'r str,
    #[serde(rename = "logicalId")]
    logical_id: &'r str,
    #[serde(rename = "propertyPaths", skip_serializing_if = "Option::is_none")]
    property_paths: Option<[&'r str; 1]>,
}

#[derive(Serialize)]
struct RuleMetadata<'r> {
    reason: &'r str,
}

/// Findings grouped by rule and granular finding, in first-seen order, as the
/// validation report lists them.
fn grouped<'r>(findings: impl Iterator<Item = &'r Finding>) -> Vec<Vec<&'r Finding>> {
    let mut groups: indexmap::IndexMap<
        (&str, Option<&str>),
        Vec<&Finding>,
        foldhash::fast::FixedState,
    > = indexmap::IndexMap::default();
    for f in findings {
        groups
            .entry((f.rule_id, f.finding.as_deref()))
            .or_default()
            .push(f);
    }
    groups.into_values().collect()
}

fn violation<'r>(fs: &[&'r Finding], acknowledged_by: Option<&str>) -> Violation<'r> {
    let f = fs[0];
    let rule_name = f.display_id();
    Violation {
        acknowledged_id: acknowledged_by.map(|pack| format!("{pack}::{rule_name}")),
        rule_name,
        description: f.reason,
        severity: f.level.as_str(),
        suggested_fix: f.fix,
        violating_constructs: fs
            .iter()
            .map(|f| ViolatingConstruct {
                construct_path: &f.path,
                cloud_formation_resource: CloudFormationResource {
                    template_path: &f.template_file,
                    logical_id: &f.logical_id,
                    property_paths: f.property.as_deref().map(|p| [p]),
                },
            })
            .collect(),
        rule_metadata: acknowledged_by.map(|_| RuleMetadata {
            reason: f.suppressed_by.as_deref().unwrap_or_default(),
        }),
    }
}

impl<'r> ValidationReport<'r> {
    /// The validation report of `report`.
    pub fn new(report: &'r Report) -> ValidationReport<'r> {
        let plugin_reports = report
            .packs
            .iter()
            .map(|&name| {
                let rules = packs()
                    .iter()
                    .find(|p| p.name == name)
                    .map_or(&[][..], |p| p.rules);
                let ours = |f: &&Finding| rules.iter().any(|r| r.id == f.rule_id);
                let (suppressed, open): (Vec<&Finding>, Vec<&Finding>) = report
                    .findings
                    .iter()
                    .filter(ours)
                    .partition(|f| f.suppressed_by.is_some());
                let violations: Vec<Violation<'r>> = grouped(open.into_iter())
                    .iter()
                    .map(|fs| violation(fs, None))
                    .collect();
                PluginReport {
                    plugin_name: format!("berth-{name}"),
                    plugin_version: env!("CARGO_PKG_VERSION"),
                    conclusion: if violations.is_empty() {
                        "success"
                    } else {
                        "failure"
                    },
                    violations,
                    suppressed_violations: grouped(suppressed.into_iter())
                        .iter()
                        .map(|fs| violation(fs, Some(name)))
                        .collect(),
                }
            })
            .collect();
        ValidationReport {
            version: "1.0",
            title: "Validation Report",
            plugin_reports,
        }
    }
}

/// The validation report ([`ValidationReport`]) as a JSON value.
pub fn report_json(report: &Report) -> Value {
    serde_json::to_value(ValidationReport::new(report)).expect("a report is plain data")
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
