use super::*;
use berth_synth::resource::RawProperties;
use berth_synth::{Intrinsic, Pseudo};
use serde_json::json;

fn raw(t: &str, props: serde_json::Value) -> RawProperties {
    RawProperties::new(t, Value::from_json(&props))
}

fn stack(app: &mut App, id: &str) -> Stack {
    Stack::new(app, id, StackProps::default()).unwrap()
}

fn errors(e: SynthError) -> Vec<String> {
    e.diagnostics().iter().map(ToString::to_string).collect()
}

#[test]
fn duplicate_ids_are_rejected_with_the_scope_path() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let g = app.add_group(s, "Api").unwrap();
    app.add_resource(g, "Queue", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let e = app
        .add_resource(g, "Queue", raw("AWS::SQS::Queue", json!({})))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Web/Api: there is already a construct with id \"Queue\" in this scope; ids must be unique among siblings"
    );
}

#[test]
fn empty_ids_and_slashes_are_rejected() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    assert_eq!(
        app.add_group(s, "").unwrap_err().to_string(),
        "Web: construct ids cannot be empty"
    );
    assert_eq!(
        app.add_group(s, "a/b").unwrap_err().to_string(),
        "Web: invalid construct id \"a/b\": '/' separates path components and cannot be part of an id"
    );
}

#[test]
fn resources_must_be_in_a_stack_and_stacks_in_the_app() {
    let mut app = App::new();
    let e = app.add_group(ROOT, "Loose").unwrap_err();
    assert_eq!(
        e.to_string(),
        "(app): \"Loose\" must be inside a stack: create a Stack and use it as the scope"
    );
    let s = stack(&mut app, "Web");
    let e = app.add_node(
        s.node(),
        "Inner",
        NodeKind::Stack(Box::new(StackData {
            name: "Inner".into(),
            description: None,
            env: Environment::default(),
            termination_protection: false,
            assets: Vec::new(),
            elements: 0,
        })),
    );
    assert_eq!(
        e.unwrap_err().to_string(),
        "Web: stack \"Inner\" must be added to the app, not inside a stack"
    );
}

#[test]
fn invalid_stack_names_are_rejected() {
    let mut app = App::new();
    let e = Stack::new(&mut app, "my_stack", StackProps::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "my_stack: stack_name: invalid stack name \"my_stack\": it must start with a letter and contain only letters, digits and '-', at most 128 characters"
    );
}

