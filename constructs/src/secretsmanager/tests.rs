use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::{Stack, StackProps};
use serde_json::json;

fn id(path: &[&str]) -> String {
    berth_synth::logical_id::make_unique_id(path).unwrap()
}

fn stack() -> (App, Stack) {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Db", StackProps::default()).unwrap();
    (app, stack)
}

#[test]
fn a_secret_is_generated_by_default_and_deleted_with_the_stack_as_in_cdk() {
    let (mut app, stack) = stack();
    Secret::new(&mut app, stack, "Token", SecretProps::default()).unwrap();
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"][id(&["Token", "Resource"])];
    assert_eq!(r["Properties"], json!({"GenerateSecretString": {}}));
    assert_eq!(r["DeletionPolicy"], "Delete");
    assert_eq!(r["UpdateReplacePolicy"], "Delete");
}

#[test]
fn grants_are_exact_and_a_customer_key_is_used_through_secrets_manager_only() {
    let (mut app, stack) = stack();
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let s = Secret::new(
        &mut app,
        stack,
        "Db",
        SecretProps::default()
            .secret_name("prod/db")
            .encryption_key_arn(key)
            .removal_policy(RemovalPolicy::Retain),
    )
    .unwrap();
    let role = Role::new(
        &mut app,
        stack,
        "App",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let read = s.grant_read(&mut app, &role).unwrap();
    assert_eq!(
        read.actions(),
        [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
            "kms:Decrypt"
        ]
    );
    let write = s.grant_write(&mut app, &role).unwrap();
    assert_eq!(
        write.actions(),
        [
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecret",
            "kms:Encrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*"
        ]
    );
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let db = id(&["Db", "Resource"]);
    assert_eq!(res[&db]["Properties"]["KmsKeyId"], key);
    assert_eq!(res[&db]["Properties"]["Name"], "prod/db");
    assert_eq!(res[&db]["DeletionPolicy"], "Retain");
    let st = &res[id(&["App", "DefaultPolicy", "Resource"])]["Properties"]["PolicyDocument"]
        ["Statement"];
    assert_eq!(st[1]["Resource"], key);
    assert_eq!(
        st[1]["Condition"]["StringEquals"]["kms:ViaService"]["Fn::Join"][1][0],
        "secretsmanager."
    );
}

#[test]
fn generator_options_are_checked() {
    let (mut app, stack) = stack();
    let cases = [
        (SecretStringGenerator::default().password_length(0), "Db/S: generate_secret_string.password_length: 0 is out of range; allowed: 1 to 4096"),
        (SecretStringGenerator::json("not json", "password"), "Db/S: generate_secret_string.secret_string_template: \"not json\" is not a JSON object"),
        (SecretStringGenerator::json(r#"{"password":"x"}"#, "password"), "Db/S: generate_secret_string.generate_string_key: the template has the key \"password\" already; the generated value goes there"),
        (SecretStringGenerator::default().generate_string_key("password"), "Db/S: generate_secret_string.secret_string_template: a generated key needs a template (a JSON object) to go into"),
        (SecretStringGenerator::default().exclude_lowercase(true).exclude_uppercase(true).exclude_numbers(true).exclude_punctuation(true), "Db/S: generate_secret_string.exclude_numbers: every kind of character is excluded: nothing is left to generate a password from"),
    ];
    for (g, want) in cases {
        let err = Secret::new(
            &mut app,
            stack,
            "S",
            SecretProps::default().generate_secret_string(g),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), want);
    }
    let err = Secret::new(
        &mut app,
        stack,
        "S",
        SecretProps::default().secret_name("a b"),
    )
    .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("secret_name"));
}

#[test]
fn rotation_schedules_in_days_or_hours() {
    let (mut app, stack) = stack();
    let s = Secret::new(&mut app, stack, "Db", SecretProps::default()).unwrap();
    let lambda = "arn:aws:lambda:us-east-1:111122223333:function:rotate";
    s.add_rotation_schedule(
        &mut app,
        "RotationSchedule",
        RotationScheduleOptions::new(lambda),
    )
    .unwrap();
    let err = s
        .add_rotation_schedule(
            &mut app,
            "Fast",
            RotationScheduleOptions::new(lambda).automatically_after(Duration::from_secs(3600)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Db/Db/Fast: automatically_after: rotation runs every 4 hours to 1000 days, got 3600s"
    );
    let err = s
        .add_rotation_schedule(&mut app, "NoArn", RotationScheduleOptions::new("rotate"))
        .unwrap_err();
    assert_eq!(err.property.as_deref(), Some("rotation_lambda_arn"));
    s.add_rotation_schedule(
        &mut app,
        "Hourly",
        RotationScheduleOptions::new(lambda).automatically_after(Duration::from_secs(6 * 3600)),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let r = &res[id(&["Db", "RotationSchedule", "Resource"])]["Properties"];
    assert_eq!(r["RotationRules"], json!({"AutomaticallyAfterDays": 30}));
    assert_eq!(r["RotationLambdaARN"], lambda);
    assert_eq!(r["SecretId"], json!({"Ref": id(&["Db", "Resource"])}));
    let r = &res[id(&["Db", "Hourly", "Resource"])]["Properties"];
    assert_eq!(
        r["RotationRules"],
        json!({"ScheduleExpression": "rate(6 hours)"})
    );
}

#[test]
fn an_imported_secret_by_arn() {
    let (mut app, stack) = stack();
    let s = Secret::from_secret_complete_arn(
        &mut app,
        stack,
        "Shared",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:shared-AbCdEf",
    )
    .unwrap();
    assert!(s.cfn().is_none());
    assert_eq!(
        app.resolve(s.secret_arn()),
        Value::from("arn:aws:secretsmanager:us-east-1:111122223333:secret:shared-AbCdEf")
    );
    let err = Secret::from_secret_complete_arn(&mut app, stack, "Bad", "shared").unwrap_err();
    assert_eq!(err.property.as_deref(), Some("secret_arn"));
    let v = s.secret_value_from_json("host");
    assert_eq!(
        v,
        join([
            Value::from("{{resolve:secretsmanager:"),
            s.secret_arn().into(),
            Value::from(":SecretString:host::}}"),
        ])
    );
}
