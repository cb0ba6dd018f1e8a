//! The resource types berth vendors and generates, and where their code goes.

/// `(CloudFormation type name, Rust module under cfn::)`.
pub const TYPES: &[(&str, &str)] = &[
    ("AWS::EC2::VPC", "ec2"),
    ("AWS::EC2::Subnet", "ec2"),
    ("AWS::EC2::InternetGateway", "ec2"),
    ("AWS::EC2::VPCGatewayAttachment", "ec2"),
    ("AWS::EC2::RouteTable", "ec2"),
    ("AWS::EC2::Route", "ec2"),
    ("AWS::EC2::SubnetRouteTableAssociation", "ec2"),
    ("AWS::EC2::NatGateway", "ec2"),
    ("AWS::EC2::EIP", "ec2"),
    ("AWS::EC2::SecurityGroup", "ec2"),
    ("AWS::EC2::SecurityGroupIngress", "ec2"),
    ("AWS::EC2::SecurityGroupEgress", "ec2"),
    ("AWS::EC2::LaunchTemplate", "ec2"),
    ("AWS::ECS::Cluster", "ecs"),
    ("AWS::ECS::ClusterCapacityProviderAssociations", "ecs"),
    ("AWS::ECS::CapacityProvider", "ecs"),
    ("AWS::ECS::TaskDefinition", "ecs"),
    ("AWS::ECS::Service", "ecs"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "elbv2"),
    ("AWS::ElasticLoadBalancingV2::Listener", "elbv2"),
    ("AWS::ElasticLoadBalancingV2::ListenerRule", "elbv2"),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "elbv2"),
    ("AWS::ElasticLoadBalancingV2::ListenerCertificate", "elbv2"),
    ("AWS::ECR::Repository", "ecr"),
    ("AWS::Logs::LogGroup", "logs"),
    ("AWS::IAM::Role", "iam"),
    ("AWS::IAM::Policy", "iam"),
    ("AWS::IAM::InstanceProfile", "iam"),
    ("AWS::IAM::ManagedPolicy", "iam"),
    (
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
        "servicediscovery",
    ),
    ("AWS::ServiceDiscovery::Service", "servicediscovery"),
    (
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "applicationautoscaling",
    ),
    (
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "applicationautoscaling",
    ),
    ("AWS::AutoScaling::AutoScalingGroup", "autoscaling"),
    ("AWS::Events::Rule", "events"),
    ("AWS::SQS::Queue", "sqs"),
    ("AWS::SSM::Parameter", "ssm"),
    ("AWS::SecretsManager::Secret", "secretsmanager"),
    ("AWS::SecretsManager::RotationSchedule", "secretsmanager"),
    ("AWS::CertificateManager::Certificate", "certificatemanager"),
    ("AWS::S3::Bucket", "s3"),
    ("AWS::S3::BucketPolicy", "s3"),
    ("AWS::KMS::Key", "kms"),
    ("AWS::CloudWatch::Alarm", "cloudwatch"),
    ("AWS::Route53::RecordSet", "route53"),
    ("AWS::Scheduler::Schedule", "scheduler"),
    // Issue 20 (part A): storage, queues, keys, metrics and alarms, notifications.
    ("AWS::EFS::FileSystem", "efs"),
    ("AWS::EFS::MountTarget", "efs"),
    ("AWS::EFS::AccessPoint", "efs"),
    ("AWS::SQS::QueuePolicy", "sqs"),
    ("AWS::KMS::Alias", "kms"),
    ("AWS::CloudWatch::Dashboard", "cloudwatch"),
    ("AWS::SNS::Topic", "sns"),
    ("AWS::SNS::Subscription", "sns"),
    ("AWS::SNS::TopicPolicy", "sns"),
    // Issue 24: Express Mode services and daemons.
    ("AWS::ECS::ExpressGatewayService", "ecs"),
    ("AWS::ECS::Daemon", "ecs"),
    ("AWS::ECS::DaemonTaskDefinition", "ecs"),
];

/// The file name of a type's vendored schema: `AWS::ECS::Service` → `AWS_ECS_Service.json`.
pub fn schema_file_name(type_name: &str) -> String {
    format!("{}.json", type_name.replace("::", "_"))
}
