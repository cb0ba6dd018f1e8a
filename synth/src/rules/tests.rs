//! A violating and a fixed template per rule; suppressions; the report's shapes.

use super::*;
use serde_json::{json, Value};

/// A template of `resources` (logical id → (type, properties)), each with its
/// `berth:path` `App/<id>/Resource`, checked with the aws-solutions pack.
fn run(resources: &[(&str, &str, Value)]) -> Report {
    run_with_meta(
        &resources
            .iter()
            .map(|(id, t, p)| (*id, *t, p.clone(), Value::Null))
            .collect::<Vec<_>>(),
    )
}

fn run_with_meta(resources: &[(&str, &str, Value, Value)]) -> Report {
    let mut res = serde_json::Map::new();
    for (id, t, p, nag) in resources {
        let mut meta = json!({"berth:path": format!("App/{id}/Resource")});
        if !nag.is_null() {
            meta["cdk_nag"] = nag.clone();
        }
        res.insert(
            (*id).into(),
            json!({"Type": t, "Properties": p, "Metadata": meta}),
        );
    }
    let template = json!({"Resources": res});
    check_template(
        "App",
        "App.template.json",
        &template,
        &[pack("aws-solutions").unwrap()],
    )
}

/// The unsuppressed findings of `rule`: (path, property, finding).
fn hits(report: &Report, rule: &str) -> Vec<(String, Option<String>, Option<String>)> {
    report
        .unsuppressed()
        .filter(|f| f.rule_id == rule)
        .map(|f| (f.path.clone(), f.property.clone(), f.finding.clone()))
        .collect()
}

/// Asserts `rule` finds exactly `expected` (logical id, property) in `bad` and nothing in `good`.
fn case(
    rule: &str,
    bad: &[(&str, &str, Value)],
    good: &[(&str, &str, Value)],
    expected: &[(&str, Option<&str>)],
) {
    let found = hits(&run(bad), rule);
    let want: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(id, p)| (format!("App/{id}/Resource"), p.map(str::to_owned)))
        .collect();
    let got: Vec<(String, Option<String>)> = found
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    assert_eq!(got, want, "{rule} on the violating template");
    assert_eq!(
        hits(&run(good), rule),
        vec![],
        "{rule} on the fixed template"
    );
}

fn container(extra: Value) -> Value {
    let mut c = json!({"Name": "web", "Image": "nginx", "Essential": true,
        "LogConfiguration": {"LogDriver": "awslogs"}, "ReadonlyRootFilesystem": true, "User": "1000"});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    json!({"ContainerDefinitions": [c]})
}

const TD: &str = "AWS::ECS::TaskDefinition";

#[test]
fn ecs2_environment_variables() {
    case(
        "AwsSolutions-ECS2",
        &[(
            "Td",
            TD,
            container(json!({"Environment": [{"Name": "PORT", "Value": "80"}]})),
        )],
        &[("Td", TD, container(json!({})))],
        &[("Td", Some("ContainerDefinitions[0].Environment"))],
    );
}

#[test]
fn ecs4_container_insights() {
    case(
        "AwsSolutions-ECS4",
        &[("C", "AWS::ECS::Cluster", json!({}))],
        &[(
            "C",
            "AWS::ECS::Cluster",
            json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}]}),
        )],
        &[("C", Some("ClusterSettings"))],
    );
    let disabled = run(&[(
        "C",
        "AWS::ECS::Cluster",
        json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "disabled"}]}),
    )]);
    assert_eq!(hits(&disabled, "AwsSolutions-ECS4").len(), 1);
}

#[test]
fn ecs7_container_logging() {
    case(
        "AwsSolutions-ECS7",
        &[("Td", TD, container(json!({"LogConfiguration": null})))],
        &[("Td", TD, container(json!({})))],
        &[("Td", Some("ContainerDefinitions[0].LogConfiguration"))],
    );
}

#[test]
fn ecr1_open_access() {
    let policy = |p: Value| json!({"RepositoryPolicyText": {"Statement": [{"Effect": "Allow", "Principal": p, "Action": "ecr:BatchGetImage"}]}});
    case(
        "AwsSolutions-ECR1",
        &[("R", "AWS::ECR::Repository", policy(json!({"AWS": "*"})))],
        &[(
            "R",
            "AWS::ECR::Repository",
            policy(json!({"AWS": "arn:aws:iam::123456789012:root"})),
        )],
        &[("R", Some("RepositoryPolicyText"))],
    );
}

