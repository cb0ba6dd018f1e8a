use berth_assertions::{Error, Template, TemplateProblem};
use serde_json::json;

#[test]
fn from_file_reads_json() {
    let t = crate::fixture();
    assert_eq!(
        t.as_json()["Description"],
        "web: a Fargate service behind an application load balancer"
    );
}

#[test]
fn from_file_reads_yaml_long_form() {
    let dir = std::env::temp_dir().join(format!("berth-assertions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stack.yaml");
    std::fs::write(
        &path,
        "Resources:\n  Svc:\n    Type: AWS::ECS::Service\n    Properties:\n      Cluster:\n        Ref: C\n",
    )
    .unwrap();
    let t = Template::from_file(&path).unwrap();
    t.has_resource_properties("AWS::ECS::Service", json!({"Cluster": {"Ref": "C"}}));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn from_file_missing_names_the_file() {
    let err = Template::from_file("/nonexistent/template.json").unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert!(err
        .to_string()
        .starts_with("could not read the template file /nonexistent/template.json: "));
}

#[test]
fn from_str_and_parse_agree() {
    let text = r#"{"Resources": {"C": {"Type": "AWS::ECS::Cluster"}}}"#;
    let a = Template::from_str(text).unwrap();
    let b: Template = text.parse().unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a.to_json(),
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
}

#[test]
fn invalid_json_is_an_error() {
    let err = Template::from_str("{ not json").unwrap_err();
    assert!(matches!(err, Error::Json(_)), "{err:?}");
}

#[test]
fn rejects_things_that_are_not_templates() {
    let cases = [
        (
            json!([1, 2]),
            TemplateProblem::NotAnObject { found: "array" },
        ),
        (
            json!({"Type": "AWS::S3::Bucket", "Properties": {}}),
            TemplateProblem::UnknownSection {
                name: "Type".into(),
            },
        ),
        (
            json!({"Resources": []}),
            TemplateProblem::SectionNotAnObject {
                section: "Resources".into(),
                found: "array",
            },
        ),
        (
            json!({"Resources": {"B": {"Properties": {}}}}),
            TemplateProblem::ResourceWithoutType {
                logical_id: "B".into(),
            },
        ),
    ];
    for (json, expected) in cases {
        match Template::from_json(json.clone()) {
            Err(Error::NotATemplate(problem)) => assert_eq!(problem, expected, "for {json}"),
            other => panic!("expected {expected:?} for {json}, got {other:?}"),
        }
    }
}

#[test]
fn template_problem_messages_say_what_is_allowed() {
    let err = Template::from_json(json!({"Resource": {}})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a CloudFormation template: unknown top-level section \"Resource\"; allowed: \
         AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, \
         Conditions, Transform, Resources, Outputs, Hooks"
    );
}
