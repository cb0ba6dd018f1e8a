//! The snapshot macros, on the fixture (stored in tests/snapshots/).

use berth_assertions::{
    assert_template_snapshot, assert_template_yaml_snapshot, assert_templates_snapshot, Template,
};
use serde_json::json;

#[test]
fn fixture_as_json() {
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        assert_template_snapshot!("ecs_service_json", crate::fixture());
    });
}

#[test]
fn fixture_as_yaml() {
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        assert_template_yaml_snapshot!("ecs_service_yaml", crate::fixture());
    });
}

#[test]
fn order_of_keys_does_not_change_the_snapshot() {
    let a = Template::from_json(json!({"Resources": {
        "B": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "b", "DisplayName": "B"}},
        "A": {"Properties": {"DisplayName": "A"}, "Type": "AWS::SNS::Topic"}
    }}))
    .unwrap();
    let b = json!({"Resources": {
        "A": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "A"}},
        "B": {"Properties": {"DisplayName": "B", "TopicName": "b"}, "Type": "AWS::SNS::Topic"}
    }});
    assert_eq!(
        berth_assertions::snapshot::to_stable_json(&a),
        berth_assertions::snapshot::to_stable_json(&b)
    );
    assert_template_snapshot!(&a, @r#"
    {
      "Resources": {
        "A": {
          "Properties": {
            "DisplayName": "A"
          },
          "Type": "AWS::SNS::Topic"
        },
        "B": {
          "Properties": {
            "DisplayName": "B",
            "TopicName": "b"
          },
          "Type": "AWS::SNS::Topic"
        }
      }
    }
    "#);
}

#[test]
fn one_snapshot_per_stack() {
    let stacks = vec![
        (
            "app_network",
            json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}),
        ),
        (
            "app_service",
            json!({"Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}}}),
        ),
    ];
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        assert_templates_snapshot!(stacks.clone());
        assert_templates_snapshot!(yaml, stacks.into_iter().map(|(name, t)| (format!("{name}_yaml"), t)));
    });
}
