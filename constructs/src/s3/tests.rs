use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::{Stack, StackProps};
use serde_json::json;

fn id(path: &[&str]) -> String {
    berth_synth::logical_id::make_unique_id(path).unwrap()
}

fn stack() -> (App, Stack) {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Data", StackProps::default()).unwrap();
    (app, stack)
}

#[test]
fn a_bucket_is_private_encrypted_tls_only_and_retained_by_default() {
    let (mut app, stack) = stack();
    Bucket::new(&mut app, stack, "Files", BucketProps::default()).unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let b = &res[id(&["Files", "Resource"])];
    assert_eq!(b["DeletionPolicy"], "Retain");
    assert_eq!(b["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        b["Properties"],
        json!({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
        })
    );
    let p = &res[id(&["Files", "Policy", "Resource"])]["Properties"];
    assert_eq!(p["Bucket"], json!({"Ref": id(&["Files", "Resource"])}));
    assert_eq!(
        p["PolicyDocument"]["Statement"][0],
        json!({
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": [
                {"Fn::GetAtt": [id(&["Files", "Resource"]), "Arn"]},
                {"Fn::Join": ["", [{"Fn::GetAtt": [id(&["Files", "Resource"]), "Arn"]}, "/*"]]},
            ],
        })
    );
}

#[test]
fn options_render_and_grants_are_cdks() {
    let (mut app, stack) = stack();
    let bucket = Bucket::new(
        &mut app,
        stack,
        "Archive",
        BucketProps::default()
            .bucket_name("my-archive-bucket")
            .encryption(BucketEncryption::Kms {
                key_arn: "arn:aws:kms:us-east-1:111122223333:key/abcd".into(),
            })
            .versioned(true)
            .enforce_ssl(false)
            .removal_policy(RemovalPolicy::Delete)
            .lifecycle_rules([LifecycleRule::default()
                .id("tiering")
                .prefix("reports/")
                .transitions([(StorageClass::StandardIa, 30), (StorageClass::Glacier, 90)])
                .expiration_days(365)
                .noncurrent_version_expiration_days(30)
                .abort_incomplete_multipart_upload_days(7)]),
    )
    .unwrap();
    assert!(bucket.policy(&app).is_none(), "no TLS statement, no policy");
    let role = Role::new(
        &mut app,
        stack,
        "Reader",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    assert_eq!(
        bucket
            .grant_read(&mut app, &role, "reports/*")
            .unwrap()
            .actions(),
        ["s3:GetObject*", "s3:GetBucket*", "s3:List*"]
    );
    assert_eq!(
        bucket
            .grant_put(&mut app, &role, "*")
            .unwrap()
            .actions()
            .len(),
        6
    );
    assert_eq!(
        bucket
            .grant_delete(&mut app, &role, "tmp/*")
            .unwrap()
            .actions(),
        ["s3:DeleteObject*"]
    );
    let out = app.synth().unwrap();
    let p = &out.stacks[0].template["Resources"][id(&["Archive", "Resource"])]["Properties"];
    assert_eq!(p["BucketName"], "my-archive-bucket");
    assert_eq!(p["VersioningConfiguration"], json!({"Status": "Enabled"}));
    assert_eq!(
        p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0],
        json!({"BucketKeyEnabled": true, "ServerSideEncryptionByDefault": {"KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:key/abcd", "SSEAlgorithm": "aws:kms"}})
    );
    assert_eq!(
        p["LifecycleConfiguration"]["Rules"][0],
        json!({
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            "ExpirationInDays": 365,
            "Id": "tiering",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "Prefix": "reports/",
            "Status": "Enabled",
            "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}, {"StorageClass": "GLACIER", "TransitionInDays": 90}],
        })
    );
}

#[test]
fn bad_names_and_rules_are_refused() {
    let (mut app, stack) = stack();
    let cases = [
        (BucketProps::default().bucket_name("My_Bucket"), "Data/B: bucket_name: invalid bucket name \"My_Bucket\": use lower case letters, digits, '.' and '-'"),
        (BucketProps::default().bucket_name("ab"), "Data/B: bucket_name: invalid bucket name \"ab\": it has 2 characters; a bucket name has 3 to 63"),
        (BucketProps::default().bucket_name("192.168.1.1"), "Data/B: bucket_name: invalid bucket name \"192.168.1.1\": it must not look like an IP address"),
        (BucketProps::default().bucket_name("a..b"), "Data/B: bucket_name: invalid bucket name \"a..b\": no '..', '.-' or '-.'"),
        (BucketProps::default().lifecycle_rules([LifecycleRule::default()]), "Data/B: lifecycle_rules[0].expiration_days: a lifecycle rule needs an action: an expiration, a transition, a noncurrent version expiration or an abort of incomplete uploads"),
        (BucketProps::default().lifecycle_rules([LifecycleRule::default().noncurrent_version_expiration_days(5)]), "Data/B: lifecycle_rules[0].noncurrent_version_expiration_days: noncurrent versions exist only in a versioned bucket; set versioned"),
        (BucketProps::default().lifecycle_rules([LifecycleRule::expire_after_days(30).transitions([(StorageClass::Glacier, 30)])]), "Data/B: lifecycle_rules[0].transitions: the transition to GLACIER after 30 days comes at or after the expiration (30 days)"),
        (BucketProps::default().lifecycle_rules([LifecycleRule::expire_after_days(0)]), "Data/B: lifecycle_rules[0].expiration_days: 0 days is not allowed; use at least 1"),
    ];
    for (props, want) in cases {
        assert_eq!(
            Bucket::new(&mut app, stack, "B", props)
                .unwrap_err()
                .to_string(),
            want
        );
    }
}

#[test]
fn policy_statements_need_a_principal_and_imports_are_not_changed() {
    let (mut app, stack) = stack();
    let bucket = Bucket::new(&mut app, stack, "B", BucketProps::default()).unwrap();
    bucket
        .add_to_resource_policy(
            &mut app,
            PolicyStatement::allow()
                .action("s3:GetObject")
                .resource(bucket.arn_for_objects("*")),
        )
        .unwrap();
    let imported = Bucket::from_bucket_name(&mut app, stack, "Shared", "shared-bucket").unwrap();
    assert!(!imported
        .add_to_resource_policy(&mut app, PolicyStatement::allow())
        .unwrap());
    assert_eq!(
        app.resolve(imported.bucket_name()),
        Value::from("shared-bucket")
    );
    let err = app.synth().unwrap_err().to_string();
    assert!(err.contains("Data/B/Policy"), "{err}");
    assert!(
        err.contains("a bucket policy statement needs a principal"),
        "{err}"
    );
}
