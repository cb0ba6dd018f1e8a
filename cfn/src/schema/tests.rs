use super::*;
use serde_json::json;

/// Validates and returns `(pointer, keyword, message)` triples.
fn check(type_name: &str, props: serde_json::Value) -> Vec<(String, String, String)> {
    validate(type_name, &props)
        .into_iter()
        .map(|v| (v.pointer, v.keyword, v.message))
        .collect()
}

fn one(pointer: &str, keyword: &str, message: &str) -> Vec<(String, String, String)> {
    vec![(pointer.into(), keyword.into(), message.into())]
}

/// A valid Fargate service, with tokens where CDK would put them.
fn service() -> serde_json::Value {
    json!({
        "Cluster": {"Ref": "Cluster"},
        "DesiredCount": 2,
        "LaunchType": "FARGATE",
        "TaskDefinition": {"Ref": "TaskDef"},
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "AssignPublicIp": "DISABLED",
            "SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}],
            "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]
        }},
        "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": "Tg"}}]
    })
}

fn task_definition() -> serde_json::Value {
    json!({
        "Cpu": "256",
        "Memory": "512",
        "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"],
        "ExecutionRoleArn": {"Fn::GetAtt": ["ExecRole", "Arn"]},
        "ContainerDefinitions": [{
            "Name": "web",
            "Image": "nginx",
            "Essential": true,
            "PortMappings": [{"ContainerPort": 80, "Protocol": "tcp"}],
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                "awslogs-group": {"Ref": "Logs"},
                "awslogs-region": {"Ref": "AWS::Region"},
                "awslogs-stream-prefix": "web"
            }}
        }]
    })
}

#[test]
fn valid_resources_have_no_violations() {
    assert_eq!(check("AWS::ECS::Service", service()), vec![]);
    assert_eq!(check("AWS::ECS::TaskDefinition", task_definition()), vec![]);
    assert_eq!(check("AWS::ECS::Cluster", json!({})), vec![]);
    assert_eq!(check("AWS::ECS::Cluster", serde_json::Value::Null), vec![]);
}

#[test]
fn enum_value() {
    let mut p = service();
    p["LaunchType"] = json!("FARGATEX");
    assert_eq!(
        check("AWS::ECS::Service", p),
        one(
            "/LaunchType",
            "enum",
            r#""FARGATEX" is not one of "EC2", "FARGATE", "EXTERNAL""#
        )
    );
}

#[test]
fn pattern_with_lookahead() {
    assert_eq!(
        check(
            "AWS::ECR::Repository",
            json!({"RepositoryName": "Bad Name!"})
        ),
        one(
            "/RepositoryName",
            "pattern",
            r#""Bad Name!" does not match the pattern "^(?=.{2,256}$)([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*)$""#
        )
    );
}

#[test]
fn patched_pattern() {
    // The upstream pattern ends with `\Z`, patched to `$` (see schemas/README.md).
    assert_eq!(
        check("AWS::Logs::LogGroup", json!({"LogGroupName": "/ecs/web"})),
        vec![]
    );
    let v = check("AWS::Logs::LogGroup", json!({"LogGroupName": "bad name!"}));
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0].0.as_str(), v[0].1.as_str()),
        ("/LogGroupName", "pattern")
    );
}

#[test]
fn required() {
    assert_eq!(
        check(
            "AWS::EC2::Route",
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}})
        ),
        one(
            "",
            "required",
            r#"missing required property "RouteTableId""#
        )
    );
}

#[test]
fn nested_required_and_enum() {
    let mut p = task_definition();
    p["ContainerDefinitions"][0]
        .as_object_mut()
        .unwrap()
        .remove("Image");
    p["ContainerDefinitions"][0]["PortMappings"][0]["Protocol"] = json!("sctp");
    assert_eq!(
        check("AWS::ECS::TaskDefinition", p),
        vec![
            (
                "/ContainerDefinitions/0".into(),
                "required".into(),
                r#"missing required property "Image""#.into()
            ),
            (
                "/ContainerDefinitions/0/PortMappings/0/Protocol".into(),
                "enum".into(),
                r#""sctp" is not one of "tcp", "udp""#.into()
            ),
        ]
    );
}