#[test]
fn elb2_access_logs() {
    let lb = |on: &str| json!({"LoadBalancerAttributes": [{"Key": "access_logs.s3.enabled", "Value": on}]});
    case(
        "AwsSolutions-ELB2",
        &[(
            "Lb",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            lb("false"),
        )],
        &[(
            "Lb",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            lb("true"),
        )],
        &[("Lb", Some("LoadBalancerAttributes"))],
    );
}

#[test]
fn vpc7_flow_logs() {
    let vpc = ("Vpc", "AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"}));
    case(
        "AwsSolutions-VPC7",
        std::slice::from_ref(&vpc),
        &[
            vpc.clone(),
            (
                "Fl",
                "AWS::EC2::FlowLog",
                json!({"ResourceId": {"Ref": "Vpc"}, "ResourceType": "VPC", "TrafficType": "ALL"}),
            ),
        ],
        &[("Vpc", None)],
    );
}

#[test]
fn ec23_open_inbound() {
    let sg = |cidr: &str| json!({"GroupDescription": "web", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": cidr}]});
    case(
        "AwsSolutions-EC23",
        &[
            ("Sg", "AWS::EC2::SecurityGroup", sg("0.0.0.0/0")),
            (
                "In",
                "AWS::EC2::SecurityGroupIngress",
                json!({"CidrIpv6": "::/0", "IpProtocol": "-1"}),
            ),
        ],
        &[
            ("Sg", "AWS::EC2::SecurityGroup", sg("10.0.0.0/16")),
            (
                "In",
                "AWS::EC2::SecurityGroupIngress",
                json!({"CidrIpv6": "fd00::/8", "IpProtocol": "-1"}),
            ),
        ],
        &[
            ("Sg", Some("SecurityGroupIngress[0]")),
            ("In", Some("CidrIpv6")),
        ],
    );
}

#[test]
fn ec26_ebs_encryption() {
    let lt = |enc: bool| json!({"LaunchTemplateData": {"BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": enc}}]}});
    case(
        "AwsSolutions-EC26",
        &[
            ("V", "AWS::EC2::Volume", json!({"Size": 10})),
            ("Lt", "AWS::EC2::LaunchTemplate", lt(false)),
        ],
        &[
            (
                "V",
                "AWS::EC2::Volume",
                json!({"Size": 10, "Encrypted": true}),
            ),
            ("Lt", "AWS::EC2::LaunchTemplate", lt(true)),
        ],
        &[
            ("V", Some("Encrypted")),
            (
                "Lt",
                Some("LaunchTemplateData.BlockDeviceMappings[0].Ebs.Encrypted"),
            ),
        ],
    );
}

#[test]
fn ec27_security_group_description() {
    case(
        "AwsSolutions-EC27",
        &[(
            "Sg",
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": ""}),
        )],
        &[(
            "Sg",
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": "the web tier"}),
        )],
        &[("Sg", Some("GroupDescription"))],
    );
}

#[test]
fn ec28_ec29_instances() {
    let i = |on: bool| json!({"ImageId": "ami-1", "Monitoring": on, "DisableApiTermination": on});
    case(
        "AwsSolutions-EC28",
        &[("I", "AWS::EC2::Instance", i(false))],
        &[("I", "AWS::EC2::Instance", i(true))],
        &[("I", Some("Monitoring"))],
    );
    case(
        "AwsSolutions-EC29",
        &[("I", "AWS::EC2::Instance", i(false))],
        &[("I", "AWS::EC2::Instance", i(true))],
        &[("I", Some("DisableApiTermination"))],
    );
    case(
        "AwsSolutions-EC28",
        &[(
            "Lc",
            "AWS::AutoScaling::LaunchConfiguration",
            json!({"InstanceMonitoring": false}),
        )],
        &[("Lc", "AWS::AutoScaling::LaunchConfiguration", json!({}))],
        &[("Lc", Some("InstanceMonitoring"))],
    );
}

