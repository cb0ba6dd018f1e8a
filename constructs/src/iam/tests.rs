use super::*;
use crate::{Stack, StackProps};
use serde_json::json;

fn setup() -> (App, Stack, Role) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "TaskRole",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    (app, s, role)
}

#[test]
fn role_renders_the_trust_policy_and_no_default_policy_until_needed() {
    let (mut app, _, _) = setup();
    let out = app.synth().unwrap();
    let res = out.stacks[0].template["Resources"].as_object().unwrap();
    assert_eq!(res.len(), 1);
    assert_eq!(
        res["TaskRole30FC0FBB"]["Properties"],
        json!({"AssumeRolePolicyDocument": {
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}],
            "Version": "2012-10-17"
        }})
    );
}

#[test]
fn statements_go_into_a_cdk_style_default_policy() {
    let (mut app, _, role) = setup();
    assert!(role
        .add_to_policy(
            &mut app,
            PolicyStatement::allow()
                .action("sqs:SendMessage")
                .resource("arn:aws:sqs:eu-west-1:1:q")
        )
        .unwrap());
    // An exact duplicate is dropped; nothing else is merged.
    role.add_to_policy(
        &mut app,
        PolicyStatement::allow()
            .action("sqs:SendMessage")
            .resource("arn:aws:sqs:eu-west-1:1:q"),
    )
    .unwrap();
    role.add_to_policy(
        &mut app,
        PolicyStatement::allow()
            .action("sqs:ReceiveMessage")
            .resource("arn:aws:sqs:eu-west-1:1:q"),
    )
    .unwrap();
    assert_eq!(
        app.path(role.default_policy(&app).unwrap()),
        "Web/TaskRole/DefaultPolicy"
    );
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert_eq!(
        res["TaskRoleDefaultPolicy07FC53DE"]["Properties"],
        json!({
            "PolicyDocument": {
                "Statement": [
                    {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": "arn:aws:sqs:eu-west-1:1:q"},
                    {"Action": "sqs:ReceiveMessage", "Effect": "Allow", "Resource": "arn:aws:sqs:eu-west-1:1:q"}
                ],
                "Version": "2012-10-17"
            },
            "PolicyName": "TaskRoleDefaultPolicy07FC53DE",
            "Roles": [{"Ref": "TaskRole30FC0FBB"}]
        })
    );
}

#[test]
fn the_policy_document_is_filled_in_at_synth_and_later_statements_still_count() {
    let (mut app, _, role) = setup();
    let send = PolicyStatement::allow()
        .action("sqs:SendMessage")
        .resource("arn:aws:sqs:eu-west-1:1:q");
    role.add_to_policy(&mut app, send).unwrap();
    let (_, policy) = app
        .construct::<RoleState>(role.node)
        .and_then(|s| s.default_policy)
        .expect("a default policy");
    // Not rendered on every statement: the L1 gets its document when synth prepares.
    assert!(app.resource(policy).policy_document.is_none());
    let first = app.synth().unwrap();
    let statements = |out: &berth_synth::synthesize::SynthOutput| {
        out.stacks[0].template["Resources"]["TaskRoleDefaultPolicy07FC53DE"]["Properties"]
            ["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(statements(&first), 1);
    // After the first synth (the constructs are prepared), a statement goes in at once.
    role.add_to_policy(
        &mut app,
        PolicyStatement::allow()
            .action("sqs:ReceiveMessage")
            .resource("arn:aws:sqs:eu-west-1:1:q"),
    )
    .unwrap();
    assert_eq!(statements(&app.synth().unwrap()), 2);
}

#[test]
fn invalid_identity_statements_fail_synth_with_the_policy_path() {
    let (mut app, _, role) = setup();
    role.add_to_policy(&mut app, PolicyStatement::allow().action("s3:GetObject"))
        .unwrap();
    role.add_to_policy(
        &mut app,
        PolicyStatement::allow()
            .resource("*")
            .principal(Principal::any()),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    let msgs: Vec<String> = e.diagnostics().iter().map(ToString::to_string).collect();
    assert_eq!(msgs, vec![
        "error[BERTH-E0300] Web/TaskRole/DefaultPolicy: PolicyDocument.Statement[0]: a policy statement in an identity policy must name at least one resource (use \"*\" for all)",
        "error[BERTH-E0300] Web/TaskRole/DefaultPolicy: PolicyDocument.Statement[1]: a policy statement must name at least one action",
        "error[BERTH-E0300] Web/TaskRole/DefaultPolicy: PolicyDocument.Statement[1]: a policy statement in an identity policy cannot name principals; principals belong in trust and resource policies",
    ]);
}

#[test]
fn imported_roles_are_never_changed() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let role = Role::from_role_arn(
        &mut app,
        s,
        "Existing",
        "arn:aws:iam::123456789012:role/service/my-role",
    )
    .unwrap();
    assert_eq!(app.resolve(role.role_name()), Value::from("my-role"));
    let g = Grant::add_to_principal(&mut app, &role, ["s3:GetObject"], ["*"]).unwrap();
    assert!(!g.is_applied());
    assert_eq!(g.actions(), vec!["s3:GetObject"]);
    assert!(!role
        .add_managed_policy(&mut app, &ManagedPolicy::aws_managed("ReadOnlyAccess"))
        .unwrap());
    let out = app.synth().unwrap();
    assert!(out.stacks[0]
        .template
        .get("Resources")
        .is_none_or(|r| r.as_object().unwrap().is_empty()));
    let e = Role::from_role_arn(&mut app, s, "Bad", "arn:aws:s3:::bucket").unwrap_err();
    assert_eq!(e.to_string(), "Web/Bad: role_arn: \"arn:aws:s3:::bucket\" is not a role ARN; expected arn:<partition>:iam::<account>:role/<name>");
}

#[test]
fn managed_policies_inline_policies_and_principals_render_like_cdk() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let mut inline = IndexMap::new();
    inline.insert(
        "Read".to_string(),
        PolicyDocument::new([PolicyStatement::allow()
            .actions(["s3:GetObject", "s3:ListBucket"])
            .resource("*")]),
    );
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps {
            role_name: Some("my-role".into()),
            description: Some("test".into()),
            inline_policies: inline,
            managed_policies: vec![ManagedPolicy::aws_managed(
                "service-role/AmazonECSTaskExecutionRolePolicy",
            )],
            ..RoleProps::new(Principal::account("123456789012"))
        },
    )
    .unwrap();
    role.add_managed_policy(
        &mut app,
        &ManagedPolicy::from_arn("arn:aws:iam::123456789012:policy/x"),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let props = &out.stacks[0].template["Resources"]["Role1ABCC5F0"]["Properties"];
    assert_eq!(
        props["ManagedPolicyArns"],
        json!([
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]]},
            "arn:aws:iam::123456789012:policy/x"
        ])
    );
    assert_eq!(
        props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::123456789012:root"]]}})
    );
    assert_eq!(props["Policies"][0]["PolicyName"], "Read");
    assert_eq!(
        props["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"],
        json!(["s3:GetObject", "s3:ListBucket"])
    );
    assert_eq!(props["RoleName"], "my-role");
}

#[test]
fn statement_json_has_cdks_shape() {
    let s = PolicyStatement::deny()
        .action("s3:*")
        .resources(["arn:aws:s3:::a", "arn:aws:s3:::a/*"])
        .principal(Principal::service("ecs.amazonaws.com"))
        .principal(Principal::service("ec2.amazonaws.com"))
        .condition("Bool", "aws:SecureTransport", false);
    assert_eq!(
        s.to_json_value(),
        json!({
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": false}},
            "Effect": "Deny",
            "Principal": {"Service": ["ecs.amazonaws.com", "ec2.amazonaws.com"]},
            "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::a/*"]
        })
    );
}

#[test]
fn max_session_duration_is_checked() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let e = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps {
            max_session_duration: Some(60),
            ..RoleProps::new(Principal::any())
        },
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "Web/Role: max_session_duration: max_session_duration must be between 3600 and 43200 seconds, got 60");
}
