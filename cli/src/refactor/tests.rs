use super::*;

fn t(json: &str) -> Template {
    Template::parse_json(json).unwrap()
}

fn stacks<'a>(
    list: &'a [(&'a str, Option<&'a Template>, &'a Template)],
) -> Vec<StackTemplates<'a>> {
    list.iter()
        .map(|(name, deployed, new)| StackTemplates {
            name,
            deployed: *deployed,
            new,
        })
        .collect()
}

const OLD: &str = r#"{"Resources": {
  "LogsA1": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7},
             "Metadata": {"berth:path": "Web/Logs/Resource"}},
  "Role1": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"},
            "Metadata": {"berth:path": "Web/Role/Resource"}},
  "Policy1": {"Type": "AWS::IAM::Policy",
              "Properties": {"Roles": [{"Ref": "Role1"}],
                             "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "logs:*",
                                 "Resource": {"Fn::GetAtt": ["LogsA1", "Arn"]}}]}},
              "DependsOn": "LogsA1",
              "Metadata": {"berth:path": "Web/Policy/Resource"}}
 },
 "Outputs": {"Logs": {"Value": {"Fn::Sub": "${LogsA1}:${AWS::Region}:${LogsA1.Arn}"}}}}"#;

/// The app after the log group moved under a new construct (`Web/App/Logs`): its
/// logical id changes, and so do the references to it.
const NEW: &str = r#"{"Resources": {
  "AppLogsB2": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7},
                "Metadata": {"berth:path": "Web/App/Logs/Resource"}},
  "Role1": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"},
            "Metadata": {"berth:path": "Web/Role/Resource"}},
  "Policy1": {"Type": "AWS::IAM::Policy",
              "Properties": {"Roles": [{"Ref": "Role1"}],
                             "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "logs:*",
                                 "Resource": {"Fn::GetAtt": ["AppLogsB2", "Arn"]}}]}},
              "DependsOn": "AppLogsB2",
              "Metadata": {"berth:path": "Web/Policy/Resource"}}
 },
 "Outputs": {"Logs": {"Value": {"Fn::Sub": "${AppLogsB2}:${AWS::Region}:${AppLogsB2.Arn}"}}}}"#;

#[test]
fn a_renamed_resource_is_found_with_its_override_line() {
    let (old, new) = (t(OLD), t(NEW));
    let found = detect(&stacks(&[("Web", Some(&old), &new)]));
    assert!(found.ambiguities.is_empty());
    assert_eq!(found.moves.len(), 1);
    let m = &found.moves[0];
    assert_eq!(m.resource_type, "AWS::Logs::LogGroup");
    assert_eq!(
        (m.from.logical_id.as_str(), m.to.logical_id.as_str()),
        ("LogsA1", "AppLogsB2")
    );
    assert!(m.within_stack());
    assert_eq!(
        m.override_line().unwrap(),
        r#"app.override_logical_id(app.find("Web/App/Logs/Resource").unwrap(), "LogsA1")?;"#
    );
}

#[test]
fn changed_properties_are_not_a_move() {
    let old = t(OLD);
    let mut v: serde_json::Value = serde_json::from_str(NEW).unwrap();
    v["Resources"]["AppLogsB2"]["Properties"]["RetentionInDays"] = 14.into();
    let new: Template = serde_json::from_value(v).unwrap();
    let found = detect(&stacks(&[("Web", Some(&old), &new)]));
    assert!(found.moves.is_empty() && found.ambiguities.is_empty());
}

#[test]
fn references_do_not_hide_a_move_and_twins_are_ambiguous() {
    // A policy that refers to a renamed log group still matches, though its reference
    // changed; two identical log groups renamed at once cannot be told apart.
    let old = t(r#"{"Resources": {
      "A": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
      "B": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
      "P": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "logs", "Value": {"Ref": "A"}}]}}}}"#);
    let new = t(r#"{"Resources": {
      "A2": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
      "B2": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
      "P2": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "logs", "Value": {"Ref": "A2"}}]}}}}"#);
    let found = detect(&stacks(&[("S", Some(&old), &new)]));
    assert_eq!(found.moves.len(), 1);
    assert_eq!(found.moves[0].to.logical_id, "P2");
    assert_eq!(found.ambiguities.len(), 1);
    let a = &found.ambiguities[0];
    assert_eq!(a.from.len(), 2);
    assert_eq!(a.to.len(), 2);
}