#[test]
fn as1_as2_as3_auto_scaling_groups() {
    const ASG: &str = "AWS::AutoScaling::AutoScalingGroup";
    let all = json!([{"TopicARN": "arn:aws:sns:us-east-1:1:t", "NotificationTypes": [
        "autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
        "autoscaling:EC2_INSTANCE_TERMINATE", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"]}]);
    let good = json!({"MinSize": "1", "MaxSize": "2", "Cooldown": "300", "HealthCheckType": "ELB", "HealthCheckGracePeriod": 60, "NotificationConfigurations": all});
    let bad = json!({"MinSize": "1", "MaxSize": "2", "Cooldown": "0", "HealthCheckType": "ELB",
        "NotificationConfigurations": [{"TopicARN": "t", "NotificationTypes": ["autoscaling:EC2_INSTANCE_LAUNCH"]}]});
    case(
        "AwsSolutions-AS1",
        &[("G", ASG, bad.clone())],
        &[("G", ASG, good.clone())],
        &[("G", Some("Cooldown"))],
    );
    case(
        "AwsSolutions-AS2",
        &[("G", ASG, bad.clone())],
        &[("G", ASG, good.clone())],
        &[("G", Some("HealthCheckGracePeriod"))],
    );
    case(
        "AwsSolutions-AS3",
        &[("G", ASG, bad)],
        &[("G", ASG, good)],
        &[("G", Some("NotificationConfigurations"))],
    );
}

#[test]
fn iam4_managed_policies_with_findings() {
    let role = |arns: Value| json!({"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": arns});
    let bad = run(&[(
        "R",
        "AWS::IAM::Role",
        role(
            json!([{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AdministratorAccess"]]}]),
        ),
    )]);
    assert_eq!(
        hits(&bad, "AwsSolutions-IAM4"),
        vec![(
            "App/R/Resource".to_owned(),
            Some("ManagedPolicyArns[0]".to_owned()),
            Some("Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess".to_owned())
        )]
    );
    let good = run(&[(
        "R",
        "AWS::IAM::Role",
        role(json!(["arn:aws:iam::123456789012:policy/Mine"])),
    )]);
    assert!(hits(&good, "AwsSolutions-IAM4").is_empty());
}

#[test]
fn iam5_wildcards_with_findings() {
    let policy = |action: &str, resource: Value| json!({"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": [action], "Resource": resource}]}});
    let bad = run(&[(
        "P",
        "AWS::IAM::Policy",
        policy(
            "s3:*",
            json!({"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}),
        ),
    )]);
    let found: Vec<Option<String>> = hits(&bad, "AwsSolutions-IAM5")
        .into_iter()
        .map(|h| h.2)
        .collect();
    assert_eq!(
        found,
        vec![
            Some("Action::s3:*".to_owned()),
            Some("Resource::<Bucket.Arn>/*".to_owned())
        ]
    );
    let good = run(&[(
        "P",
        "AWS::IAM::Policy",
        policy("s3:GetObject", json!({"Fn::GetAtt": ["Bucket", "Arn"]})),
    )]);
    assert!(hits(&good, "AwsSolutions-IAM5").is_empty());
}

#[test]
fn smg4_rotation() {
    let secret = ("S", "AWS::SecretsManager::Secret", json!({}));
    case(
        "AwsSolutions-SMG4",
        std::slice::from_ref(&secret),
        &[
            secret.clone(),
            (
                "Rot",
                "AWS::SecretsManager::RotationSchedule",
                json!({"SecretId": {"Ref": "S"}}),
            ),
        ],
        &[("S", None)],
    );
}

#[test]
fn kms5_key_rotation() {
    case(
        "AwsSolutions-KMS5",
        &[("K", "AWS::KMS::Key", json!({}))],
        &[
            ("K", "AWS::KMS::Key", json!({"EnableKeyRotation": true})),
            ("A", "AWS::KMS::Key", json!({"KeySpec": "RSA_2048"})),
        ],
        &[("K", Some("EnableKeyRotation"))],
    );
}

fn tls_policy(field: &str, target: Value, service: &str) -> Value {
    json!({field: target, "PolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": format!("{service}:*"), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}})
}

#[test]
fn sqs3_sqs4_queues() {
    let q = (
        "Q",
        "AWS::SQS::Queue",
        json!({"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}}),
    );
    let dlq = ("Dlq", "AWS::SQS::Queue", json!({}));
    case(
        "AwsSolutions-SQS3",
        &[("Q", "AWS::SQS::Queue", json!({}))],
        &[q.clone(), dlq.clone()],
        &[("Q", Some("RedrivePolicy"))],
    );
    let policy = (
        "Pol",
        "AWS::SQS::QueuePolicy",
        tls_policy("Queues", json!([{"Ref": "Q"}, {"Ref": "Dlq"}]), "sqs"),
    );
    case(
        "AwsSolutions-SQS4",
        &[q.clone(), dlq.clone()],
        &[q, dlq, policy],
        &[("Q", None), ("Dlq", None)],
    );
}

#[test]
fn s1_s2_s10_buckets() {
    const B: &str = "AWS::S3::Bucket";
    let block = json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true});
    let good = json!({"LoggingConfiguration": {"DestinationBucketName": "logs"}, "PublicAccessBlockConfiguration": block});
    let bad = json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true}});
    let policy = (
        "Pol",
        "AWS::S3::BucketPolicy",
        tls_policy("Bucket", json!({"Ref": "B"}), "s3"),
    );
    case(
        "AwsSolutions-S1",
        &[("B", B, bad.clone())],
        &[("B", B, good.clone())],
        &[("B", Some("LoggingConfiguration"))],
    );
    case(
        "AwsSolutions-S2",
        &[("B", B, bad.clone())],
        &[("B", B, good.clone())],
        &[("B", Some("PublicAccessBlockConfiguration"))],
    );
    case(
        "AwsSolutions-S10",
        &[("B", B, bad)],
        &[("B", B, good), policy],
        &[("B", None)],
    );
}

#[test]
fn sns2_sns3_topics() {
    const T: &str = "AWS::SNS::Topic";
    let policy = (
        "Pol",
        "AWS::SNS::TopicPolicy",
        tls_policy("Topics", json!([{"Ref": "T"}]), "sns"),
    );
    case(
        "AwsSolutions-SNS2",
        &[("T", T, json!({}))],
        &[("T", T, json!({"KmsMasterKeyId": "alias/aws/sns"}))],
        &[("T", Some("KmsMasterKeyId"))],
    );
    case(
        "AwsSolutions-SNS3",
        &[("T", T, json!({}))],
        &[("T", T, json!({})), policy],
        &[("T", None)],
    );
}

#[test]
fn berth_log_groups() {
    const L: &str = "AWS::Logs::LogGroup";
    let good = json!({"RetentionInDays": 30, "KmsKeyId": "arn:aws:kms:us-east-1:1:key/k"});
    case(
        "Berth-LOG1",
        &[("L", L, json!({}))],
        &[("L", L, good.clone())],
        &[("L", Some("RetentionInDays"))],
    );
    case(
        "Berth-LOG2",
        &[("L", L, json!({}))],
        &[("L", L, good)],
        &[("L", Some("KmsKeyId"))],
    );
}

#[test]
fn berth_containers() {
    case(
        "Berth-ECS1",
        &[("Td", TD, container(json!({"Privileged": true})))],
        &[("Td", TD, container(json!({})))],
        &[("Td", Some("ContainerDefinitions[0].Privileged"))],
    );
    case(
        "Berth-ECS2",
        &[(
            "Td",
            TD,
            container(json!({"ReadonlyRootFilesystem": false})),
        )],
        &[("Td", TD, container(json!({})))],
        &[("Td", Some("ContainerDefinitions[0].ReadonlyRootFilesystem"))],
    );
    case(
        "Berth-ECS3",
        &[("Td", TD, container(json!({"User": "root:root"})))],
        &[("Td", TD, container(json!({})))],
        &[("Td", Some("ContainerDefinitions[0].User"))],
    );
    case(
        "Berth-ECS3",
        &[("Td", TD, container(json!({"User": null})))],
        &[("Td", TD, container(json!({"User": "app"})))],
        &[("Td", Some("ContainerDefinitions[0].User"))],
    );
    let env = |name: &str| {
        container(
            json!({"Environment": [{"Name": "PORT", "Value": "80"}, {"Name": name, "Value": "hunter2"}]}),
        )
    };
    let bad = run(&[("Td", TD, env("DB_PASSWORD"))]);
    assert_eq!(
        hits(&bad, "Berth-ECS4"),
        vec![(
            "App/Td/Resource".to_owned(),
            Some("ContainerDefinitions[0].Environment[1]".to_owned()),
            Some("Env::DB_PASSWORD".to_owned())
        )]
    );
    assert!(hits(&run(&[("Td", TD, env("DB_HOST"))]), "Berth-ECS4").is_empty());
}

#[test]
fn berth_public_ip_in_private_subnets() {
    let svc = |ip: &str| {
        (
            "Svc",
            "AWS::ECS::Service",
            json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": ip, "Subnets": [{"Ref": "Private"}]}}}),
        )
    };
    let private = (
        "Private",
        "AWS::EC2::Subnet",
        json!({"MapPublicIpOnLaunch": false}),
    );
    case(
        "Berth-ECS5",
        &[svc("ENABLED"), private.clone()],
        &[svc("DISABLED"), private],
        &[(
            "Svc",
            Some("NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"),
        )],
    );
    let public = (
        "Private",
        "AWS::EC2::Subnet",
        json!({"MapPublicIpOnLaunch": true}),
    );
    assert!(hits(&run(&[svc("ENABLED"), public]), "Berth-ECS5").is_empty());
}

#[test]
fn berth_wildcard_pass_role() {
    let p = |res: Value| json!({"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": res}]}});
    case(
        "Berth-IAM1",
        &[("P", "AWS::IAM::Policy", p(json!("*")))],
        &[(
            "P",
            "AWS::IAM::Policy",
            p(json!({"Fn::GetAtt": ["Role", "Arn"]})),
        )],
        &[("P", Some("PolicyDocument.Statement[0]"))],
    );
}