#[test]
fn logical_ids_follow_the_path() {
    let mut app = App::new();
    let s = stack(&mut app, "Net");
    let vpc = app.add_group(s, "VPC").unwrap();
    app.add_resource(
        vpc,
        "Resource",
        raw("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    assert!(res.get("VPCB9E5F0B4").is_some(), "{res}");
    assert_eq!(
        res["VPCB9E5F0B4"]["Metadata"]["berth:path"],
        json!("Net/VPC/Resource")
    );
}

#[test]
fn overridden_logical_ids_are_checked_and_unique() {
    let mut app = App::new();
    let s = stack(&mut app, "Net");
    let a = app
        .add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let b = app
        .add_resource(s, "B", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    assert_eq!(
        app.override_logical_id(a, "my-queue").unwrap_err().to_string(),
        "Net/A: logical_id: logical ID \"my-queue\" contains '-': only the letters A-Z, a-z and the digits 0-9 are allowed"
    );
    app.override_logical_id(a, "Queue").unwrap();
    app.override_logical_id(b, "Queue").unwrap();
    let e = app.synth().unwrap_err();
    assert_eq!(
        errors(e),
        vec!["error[BERTH-E0100] Net/B: duplicate logical ID \"Queue\": Net/A has it already"]
    );
}

#[test]
fn references_in_one_stack_render_ref_and_getatt() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let q = app
        .add_resource(s, "Dlq", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let props = Value::map([(
        "RedrivePolicy",
        Value::map([
            ("deadLetterTargetArn", Value::get_att(q.id(), "Arn")),
            ("maxReceiveCount", Value::Int(3)),
        ]),
    )]);
    app.add_resource(s, "Queue", RawProperties::new("AWS::SQS::Queue", props))
        .unwrap();
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    assert_eq!(
        t["Resources"]["Queue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
        json!({"Fn::GetAtt": ["Dlq", "Arn"]})
    );
    // a reference implies the dependency: no DependsOn
    assert!(t["Resources"]["Queue"].get("DependsOn").is_none());
}

#[test]
fn explicit_dependencies_are_emitted_only_when_no_reference_implies_them() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let a = app
        .add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let b = app
        .add_resource(s, "B", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let c = app
        .add_resource(
            s,
            "C",
            RawProperties::new(
                "AWS::SQS::Queue",
                Value::map([("QueueName", Value::ref_to(a.id()))]),
            ),
        )
        .unwrap();
    app.add_dependency(c, a);
    app.add_dependency(c, b);
    let out = app.synth().unwrap();
    assert_eq!(
        out.stacks[0].template["Resources"]["C"]["DependsOn"],
        json!(["B"])
    );
}

#[test]
fn dependency_on_a_construct_means_every_resource_below_it() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let g = app.add_group(s, "Net").unwrap();
    app.add_resource(g, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_resource(g, "B", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let c = app
        .add_resource(s, "C", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_dependency(c, g);
    let out = app.synth().unwrap();
    let deps = out.stacks[0].template["Resources"]["C"]["DependsOn"].clone();
    assert_eq!(deps.as_array().unwrap().len(), 2, "{deps}");
}

#[test]
fn cycles_name_every_construct_path() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let a = app
        .add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let b = app
        .add_resource(s, "B", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let c = app
        .add_resource(s, "C", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_property_override(a, "QueueName", Value::ref_to(b.id()))
        .unwrap();
    app.add_property_override(b, "QueueName", Value::ref_to(c.id()))
        .unwrap();
    app.add_dependency(c, a);
    let e = app.synth().unwrap_err();
    assert_eq!(
        errors(e),
        vec!["error[BERTH-E0111] Web/A: dependency cycle between 3 resources: Web/A -> Web/B -> Web/C"]
    );
}

#[test]
fn a_resource_referring_to_itself_is_a_cycle() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let a = app
        .add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_property_override(a, "QueueName", Value::ref_to(a.id()))
        .unwrap();
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec!["error[BERTH-E0111] Web/A: dependency cycle: Web/A refers to itself"]
    );
}

#[test]
fn cross_stack_references_become_exports_and_imports() {
    let mut app = App::new();
    let net = stack(&mut app, "Network");
    let web = stack(&mut app, "Web");
    let vpc = app.add_group(net, "Vpc").unwrap();
    let r = app
        .add_resource(
            vpc,
            "Resource",
            raw("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
        )
        .unwrap();
    let sg = RawProperties::new(
        "AWS::EC2::SecurityGroup",
        Value::map([
            ("GroupDescription", Value::from("web")),
            ("VpcId", Value::ref_to(r.id())),
        ]),
    );
    app.add_resource(web, "Sg", sg).unwrap();
    app.add_property_override(
        app.find("Web/Sg").unwrap(),
        "Tags",
        Value::List(vec![Value::map([
            ("Key", Value::from("cidr")),
            ("Value", Value::get_att(r.id(), "DefaultSecurityGroup")),
        ])]),
    )
    .unwrap();
    let out = app.synth().unwrap();
    // Network is deployed first.
    assert_eq!(out.stacks[0].name, "Network");
    assert_eq!(out.stacks[1].dependencies, vec!["Network".to_string()]);
    let net_t = &out.stacks[0].template;
    let outputs = net_t["Outputs"].as_object().unwrap();
    let names: Vec<&String> = outputs.keys().collect();
    assert_eq!(names.len(), 2);
    let ref_out = outputs
        .iter()
        .find(|(k, _)| k.starts_with("ExportsOutputRefVpc"))
        .unwrap();
    assert_eq!(ref_out.1["Value"], json!({"Ref": "Vpc8378EB38"}));
    let export_name = ref_out.1["Export"]["Name"].as_str().unwrap().to_owned();
    assert_eq!(export_name, format!("Network:{}", ref_out.0));
    let web_t = &out.stacks[1].template;
    assert_eq!(
        web_t["Resources"]["Sg"]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": export_name})
    );
    let att = outputs
        .iter()
        .find(|(k, _)| k.starts_with("ExportsOutputFnGetAttVpc"))
        .unwrap();
    assert_eq!(
        att.1["Value"],
        json!({"Fn::GetAtt": ["Vpc8378EB38", "DefaultSecurityGroup"]})
    );
}

#[test]
fn a_cycle_between_stacks_names_both_stacks_and_the_references() {
    let mut app = App::new();
    let a = stack(&mut app, "A");
    let b = stack(&mut app, "B");
    let qa = app
        .add_resource(a, "Qa", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let qb = app
        .add_resource(b, "Qb", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_property_override(qa, "QueueName", Value::get_att(qb.id(), "Arn"))
        .unwrap();
    app.add_property_override(qb, "QueueName", Value::get_att(qa.id(), "Arn"))
        .unwrap();
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec!["error[BERTH-E0110] A: cycle between stacks A, B: A/Qa references B/Qb; B/Qb references A/Qa"]
    );
}

#[test]
fn resource_limit_is_checked() {
    let mut app = App::new();
    let s = stack(&mut app, "Big");
    for i in 0..501 {
        app.add_resource(s, &format!("Q{i}"), raw("AWS::SQS::Queue", json!({})))
            .unwrap();
    }
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec!["error[BERTH-E0120] Big: stack Big has 501 resources: CloudFormation allows at most 500; split it into more stacks"]
    );
}

#[test]
fn output_and_parameter_limits_are_checked() {
    let mut app = App::new();
    let s = stack(&mut app, "Big");
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    for i in 0..201 {
        Output::new(
            &mut app,
            s,
            &format!("O{i}"),
            OutputProps {
                value: q.ref_().into(),
                ..Default::default()
            },
        )
        .unwrap();
        Parameter::new(&mut app, s, &format!("P{i}"), ParameterProps::default()).unwrap();
    }
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec![
            "error[BERTH-E0120] Big: stack Big has 201 outputs: CloudFormation allows at most 200; split it into more stacks",
            "error[BERTH-E0120] Big: stack Big has 201 parameters: CloudFormation allows at most 200; split it into more stacks",
        ]
    );
}

#[test]
fn template_size_is_checked() {
    let (kept, streamed) = (big_app().synth(), {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("berth.out");
        let r = big_app().write_assembly(&out, TemplateFormat::Json);
        // Nothing written, not even the start of a template.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        r
    });
    let e = errors(kept.unwrap_err());
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("error[BERTH-E0121] Big: the template of stack Big is 10")
            && e[0].ends_with(
                "bytes: CloudFormation allows at most 1000000; split it into more stacks"
            ),
        "{e:?}"
    );
    // Written in two steps, the template is measured the same.
    assert_eq!(errors(streamed.unwrap_err()), e);
}

fn big_app() -> App {
    let mut app = App::new();
    let s = stack(&mut app, "Big");
    let big = "x".repeat(4000);
    for i in 0..260 {
        app.add_resource(
            s,
            &format!("P{i}"),
            raw(
                "AWS::SSM::Parameter",
                json!({"Type": "String", "Value": big}),
            ),
        )
        .unwrap();
    }
    app
}

#[test]
fn templates_over_51200_bytes_get_a_note() {
    let mut app = App::new();
    let s = stack(&mut app, "Mid");
    let big = "x".repeat(4000);
    for i in 0..14 {
        app.add_resource(
            s,
            &format!("P{i}"),
            raw(
                "AWS::SSM::Parameter",
                json!({"Type": "String", "Value": big}),
            ),
        )
        .unwrap();
    }
    let out = app.synth().unwrap();
    assert_eq!(out.diagnostics.len(), 1);
    assert!(out.diagnostics[0]
        .to_string()
        .contains("deploy uploads it to the bootstrap bucket"));
}

#[test]
fn template_size_counts_the_minified_body_and_one_note_names_every_stack() {
    // 4,000 numbers in a list: about 56 KB pretty (one line each, indented), 8 KB
    // minified, which is what CloudFormation counts: no note.
    let mut app = App::new();
    let s = stack(&mut app, "Airy");
    let list: Vec<u32> = (0..4000).map(|i| i % 10).collect();
    app.add_resource(
        s,
        "P",
        raw(
            "Custom::Airy",
            json!({"ServiceToken": "arn:x", "Values": list}),
        ),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let pretty = serde_json::to_string_pretty(&out.stacks[0].template).unwrap();
    assert!(pretty.len() > 51_200, "{}", pretty.len());
    assert_eq!(
        berth_synth::synthesize::minified_len(pretty.as_bytes()),
        serde_json::to_string(&out.stacks[0].template)
            .unwrap()
            .len()
    );
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);

    // Two large stacks: one note naming both.
    let mut app = App::new();
    let big = "x".repeat(4000);
    for name in ["Mid1", "Mid2"] {
        let s = stack(&mut app, name);
        for i in 0..14 {
            app.add_resource(
                s,
                &format!("P{i}"),
                raw(
                    "AWS::SSM::Parameter",
                    json!({"Type": "String", "Value": big}),
                ),
            )
            .unwrap();
        }
    }
    let out = app.synth().unwrap();
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    let note = out.diagnostics[0].to_string();
    assert!(
        note.starts_with("info[BERTH-I0122] Mid1: the templates of 2 stacks, Mid1 ("),
        "{note}"
    );
    assert!(note.contains("Mid2 ("), "{note}");
    assert!(
        note.contains("deploy uploads them to the bootstrap bucket"),
        "{note}"
    );
}

#[test]
fn allow_replacement_marks_every_resource_below_the_construct() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let logs = crate::logs::LogGroup::new(&mut app, s, "Logs", Default::default()).unwrap();
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.allow_replacement(logs, "exported nightly").unwrap();
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let marked: Vec<&str> = res
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Metadata"]["berth:allow-replacement"] == "exported nightly")
        .map(|(_, r)| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["AWS::Logs::LogGroup"]);
    let _ = q;
}

#[test]
fn the_override_line_berth_suggests_for_a_moved_construct_compiles_and_keeps_the_id() {
    // `berth deploy` / `diff` print this line for a construct that moved within its
    // stack; it must work as printed.
    let build = |moved: bool| -> Result<serde_json::Value> {
        let mut app = App::new();
        let s = stack(&mut app, "Web");
        let scope = if moved {
            app.add_group(s, "App")?
        } else {
            s.node()
        };
        crate::logs::LogGroup::new(&mut app, scope, "Logs", Default::default())?;
        if moved {
            app.override_logical_id(app.find("Web/App/Logs/Resource").unwrap(), "Logs6819BB44")?;
        }
        Ok(app.synth().unwrap().stacks[0].template["Resources"].clone())
    };
    let before = build(false).unwrap();
    let id = before.as_object().unwrap().keys().next().unwrap().clone();
    assert_eq!(id, "Logs6819BB44", "the deployed id of Web/Logs");
    let after = build(true).unwrap();
    assert!(after.get("Logs6819BB44").is_some(), "{after}");
    assert_eq!(
        after["Logs6819BB44"]["Metadata"]["berth:path"],
        "Web/App/Logs/Resource"
    );
}

#[test]
fn property_overrides_set_and_delete_nested_values() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let q = app
        .add_resource(
            s,
            "Q",
            raw(
                "AWS::SQS::Queue",
                json!({"Tags": [{"Key": "a", "Value": "1"}], "DelaySeconds": 5}),
            ),
        )
        .unwrap();
    app.add_property_override(q, "Tags.0.Value", "2").unwrap();
    app.add_property_override(q, "RedrivePolicy.maxReceiveCount", 4)
        .unwrap();
    app.add_property_deletion_override(q, "DelaySeconds")
        .unwrap();
    let out = app.synth().unwrap();
    assert_eq!(
        out.stacks[0].template["Resources"]["Q"]["Properties"],
        json!({"Tags": [{"Key": "a", "Value": "2"}], "RedrivePolicy": {"maxReceiveCount": 4}})
    );
}

#[test]
fn parameters_conditions_mappings_and_outputs_render() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let env = Parameter::new(
        &mut app,
        s,
        "Env",
        ParameterProps {
            allowed_values: vec!["prod".into(), "dev".into()],
            default: Some("dev".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let is_prod = Condition::new(
        &mut app,
        s,
        "IsProd",
        berth_synth::Intrinsic::Equals(env.value_as_string().into(), "prod".into()).into_value(),
    )
    .unwrap();
    let mut sizes = IndexMap::new();
    sizes.insert(
        "prod".to_string(),
        IndexMap::from([("Retention".to_string(), Value::Int(30))]),
    );
    let m = Mapping::new(&mut app, s, "Sizes", sizes).unwrap();
    let q = app
        .add_resource(
            s,
            "Q",
            RawProperties::new(
                "AWS::SQS::Queue",
                Value::map([
                    (
                        "DelaySeconds",
                        is_prod.if_else(Value::Int(1), Value::Int(0)),
                    ),
                    (
                        "MessageRetentionPeriod",
                        m.find(env.value_as_string(), "Retention").into(),
                    ),
                ]),
            ),
        )
        .unwrap();
    app.set_condition(q, is_prod).unwrap();
    Output::new(
        &mut app,
        s,
        "QueueUrl",
        OutputProps {
            value: q.ref_().into(),
            export_name: Some("web-queue-url".into()),
            description: Some("the queue".into()),
            condition: Some(is_prod),
        },
    )
    .unwrap();
    let out = app.synth().unwrap();
    let t = &out.stacks[0].template;
    assert_eq!(
        t["Parameters"]["Env"],
        json!({"Type": "String", "Default": "dev", "AllowedValues": ["prod", "dev"]})
    );
    assert_eq!(
        t["Conditions"]["IsProd"],
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    );
    assert_eq!(t["Mappings"]["Sizes"], json!({"prod": {"Retention": 30}}));
    assert_eq!(t["Resources"]["Q"]["Condition"], json!("IsProd"));
    assert_eq!(
        t["Resources"]["Q"]["Properties"]["DelaySeconds"],
        json!({"Fn::If": ["IsProd", 1, 0]})
    );
    assert_eq!(
        t["Resources"]["Q"]["Properties"]["MessageRetentionPeriod"],
        json!({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Retention"]})
    );
    assert_eq!(
        t["Outputs"]["QueueUrl"],
        json!({"Description": "the queue", "Value": {"Ref": "Q"}, "Export": {"Name": "web-queue-url"}, "Condition": "IsProd"})
    );
}

#[test]
fn getatt_of_an_unknown_attribute_is_an_error() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let p = app
        .add_resource(
            s,
            "P",
            raw("AWS::SSM::Parameter", json!({"Type": "String"})),
        )
        .unwrap();
    app.add_property_override(p, "Value", Value::get_att(q.id(), "Nope"))
        .unwrap();
    let e = errors(app.synth().unwrap_err());
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("error[BERTH-E0105] Web/P: Fn::GetAtt of unknown attribute \"Nope\" of Web/Q (AWS::SQS::Queue): it has "),
        "{e:?}"
    );
}

#[test]
fn the_tree_is_locked_after_synth() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    app.synth().unwrap();
    assert_eq!(
        app.add_group(s, "Late").unwrap_err().to_string(),
        "Web: cannot add to the tree: it is locked because synthesis has started"
    );
}

#[test]
fn removal_policies_map_to_deletion_and_update_replace_policies() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.apply_removal_policy(q, RemovalPolicy::Retain).unwrap();
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"]["Q"];
    assert_eq!(r["DeletionPolicy"], json!("Retain"));
    assert_eq!(r["UpdateReplacePolicy"], json!("Retain"));
}

#[test]
fn pseudo_parameters_and_functions_render() {
    use berth_synth::{Intrinsic, Pseudo};
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let props = Value::map([
        ("A", Pseudo::Region.token().into()),
        (
            "B",
            Value::join("-", [Pseudo::StackName.token().into(), Value::from("x")]),
        ),
        (
            "C",
            Intrinsic::Select(
                Value::Int(0),
                Intrinsic::GetAzs(Value::from("")).into_value(),
            )
            .into_value(),
        ),
        (
            "D",
            Intrinsic::Split(",".into(), Value::from("a,b")).into_value(),
        ),
        (
            "E",
            Value::sub(
                "arn:${AWS::Partition}:s3:::${B}",
                [("B".to_string(), Value::from("b"))],
            ),
        ),
        (
            "F",
            Intrinsic::ImportValue(Value::from("shared-vpc")).into_value(),
        ),
        ("G", Pseudo::AccountId.token().into()),
        ("H", Pseudo::UrlSuffix.token().into()),
        ("I", Pseudo::Partition.token().into()),
    ]);
    app.add_resource(s, "R", RawProperties::new("Custom::Thing", props))
        .unwrap();
    let out = app.synth().unwrap();
    assert_eq!(
        out.stacks[0].template["Resources"]["R"]["Properties"],
        json!({
            "A": {"Ref": "AWS::Region"},
            "B": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "x"]]},
            "C": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
            "D": {"Fn::Split": [",", "a,b"]},
            "E": {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${B}", {"B": "b"}]},
            "F": {"Fn::ImportValue": "shared-vpc"},
            "G": {"Ref": "AWS::AccountId"},
            "H": {"Ref": "AWS::URLSuffix"},
            "I": {"Ref": "AWS::Partition"},
        })
    );
}

