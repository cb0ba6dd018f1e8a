//! Access logs of a load balancer in an S3 bucket (CDK's `logAccessLogs`).

use super::load_balancer::LbInfo;
use super::LoadBalancerKind;
use crate::app::{App, Stack};
use crate::error::{ConstructError, Result};
use crate::iam::{PolicyStatement, Principal};
use crate::s3::{Bucket, BucketEncryption};
use berth_synth::cfn::elbv2::load_balancer as l1;
use berth_synth::{Expr, Pseudo, Value};

/// The Elastic Load Balancing account of each region that had one before August 2022
/// (from AWS's access log documentation, as in CDK's region facts); newer regions
/// deliver logs as the service principal `logdelivery.elasticloadbalancing.amazonaws.com`.
pub const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-iso-east-1", "770363063475"),
    ("us-iso-west-1", "121062877647"),
    ("us-isob-east-1", "740734521339"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// The principal that writes a region's ALB access logs: its Elastic Load Balancing
/// account, or the log delivery service principal in the regions that use it.
pub fn elb_log_delivery_principal(region: &str) -> Principal {
    match ELB_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => Principal::account(*account),
        None => Principal::service("logdelivery.elasticloadbalancing.amazonaws.com"),
    }
}

pub(crate) fn log_access_logs(
    app: &mut App,
    lb: LbInfo,
    bucket: &Bucket,
    prefix: &str,
) -> Result<()> {
    let path = app.path(lb.node);
    let bad = |m: String| ConstructError::invalid(&path, "access_logs", m);
    if prefix.starts_with('/') || prefix.ends_with('/') {
        return Err(bad(format!(
            "the prefix \"{prefix}\" must not start or end with '/'"
        )));
    }
    if prefix.contains("AWSLogs") {
        return Err(bad(format!(
            "the prefix \"{prefix}\" must not contain AWSLogs: Elastic Load Balancing adds it"
        )));
    }
    if matches!(
        bucket.encryption(app),
        Some(BucketEncryption::Kms { .. } | BucketEncryption::KmsManaged)
    ) {
        return Err(bad(format!(
            "the bucket {} is encrypted with KMS; load balancer access logs take S3-managed keys (BucketEncryption::S3Managed) only",
            app.path(bucket)
        )));
    }
    let stack =
        Stack::of(app, lb.node).ok_or_else(|| bad("the load balancer is not in a stack".into()))?;
    let env = stack.env(app).clone();
    let account: Value = match &env.account {
        Some(a) => Value::from(a.as_str()),
        None => Pseudo::AccountId.token().into(),
    };
    let logs_key = |account: Value| {
        let lead = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        crate::iam::join([
            bucket.bucket_arn().into(),
            Value::from(format!("/{lead}AWSLogs/")),
            account,
            Value::from("/*"),
        ])
    };
    match lb.kind {
        LoadBalancerKind::Application => {
            let Some(region) = env.region.clone() else {
                return Err(bad(
                    "the stack's region must be known to write access logs: the bucket policy names that region's Elastic Load Balancing account (give the stack an env with a region)".into(),
                ));
            };
            bucket.add_to_resource_policy(
                app,
                PolicyStatement::allow()
                    .action("s3:PutObject")
                    .principal(elb_log_delivery_principal(&region))
                    .resource(logs_key(account)),
            )?;
        }
        LoadBalancerKind::Network => {
            let delivery = Principal::service("delivery.logs.amazonaws.com");
            bucket.add_to_resource_policy(
                app,
                PolicyStatement::allow()
                    .action("s3:PutObject")
                    .principal(delivery.clone())
                    .resource(logs_key(account))
                    .condition("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control"),
            )?;
            bucket.add_to_resource_policy(
                app,
                PolicyStatement::allow()
                    .action("s3:GetBucketAcl")
                    .principal(delivery)
                    .resource(bucket.bucket_arn()),
            )?;
        }
    }
    let cfn = app.resource_mut(lb.resource);
    let mut attributes = match cfn.load_balancer_attributes.take() {
        Some(Expr::Lit(a)) => a,
        _ => Vec::new(),
    };
    let keys = [
        "access_logs.s3.enabled",
        "access_logs.s3.bucket",
        "access_logs.s3.prefix",
    ];
    attributes.retain(|a| !matches!(&a.key, Some(Expr::Lit(k)) if keys.contains(&k.as_str())));
    for (k, v) in [
        (keys[0], Expr::Lit("true".to_owned())),
        (keys[1], bucket.bucket_name().into()),
        (keys[2], Expr::Lit(prefix.to_owned())),
    ] {
        attributes.push(l1::LoadBalancerAttribute {
            key: Some(k.into()),
            value: Some(v),
        });
    }
    cfn.load_balancer_attributes = Some(Expr::Lit(attributes));
    // The bucket policy first (CDK's fix for aws-cdk#1633): ELB checks it on create.
    if let Some(policy) = bucket.policy(app) {
        match Stack::of(app, policy) {
            Some(s) if s == stack => app.add_dependency(lb.resource, policy),
            Some(other) => stack.add_dependency(app, other),
            None => {}
        }
    }
    Ok(())
}