#[test]
fn every_rule_has_a_test_and_a_reason_and_fix() {
    let src = include_str!("tests.rs");
    for r in pack("aws-solutions").unwrap().rules {
        assert!(
            src.matches(&format!("\"{}\"", r.id)).count() >= 1,
            "no test names {}",
            r.id
        );
        assert!(r.reason.ends_with('.') && !r.fix.is_empty(), "{}", r.id);
    }
}

// ---- suppressions ----

fn sup(entries: Value) -> Value {
    json!({"rules_to_suppress": entries})
}

#[test]
fn a_suppression_covers_its_rule_and_only_it() {
    let r = run_with_meta(&[(
        "L",
        "AWS::Logs::LogGroup",
        json!({}),
        sup(json!([{"id": "Berth-LOG2", "reason": "these logs hold no personal data"}])),
    )]);
    let log2 = r
        .findings
        .iter()
        .find(|f| f.rule_id == "Berth-LOG2")
        .unwrap();
    assert_eq!(
        log2.suppressed_by.as_deref(),
        Some("these logs hold no personal data")
    );
    assert_eq!(hits(&r, "Berth-LOG1").len(), 1, "another rule stays");
    assert!(r.unused_suppressions.is_empty());
}

#[test]
fn applies_to_exact_regex_and_in_the_id() {
    let policy = json!({"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "logs:Create*"], "Resource": "*"}]}});
    let with =
        |entries: Value| run_with_meta(&[("P", "AWS::IAM::Policy", policy.clone(), sup(entries))]);
    let r = with(
        json!([{"id": "AwsSolutions-IAM5", "reason": "the app owns the bucket fully", "applies_to": ["Action::s3:*"]}]),
    );
    let open: Vec<_> = hits(&r, "AwsSolutions-IAM5")
        .into_iter()
        .map(|h| h.2.unwrap())
        .collect();
    assert_eq!(open, ["Action::logs:Create*", "Resource::*"]);
    let r = with(
        json!([{"id": "AwsSolutions-IAM5", "reason": "the app writes its own logs", "applies_to": [{"regex": "/^(Action::logs:.*|Resource::\\*)$/g"}]}]),
    );
    let open: Vec<_> = hits(&r, "AwsSolutions-IAM5")
        .into_iter()
        .map(|h| h.2.unwrap())
        .collect();
    assert_eq!(open, ["Action::s3:*"]);
    let r = with(
        json!([{"id": "AwsSolutions-IAM5[Resource::*]", "reason": "resources are scoped by conditions"}]),
    );
    let open: Vec<_> = hits(&r, "AwsSolutions-IAM5")
        .into_iter()
        .map(|h| h.2.unwrap())
        .collect();
    assert_eq!(open, ["Action::s3:*", "Action::logs:Create*"]);
}

#[test]
fn short_reasons_and_bad_entries_are_ignored_and_reported() {
    let r = run_with_meta(&[(
        "L",
        "AWS::Logs::LogGroup",
        json!({"RetentionInDays": 7}),
        sup(
            json!([{"id": "Berth-LOG2", "reason": "nope"}, {"reason": "no id given here"},
            {"id": "AwsSolutions-IAM5", "reason": "a regex that is broken", "applies_to": [{"regex": "/(/"}]}]),
        ),
    )]);
    assert_eq!(hits(&r, "Berth-LOG2").len(), 1, "not suppressed");
    let messages: Vec<&str> = r
        .invalid_suppressions
        .iter()
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].contains("at least 10 characters"),
        "{}",
        messages[0]
    );
    let d = r.diagnostics(false);
    assert!(d
        .iter()
        .any(|d| d.code == "BERTH-W0902" && d.path == "App/L/Resource"));
}

