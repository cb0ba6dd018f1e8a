use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::{Stack, StackProps};

fn stack(app: &mut App) -> Stack {
    Stack::new(app, "Data", StackProps::default()).unwrap()
}

#[test]
fn the_default_key_policy_trusts_the_account_and_rotation_is_on() {
    let mut app = App::new();
    let s = stack(&mut app);
    Key::new(&mut app, s, "Key", KeyProps::default()).unwrap();
    let out = app.synth().unwrap();
    let key = &out.stacks[0].template["Resources"]["Key961B73FD"];
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    assert_eq!(key["UpdateReplacePolicy"], "Retain");
    let statement = &key["Properties"]["KeyPolicy"]["Statement"][0];
    assert_eq!(statement["Action"], "kms:*");
    assert_eq!(statement["Resource"], "*");
    assert_eq!(
        statement["Principal"]["AWS"]["Fn::Join"][1],
        serde_json::json!(["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"])
    );
}

#[test]
fn aliases_get_cdk_ids_and_bad_names_are_rejected() {
    let mut app = App::new();
    let s = stack(&mut app);
    let key = Key::new(&mut app, s, "Key", KeyProps::default().alias("alias/app")).unwrap();
    let second = key.add_alias(&mut app, "app/logs").unwrap();
    assert_eq!(app.path(second), "Data/Key/Aliasalias--app--logs");
    let err = key.add_alias(&mut app, "aws/ebs").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Data/Key: alias: \"alias/aws/ebs\": aliases starting with alias/aws/ are reserved for AWS managed keys"
    );
    let err = key.add_alias(&mut app, "my key").unwrap_err();
    assert!(err.to_string().contains("contains ' '"), "{err}");
}

#[test]
fn services_are_granted_through_the_key_policy_and_roles_through_iam() {
    let mut app = App::new();
    let s = stack(&mut app);
    let key = Key::new(&mut app, s, "Key", KeyProps::default()).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let g = key.grant_decrypt(&mut app, &role).unwrap();
    assert_eq!(g.actions(), ["kms:Decrypt"]);
    assert!(key
        .grant_to_service(
            &mut app,
            "cloudwatch.amazonaws.com",
            ["kms:Decrypt", "kms:GenerateDataKey*"]
        )
        .unwrap());
    let out = app.synth().unwrap();
    let policy = &out.stacks[0].template["Resources"]["Key961B73FD"]["Properties"]["KeyPolicy"];
    assert_eq!(
        policy["Statement"][1]["Principal"]["Service"],
        "cloudwatch.amazonaws.com"
    );
}

#[test]
fn imported_keys_parse_their_arn_and_are_never_changed() {
    let mut app = App::new();
    let s = stack(&mut app);
    let key = Key::from_key_arn(
        &mut app,
        s,
        "Shared",
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab",
    )
    .unwrap();
    assert_eq!(app.resolve(key.key_id()), Value::from("1234abcd-12ab"));
    assert!(!key
        .add_to_resource_policy(&mut app, PolicyStatement::allow().action("kms:*"))
        .unwrap());
    let err = Key::from_key_arn(&mut app, s, "Bad", "arn:aws:kms:eu-west-1:1:alias/x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Data/Bad: key_arn: \"arn:aws:kms:eu-west-1:1:alias/x\" is not a KMS key ARN; expected arn:<partition>:kms:<region>:<account>:key/<key id>"
    );
}

#[test]
fn out_of_range_periods_are_errors() {
    let mut app = App::new();
    let s = stack(&mut app);
    let err = Key::new(
        &mut app,
        s,
        "K",
        KeyProps::default().rotation_period_days(30),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Data/K: rotation_period_days: the rotation period must be between 90 and 2560 days, got 30"
    );
    let err = Key::new(&mut app, s, "K", KeyProps::default().pending_window_days(3)).unwrap_err();
    assert!(
        err.to_string().ends_with("between 7 and 30 days, got 3"),
        "{err}"
    );
}

#[test]
fn a_resource_policy_statement_without_a_principal_fails_synth() {
    let mut app = App::new();
    let s = stack(&mut app);
    let key = Key::new(&mut app, s, "Key", KeyProps::default()).unwrap();
    key.add_to_resource_policy(
        &mut app,
        PolicyStatement::allow().action("kms:Decrypt").resource("*"),
    )
    .unwrap();
    let err = app.synth().unwrap_err().to_string();
    assert!(
        err.contains("error[BERTH-E0600] Data/Key: KeyPolicy.Statement[1]: a resource policy statement must name a principal"),
        "{err}"
    );
}
