use super::*;

fn t(json: serde_json::Value) -> Template {
    serde_json::from_value(json).unwrap()
}

fn create_only(type_name: &str) -> Vec<String> {
    match type_name {
        "AWS::ECS::Cluster" => vec!["ClusterName".into()],
        "AWS::X::Nested" => vec!["A/B".into()],
        _ => vec![],
    }
}

#[test]
fn added_removed_modified_and_replacement() {
    let old = t(serde_json::json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "a"}},
        "Gone": {"Type": "AWS::Logs::LogGroup"},
        "Same": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
    }}));
    let new = t(serde_json::json!({"Resources": {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "b"}},
        "Same": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "New": {"Type": "AWS::ECR::Repository"}
    }}));
    let d = diff_templates(Some(&old), &new, &create_only);
    let kinds: Vec<(&str, ChangeKind)> = d
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Cluster", ChangeKind::Modified),
            ("New", ChangeKind::Added),
            ("Gone", ChangeKind::Removed)
        ]
    );
    let cluster = &d.resources[0];
    assert!(cluster.replacement);
    assert_eq!(
        cluster.properties[0].replaced_by.as_deref(),
        Some("ClusterName")
    );
}

#[test]
fn nested_create_only_paths_match_prefixes() {
    let old = t(serde_json::json!({"Resources": {
        "N": {"Type": "AWS::X::Nested", "Properties": {"A": {"B": 1, "C": 1}}}}}));
    let new_b = t(serde_json::json!({"Resources": {
        "N": {"Type": "AWS::X::Nested", "Properties": {"A": {"B": 2, "C": 1}}}}}));
    let new_c = t(serde_json::json!({"Resources": {
        "N": {"Type": "AWS::X::Nested", "Properties": {"A": {"B": 1, "C": 2}}}}}));
    let d = diff_templates(Some(&old), &new_b, &create_only);
    assert!(d.resources[0].replacement);
    assert_eq!(d.resources[0].properties[0].path, "A.B");
    let d = diff_templates(Some(&old), &new_c, &create_only);
    assert!(!d.resources[0].replacement);
}

#[test]
fn type_change_replaces() {
    let old = t(serde_json::json!({"Resources": {"X": {"Type": "AWS::A::B"}}}));
    let new = t(serde_json::json!({"Resources": {"X": {"Type": "AWS::A::C"}}}));
    let d = diff_templates(Some(&old), &new, &create_only);
    assert!(d.resources[0].replacement);
    assert_eq!(d.resources[0].old_type.as_deref(), Some("AWS::A::B"));
}

#[test]
fn intrinsics_are_compared_whole() {
    let old = t(
        serde_json::json!({"Resources": {"S": {"Type": "AWS::ECS::Service",
        "Properties": {"Cluster": {"Ref": "A"}}}}}),
    );
    let new = t(
        serde_json::json!({"Resources": {"S": {"Type": "AWS::ECS::Service",
        "Properties": {"Cluster": {"Ref": "B"}}}}}),
    );
    let d = diff_templates(Some(&old), &new, &create_only);
    assert_eq!(d.resources[0].properties[0].path, "Cluster");
}

#[test]
fn security_changes_list_statements_and_rules() {
    let old = t(serde_json::json!({"Resources": {
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"}]}}}}));
    let new = t(serde_json::json!({"Resources": {
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}},
        "Pol": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "Roles": [{"Ref": "R"}]}}}}));
    let d = diff_templates(Some(&old), &new, &create_only);
    assert_eq!(
        d.security.rules_added[0].summary,
        "ingress tcp 80 from 0.0.0.0/0"
    );
    assert_eq!(
        d.security.rules_removed[0].summary,
        "ingress tcp 80 from 10.0.0.0/8"
    );
    assert_eq!(
        d.security.iam_added[0].summary,
        "[Allow] s3:GetObject on * (attached to ${R})"
    );
    assert!(d.security.is_broadening());
}

