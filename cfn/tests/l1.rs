//! The generated L1 resources: rendering, attributes, and agreement with the schemas.

use berth_assembly::json::Node;
use berth_cfn::resource::{CfnProperties, ResourceRef};
use berth_cfn::schema;
use berth_cfn::value::{ElementId, Expr, Intrinsic, Render, Target, ToValue, Token, Value};
use berth_cfn::{ec2, ecs, elbv2, iam, ssm};
use indexmap::IndexMap;

/// Renders a value the way a template would, with `E<n>` as the logical ID of element `n`.
fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Value::Fn(i) => match i.as_ref() {
            Intrinsic::Ref(Target::Element(id)) => json!({"Ref": format!("E{}", id.0)}),
            Intrinsic::Ref(Target::Pseudo(p)) => json!({"Ref": p.name()}),
            Intrinsic::GetAtt(id, a) => json!({"Fn::GetAtt": [format!("E{}", id.0), a]}),
            Intrinsic::Join(sep, parts) => {
                json!({"Fn::Join": [sep, parts.iter().map(to_json).collect::<Vec<_>>()]})
            }
            other => panic!("not used in these tests: {other:?}"),
        },
    }
}

/// Typed properties rendered the way a template has them (see [`to_json`]).
fn rendered(p: &dyn Render) -> serde_json::Value {
    p.render(&mut |v: &Value| Node::from(&to_json(v)))
        .to_serde()
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn only_set_fields_are_rendered_in_schema_order() {
    let cluster = ResourceRef::<ecs::CfnCluster>::new(ElementId(1));
    let tg = ResourceRef::<elbv2::CfnTargetGroup>::new(ElementId(2));
    let svc = ecs::CfnService {
        // Set out of schema order on purpose.
        load_balancers: Some(
            vec![ecs::service::LoadBalancer {
                container_name: Some("web".into()),
                container_port: Some(80.into()),
                target_group_arn: Some(tg.ref_().into()),
                ..Default::default()
            }]
            .into(),
        ),
        launch_type: Some(ecs::service::LaunchType::Fargate.into()),
        desired_count: Some(2.into()),
        cluster: Some(cluster.ref_().into()),
        ..Default::default()
    };
    assert_eq!(svc.type_name(), "AWS::ECS::Service");
    assert_eq!(ecs::CfnService::TYPE_NAME, "AWS::ECS::Service");
    let props = rendered(&svc);
    assert_eq!(
        keys(&props),
        ["Cluster", "DesiredCount", "LaunchType", "LoadBalancers"]
    );
    assert_eq!(
        props,
        serde_json::json!({
            "Cluster": {"Ref": "E1"},
            "DesiredCount": 2,
            "LaunchType": "FARGATE",
            "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": "E2"}}]
        })
    );
    assert_eq!(rendered(&ecs::CfnService::default()), serde_json::json!({}));
}

#[test]
fn attributes_are_typed_get_atts() {
    let cluster = ResourceRef::<ecs::CfnCluster>::new(ElementId(7));
    assert_eq!(cluster.attr_arn(), Token::get_att(ElementId(7), "Arn"));
    let vpc = ResourceRef::<ec2::CfnVpc>::new(ElementId(3));
    // Nested read-only property `/properties/VpcEncryptionControl/State`.
    assert_eq!(
        vpc.attr_vpc_encryption_control_state().to_value(),
        Value::get_att(ElementId(3), "VpcEncryptionControl.State")
    );
    // A list attribute plugs into a list property.
    let tg = ResourceRef::<elbv2::CfnTargetGroup>::new(ElementId(4));
    let lb = elbv2::CfnLoadBalancer {
        security_groups: Some(vpc.attr_ipv6_cidr_blocks().into()),
        subnets: Some(vec![Expr::from("subnet-1"), tg.attr_target_group_arn().into()].into()),
        ..Default::default()
    };
    assert_eq!(
        rendered(&lb),
        serde_json::json!({
            "SecurityGroups": {"Fn::GetAtt": ["E3", "Ipv6CidrBlocks"]},
            "Subnets": ["subnet-1", {"Fn::GetAtt": ["E4", "TargetGroupArn"]}]
        })
    );
    // Every generated attribute is in the schema table, and the other way round (checked by
    // name through the registry for a few types).
    assert_eq!(
        schema::schema("AWS::ElasticLoadBalancingV2::TargetGroup")
            .expect("vendored")
            .attributes,
        [
            "LoadBalancerArns",
            "TargetGroupArn",
            "TargetGroupName",
            "TargetGroupFullName"
        ]
    );
}

#[test]
fn read_only_properties_are_not_fields() {
    // `Arn` of AWS::ECS::Cluster is an attribute, not a property: the struct has no such
    // field (this would not compile: `ecs::CfnCluster { arn: None, .. }`), and the
    // rendered properties never contain it.
    let c = ecs::CfnCluster {
        cluster_name: Some("main".into()),
        ..Default::default()
    };
    assert_eq!(keys(&rendered(&c)), ["ClusterName"]);
}

#[test]
fn untyped_json_and_maps() {
    let role = iam::CfnRole {
        assume_role_policy_document: Some(Expr::Lit(Value::from_json(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        })))),
        ..Default::default()
    };
    let json = rendered(&role);
    assert_eq!(json["AssumeRolePolicyDocument"]["Version"], "2012-10-17");
    assert!(schema::validate(iam::CfnRole::TYPE_NAME, &json).is_empty());

    let mut tags = IndexMap::new();
    tags.insert("team".to_owned(), Expr::from("web"));
    let p = ssm::CfnParameter {
        type_: Some(ssm::parameter::Type::String.into()),
        value: Some("v".into()),
        tags: Some(Expr::Lit(tags)),
        ..Default::default()
    };
    let json = rendered(&p);
    assert_eq!(
        json,
        serde_json::json!({"Type": "String", "Value": "v", "Tags": {"team": "web"}})
    );
    assert!(schema::validate(ssm::CfnParameter::TYPE_NAME, &json).is_empty());
}

#[test]
fn rendered_l1_validates_and_errors_point_at_the_property() {
    let sg = ec2::CfnSecurityGroup {
        group_description: Some("web".into()),
        vpc_id: Some(Token::<String>::ref_to(ElementId(1)).into()),
        security_group_ingress: Some(
            vec![ec2::security_group::Ingress {
                ip_protocol: Some("tcp".into()),
                from_port: Some(80.into()),
                to_port: Some(80.into()),
                cidr_ip: Some("0.0.0.0/0".into()),
                ..Default::default()
            }]
            .into(),
        ),
        ..Default::default()
    };
    let json = rendered(&sg);
    assert_eq!(
        schema::validate(ec2::CfnSecurityGroup::TYPE_NAME, &json),
        vec![]
    );

    let tg = elbv2::CfnTargetGroup {
        port: Some(70_000.into()),
        protocol: Some(elbv2::target_group::Protocol::Http.into()),
        ..Default::default()
    };
    let v = schema::validate(elbv2::CfnTargetGroup::TYPE_NAME, &rendered(&tg));
    assert_eq!(
        v,
        vec![schema::Violation {
            pointer: "/Port".into(),
            keyword: "maximum".into(),
            message: "70000 is greater than the maximum 65535".into()
        }]
    );
}

#[test]
fn compile_fail_ui() {
    // An unknown attribute (`attr_cluster_arn` on a cluster) and a read-only property used
    // as an input (`arn`) do not compile.
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