#[test]
fn referring_to_an_output_is_an_error() {
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let o = Output::new(
        &mut app,
        s,
        "Url",
        OutputProps {
            value: q.ref_().into(),
            ..Default::default()
        },
    )
    .unwrap();
    app.add_property_override(q, "QueueName", Value::ref_to(o.node))
        .unwrap();
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec!["error[BERTH-E0103] Web/Q: Ref cannot refer to Web/Url: it is an output"]
    );
}

#[test]
fn explicit_stack_dependencies_order_stacks() {
    let mut app = App::new();
    let a = stack(&mut app, "A");
    let b = stack(&mut app, "B");
    a.add_dependency(&mut app, b);
    let out = app.synth().unwrap();
    let names: Vec<&str> = out.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["B", "A"]);
    assert_eq!(out.stacks[1].dependencies, vec!["B".to_string()]);
}

#[test]
fn synth_to_writes_nothing_when_synth_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("berth.out");
    let mut app = App::new();
    let s = stack(&mut app, "Web");
    let a = app
        .add_resource(s, "A", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.add_property_override(a, "QueueName", Value::ref_to(a.id()))
        .unwrap();
    assert!(app.synth_to(&out, TemplateFormat::Json).is_err());
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn references_across_environments_are_errors() {
    let mut app = App::new();
    let env = |region: &str| StackProps {
        env: Environment {
            account: Some("111111111111".into()),
            region: Some(region.into()),
        },
        ..Default::default()
    };
    let a = Stack::new(&mut app, "East", env("us-east-1")).unwrap();
    let b = Stack::new(&mut app, "West", env("us-west-2")).unwrap();
    let q = app
        .add_resource(a, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    Output::new(
        &mut app,
        b,
        "Url",
        OutputProps {
            value: q.ref_().into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        errors(app.synth().unwrap_err()),
        vec!["error[BERTH-E0108] West/Url: Ref refers to East/Q in another environment (aws://111111111111/us-west-2 here, aws://111111111111/us-east-1 there): exports only work within one account and region; pass the value as a parameter or a literal instead"]
    );
}

#[test]
fn yaml_assemblies_name_yaml_templates() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new();
    let s = Stack::new(
        &mut app,
        "Web",
        StackProps {
            env: Environment {
                account: Some("123456789012".into()),
                region: Some("eu-west-1".into()),
            },
            termination_protection: true,
            ..Default::default()
        },
    )
    .unwrap();
    app.add_resource(s, "Q", raw("AWS::SQS::Queue", json!({"DelaySeconds": 5})))
        .unwrap();
    app.synth_to(dir.path().join("out"), TemplateFormat::Yaml)
        .unwrap();
    let yaml = std::fs::read_to_string(dir.path().join("out/Web.template.yaml")).unwrap();
    assert!(yaml.contains("Type: AWS::SQS::Queue"), "{yaml}");
    assert!(yaml.contains("DelaySeconds: 5"), "{yaml}");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    let web = &manifest["artifacts"]["Web"];
    assert_eq!(
        web["properties"]["templateFile"],
        json!("Web.template.yaml")
    );
    assert_eq!(web["environment"], json!("aws://123456789012/eu-west-1"));
    assert_eq!(web["properties"]["terminationProtection"], json!(true));
}

/// An app with overrides, metadata (one entry named like berth's own), tags, a
/// condition, policies, dependencies and a cross-stack reference.
fn rich_app() -> App {
    let mut app = App::new();
    let a = stack(&mut app, "A");
    let b = stack(&mut app, "B");
    app.add_tag(a, "team", "core");
    let q = app
        .add_resource(
            a,
            "Q",
            raw(
                "AWS::SQS::Queue",
                json!({"Tags": [{"Key": "a", "Value": "1"}]}),
            ),
        )
        .unwrap();
    app.add_property_override(q, "Tags.0.Value", "2").unwrap();
    app.add_metadata(q, "note", "kept").unwrap();
    app.add_metadata(q, "berth:path", "replaced by the path")
        .unwrap();
    app.add_metadata(q, "after", 1).unwrap();
    app.apply_removal_policy(q, RemovalPolicy::Retain).unwrap();
    let c = Condition::new(
        &mut app,
        a,
        "IsProd",
        Intrinsic::Equals(Pseudo::Region.token().into(), "eu-west-1".into()).into_value(),
    )
    .unwrap();
    let d = app
        .add_resource(a, "D", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app.set_condition(d, c).unwrap();
    app.add_dependency(d, q);
    app.add_resource(
        b,
        "P",
        raw(
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "x"}),
        ),
    )
    .unwrap();
    let p = app.find("B/P").unwrap();
    app.add_property_override(p, "Value", Value::get_att(q.id(), "Arn"))
        .unwrap();
    // An id that tree.json must escape.
    app.add_resource(b, "Odd \"id\" \\ é\t", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    app
}

#[test]
fn a_rich_app_renders_its_overrides_metadata_and_references() {
    let dir = tempfile::tempdir().unwrap();
    let out = rich_app()
        .synth_to(dir.path(), TemplateFormat::Json)
        .unwrap();
    assert_eq!(out.stacks.len(), 2);
    let in_memory = rich_app().synth().unwrap();
    for (d, m) in out.stacks.iter().zip(&in_memory.stacks) {
        assert_eq!(d.template, m.template, "{}", d.name);
    }
    let q = &out.stacks[0].template["Resources"]["Q"];
    assert_eq!(
        q["Metadata"],
        json!({"note": "kept", "berth:path": "A/Q", "after": 1})
    );
    assert_eq!(q["Properties"]["Tags"][0]["Value"], json!("2"));
    // In that order: the path takes the place of the entry set by hand.
    let text = std::fs::read_to_string(dir.path().join("A.template.json")).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
    assert!(at("\"note\": \"kept\"") < at("\"berth:path\": \"A/Q\""));
    assert!(at("\"berth:path\": \"A/Q\"") < at("\"after\": 1"));
    // The override's reference to A/Q crosses stacks: an export and an import.
    let import = &out.stack("B").unwrap().template["Resources"]["P"]["Properties"]["Value"];
    let name = import["Fn::ImportValue"].as_str().unwrap_or_default();
    assert!(name.starts_with("A:ExportsOutputFnGetAttQArn"), "{import}");
    assert_eq!(out.stack("B").unwrap().dependencies, ["A"]);
}

#[test]
fn a_token_an_override_replaces_is_never_resolved() {
    // CDK applies overrides to the properties as written: the reference the override
    // removes makes no export, no stack dependency, no resource dependency.
    let mut app = App::new();
    let a = stack(&mut app, "A");
    let b = stack(&mut app, "B");
    let q = app
        .add_resource(a, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let p = app
        .add_resource(
            b,
            "P",
            RawProperties::new(
                "AWS::SSM::Parameter",
                Value::map([
                    ("Type", Value::from("String")),
                    ("Value", Value::get_att(q.id(), "Arn")),
                    ("Description", Value::get_att(q.id(), "Arn")),
                ]),
            ),
        )
        .unwrap();
    app.add_property_override(p, "Value", "literal").unwrap();
    app.add_property_deletion_override(p, "Description")
        .unwrap();
    let out = app.synth().unwrap();
    let a_template = &out.stack("A").unwrap().template;
    assert!(a_template.get("Outputs").is_none(), "{a_template:#}");
    let b_stack = out.stack("B").unwrap();
    assert!(b_stack.dependencies.is_empty());
    assert_eq!(
        b_stack.template["Resources"]["P"]["Properties"],
        json!({"Type": "String", "Value": "literal"})
    );
    // A token an override sets, or leaves in place, is resolved where it lands; one it
    // goes through is replaced by an object (shapes the schema would refuse: not
    // validated here).
    let mut app = App::new();
    app.set_validate_schemas(false);
    let s = stack(&mut app, "S");
    let q = app
        .add_resource(s, "Q", raw("AWS::SQS::Queue", json!({})))
        .unwrap();
    let p = app
        .add_resource(
            s,
            "P",
            RawProperties::new(
                "AWS::SSM::Parameter",
                Value::map([
                    ("Type", Value::from("String")),
                    ("Value", Value::ref_to(q.id())),
                    ("Tags", Value::map([("a", Value::get_att(q.id(), "Arn"))])),
                ]),
            ),
        )
        .unwrap();
    app.add_property_override(p, "Tags.b", Value::get_att(q.id(), "QueueName"))
        .unwrap();
    app.add_property_override(p, "Tags.a.Deep", "x").unwrap();
    let out = app.synth().unwrap();
    assert_eq!(
        out.stacks[0].template["Resources"]["P"]["Properties"],
        json!({"Type": "String", "Value": {"Ref": "Q"},
            "Tags": {"a": {"Deep": "x"}, "b": {"Fn::GetAtt": ["Q", "QueueName"]}}})
    );
}

#[test]
fn stack_tags_go_into_tags_properties_but_never_into_a_token() {
    let mut app = App::new();
    let s = stack(&mut app, "S");
    app.add_tag(s, "team", "core");
    app.add_resource(
        s,
        "Listed",
        raw(
            "AWS::SQS::Queue",
            json!({"Tags": [{"Key": "a", "Value": "1"}]}),
        ),
    )
    .unwrap();
    let mapped = app
        .add_resource(
            s,
            "Mapped",
            raw(
                "AWS::SSM::Parameter",
                json!({"Type": "String", "Value": "v", "Tags": {"a": "1"}}),
            ),
        )
        .unwrap();
    let token = app
        .add_resource(
            s,
            "Token",
            raw(
                "AWS::SSM::Parameter",
                json!({"Type": "String", "Value": "v"}),
            ),
        )
        .unwrap();
    app.add_property_override(token, "Tags", Value::ref_to(mapped.id()))
        .unwrap();
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"];
    assert_eq!(
        r["Listed"]["Properties"]["Tags"],
        json!([{"Key": "a", "Value": "1"}, {"Key": "team", "Value": "core"}])
    );
    assert_eq!(
        r["Mapped"]["Properties"]["Tags"],
        json!({"a": "1", "team": "core"})
    );
    assert_eq!(r["Token"]["Properties"]["Tags"], json!({"Ref": "Mapped"}));
}