#[test]
fn a_resource_moved_to_another_stack_is_found() {
    let web_old = t(OLD);
    let web_new = t(r#"{"Resources": {
      "Role1": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}}}}"#);
    let data_new = t(r#"{"Resources": {
      "Logs9": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7},
                "Metadata": {"berth:path": "Data/Logs/Resource"}}}}"#);
    let found = detect(&stacks(&[
        ("Web", Some(&web_old), &web_new),
        ("Data", None, &data_new),
    ]));
    let m = found
        .moves
        .iter()
        .find(|m| m.resource_type == "AWS::Logs::LogGroup")
        .unwrap();
    assert_eq!(
        (m.from.stack.as_str(), m.to.stack.as_str()),
        ("Web", "Data")
    );
    assert!(m.override_line().is_none());
}

#[test]
fn the_refactored_template_renames_every_reference() {
    let (old, new) = (t(OLD), t(NEW));
    let found = detect(&stacks(&[("Web", Some(&old), &new)]));
    let deployed = BTreeMap::from([("Web".to_string(), old.clone())]);
    let out = refactored_templates(&deployed, &found.moves).unwrap();
    let web = &out["Web"];
    assert!(web.resources.contains_key("AppLogsB2"));
    assert!(!web.resources.contains_key("LogsA1"));
    // The moved resource keeps its deployed definition (its old path metadata too):
    // the refactor changes ids, the next deploy the rest.
    assert_eq!(web.construct_path("AppLogsB2"), Some("Web/Logs/Resource"));
    let policy = &web.resources["Policy1"];
    assert_eq!(
        policy.properties["PolicyDocument"]["Statement"][0]["Resource"],
        serde_json::json!({"Fn::GetAtt": ["AppLogsB2", "Arn"]})
    );
    assert_eq!(policy.rest["DependsOn"], "AppLogsB2");
    assert_eq!(
        web.outputs["Logs"]["Value"]["Fn::Sub"],
        "${AppLogsB2}:${AWS::Region}:${AppLogsB2.Arn}"
    );
}

#[test]
fn a_move_across_stacks_fills_the_new_stack_or_names_what_still_refers() {
    let web_old = t(OLD);
    let moves = vec![Move {
        resource_type: "AWS::Logs::LogGroup".into(),
        from: Location {
            stack: "Web".into(),
            logical_id: "LogsA1".into(),
            path: None,
        },
        to: Location {
            stack: "Data".into(),
            logical_id: "Logs9".into(),
            path: None,
        },
        from_deletion_policy: None,
    }];
    let deployed = BTreeMap::from([("Web".to_string(), web_old)]);
    // The policy and the output in Web still refer to the log group.
    let err = refactored_templates(&deployed, &moves).unwrap_err();
    assert!(
        matches!(&err, RefactorError::DanglingReference { stack, target, .. } if stack == "Web" && target == "LogsA1"),
        "{err}"
    );

    let lone = t(r#"{"Resources": {
      "LogsA1": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
      "Role1": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}}}}"#);
    let deployed = BTreeMap::from([("Web".to_string(), lone)]);
    let out = refactored_templates(&deployed, &moves).unwrap();
    assert_eq!(out["Data"].resources.keys().collect::<Vec<_>>(), ["Logs9"]);
    assert_eq!(out["Web"].resources.keys().collect::<Vec<_>>(), ["Role1"]);
}

#[test]
fn a_stack_left_empty_is_refused() {
    let lone = t(r#"{"Resources": {"L": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}}"#);
    let moves = vec![Move {
        resource_type: "AWS::Logs::LogGroup".into(),
        from: Location {
            stack: "A".into(),
            logical_id: "L".into(),
            path: None,
        },
        to: Location {
            stack: "B".into(),
            logical_id: "L".into(),
            path: None,
        },
        from_deletion_policy: None,
    }];
    let deployed = BTreeMap::from([("A".to_string(), lone)]);
    assert_eq!(
        refactored_templates(&deployed, &moves).unwrap_err(),
        RefactorError::EmptyStack("A".into())
    );
}
