//! The `aws-solutions` pack: cdk-nag's AwsSolutions rules for the resources container
//! apps use (same ids, same checks), and berth's own rules where cdk-nag has none.

use super::{
    flatten, get_path, is_false, is_true, items, referenced_id, Hit, Level, ResourceView, Rule,
    RulePack, StackView,
};
use crate::json::Node;

/// The pack.
pub(super) static PACK: RulePack = RulePack {
    name: "aws-solutions",
    description: "cdk-nag's AwsSolutions rules for containers on AWS (same rule ids), and berth's own (Berth-*)",
    rules: RULES,
};

const TASK_DEF: &[&str] = &["AWS::ECS::TaskDefinition"];
const SG: &[&str] = &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"];
const PRINCIPALS: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];
const POLICY_HOLDERS: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
];
const ASG: &[&str] = &["AWS::AutoScaling::AutoScalingGroup"];

static RULES: &[Rule] = &[
    Rule {
        id: "AwsSolutions-ECS2",
        level: Level::Error,
        reason: "The ECS task definition includes a container definition that directly specifies environment variables.",
        fix: "pass configuration through ecs::Secret (SSM parameters, Secrets Manager) or suppress with the reason these values are not sensitive",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                if c.get("Environment").and_then(Node::as_array).is_some_and(|e| !e.is_empty()) {
                    hits.push(Hit::at(format!("ContainerDefinitions[{i}].Environment")));
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-ECS4",
        level: Level::Error,
        reason: "The ECS cluster has CloudWatch Container Insights disabled.",
        fix: "ClusterProps::container_insights(ContainerInsights::Enhanced) (berth's default for new clusters)",
        resource_types: &["AWS::ECS::Cluster"],
        check: |_, r, hits| {
            let on = items(r.prop("ClusterSettings")).iter().any(|s| {
                s.get("Name").and_then(Node::as_str) == Some("containerInsights")
                    && matches!(s.get("Value").and_then(Node::as_str), Some("enabled" | "enhanced"))
            });
            if !on {
                hits.push(Hit::at("ClusterSettings"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-ECS7",
        level: Level::Error,
        reason: "One or more containers in the ECS task definition do not have container logging enabled.",
        fix: "give the container a log driver: ContainerDefinitionOptions::logging(LogDriver::..)",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                if c.get("LogConfiguration").is_none() {
                    hits.push(Hit::at(format!("ContainerDefinitions[{i}].LogConfiguration")));
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-ECR1",
        level: Level::Error,
        reason: "The ECR repository allows open access.",
        fix: "grant pulls to named principals (repository.grant_pull(..)) instead of \"*\"",
        resource_types: &["AWS::ECR::Repository"],
        check: |_, r, hits| {
            if let Some(doc) = r.prop("RepositoryPolicyText") {
                if statements(doc).any(|s| allows(s) && open_principal(s.get("Principal"))) {
                    hits.push(Hit::at("RepositoryPolicyText"));
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-ELB2",
        level: Level::Error,
        reason: "The ELB does not have access logs enabled.",
        fix: "load_balancer.log_access_logs(&mut app, &bucket, prefix)",
        resource_types: &["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"],
        check: |_, r, hits| {
            if r.type_name == "AWS::ElasticLoadBalancing::LoadBalancer" {
                if !is_true(r.prop("AccessLoggingPolicy.Enabled")) {
                    hits.push(Hit::at("AccessLoggingPolicy"));
                }
                return;
            }
            let on = items(r.prop("LoadBalancerAttributes")).iter().any(|a| {
                a.get("Key").and_then(Node::as_str) == Some("access_logs.s3.enabled")
                    && is_true(a.get("Value"))
            });
            if !on {
                hits.push(Hit::at("LoadBalancerAttributes"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-VPC7",
        level: Level::Error,
        reason: "The VPC does not have an associated Flow Log.",
        fix: "add an AWS::EC2::FlowLog whose ResourceId is the VPC's Ref (berth has no flow-log construct yet)",
        resource_types: &["AWS::EC2::VPC"],
        check: |stack, r, hits| {
            let logged = stack.of_type("AWS::EC2::FlowLog").any(|f| {
                f.prop("ResourceId").and_then(referenced_id) == Some(r.logical_id)
            });
            if !logged {
                hits.push(Hit::default());
            }
        },
    },
    Rule {
        id: "AwsSolutions-EC23",
        level: Level::Error,
        reason: "The security group allows for 0.0.0.0/0 or ::/0 inbound access.",
        fix: "allow from a peer (service.allow_from(&mut app, &lb, ..)) or suppress for an internet-facing load balancer",
        resource_types: SG,
        check: |_, r, hits| {
            let open = |rule: &Node| {
                ["CidrIp", "CidrIpv6"].iter().any(|k| {
                    rule.get(k).and_then(Node::as_str).is_some_and(|c| c.ends_with("/0"))
                })
            };
            if r.type_name == "AWS::EC2::SecurityGroupIngress" {
                if open(r.properties) {
                    hits.push(Hit::at(if r.prop("CidrIp").is_some() { "CidrIp" } else { "CidrIpv6" }));
                }
                return;
            }
            for (i, rule) in items(r.prop("SecurityGroupIngress")).iter().enumerate() {
                if open(rule) {
                    hits.push(Hit::at(format!("SecurityGroupIngress[{i}]")));
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-EC26",
        level: Level::Error,
        reason: "The resource creates one or more EBS volumes that have encryption disabled.",
        fix: "set Encrypted: true on the volume or block device mapping",
        resource_types: &[
            "AWS::EC2::Volume",
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
        check: |_, r, hits| {
            if r.type_name == "AWS::EC2::Volume" {
                if !is_true(r.prop("Encrypted")) {
                    hits.push(Hit::at("Encrypted"));
                }
                return;
            }
            let base = if r.type_name == "AWS::EC2::LaunchTemplate" {
                "LaunchTemplateData.BlockDeviceMappings"
            } else {
                "BlockDeviceMappings"
            };
            for (i, m) in items(r.prop(base)).iter().enumerate() {
                if let Some(ebs) = m.get("Ebs") {
                    if !is_true(ebs.get("Encrypted")) {
                        hits.push(Hit::at(format!("{base}[{i}].Ebs.Encrypted")));
                    }
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-EC27",
        level: Level::Error,
        reason: "The security group does not have a description.",
        fix: "give the security group a GroupDescription (SecurityGroupProps::description)",
        resource_types: &["AWS::EC2::SecurityGroup"],
        check: |_, r, hits| {
            let d = r.prop("GroupDescription");
            let short = match d {
                Some(Node::String(s)) => s.chars().count() < 2,
                Some(_) => false,
                None => true,
            };
            if short {
                hits.push(Hit::at("GroupDescription"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-EC28",
        level: Level::Error,
        reason: "The EC2 instance/AutoScaling launch configuration does not have detailed monitoring enabled.",
        fix: "set Monitoring: true on the instance (InstanceMonitoring on the launch configuration)",
        resource_types: &["AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"],
        check: |_, r, hits| {
            if r.type_name == "AWS::EC2::Instance" {
                if !is_true(r.prop("Monitoring")) {
                    hits.push(Hit::at("Monitoring"));
                }
            } else if is_false(r.prop("InstanceMonitoring")) {
                hits.push(Hit::at("InstanceMonitoring"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-EC29",
        level: Level::Error,
        reason: "The EC2 instance is not part of an ASG and has Termination Protection disabled.",
        fix: "run the instance in an Auto Scaling group (cluster capacity) or set DisableApiTermination: true",
        resource_types: &["AWS::EC2::Instance"],
        check: |_, r, hits| {
            if !is_true(r.prop("DisableApiTermination")) {
                hits.push(Hit::at("DisableApiTermination"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-AS1",
        level: Level::Error,
        reason: "The Auto Scaling group does not have a cooldown period.",
        fix: "leave Cooldown unset (300 s) or set it above 0",
        resource_types: ASG,
        check: |_, r, hits| {
            let zero = match r.prop("Cooldown") {
                Some(Node::String(s)) => s.trim().parse::<i64>() == Ok(0),
                Some(Node::Number(n)) => n.as_f64() == Some(0.0),
                _ => false,
            };
            if zero {
                hits.push(Hit::at("Cooldown"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-AS2",
        level: Level::Error,
        reason: "The Auto Scaling group does not have properly configured health checks.",
        fix: "give an ELB health check a HealthCheckGracePeriod",
        resource_types: ASG,
        check: |_, r, hits| {
            if r.prop("HealthCheckType").and_then(Node::as_str) == Some("ELB")
                && r.prop("HealthCheckGracePeriod").is_none()
            {
                hits.push(Hit::at("HealthCheckGracePeriod"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-AS3",
        level: Level::Error,
        reason: "The Auto Scaling group does not have notifications configured for all scaling events.",
        fix: "add NotificationConfigurations to an SNS topic for launch, terminate and their errors",
        resource_types: ASG,
        check: |_, r, hits| {
            const EVENTS: [&str; 4] = [
                "autoscaling:EC2_INSTANCE_LAUNCH",
                "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
                "autoscaling:EC2_INSTANCE_TERMINATE",
                "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
            ];
            let configured: Vec<&str> = items(r.prop("NotificationConfigurations"))
                .iter()
                .flat_map(|c| items(c.get("NotificationTypes")))
                .filter_map(Node::as_str)
                .collect();
            if !EVENTS.iter().all(|e| configured.contains(e)) {
                hits.push(Hit::at("NotificationConfigurations"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-IAM4",
        level: Level::Error,
        reason: "The IAM user, role, or group uses AWS managed policies.",
        fix: "grant exact actions (grant_* methods) instead of an AWS managed policy, or suppress with applies_to the policy",
        resource_types: PRINCIPALS,
        check: |_, r, hits| {
            for (i, p) in items(r.prop("ManagedPolicyArns")).iter().enumerate() {
                let arn = flatten(p);
                if arn.contains(":iam::aws:policy/") {
                    hits.push(Hit::at(format!("ManagedPolicyArns[{i}]")).finding(format!("Policy::{arn}")));
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-IAM5",
        level: Level::Error,
        reason: "The IAM entity contains wildcard permissions and does not have a suppression with evidence for those permissions.",
        fix: "name exact actions and resources (grant_* methods), or suppress with applies_to the finding and the reason",
        resource_types: POLICY_HOLDERS,
        check: |_, r, hits| {
            for (property, doc) in policy_documents(r) {
                let mut seen: Vec<String> = Vec::new();
                for (si, s) in statements(doc).enumerate() {
                    if !allows(s) {
                        continue;
                    }
                    let mut add = |kind: &str, field: &str, v: String| {
                        let f = format!("{kind}::{v}");
                        if !seen.contains(&f) {
                            seen.push(f.clone());
                            hits.push(Hit::at(format!("{property}.Statement[{si}].{field}")).finding(f));
                        }
                    };
                    for a in items(s.get("Action")).iter().filter_map(Node::as_str) {
                        if a.contains('*') {
                            add("Action", "Action", a.to_owned());
                        }
                    }
                    for res in items(s.get("Resource")) {
                        let flat = flatten(res);
                        if flat.contains('*') {
                            add("Resource", "Resource", flat);
                        }
                    }
                }
            }
        },
    },
    Rule {
        id: "AwsSolutions-SMG4",
        level: Level::Error,
        reason: "The secret does not have automatic rotation scheduled.",
        fix: "secret.add_rotation_schedule(..), or suppress for a value that cannot rotate (an API key issued by a third party)",
        resource_types: &["AWS::SecretsManager::Secret"],
        check: |stack, r, hits| {
            let rotated = stack.of_type("AWS::SecretsManager::RotationSchedule").any(|s| {
                s.prop("SecretId").and_then(referenced_id) == Some(r.logical_id)
            });
            if !rotated {
                hits.push(Hit::default());
            }
        },
    },
    Rule {
        id: "AwsSolutions-KMS5",
        level: Level::Error,
        reason: "The KMS symmetric key does not have automatic key rotation enabled.",
        fix: "KeyProps::enable_key_rotation(true) (kms::Key's default)",
        resource_types: &["AWS::KMS::Key"],
        check: |_, r, hits| {
            let symmetric = matches!(r.prop("KeySpec").and_then(Node::as_str), None | Some("SYMMETRIC_DEFAULT"));
            if symmetric && !is_true(r.prop("EnableKeyRotation")) {
                hits.push(Hit::at("EnableKeyRotation"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-SQS3",
        level: Level::Error,
        reason: "The SQS queue is not used as a dead-letter queue (DLQ) and does not have a DLQ enabled.",
        fix: "QueueProps::dead_letter_queue(DeadLetterQueue::new(dlq, 5)), or use the queue as one",
        resource_types: &["AWS::SQS::Queue"],
        check: |stack, r, hits| {
            if r.prop("RedrivePolicy").is_some() {
                return;
            }
            let is_dlq = stack.of_type("AWS::SQS::Queue").any(|q| {
                q.prop("RedrivePolicy.deadLetterTargetArn").and_then(referenced_id) == Some(r.logical_id)
            });
            if !is_dlq {
                hits.push(Hit::at("RedrivePolicy"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-SQS4",
        level: Level::Error,
        reason: "The SQS queue does not require requests to use SSL.",
        fix: "QueueProps::enforce_ssl(true): a queue policy denying requests without TLS",
        resource_types: &["AWS::SQS::Queue"],
        check: |stack, r, hits| {
            if !tls_enforced(stack, r, "AWS::SQS::QueuePolicy", "Queues") {
                hits.push(Hit::default());
            }
        },
    },
    Rule {
        id: "AwsSolutions-S1",
        level: Level::Error,
        reason: "The S3 bucket has server access logs disabled.",
        fix: "set LoggingConfiguration to a log bucket, or suppress on the bucket that receives the logs",
        resource_types: &["AWS::S3::Bucket"],
        check: |_, r, hits| {
            if r.prop("LoggingConfiguration").is_none() {
                hits.push(Hit::at("LoggingConfiguration"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-S2",
        level: Level::Error,
        reason: "The S3 bucket does not have public access restricted and blocked.",
        fix: "set the four PublicAccessBlockConfiguration settings to true (s3::Bucket does by default)",
        resource_types: &["AWS::S3::Bucket"],
        check: |_, r, hits| {
            let blocked = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]
                .iter()
                .all(|k| is_true(r.prop(&format!("PublicAccessBlockConfiguration.{k}"))));
            if !blocked {
                hits.push(Hit::at("PublicAccessBlockConfiguration"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-S10",
        level: Level::Error,
        reason: "The S3 bucket or bucket policy does not require requests to use SSL.",
        fix: "BucketProps::enforce_ssl(true) (s3::Bucket's default): a bucket policy denying aws:SecureTransport false",
        resource_types: &["AWS::S3::Bucket"],
        check: |stack, r, hits| {
            if !tls_enforced(stack, r, "AWS::S3::BucketPolicy", "Bucket") {
                hits.push(Hit::default());
            }
        },
    },
    Rule {
        id: "AwsSolutions-SNS2",
        level: Level::Error,
        reason: "The SNS topic does not have server-side encryption enabled.",
        fix: "TopicProps::master_key(key)",
        resource_types: &["AWS::SNS::Topic"],
        check: |_, r, hits| {
            if r.prop("KmsMasterKeyId").is_none() {
                hits.push(Hit::at("KmsMasterKeyId"));
            }
        },
    },
    Rule {
        id: "AwsSolutions-SNS3",
        level: Level::Error,
        reason: "The SNS topic does not require publishers to use SSL.",
        fix: "TopicProps::enforce_ssl(true): a topic policy denying publishes without TLS",
        resource_types: &["AWS::SNS::Topic"],
        check: |stack, r, hits| {
            if !tls_enforced(stack, r, "AWS::SNS::TopicPolicy", "Topics") {
                hits.push(Hit::default());
            }
        },
    },
    // ---- berth's own rules (cdk-nag has none) ----
    Rule {
        id: "Berth-LOG1",
        level: Level::Error,
        reason: "The log group keeps its events forever (no retention).",
        fix: "LogGroupProps::retention(RetentionDays::..) (logs::LogGroup keeps two years by default)",
        resource_types: &["AWS::Logs::LogGroup"],
        check: |_, r, hits| {
            if r.prop("RetentionInDays").is_none() {
                hits.push(Hit::at("RetentionInDays"));
            }
        },
    },
    Rule {
        id: "Berth-LOG2",
        level: Level::Warning,
        reason: "The log group is not encrypted with a KMS key.",
        fix: "LogGroupProps::encryption_key(key_arn)",
        resource_types: &["AWS::Logs::LogGroup"],
        check: |_, r, hits| {
            if r.prop("KmsKeyId").is_none() {
                hits.push(Hit::at("KmsKeyId"));
            }
        },
    },
    Rule {
        id: "Berth-ECS1",
        level: Level::Error,
        reason: "A container runs privileged: it has root on the host.",
        fix: "remove Privileged from the container definition; grant only the Linux capabilities it needs",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                if is_true(c.get("Privileged")) {
                    hits.push(Hit::at(format!("ContainerDefinitions[{i}].Privileged")));
                }
            }
        },
    },
    Rule {
        id: "Berth-ECS2",
        level: Level::Warning,
        reason: "A container's root file system is writable.",
        fix: "ContainerDefinitionOptions::readonly_root_filesystem(true), with volumes for the paths it writes",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                if !is_true(c.get("ReadonlyRootFilesystem")) {
                    hits.push(Hit::at(format!("ContainerDefinitions[{i}].ReadonlyRootFilesystem")));
                }
            }
        },
    },
    Rule {
        id: "Berth-ECS3",
        level: Level::Warning,
        reason: "A container runs as root (no user, or user root/0).",
        fix: "ContainerDefinitionOptions::user(\"1000\") (a non-root user of the image)",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                let root = match c.get("User").and_then(Node::as_str) {
                    None => c.get("User").is_none(),
                    Some(u) => {
                        let user = u.split(':').next().unwrap_or(u);
                        user == "root" || user == "0"
                    }
                };
                if root {
                    hits.push(Hit::at(format!("ContainerDefinitions[{i}].User")));
                }
            }
        },
    },
    Rule {
        id: "Berth-ECS4",
        level: Level::Error,
        reason: "A secret is passed as a plain environment variable (its name says it is one).",
        fix: "pass it with ecs::Secret::from_secrets_manager(..) or from_ssm_parameter(..) under `secrets`",
        resource_types: TASK_DEF,
        check: |_, r, hits| {
            for (i, c) in containers(r) {
                for (j, e) in items(c.get("Environment")).iter().enumerate() {
                    let Some(name) = e.get("Name").and_then(Node::as_str) else { continue };
                    if secret_like(name) {
                        hits.push(
                            Hit::at(format!("ContainerDefinitions[{i}].Environment[{j}]"))
                                .finding(format!("Env::{name}")),
                        );
                    }
                }
            }
        },
    },
    Rule {
        id: "Berth-ECS5",
        level: Level::Error,
        reason: "The service gives its tasks public IPs in private subnets (where they cannot use them).",
        fix: "FargateServiceProps::assign_public_ip(false) for private subnets, or place the tasks in public subnets",
        resource_types: &["AWS::ECS::Service"],
        check: |stack, r, hits| {
            let cfg = r.prop("NetworkConfiguration.AwsvpcConfiguration");
            let Some(cfg) = cfg else { return };
            if cfg.get("AssignPublicIp").and_then(Node::as_str) != Some("ENABLED") {
                return;
            }
            let private = items(cfg.get("Subnets")).iter().any(|s| {
                referenced_id(s)
                    .and_then(|id| stack.resource(id))
                    .is_some_and(|sub| sub.type_name == "AWS::EC2::Subnet" && !is_true(sub.prop("MapPublicIpOnLaunch")))
            });
            if private {
                hits.push(Hit::at("NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"));
            }
        },
    },
    Rule {
        id: "Berth-IAM1",
        level: Level::Error,
        reason: "The policy allows iam:PassRole on every role: whoever holds it can hand any role to a service.",
        fix: "grant PassRole on the exact role ARNs (berth's grants do), with an iam:PassedToService condition",
        resource_types: POLICY_HOLDERS,
        check: |_, r, hits| {
            for (property, doc) in policy_documents(r) {
                for (si, s) in statements(doc).enumerate() {
                    let passes = items(s.get("Action"))
                        .iter()
                        .filter_map(Node::as_str)
                        .any(|a| matches!(a.to_ascii_lowercase().as_str(), "iam:passrole" | "iam:*" | "*" | "iam:pass*"));
                    let any_role = items(s.get("Resource")).iter().any(|x| x.as_str() == Some("*"));
                    if allows(s) && passes && any_role {
                        hits.push(Hit::at(format!("{property}.Statement[{si}]")));
                    }
                }
            }
        },
    },
];

fn containers<'a>(r: &ResourceView<'a>) -> impl Iterator<Item = (usize, &'a Node)> {
    items(r.prop("ContainerDefinitions")).iter().enumerate()
}

fn statements(doc: &Node) -> impl Iterator<Item = &Node> {
    items(doc.get("Statement")).iter()
}

fn allows(statement: &Node) -> bool {
    statement.get("Effect").and_then(Node::as_str) == Some("Allow")
}

fn open_principal(p: Option<&Node>) -> bool {
    match p {
        Some(Node::String(s)) => s == "*",
        Some(n @ Node::Object(_)) => n
            .get("AWS")
            .is_some_and(|a| items(Some(a)).iter().any(|x| x.as_str() == Some("*"))),
        _ => false,
    }
}

/// The policy documents a resource holds, with their property paths.
fn policy_documents<'a>(r: &ResourceView<'a>) -> Vec<(String, &'a Node)> {
    let mut out = Vec::new();
    if let Some(doc) = r.prop("PolicyDocument") {
        out.push(("PolicyDocument".to_owned(), doc));
    }
    for (i, p) in items(r.prop("Policies")).iter().enumerate() {
        if let Some(doc) = p.get("PolicyDocument") {
            out.push((format!("Policies[{i}].PolicyDocument"), doc));
        }
    }
    out
}

/// Whether a policy of `policy_type` in the stack, attached to `r` through its
/// `field` (a list or one reference), denies requests without TLS (cdk-nag's check:
/// a `Deny` for every principal with `aws:SecureTransport` false).
fn tls_enforced(
    stack: &StackView<'_>,
    r: &ResourceView<'_>,
    policy_type: &str,
    field: &str,
) -> bool {
    stack.of_type(policy_type).any(|p| {
        let attached = items(p.prop(field))
            .iter()
            .any(|t| referenced_id(t) == Some(r.logical_id));
        attached
            && p.prop("PolicyDocument").is_some_and(|doc| {
                statements(doc).any(|s| {
                    s.get("Effect").and_then(Node::as_str) == Some("Deny")
                        && open_principal(s.get("Principal"))
                        && is_false(
                            get_path(s, "Condition.Bool")
                                .and_then(|b| b.get("aws:SecureTransport")),
                        )
                })
            })
    })
}

/// Whether an environment variable's name says it holds a secret.
fn secret_like(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|w| n.contains(w))
}