#[test]
fn unused_suppressions_are_reported_once_at_the_common_scope() {
    // One suppression inherited by two resources of App/Web: it is used by neither.
    let s = sup(json!([{"id": "AwsSolutions-ECS4", "reason": "no cluster here, really"}]));
    let mut resources = Vec::new();
    for id in ["A", "B"] {
        resources.push((
            id,
            "AWS::Logs::LogGroup",
            json!({"RetentionInDays": 7, "KmsKeyId": "k"}),
            s.clone(),
        ));
    }
    let mut res = serde_json::Map::new();
    for (id, t, p, nag) in &resources {
        res.insert(
            (*id).into(),
            json!({"Type": t, "Properties": p,
            "Metadata": {"berth:path": format!("App/Web/{id}/Resource"), "cdk_nag": nag}}),
        );
    }
    let r = check_template(
        "App",
        "App.template.json",
        &json!({"Resources": res}),
        &[pack("aws-solutions").unwrap()],
    );
    assert_eq!(r.unused_suppressions.len(), 1);
    assert_eq!(r.unused_suppressions[0].path, "App/Web");
    assert_eq!(r.unused_suppressions[0].rule_id, "AwsSolutions-ECS4");
    let d = r.diagnostics(false);
    assert!(d.iter().any(|d| d.code == "BERTH-W0901"
        && d.path == "App/Web"
        && d.message.contains("suppresses nothing")));
    // Used on one of them: not reported.
    res["A"]["Type"] = json!("AWS::ECS::Cluster");
    res["A"]["Properties"] = json!({});
    let r = check_template(
        "App",
        "App.template.json",
        &json!({"Resources": res}),
        &[pack("aws-solutions").unwrap()],
    );
    assert!(r.unused_suppressions.is_empty());
    // A suppression of a rule of no pack that ran is not judged.
    let other = sup(
        json!([{"id": "HIPAA.Security-ECSTaskDefinitionUserForHostMode", "reason": "another pack entirely"}]),
    );
    let r = run_with_meta(&[(
        "L",
        "AWS::Logs::LogGroup",
        json!({"RetentionInDays": 7, "KmsKeyId": "k"}),
        other,
    )]);
    assert!(r.unused_suppressions.is_empty());
}