#[test]
fn removing_permissions_is_not_broadening() {
    let old = t(serde_json::json!({"Resources": {
        "Pol": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}}}));
    let new = t(serde_json::json!({"Resources": {
        "Pol": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": []}}}}}));
    let d = diff_templates(Some(&old), &new, &create_only);
    assert_eq!(d.security.iam_removed.len(), 1);
    assert!(!d.security.is_broadening());
}

#[test]
fn identical_templates_have_no_diff() {
    let a = t(
        serde_json::json!({"Resources": {"X": {"Type": "AWS::A::B", "Properties": {"P": [1, 2]}}}}),
    );
    assert!(diff_templates(Some(&a), &a.clone(), &create_only).is_empty());
}

fn service(deployment: serde_json::Value, name: &str, cluster: &str) -> Template {
    t(serde_json::json!({"Resources": {
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": cluster, "ServiceName": name, "DesiredCount": 2,
            "DeploymentConfiguration": deployment},
            "Metadata": {"berth:path": "Web/Service/Service"}}
    }}))
}

#[test]
fn a_strategy_change_is_an_in_place_update_of_the_service() {
    let old = service(
        serde_json::json!({"Strategy": "ROLLING", "MaximumPercent": 200, "MinimumHealthyPercent": 100}),
        "web",
        "prod",
    );
    let new = service(
        serde_json::json!({"Strategy": "CANARY", "MaximumPercent": 200, "MinimumHealthyPercent": 100,
            "CanaryConfiguration": {"CanaryPercent": 10.0, "CanaryBakeTimeInMinutes": 5}}),
        "web",
        "prod",
    );
    let d = diff_templates(Some(&old), &new, &schema_create_only);
    assert_eq!(d.replacements(), 0);
    assert!(d.resources[0].warnings.is_empty());
    let text = render("Web", &d, false);
    assert_eq!(
        text,
        "Stack Web
Resources
[~] AWS::ECS::Service Service Web/Service/Service
 ├─ [~] DeploymentConfiguration.Strategy
 │     - \"ROLLING\"
 │     + \"CANARY\"
 └─ [+] DeploymentConfiguration.CanaryConfiguration
       + {\"CanaryPercent\":10.0,\"CanaryBakeTimeInMinutes\":5}

0 to add, 1 to modify (0 replaced), 0 to remove
"
    );
}

#[test]
fn replacing_a_service_is_warned_about_with_its_cause() {
    let d = serde_json::json!({"Strategy": "ROLLING"});
    let old = service(d.clone(), "web", "prod");
    // The cluster is create-only; with the same ServiceName the replacement would fail.
    let new = service(d, "web", "staging");
    let diff = diff_templates(Some(&old), &new, &schema_create_only);
    assert_eq!(diff.replacements(), 1);
    let text = render("Web", &diff, false);
    assert!(
        text.ends_with("0 to add, 1 to modify (1 replaced), 0 to remove
⚠ the ECS service Web/Service/Service (Service) would be replaced (Cluster changed): CloudFormation creates a new service and deletes the old one, so its deployment strategy does not apply and the old tasks stop; with a fixed ServiceName the replacement fails (the name is taken): change the name too, or leave service_name out
"),
        "{text}"
    );
}

#[test]
fn a_replaced_service_with_a_new_name_gets_no_name_clash_warning() {
    let d = serde_json::json!({"Strategy": "ROLLING"});
    let old = service(d.clone(), "web", "prod");
    let new = service(d, "web-2", "staging");
    let diff = diff_templates(Some(&old), &new, &schema_create_only);
    assert_eq!(
        diff.resources[0].warnings,
        vec!["⚠ the ECS service Web/Service/Service (Service) would be replaced (Cluster, ServiceName changed): CloudFormation creates a new service and deletes the old one, so its deployment strategy does not apply and the old tasks stop".to_string()]
    );
    // The JSON output carries the warning too.
    let json = serde_json::to_value(&diff).unwrap();
    assert_eq!(
        json["resources"][0]["warnings"][0],
        diff.resources[0].warnings[0].as_str()
    );
}
