use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::{Stack, StackProps};
use serde_json::json;

#[test]
fn defaults_are_two_years_and_retain() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    LogGroup::new(&mut app, s, "Logs", LogGroupProps::default()).unwrap();
    LogGroup::new(
        &mut app,
        s,
        "Forever",
        LogGroupProps {
            retention: RetentionDays::Infinite,
            log_group_name: Some("/app/forever".into()),
            removal_policy: Some(RemovalPolicy::Delete),
            encryption_key: None,
        },
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert_eq!(
        res["Logs6819BB44"],
        json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"RetentionInDays": 731},
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
            "Metadata": {"berth:path": "Web/Logs/Resource"}
        })
    );
    let forever = res
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with("Forever"))
        .unwrap()
        .1;
    assert_eq!(
        forever["Properties"],
        json!({"LogGroupName": "/app/forever"})
    );
    assert_eq!(forever["DeletionPolicy"], "Delete");
}

#[test]
fn grant_write_adds_exactly_create_stream_and_put_events_on_the_group() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let logs = LogGroup::new(&mut app, s, "Logs", LogGroupProps::default()).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let g = logs.grant_write(&mut app, &role).unwrap();
    assert!(g.is_applied());
    assert_eq!(
        g.actions(),
        vec!["logs:CreateLogStream", "logs:PutLogEvents"]
    );
    let out = app.synth().unwrap();
    let policy = out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Policy")
        .unwrap()
        .clone();
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([{
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": ["Logs6819BB44", "Arn"]}
        }])
    );
}

#[test]
fn imported_log_group_arn_is_built_from_the_name() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let logs = LogGroup::from_log_group_name(&mut app, s, "Logs", "/app/web").unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    logs.grant_write(&mut app, &role).unwrap();
    assert_eq!(
        app.resolve(logs.log_group_name()),
        berth_synth::Value::from("/app/web")
    );
    let out = app.synth().unwrap();
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    assert!(!res.values().any(|r| r["Type"] == "AWS::Logs::LogGroup"));
    let policy = res
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Policy")
        .unwrap();
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"],
        json!({"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":log-group:/app/web:*"
        ]]})
    );
}

#[test]
fn retention_values_are_cloudwatchs() {
    assert_eq!(RetentionDays::default(), RetentionDays::TwoYears);
    assert_eq!(RetentionDays::OneWeek.days(), Some(7));
    assert_eq!(RetentionDays::ThirteenMonths.days(), Some(400));
    assert_eq!(RetentionDays::TenYears.days(), Some(3653));
    assert_eq!(RetentionDays::Infinite.days(), None);
}

#[test]
fn removal_policy_can_be_changed_later() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let logs = LogGroup::new(&mut app, s, "Logs", LogGroupProps::default()).unwrap();
    assert!(logs
        .apply_removal_policy(&mut app, RemovalPolicy::Delete)
        .unwrap());
    let imported = LogGroup::from_log_group_name(&mut app, s, "Old", "old").unwrap();
    assert!(!imported
        .apply_removal_policy(&mut app, RemovalPolicy::Delete)
        .unwrap());
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"]["Logs6819BB44"];
    assert_eq!(r["DeletionPolicy"], "Delete");
    assert_eq!(r["UpdateReplacePolicy"], "Delete");
}

#[test]
fn an_encrypted_log_group_names_its_key_and_the_key_lets_cloudwatch_logs_use_it() {
    let mut app = App::new();
    let data = Stack::new(&mut app, "Data", StackProps::default()).unwrap();
    let web = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let key = Key::new(&mut app, data, "Key", crate::kms::KeyProps::default()).unwrap();
    for id in ["One", "Two"] {
        let props = LogGroupProps::default().encryption_key(key);
        LogGroup::new(&mut app, web, id, props).unwrap();
    }
    let out = app.synth().unwrap();
    let data_t = &out
        .stacks
        .iter()
        .find(|s| s.name == "Data")
        .unwrap()
        .template;
    let web_t = &out
        .stacks
        .iter()
        .find(|s| s.name == "Web")
        .unwrap()
        .template;
    let statements = data_t["Resources"]["Key961B73FD"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    // The root statement, and one for CloudWatch Logs however many groups use the key.
    assert_eq!(statements.len(), 2, "{statements:#?}");
    assert_eq!(
        statements[1],
        json!({
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                       "kms:GenerateDataKey*", "kms:Describe*"],
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":",
                {"Ref": "AWS::AccountId"}, ":log-group:*"]]}}},
            "Effect": "Allow",
            "Principal": {"Service": {"Fn::Join": ["", [
                "logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}},
            "Resource": "*"
        })
    );
    let one = web_t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with("One"))
        .unwrap()
        .1;
    assert_eq!(
        one["Properties"]["KmsKeyId"]["Fn::ImportValue"]
            .as_str()
            .map(|s| s.starts_with("Data:")),
        Some(true),
        "{one:#}"
    );
}
