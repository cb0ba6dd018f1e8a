//! Every failure message, snapshot-tested (uncolored).

use berth_assertions::{pattern, Match};

use crate::assert_message;
use serde_json::json;

use crate::{failure, fixture};

const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";

#[test]
fn has_resource_properties_shows_closest_first() {
    let t = fixture();
    let result = t.try_has_resource_properties(
        TARGET_GROUP,
        json!({"Port": 8080, "HealthCheckPath": "/healthz", "Protocol": "HTTPS"}),
    );
    assert_message!("has_resource_properties_closest", failure(result));
}

#[test]
fn has_resource_properties_deep_path() {
    let t = fixture();
    let result = t.try_has_resource_properties(
        "AWS::ECS::TaskDefinition",
        json!({"ContainerDefinitions": [{"PortMappings": [{"ContainerPort": 80}]}]}),
    );
    assert_message!("has_resource_properties_deep_path", failure(result));
}

#[test]
fn unknown_type_suggests_a_close_one() {
    let t = fixture();
    let result = t.try_has_resource_properties("AWS::ECS::Servce", json!({}));
    assert_message!("unknown_type_did_you_mean", failure(result));
}

#[test]
fn missing_type_lists_types() {
    let t = fixture();
    let result = t.try_has_resource("AWS::RDS::DBInstance", json!({}));
    assert_message!("missing_type_lists_types", failure(result));
}

#[test]
fn has_resource_whole_resource() {
    let t = fixture();
    let result = t.try_has_resource(
        "AWS::ECS::Service",
        json!({"DependsOn": ["LbListener", "WebTargetGroup"], "DeletionPolicy": "Retain"}),
    );
    assert_message!("has_resource_whole_resource", failure(result));
}

#[test]
fn resource_count_is() {
    let t = fixture();
    assert_message!(
        "resource_count_is",
        failure(t.try_resource_count_is("AWS::EC2::SecurityGroup", 3))
    );
    assert_message!(
        "resource_count_is_none",
        failure(t.try_resource_count_is("AWS::Logs::LogGroups", 1))
    );
}

#[test]
fn resource_properties_count_is() {
    let t = fixture();
    assert_message!(
        "resource_properties_count_is_too_few",
        failure(t.try_resource_properties_count_is(
            TARGET_GROUP,
            json!({"HealthCheckPath": "/health"}),
            2
        ))
    );
    assert_message!(
        "resource_properties_count_is_too_many",
        failure(t.try_resource_properties_count_is(TARGET_GROUP, json!({"Protocol": "HTTP"}), 1))
    );
}

#[test]
fn all_resources_properties() {
    let t = fixture();
    assert_message!(
        "all_resources_properties",
        failure(t.try_all_resources_properties(
            TARGET_GROUP,
            json!({"HealthCheckPath": "/health", "Port": 8080})
        ))
    );
    assert_message!(
        "all_resources_none_of_type",
        failure(t.try_all_resources("AWS::EFS::FileSystem", json!({})))
    );
}

#[test]
fn outputs() {
    let t = fixture();
    assert_message!(
        "has_output_named_missing",
        failure(t.try_has_output("LbUrl", json!({})))
    );
    assert_message!(
        "has_output_no_match",
        failure(t.try_has_output(
            "*",
            pattern!({"Export": {"Name": (Match::string_like_regexp("^api-"))}})
        ))
    );
}

#[test]
fn parameters_mappings_conditions() {
    let t = fixture();
    assert_message!(
        "has_parameter",
        failure(t.try_has_parameter("Stage", json!({"Type": "String", "Default": "prod"})))
    );
    assert_message!(
        "has_mapping",
        failure(t.try_has_mapping("StageSizes", json!({"prod": {"Cpu": "2048"}})))
    );
    assert_message!(
        "has_condition",
        failure(t.try_has_condition("IsProd", json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})))
    );
}

#[test]
fn template_matches() {
    let t = fixture();
    assert_message!(
        "template_matches",
        failure(t.try_template_matches(pattern!({
            "Description": (Match::string_like_regexp("^api")),
            "Outputs": {"ServiceName": {"Export": {"Name": "web-service"}}},
        })))
    );
}

#[test]
fn long_mismatch_lists_are_cut() {
    let t = fixture();
    let many = pattern!({
        "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "J": 10,
    });
    assert_message!(
        "long_mismatch_list",
        failure(t.try_has_resource_properties("AWS::ECS::Cluster", many))
    );
}

#[test]
fn colors_only_when_asked() {
    let t = fixture();
    let err = t
        .try_has_resource_properties(TARGET_GROUP, json!({"Port": 1}))
        .unwrap_err();
    let plain = err.render(false);
    let colored = err.render(true);
    assert!(!plain.contains('\x1b'));
    assert!(
        colored.contains("\x1b[36m/Properties/Port\x1b[0m"),
        "{colored}"
    );
    assert!(colored.contains("expected \x1b[32m1\x1b[0m"), "{colored}");
    assert!(colored.contains("found \x1b[31m9000\x1b[0m"), "{colored}");
    // Stripping the escapes gives the plain text back.
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(&colored, "");
    assert_eq!(stripped, plain);
}
