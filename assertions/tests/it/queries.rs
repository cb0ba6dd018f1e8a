//! Each Template query on the fixture: what passes, what fails.

use berth_assertions::{pattern, Match};
use serde_json::json;

use crate::fixture;

#[test]
fn resource_count_is() {
    let t = fixture();
    t.resource_count_is("AWS::ECS::Service", 1);
    t.resource_count_is("AWS::ElasticLoadBalancingV2::TargetGroup", 2);
    t.resource_count_is("AWS::EC2::SecurityGroup", 2);
    t.resource_count_is("AWS::RDS::DBInstance", 0);
    assert!(t.try_resource_count_is("AWS::ECS::Service", 2).is_err());
}

#[test]
#[should_panic(
    expected = "expected 3 resources of type AWS::ElasticLoadBalancingV2::TargetGroup, found 2"
)]
fn resource_count_is_panics() {
    fixture().resource_count_is("AWS::ElasticLoadBalancingV2::TargetGroup", 3);
}

#[test]
fn resource_properties_count_is() {
    let t = fixture();
    let tg = "AWS::ElasticLoadBalancingV2::TargetGroup";
    t.resource_properties_count_is(tg, json!({"TargetType": "ip"}), 2);
    t.resource_properties_count_is(tg, json!({"Port": 8080}), 1);
    t.resource_properties_count_is(tg, json!({"Port": 443}), 0);
    assert!(t
        .try_resource_properties_count_is(tg, json!({"Port": 8080}), 2)
        .is_err());
}

#[test]
fn has_resource_matches_the_whole_resource() {
    let t = fixture();
    t.has_resource(
        "AWS::ECS::Service",
        json!({"DependsOn": ["LbListener"], "Properties": {"LaunchType": "FARGATE"}}),
    );
    t.has_resource(
        "AWS::Logs::LogGroup",
        json!({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}),
    );
    t.has_resource("AWS::SNS::Topic", json!({"Condition": "IsProd"}));
    // The resource pattern sees `Properties` as a key, so a bare property is not found.
    assert!(t
        .try_has_resource("AWS::ECS::Service", json!({"LaunchType": "FARGATE"}))
        .is_err());
    assert!(t
        .try_has_resource(
            "AWS::ECS::Cluster",
            pattern!({"DependsOn": (Match::any_value())})
        )
        .is_err());
}

#[test]
fn has_resource_properties() {
    let t = fixture();
    t.has_resource_properties(
        "AWS::ECS::Service",
        json!({"LaunchType": "FARGATE", "DesiredCount": 2}),
    );
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "Subnets": (Match::array_with(json!(["subnet-0ddd4444"])))}}}),
    );
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": (Match::array_with(json!([{"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow"}])))}}),
    );
    t.has_resource_properties(
        "AWS::CloudWatch::Dashboard",
        pattern!({"DashboardBody": (Match::serialized_json(json!({"widgets": [{"type": "metric"}]})))}),
    );
    // A resource without Properties is seen as {}.
    t.has_resource_properties("AWS::ECS::Cluster", json!({}));
    assert!(t
        .try_has_resource_properties("AWS::ECS::Service", json!({"LaunchType": "EC2"}))
        .is_err());
}

#[test]
#[should_panic(
    expected = "template has 1 resource of type AWS::ECS::Service, but none match the expected properties"
)]
fn has_resource_properties_panics() {
    fixture().has_resource_properties("AWS::ECS::Service", json!({"DesiredCount": 3}));
}

#[test]
fn find_resources_returns_matches_by_logical_id() {
    let t = fixture();
    let all = t.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup", json!({}));
    assert_eq!(
        all.keys().collect::<Vec<_>>(),
        ["HealthTargetGroup", "WebTargetGroup"]
    );
    let web = t.find_resources(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"Properties": {"Port": 8080}}),
    );
    assert_eq!(web.len(), 1);
    assert_eq!(
        web["WebTargetGroup"]["Properties"]["HealthCheckPath"],
        "/health"
    );
    assert!(t
        .find_resources("AWS::RDS::DBInstance", json!({}))
        .is_empty());
}

#[test]
fn all_resources_and_all_resources_properties() {
    let t = fixture();
    t.all_resources_properties("AWS::EC2::SecurityGroup", json!({"VpcId": "vpc-0abc1234"}));
    t.all_resources(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"Properties": {"Protocol": "HTTP"}}),
    );
    assert!(t
        .try_all_resources_properties(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            json!({"Port": 8080})
        )
        .is_err());
    // No resource of the type: not vacuously true.
    assert!(t
        .try_all_resources("AWS::RDS::DBInstance", json!({}))
        .is_err());
}

#[test]
fn outputs() {
    let t = fixture();
    t.has_output("LoadBalancerDns", json!({"Export": {"Name": "web-lb-dns"}}));
    t.has_output(
        "*",
        json!({"Value": {"Fn::GetAtt": ["WebService", "Name"]}}),
    );
    assert!(t
        .try_has_output("ServiceName", json!({"Export": {}}))
        .is_err());
    assert!(t.try_has_output("Missing", json!({})).is_err());
    let exported = t.find_outputs("*", pattern!({"Export": (Match::any_value())}));
    assert_eq!(exported.keys().collect::<Vec<_>>(), ["LoadBalancerDns"]);
    assert_eq!(t.find_outputs("ServiceName", json!({})).len(), 1);
}

#[test]
fn parameters() {
    let t = fixture();
    t.has_parameter("ImageTag", json!({"Type": "String", "Default": "1.27"}));
    t.has_parameter("*", json!({"AllowedValues": ["dev", "prod"]}));
    assert!(t
        .try_has_parameter("Stage", json!({"Default": "prod"}))
        .is_err());
    assert_eq!(t.find_parameters("*", json!({"Type": "String"})).len(), 2);
}

#[test]
fn mappings() {
    let t = fixture();
    t.has_mapping("StageSizes", json!({"prod": {"DesiredCount": 2}}));
    assert!(t.try_has_mapping("*", json!({"test": {}})).is_err());
    assert_eq!(
        t.find_mappings("*", json!({"dev": {"Cpu": "256"}})).len(),
        1
    );
}

#[test]
fn conditions() {
    let t = fixture();
    t.has_condition("IsProd", json!({"Fn::Equals": [{"Ref": "Stage"}, "prod"]}));
    assert!(t
        .try_has_condition("*", json!({"Fn::Equals": [{"Ref": "Stage"}, "dev"]}))
        .is_err());
    assert_eq!(t.find_conditions("*", Match::any_value()).len(), 1);
}

#[test]
fn template_matches() {
    let t = fixture();
    t.template_matches(pattern!({
        "Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}},
        "Rules": (Match::absent()),
    }));
    assert!(t
        .try_template_matches(json!({"Transform": "AWS::Serverless-2016-10-31"}))
        .is_err());
}
