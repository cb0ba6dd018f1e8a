use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::{Stack, StackProps};
use serde_json::json;

fn setup() -> (App, Stack) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Images", StackProps::default()).unwrap();
    (app, s)
}

#[test]
fn grant_pull_adds_exactly_cdks_statements() {
    let (mut app, s) = setup();
    let repo = Repository::new(&mut app, s, "Repo", RepositoryProps::default()).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let g = repo.grant_pull(&mut app, &role).unwrap();
    assert_eq!(
        g.actions(),
        vec![
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "ecr:GetAuthorizationToken"
        ]
    );
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert_eq!(
        res["RoleDefaultPolicy5FFB7DAB"]["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": ["Repo02AC86CF", "Arn"]}
            },
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}
        ])
    );
    assert_eq!(res["Repo02AC86CF"]["DeletionPolicy"], "Retain");
}

#[test]
fn grant_push_adds_the_push_actions() {
    let (mut app, s) = setup();
    let repo = Repository::from_repository_name(&mut app, s, "Repo", "web").unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("codebuild.amazonaws.com")),
    )
    .unwrap();
    let g = repo.grant_push(&mut app, &role).unwrap();
    assert_eq!(
        g.statements()[0].action_list(),
        [
            "ecr:CompleteLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:InitiateLayerUpload",
            "ecr:BatchCheckLayerAvailability",
            "ecr:PutImage"
        ]
    );
    let out = app.synth().unwrap();
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    assert!(!res.values().any(|r| r["Type"] == "AWS::ECR::Repository"));
    let stmt = &res["RoleDefaultPolicy5FFB7DAB"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(
        stmt[0]["Resource"],
        json!({"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":ecr:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":repository/web"
        ]]})
    );
    assert_eq!(
        stmt[1],
        json!({"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"})
    );
}

#[test]
fn duplicate_rule_priorities_are_an_error_naming_the_path() {
    let (mut app, s) = setup();
    let e = Repository::new(
        &mut app,
        s,
        "Repo",
        RepositoryProps {
            lifecycle_rules: vec![
                LifecycleRule {
                    rule_priority: Some(1),
                    tag_status: TagStatus::Untagged,
                    max_image_age_days: Some(7),
                    ..Default::default()
                },
                LifecycleRule {
                    rule_priority: Some(1),
                    tag_status: TagStatus::Tagged,
                    tag_prefixes: vec!["v".into()],
                    max_image_count: Some(10),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Images/Repo: lifecycle_rules[1].rule_priority: duplicate rule priority 1: lifecycle_rules[0] has it already; each rule needs a unique priority"
    );
    // Nothing was added to the tree.
    assert!(app.child(s, "Repo").is_none());
    // The same check on add_lifecycle_rule.
    let repo = Repository::new(
        &mut app,
        s,
        "Repo",
        RepositoryProps {
            lifecycle_rules: vec![LifecycleRule {
                rule_priority: Some(2),
                max_image_count: Some(5),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .unwrap();
    let e = repo
        .add_lifecycle_rule(
            &mut app,
            LifecycleRule {
                rule_priority: Some(2),
                tag_status: TagStatus::Untagged,
                max_image_count: Some(1),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Images/Repo: lifecycle_rules[1].rule_priority: duplicate rule priority 2: lifecycle_rules[0] has it already; each rule needs a unique priority"
    );
}

#[test]
fn lifecycle_rules_are_numbered_like_cdk_and_rendered_as_text() {
    let (mut app, s) = setup();
    let repo = Repository::new(
        &mut app,
        s,
        "Repo",
        RepositoryProps {
            image_scan_on_push: false,
            image_tag_mutability: Some(TagMutability::Immutable),
            encryption: Some(RepositoryEncryption::Kms(None)),
            removal_policy: Some(RemovalPolicy::Delete),
            empty_on_delete: true,
            lifecycle_rules: vec![
                LifecycleRule {
                    max_image_count: Some(20),
                    description: Some("keep 20".into()),
                    ..Default::default()
                },
                LifecycleRule {
                    tag_status: TagStatus::Untagged,
                    max_image_age_days: Some(1),
                    ..Default::default()
                },
                LifecycleRule {
                    rule_priority: Some(5),
                    tag_status: TagStatus::Tagged,
                    tag_prefixes: vec!["pr-".into()],
                    max_image_age_days: Some(30),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        Value::from(repo.repository_uri_for_tag("v1")),
        berth_synth::Value::join(
            "",
            [
                berth_synth::Value::get_att(repo.cfn().unwrap().id(), "RepositoryUri"),
                berth_synth::Value::from(":v1"),
            ]
        )
    );
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"]["Repo02AC86CF"];
    assert_eq!(r["DeletionPolicy"], "Delete");
    let props = &r["Properties"];
    assert!(props.get("ImageScanningConfiguration").is_none());
    assert_eq!(props["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        props["EncryptionConfiguration"],
        json!({"EncryptionType": "KMS"})
    );
    assert_eq!(props["EmptyOnDelete"], true);
    let text: serde_json::Value = serde_json::from_str(
        props["LifecyclePolicy"]["LifecyclePolicyText"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        text,
        json!({"rules": [
            {"rulePriority": 5, "selection": {"tagStatus": "tagged", "tagPrefixList": ["pr-"], "countType": "sinceImagePushed", "countNumber": 30, "countUnit": "days"}, "action": {"type": "expire"}},
            {"rulePriority": 6, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 1, "countUnit": "days"}, "action": {"type": "expire"}},
            {"rulePriority": 7, "description": "keep 20", "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20}, "action": {"type": "expire"}}
        ]})
    );
}

#[test]
fn bad_lifecycle_rules_are_errors() {
    let (mut app, s) = setup();
    let mut bad = |rules: Vec<LifecycleRule>| {
        Repository::new(
            &mut app,
            s,
            "Repo",
            RepositoryProps {
                lifecycle_rules: rules,
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        bad(vec![LifecycleRule::default()]),
        "Images/Repo: lifecycle_rules[0]: a lifecycle rule needs exactly one of max_image_count and max_image_age_days, got neither"
    );
    assert_eq!(
        bad(vec![LifecycleRule { tag_status: TagStatus::Tagged, max_image_count: Some(1), ..Default::default() }]),
        "Images/Repo: lifecycle_rules[0].tag_prefixes: a rule with tag_status Tagged needs at least one tag prefix"
    );
    assert_eq!(
        bad(vec![
            LifecycleRule { rule_priority: Some(9), max_image_count: Some(1), ..Default::default() },
            LifecycleRule { rule_priority: Some(10), tag_status: TagStatus::Untagged, max_image_count: Some(1), ..Default::default() },
        ]),
        "Images/Repo: lifecycle_rules[0].rule_priority: the rule with tag_status Any must have the highest priority, has 9, but lifecycle_rules[1] has 10"
    );
    let e = Repository::new(
        &mut app,
        s,
        "Repo",
        RepositoryProps {
            empty_on_delete: true,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Images/Repo: empty_on_delete: empty_on_delete needs removal_policy Delete, got Retain"
    );
}