#[test]
fn type_mismatch() {
    let mut p = service();
    p["DesiredCount"] = json!("two");
    assert_eq!(
        check("AWS::ECS::Service", p),
        one("/DesiredCount", "type", r#""two" is not an integer"#)
    );
}

#[test]
fn a_reported_value_shows_its_tokens_as_written() {
    // The validator reads a token as a string; the message shows the value itself.
    let mut p = service();
    p["LoadBalancers"] = json!({"TargetGroupArn": {"Ref": "Tg"}});
    assert_eq!(
        check("AWS::ECS::Service", p),
        one(
            "/LoadBalancers",
            "type",
            r#"{"TargetGroupArn":{"Ref":"Tg"}} is not a list"#
        )
    );
}

#[test]
fn long_values_are_truncated() {
    let mut p = service();
    p["DesiredCount"] = json!({"Long": "x".repeat(200)});
    let v = check("AWS::ECS::Service", p);
    assert_eq!(v.len(), 1);
    assert!(v[0].2.ends_with("… is not an integer"), "{}", v[0].2);
    assert!(v[0].2.chars().count() < 110, "{}", v[0].2);
}

#[test]
fn scalar_coercions_are_accepted() {
    let mut p = service();
    p["DesiredCount"] = json!("2");
    p["EnableExecuteCommand"] = json!("true");
    assert_eq!(check("AWS::ECS::Service", p), vec![]);
    assert_eq!(
        check(
            "AWS::EC2::SecurityGroupIngress",
            json!({"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": "80", "ToPort": 80, "CidrIp": "0.0.0.0/0"})
        ),
        vec![]
    );
    // A number where a string is expected.
    assert_eq!(
        check(
            "AWS::ECS::TaskDefinition",
            json!({"Cpu": 256, "Memory": 512})
        ),
        vec![]
    );
}

#[test]
fn range() {
    assert_eq!(
        check(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            json!({"Port": 70000})
        ),
        one(
            "/Port",
            "maximum",
            "70000 is greater than the maximum 65535"
        )
    );
    assert_eq!(
        check("AWS::SQS::Queue", json!({"VisibilityTimeout": -1})),
        one(
            "/VisibilityTimeout",
            "minimum",
            "-1 is less than the minimum 0"
        )
    );
}

#[test]
fn max_length() {
    let name = "a".repeat(70);
    assert_eq!(
        check(
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": {}, "RoleName": name})
        ),
        one(
            "/RoleName",
            "maxLength",
            &format!("\"{name}\" is too long: at most 64 characters allowed, 70 given")
        )
    );
}

#[test]
fn min_items() {
    assert_eq!(
        check(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"LoadBalancerArn": {"Ref": "Lb"}, "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}], "Tags": []})
        ),
        one("/Tags", "minItems", "list has 0 items, at least 1 required")
    );
}

#[test]
fn unknown_property_with_suggestion() {
    assert_eq!(
        check("AWS::ECS::Cluster", json!({"ClusterNmae": "x"})),
        one(
            "/ClusterNmae",
            "additionalProperties",
            r#"unknown property "ClusterNmae"; did you mean "ClusterName"?"#
        )
    );
    assert_eq!(
        check("AWS::ECS::Cluster", json!({"Zzz": "x"})),
        one("/Zzz", "additionalProperties", r#"unknown property "Zzz""#)
    );
}

#[test]
fn unknown_nested_property() {
    let mut p = task_definition();
    p["ContainerDefinitions"][0]["Imag"] = json!("x");
    assert_eq!(
        check("AWS::ECS::TaskDefinition", p),
        one(
            "/ContainerDefinitions/0/Imag",
            "additionalProperties",
            r#"unknown property "Imag"; did you mean "Image"?"#
        )
    );
}

#[test]
fn read_only_property() {
    assert_eq!(
        check("AWS::ECS::Cluster", json!({"Arn": "arn:aws:ecs:x"})),
        one(
            "/Arn",
            "readOnly",
            r#"property "Arn" is read-only: CloudFormation sets it; remove it (read it as the attribute "Arn" instead)"#
        )
    );
}

#[test]
fn tokens_are_not_reported() {
    // Intrinsics where strings, integers, lists and objects are expected.
    let p = json!({
        "Cluster": {"Fn::ImportValue": "shared-cluster"},
        "DesiredCount": {"Ref": "Count"},
        "LaunchType": {"Fn::If": ["UseEc2", "EC2", "FARGATE"]},
        "LoadBalancers": {"Fn::If": ["WithLb", [], {"Ref": "AWS::NoValue"}]},
        "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": {"Fn::Split": [",", {"Ref": "Subnets"}]}}},
        "DeploymentConfiguration": {"Condition": "X"}
    });
    assert_eq!(check("AWS::ECS::Service", p), vec![]);
    // The whole Properties object as an intrinsic.
    assert_eq!(
        check("AWS::ECS::Service", json!({"Fn::If": ["C", {}, {}]})),
        vec![]
    );
}

#[test]
fn malformed_intrinsic_is_reported() {
    // Two keys: not an intrinsic.
    let v = check(
        "AWS::ECS::Service",
        json!({"DesiredCount": {"Ref": "X", "Extra": 1}}),
    );
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0].0.as_str(), v[0].1.as_str()),
        ("/DesiredCount", "type")
    );
}