#[test]
fn strict_makes_findings_errors() {
    let r = run(&[("L", "AWS::Logs::LogGroup", json!({"RetentionInDays": 7}))]);
    let warn = r.diagnostics(false);
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0].severity, Severity::Warning);
    assert_eq!(warn[0].code, "Berth-LOG2");
    assert_eq!(warn[0].property.as_deref(), Some("KmsKeyId"));
    assert_eq!(warn[0].logical_id.as_deref(), Some("L"));
    assert!(warn[0]
        .message
        .contains("Fix: LogGroupProps::encryption_key"));
    assert!(r.diagnostics(true).iter().all(Diagnostic::is_error));
}

// ---- outputs ----

fn sample() -> Report {
    run_with_meta(&[
        (
            "L",
            "AWS::Logs::LogGroup",
            json!({}),
            sup(json!([{"id": "Berth-LOG1", "reason": "kept for the audit trail"}])),
        ),
        (
            "P",
            "AWS::IAM::Policy",
            json!({"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}),
            Value::Null,
        ),
    ])
}

#[test]
fn the_validation_report_has_cdks_shape() {
    let v = report_json(&sample());
    assert_eq!(v["version"], "1.0");
    let plugin = &v["pluginReports"][0];
    assert_eq!(plugin["pluginName"], "berth-aws-solutions");
    assert_eq!(plugin["conclusion"], "failure");
    let names: Vec<&str> = plugin["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["ruleName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Berth-LOG2",
            "AwsSolutions-IAM5[Action::s3:*]",
            "AwsSolutions-IAM5[Resource::*]"
        ]
    );
    let first = &plugin["violations"][0];
    assert_eq!(first["severity"], "warning");
    assert!(first["suggestedFix"]
        .as_str()
        .unwrap()
        .contains("encryption_key"));
    assert_eq!(
        first["violatingConstructs"],
        json!([{"constructPath": "App/L/Resource", "cloudFormationResource": {"templatePath": "App.template.json", "logicalId": "L", "propertyPaths": ["KmsKeyId"]}}])
    );
    let suppressed = &plugin["suppressedViolations"][0];
    assert_eq!(suppressed["ruleName"], "Berth-LOG1");
    assert_eq!(suppressed["acknowledgedId"], "aws-solutions::Berth-LOG1");
    assert_eq!(
        suppressed["ruleMetadata"]["reason"],
        "kept for the audit trail"
    );
    // Every member CDK's schema requires is there.
    for v in plugin["violations"].as_array().unwrap() {
        for k in ["ruleName", "description", "severity", "violatingConstructs"] {
            assert!(v.get(k).is_some(), "{k}");
        }
    }
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema: Value =
        serde_json::from_str(include_str!("../../schemas/sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let log = sarif(&sample(), "berth.out/");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["ruleId"], "Berth-LOG1");
    assert_eq!(
        results[0]["suppressions"][0]["justification"],
        "kept for the audit trail"
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "berth.out/App.template.json"
    );
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "App/L/Resource"
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let i = results[2]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[i]["id"], results[2]["ruleId"]);
    // And a broken log is caught: the schema is really applied.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn text_lists_open_findings_with_fix_and_a_summary() {
    let t = text(&sample());
    assert!(t.contains("warning Berth-LOG2 App/L/Resource (L, KmsKeyId): The log group is not encrypted with a KMS key.\n    fix: LogGroupProps::encryption_key(key_arn)\n"), "{t}");
    assert!(t.contains("error AwsSolutions-IAM5[Action::s3:*] App/P/Resource (P, PolicyDocument.Statement[0].Action)"), "{t}");
    assert!(
        t.ends_with("3 findings (1 suppressed) from aws-solutions\n"),
        "{t}"
    );
}

#[test]
fn template_level_suppressions_cover_every_resource() {
    let template = json!({
        "Metadata": {"cdk_nag": {"rules_to_suppress": [{"id": "Berth-LOG2", "reason": "no personal data in this stack"}]}},
        "Resources": {
            "A": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}, "Metadata": {"aws:cdk:path": "App/A/Resource"}},
            "B": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
        }
    });
    let r = check_template(
        "App",
        "App.template.json",
        &template,
        &[pack("aws-solutions").unwrap()],
    );
    assert_eq!(r.findings.len(), 2);
    assert!(r
        .findings
        .iter()
        .all(|f| f.suppressed_by.as_deref() == Some("no personal data in this stack")));
    // CDK's path metadata is read too; without any, the logical ID stands in.
    assert_eq!(r.findings[0].path, "App/A/Resource");
    assert_eq!(r.findings[1].path, "B");
    assert!(r.unused_suppressions.is_empty());
}
