use super::*;
use crate::iam::{Principal, Role, RoleProps};
use crate::StackProps;
use serde_json::json;

fn id(path: &[&str]) -> String {
    berth_synth::logical_id::make_unique_id(path).unwrap()
}

fn stack() -> (App, Stack) {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Cfg", StackProps::default()).unwrap();
    (app, stack)
}

#[test]
fn a_parameter_with_a_generated_name_has_its_arn_from_ref() {
    let (mut app, stack) = stack();
    let p = StringParameter::new(
        &mut app,
        stack,
        "Url",
        StringParameterProps::new("https://example.com")
            .description("where the API is")
            .tier(ParameterTier::Standard),
    )
    .unwrap();
    let role = Role::new(
        &mut app,
        stack,
        "Reader",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    let grant = p.grant_read(&mut app, &role).unwrap();
    assert_eq!(
        grant.actions(),
        [
            "ssm:DescribeParameters",
            "ssm:GetParameters",
            "ssm:GetParameter",
            "ssm:GetParameterHistory"
        ]
    );
    p.grant_write(&mut app, &role).unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert_eq!(
        res[id(&["Url", "Resource"])]["Properties"],
        json!({"Description": "where the API is", "Tier": "Standard", "Type": "String", "Value": "https://example.com"})
    );
    let stmts = &res[id(&["Reader", "DefaultPolicy", "Resource"])]["Properties"]["PolicyDocument"]
        ["Statement"];
    let arn = stmts[0]["Resource"]["Fn::Join"][1].as_array().unwrap();
    assert_eq!(arn[arn.len() - 2], ":parameter/");
    assert_eq!(arn[arn.len() - 1], json!({"Ref": id(&["Url", "Resource"])}));
    assert_eq!(stmts[1]["Action"], "ssm:PutParameter");
}

#[test]
fn names_and_values_are_checked() {
    let (mut app, stack) = stack();
    let cases = [
        (StringParameterProps::new("v").parameter_name("app/flags"), "Cfg/P: parameter_name: the hierarchical name \"app/flags\" must start with '/': /app/flags"),
        (StringParameterProps::new("v").parameter_name("/aws/mine"), "Cfg/P: parameter_name: \"/aws/mine\" starts with aws or ssm, which SSM reserves"),
        (StringParameterProps::new("v").parameter_name("with space"), "Cfg/P: parameter_name: invalid parameter name \"with space\": use letters, digits and _ . - /"),
        (StringParameterProps::new("v").parameter_name("/a//b"), "Cfg/P: parameter_name: invalid parameter name \"/a//b\": empty level between slashes"),
        (StringParameterProps::new(""), "Cfg/P: string_value: a parameter's value cannot be empty"),
        (StringParameterProps::new("x".repeat(4097)), "Cfg/P: string_value: the value has 4097 characters; the tier allows at most 4096"),
    ];
    for (props, want) in cases {
        assert_eq!(
            StringParameter::new(&mut app, stack, "P", props)
                .unwrap_err()
                .to_string(),
            want
        );
    }
    StringParameter::new(
        &mut app,
        stack,
        "Big",
        StringParameterProps::new("x".repeat(5000)).tier(ParameterTier::Advanced),
    )
    .unwrap();
}

#[test]
fn imported_parameters_and_values_at_deploy_time() {
    let (mut app, stack) = stack();
    let p =
        StringParameter::from_string_parameter_name(&mut app, stack, "Existing", "/shared/db-host")
            .unwrap();
    assert!(p.cfn().is_none());
    assert_eq!(
        app.resolve(p.parameter_name()),
        Value::from("/shared/db-host")
    );
    let v = value_for_string_parameter(&mut app, stack, "/aws/service/aws-for-fluent-bit/stable")
        .unwrap();
    let again =
        value_for_string_parameter(&mut app, stack, "/aws/service/aws-for-fluent-bit/stable")
            .unwrap();
    assert_eq!(v, again, "one template parameter per name");
    crate::Output::new(&mut app, stack, "Image", crate::OutputProps::new(v)).unwrap();
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    let param =
        "SsmParameterValueawsserviceawsforfluentbitstableC96584B6F00A464EAD1953AFF4B05118Parameter";
    assert_eq!(
        t["Parameters"][param],
        json!({"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/aws/service/aws-for-fluent-bit/stable"})
    );
    assert_eq!(t["Outputs"]["Image"]["Value"], json!({"Ref": param}));
}