#[test]
fn fn_if_over_map_typed_property_is_not_reported() {
    assert_eq!(
        check(
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "v", "Tags": {"Fn::If": ["C", {"a": "b"}, {"Ref": "AWS::NoValue"}]}})
        ),
        vec![]
    );
    let mut p = task_definition();
    p["ContainerDefinitions"][0]["LogConfiguration"]["Options"] =
        json!({"Fn::If": ["C", {"awslogs-group": "g"}, {"Ref": "AWS::NoValue"}]});
    assert_eq!(check("AWS::ECS::TaskDefinition", p), vec![]);
}

#[test]
fn dependent_required_is_checked() {
    // VPC: Ipv4NetmaskLength requires Ipv4IpamPoolId (Draft 2020-12 `dependentRequired`).
    assert_eq!(
        check("AWS::EC2::VPC", json!({"Ipv4NetmaskLength": 16})),
        one(
            "",
            "dependentRequired",
            r#"missing property "Ipv4IpamPoolId", required when "Ipv4NetmaskLength" is set"#
        )
    );
    // `dependencies` (AutoScalingGroup InstanceMaintenancePolicy), nested.
    assert_eq!(
        check(
            "AWS::AutoScaling::AutoScalingGroup",
            json!({"MaxSize": "1", "MinSize": "0", "InstanceMaintenancePolicy": {"MinHealthyPercentage": 90}})
        ),
        one(
            "/InstanceMaintenancePolicy",
            "dependentRequired",
            r#"missing property "MaxHealthyPercentage", required when "MinHealthyPercentage" is set"#
        )
    );
}

#[test]
fn any_of_required_alternatives() {
    // IAM::Policy needs one of Users, Groups, Roles.
    let v = check(
        "AWS::IAM::Policy",
        json!({"PolicyName": "p", "PolicyDocument": {"Statement": []}}),
    );
    assert_eq!(
        v,
        one(
            "",
            "anyOf",
            r#"requires at least one of "Users", "Groups", "Roles""#
        )
    );
    let ok = check(
        "AWS::IAM::Policy",
        json!({"PolicyName": "p", "PolicyDocument": {}, "Roles": [{"Ref": "Role"}]}),
    );
    assert_eq!(ok, vec![]);
}

#[test]
fn unknown_type_is_not_validated() {
    assert_eq!(check("Custom::Thing", json!({"Anything": 1})), vec![]);
    assert!(schema("Custom::Thing").is_none());
}

#[test]
fn every_vendored_schema_compiles() {
    assert_eq!(compile_all_fresh(), Ok(vendored_types().count()));
    assert_eq!(vendored_types().count(), 44);
}

#[test]
fn registry() {
    let s = schema("AWS::ECS::Service").expect("vendored");
    assert_eq!(s.type_name, "AWS::ECS::Service");
    assert_eq!(s.attributes, vec!["ServiceArn", "Name"]);
    assert_eq!(
        s.create_only,
        vec!["Cluster", "Role", "SchedulingStrategy", "ServiceName"]
    );
    assert_eq!(s.tags, Some(TagFormat::List));
    assert_eq!(
        schema("AWS::SSM::Parameter").and_then(|s| s.tags),
        Some(TagFormat::Map)
    );
    assert_eq!(
        schema("AWS::EC2::VPCGatewayAttachment").and_then(|s| s.tags),
        None
    );
    let vpc = schema("AWS::EC2::VPC").expect("vendored");
    assert!(vpc
        .attributes
        .iter()
        .any(|a| a == "VpcEncryptionControl.State"));
    for t in vendored_types() {
        assert!(schema_json(t).is_some_and(|j| j.contains(t)), "{t}");
    }
}

#[test]
fn unique_items() {
    assert_eq!(
        check(
            "AWS::ECS::TaskDefinition",
            json!({"RequiresCompatibilities": ["FARGATE", "FARGATE"]})
        ),
        one(
            "/RequiresCompatibilities",
            "uniqueItems",
            r#"["FARGATE","FARGATE"] has duplicate items; every item must be unique"#
        )
    );
}

#[test]
fn one_of_is_checked_when_the_value_holds_tokens() {
    // The validator reads a token as a string; a real "both forms" error stays an error.
    for zone_id in [json!("Z123"), json!({"Ref": "Zone"})] {
        let p = json!({
            "Name": {"Fn::Sub": "api.${Domain}"},
            "Type": "A",
            "TTL": "60",
            "ResourceRecords": ["10.0.0.1"],
            "HostedZoneId": zone_id,
            "HostedZoneName": "example.com."
        });
        let v = check("AWS::Route53::RecordSet", p);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].0, "");
        assert!(
            v[0].2
                .contains("matches more than one of the allowed forms"),
            "{v:?}"
        );
    }
}
