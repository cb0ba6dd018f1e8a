//! Capture: reading matched values back, and following references across resources.

use berth_assertions::{pattern, Capture, Match};
use serde_json::json;

use crate::fixture;

const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";

/// The listener forwards to a target group whose port is the container's port.
#[test]
fn listener_forwards_to_the_target_group_on_the_container_port() {
    let t = fixture();

    // 1. Which target group does the listener forward to?
    let target_group = Capture::new();
    t.has_resource_properties(
        LISTENER,
        pattern!({
            "Port": 80,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": target_group}}],
        }),
    );
    let target_group_id = target_group.as_string();
    assert_eq!(target_group_id, "WebTargetGroup");

    // 2. Which port does the container listen on?
    let container_port = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Name": "web", "PortMappings": [{"ContainerPort": container_port}]}]}),
    );
    let port = container_port.as_number();
    assert_eq!(port, 8080.0);

    // 3. The captured target group has that port (and it is the only one that does).
    let matching = t.find_resources(TARGET_GROUP, json!({"Properties": {"Port": port}}));
    assert_eq!(matching.keys().collect::<Vec<_>>(), [&target_group_id]);

    // 4. And the service registers the same container and port with it.
    t.has_resource_properties(
        "AWS::ECS::Service",
        json!({"LoadBalancers": [{"ContainerName": "web", "ContainerPort": port, "TargetGroupArn": {"Ref": target_group_id}}]}),
    );
}

#[test]
fn capture_reads_every_type() {
    let t = fixture();
    let (string, number, boolean, array, object) = (
        Capture::new(),
        Capture::new(),
        Capture::new(),
        Capture::new(),
        Capture::new(),
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({
            "Family": string,
            "RequiresCompatibilities": array,
            "ContainerDefinitions": [{"Essential": boolean, "PortMappings": [{"ContainerPort": number}], "LogConfiguration": object}],
        }),
    );
    assert_eq!(string.as_string(), "web");
    assert_eq!(number.as_number(), 8080.0);
    assert!(boolean.as_bool());
    assert_eq!(array.as_array(), vec![json!("FARGATE")]);
    assert_eq!(object.as_object()["LogDriver"], "awslogs");
    assert_eq!(
        object.as_value()["Options"]["awslogs-group"],
        json!({"Ref": "WebLogGroup"})
    );
}

#[test]
fn next_walks_values_from_every_matching_resource() {
    let t = fixture();
    let port = Capture::new();
    t.has_resource_properties(TARGET_GROUP, pattern!({"Port": port, "TargetType": "ip"}));
    assert_eq!(port.values(), vec![json!(9000), json!(8080)]);
    assert_eq!(port.as_number(), 9000.0);
    assert!(port.next());
    assert_eq!(port.as_number(), 8080.0);
    assert!(!port.next());
    assert_eq!(
        port.as_number(),
        8080.0,
        "next() past the end keeps the last value"
    );
}

#[test]
fn capture_records_nothing_from_resources_that_do_not_match() {
    let t = fixture();
    let port = Capture::new();
    // Only WebTargetGroup has this health check path; HealthTargetGroup's port is not recorded.
    t.has_resource_properties(
        TARGET_GROUP,
        pattern!({"Port": port, "HealthCheckPath": "/health"}),
    );
    assert_eq!(port.values(), vec![json!(8080)]);
}

#[test]
fn capture_inside_array_with_records_the_matched_element() {
    let t = fixture();
    let value = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{
            "Environment": (Match::array_with(pattern!([{"Name": "STAGE", "Value": value}]))),
        }]}),
    );
    assert_eq!(value.as_value(), json!({"Ref": "Stage"}));
}

#[test]
fn capture_in_a_failed_query_stays_empty() {
    let t = fixture();
    let id = Capture::new();
    let result = t.try_has_resource_properties(
        LISTENER,
        pattern!({"Port": 443, "LoadBalancerArn": {"Ref": id}}),
    );
    assert!(result.is_err());
    assert_eq!(id.try_as_value(), None);
}

#[test]
#[should_panic(expected = "Capture has no value: no value matched the pattern holding it")]
fn reading_an_empty_capture_panics_with_a_hint() {
    Capture::new().as_string();
}

#[test]
#[should_panic(expected = "Capture holds 8080, not a string")]
fn reading_the_wrong_type_panics() {
    let c = Capture::new();
    assert!(c.matcher().matches(&json!(8080)));
    c.as_string();
}

#[test]
fn clones_share_values() {
    let c = Capture::new();
    let clone = c.clone();
    assert!(clone.matcher().matches(&json!("x")));
    assert_eq!(c.as_string(), "x");
}
