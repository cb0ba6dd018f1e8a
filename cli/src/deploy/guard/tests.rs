use super::*;
use crate::diff::{diff_templates, schema_create_only};
use crate::refactor::{detect, StackTemplates};

fn t(json: &str) -> Template {
    Template::parse_json(json).unwrap()
}

const LOGS: &str = r#"{"Resources": {
  "LogsA1": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/app/web", "RetentionInDays": 7},
             "Metadata": {"berth:path": "Web/Logs/Resource"}},
  "Cluster1": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "web"},
               "Metadata": {"berth:path": "Web/Cluster/Resource"}}
}}"#;

fn classify_with(
    old: &Template,
    new: &Template,
    planned: Option<&[PlannedChange]>,
    allow: &[String],
) -> GuardReport {
    let diff = diff_templates(Some(old), new, &schema_create_only);
    let moves = detect(&[StackTemplates {
        name: "Web",
        deployed: Some(old),
        new,
    }]);
    classify(GuardInput {
        stack: "Web",
        deployed: Some(old),
        new,
        diff: &diff,
        planned,
        allow,
        moves: &moves,
    })
}

fn with(json: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Template {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    edit(&mut v);
    serde_json::from_value(v).unwrap()
}

#[test]
fn a_create_only_change_of_a_log_group_is_a_refused_replacement() {
    let old = t(LOGS);
    let new = with(LOGS, |v| {
        v["Resources"]["LogsA1"]["Properties"]["LogGroupName"] = "/app/web2".into();
    });
    let g = classify_with(&old, &new, None, &[]);
    let c = g.get("LogsA1").unwrap();
    assert_eq!(c.action, Action::Replace);
    assert_eq!(c.loses, Some("its log events"));
    assert!(c.refused());
    assert_eq!(
        c.causes,
        vec!["create-only property LogGroupName changes (/app/web -> /app/web2)"]
    );
    assert_eq!(g.refused().len(), 1);
    let text = g.render_refusal();
    assert!(
        text.contains("replace  Web/Logs/Resource LogsA1 (AWS::Logs::LogGroup)"),
        "{text}"
    );
    assert!(
        text.contains("--allow-replacement Web/Logs/Resource"),
        "{text}"
    );
}

#[test]
fn stateless_replacements_and_in_place_changes_pass() {
    let old = t(LOGS);
    let new = with(LOGS, |v| {
        v["Resources"]["Cluster1"]["Properties"]["ClusterName"] = "web2".into();
        v["Resources"]["LogsA1"]["Properties"]["RetentionInDays"] = 14.into();
    });
    let g = classify_with(&old, &new, None, &[]);
    assert_eq!(g.get("Cluster1").unwrap().action, Action::Replace);
    assert_eq!(g.get("LogsA1").unwrap().action, Action::InPlace);
    assert!(g.refused().is_empty());
}

#[test]
fn a_keeping_policy_a_flag_or_the_app_allows_it() {
    let old = t(LOGS);
    let renamed = |extra: &dyn Fn(&mut serde_json::Value)| {
        with(LOGS, |v| {
            v["Resources"]["LogsA1"]["Properties"]["LogGroupName"] = "/app/web2".into();
            extra(v);
        })
    };
    let retained = renamed(&|v| v["Resources"]["LogsA1"]["UpdateReplacePolicy"] = "Retain".into());
    let g = classify_with(&old, &retained, None, &[]);
    assert_eq!(
        g.get("LogsA1").unwrap().allowed,
        Some(Allowed::Policy("UpdateReplacePolicy Retain".into()))
    );
    assert!(g.refused().is_empty());

    let plain = renamed(&|_| {});
    for pattern in ["Web/Logs/Resource", "Web/Logs", "Web/*", "LogsA1"] {
        let g = classify_with(&old, &plain, None, &[pattern.to_string()]);
        assert_eq!(
            g.get("LogsA1").unwrap().allowed,
            Some(Allowed::Flag(pattern.into())),
            "{pattern}"
        );
    }
    for pattern in ["Web/Log", "Other/*", "Cluster1"] {
        let g = classify_with(&old, &plain, None, &[pattern.to_string()]);
        assert!(g.get("LogsA1").unwrap().refused(), "{pattern}");
    }

    let marked = renamed(&|v| {
        v["Resources"]["LogsA1"]["Metadata"][ALLOW_METADATA] = "the old logs are exported".into()
    });
    let g = classify_with(&old, &marked, None, &[]);
    assert_eq!(
        g.get("LogsA1").unwrap().allowed,
        Some(Allowed::Code("the old logs are exported".into()))
    );
}

#[test]
fn a_removed_repository_is_a_refused_deletion_unless_retained() {
    let with_repo = |policy: Option<&str>| {
        with(LOGS, |v| {
            v["Resources"]["Repo9"] = serde_json::json!({"Type": "AWS::ECR::Repository",
                "Properties": {"RepositoryName": "web"}, "Metadata": {"berth:path": "Web/Repo/Resource"}});
            if let Some(p) = policy {
                v["Resources"]["Repo9"]["DeletionPolicy"] = p.into();
            }
        })
    };
    let new = t(LOGS);
    let g = classify_with(&with_repo(None), &new, None, &[]);
    let c = g.get("Repo9").unwrap();
    assert_eq!((c.action, c.refused()), (Action::Delete, true));
    assert_eq!(c.causes, vec!["it is no longer in the app"]);
    assert_eq!(c.path.as_deref(), Some("Web/Repo/Resource"));
    let g = classify_with(&with_repo(Some("Retain")), &new, None, &[]);
    assert!(g.refused().is_empty());
    assert_eq!(
        g.get("Repo9").unwrap().warning().as_deref(),
        Some("stateful, kept by DeletionPolicy Retain")
    );
}

#[test]
fn cloudformation_s_plan_adds_replacements_berth_cannot_see() {
    let old = t(LOGS);
    let new = with(LOGS, |v| {
        v["Resources"]["LogsA1"]["Properties"]["RetentionInDays"] = 14.into();
    });
    let planned = [
        PlannedChange {
            action: "Modify".into(),
            logical_id: "LogsA1".into(),
            resource_type: "AWS::Logs::LogGroup".into(),
            replacement: Some("Conditional".into()),
            causes: vec!["Properties.KmsKeyId (requires recreation: Conditionally)".into()],
        },
        PlannedChange {
            action: "Remove".into(),
            logical_id: "Queue7".into(),
            resource_type: "AWS::SQS::Queue".into(),
            replacement: None,
            causes: vec![],
        },
    ];
    let g = classify_with(&old, &new, Some(&planned), &[]);
    let c = g.get("LogsA1").unwrap();
    assert_eq!(c.action, Action::Replace);
    assert_eq!(
        c.causes,
        vec!["CloudFormation may replace it: Properties.KmsKeyId (requires recreation: Conditionally)"]
    );
    let q = g.get("Queue7").unwrap();
    assert_eq!(
        (q.action, q.loses),
        (Action::Delete, Some("the messages waiting in it"))
    );
    assert_eq!(g.refused().len(), 2);
}

#[test]
fn a_renamed_construct_is_a_move_with_the_line_that_keeps_it() {
    let old = t(LOGS);
    let new = with(LOGS, |v| {
        let r = v["Resources"]["LogsA1"].take();
        v["Resources"].as_object_mut().unwrap().remove("LogsA1");
        v["Resources"]["AppLogsB2"] = r;
        v["Resources"]["AppLogsB2"]["Metadata"]["berth:path"] = "Web/AppLogs/Resource".into();
    });
    let g = classify_with(&old, &new, None, &[]);
    let gone = g.get("LogsA1").unwrap();
    assert!(gone.refused());
    assert_eq!(
        gone.causes,
        vec!["its logical ID changes to AppLogsB2 (the construct is now Web/AppLogs/Resource)"]
    );
    let text = g.render_refusal();
    assert!(
        text.contains(r#"in the app: app.override_logical_id(app.find("Web/AppLogs/Resource").unwrap(), "LogsA1")?;"#),
        "{text}"
    );
    assert!(text.contains("berth refactor"), "{text}");
    let added = g.get("AppLogsB2").unwrap();
    assert_eq!(added.action, Action::Add);
    assert!(added.moved.is_some());
}

#[test]
fn the_stateful_table_is_well_formed() {
    let mut seen = std::collections::BTreeSet::new();
    for (t, loss) in STATEFUL_TYPES {
        assert!(
            t.starts_with("AWS::") && t.matches("::").count() == 2,
            "{t}"
        );
        assert!(
            !loss.is_empty() && loss.chars().next().unwrap().is_lowercase(),
            "{t}"
        );
        assert!(seen.insert(*t), "{t} twice");
    }
    for t in [
        "AWS::Logs::LogGroup",
        "AWS::ECR::Repository",
        "AWS::EFS::FileSystem",
        "AWS::S3::Bucket",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::DynamoDB::Table",
        "AWS::RDS::DBInstance",
    ] {
        assert!(stateful_loss(t).is_some(), "{t}");
    }
    for t in [
        "AWS::ECS::Service",
        "AWS::IAM::Role",
        "AWS::EC2::SecurityGroup",
    ] {
        assert!(stateful_loss(t).is_none(), "{t}");
    }
}
