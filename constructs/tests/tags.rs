//! App-wide tags: tags on the app root, on a stack and on a nested construct reach
//! every taggable resource below them (and the stacks below them); resources whose
//! schema has no `Tags` are left untagged without an error.

use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::{Cluster, ClusterProps};
use berth_constructs::{App, Stack, StackProps, ROOT};
use berth_synth::synthesize::SynthOutput;
use serde_json::Value as Json;

/// Two stacks: `Network` (a VPC, whose gateway attachment and route table associations
/// have no `Tags`) and `Compute` (a cluster in that VPC).
fn two_stacks(app: &mut App) -> (Stack, Stack, Vpc) {
    let network = Stack::new(app, "Network", StackProps::default()).expect("stack");
    let compute = Stack::new(app, "Compute", StackProps::default()).expect("stack");
    let vpc = Vpc::new(app, network, "Vpc", VpcProps::default()).expect("vpc");
    Cluster::new(
        app,
        compute,
        "Cluster",
        ClusterProps {
            vpc: Some(vpc),
            ..Default::default()
        },
    )
    .expect("cluster");
    (network, compute, vpc)
}

/// `(path, type, tags)` of every resource of every stack, tags as `key=value`.
fn tags_of(out: &SynthOutput) -> Vec<(String, String, Option<Vec<String>>)> {
    let mut all = Vec::new();
    for s in &out.stacks {
        for (_, r) in s.template["Resources"].as_object().expect("resources") {
            let path = r["Metadata"]["berth:path"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let t = r["Type"].as_str().expect("type").to_owned();
            let tags = r["Properties"].get("Tags").map(|tags| match tags {
                Json::Array(list) => list
                    .iter()
                    .map(|t| {
                        format!(
                            "{}={}",
                            t["Key"].as_str().unwrap(),
                            t["Value"].as_str().unwrap()
                        )
                    })
                    .collect(),
                Json::Object(map) => map
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                    .collect(),
                other => panic!("{path}: Tags is {other}"),
            });
            all.push((path, t, tags));
        }
    }
    all
}

fn taggable(type_name: &str) -> bool {
    berth_synth::schema::schema(type_name).is_some_and(|s| s.tags.is_some())
}

#[test]
fn a_tag_on_the_app_root_reaches_every_taggable_resource_and_every_stack() {
    let mut app = App::new();
    two_stacks(&mut app);
    app.add_tag(ROOT, "team", "shop");
    let out = app.synth().expect("synth");
    let all = tags_of(&out);
    let (mut tagged, mut untaggable) = (0, 0);
    for (path, t, tags) in &all {
        if taggable(t) {
            let tags = tags
                .as_ref()
                .unwrap_or_else(|| panic!("{path} ({t}) has no Tags"));
            assert!(tags.contains(&"team=shop".to_owned()), "{path}: {tags:?}");
            tagged += 1;
        } else {
            assert!(tags.is_none(), "{path} ({t}) cannot be tagged: {tags:?}");
            untaggable += 1;
        }
    }
    assert!(
        tagged >= 10 && untaggable >= 4,
        "{tagged} tagged, {untaggable} untaggable"
    );
    for s in &out.stacks {
        assert_eq!(
            s.tags.get("team").map(String::as_str),
            Some("shop"),
            "stack {}",
            s.name
        );
    }
}

#[test]
fn a_tag_on_a_construct_reaches_only_what_is_below_it_and_a_stack_tag_its_stack() {
    let mut app = App::new();
    let (_, compute, vpc) = two_stacks(&mut app);
    app.add_tag(vpc, "layer", "network");
    app.add_tag(compute, "layer", "compute");
    let out = app.synth().expect("synth");
    for (path, t, tags) in tags_of(&out) {
        let want = if path.starts_with("Network/Vpc/") {
            "layer=network"
        } else {
            "layer=compute"
        };
        match tags {
            Some(tags) => assert_eq!(
                tags.iter()
                    .filter(|t| t.starts_with("layer="))
                    .collect::<Vec<_>>(),
                [want],
                "{path}"
            ),
            None => assert!(!taggable(&t), "{path} ({t}) is taggable but has no tags"),
        }
    }
    let stack = |name: &str| out.stacks.iter().find(|s| s.name == name).expect("stack");
    assert_eq!(
        stack("Compute").tags.get("layer").map(String::as_str),
        Some("compute")
    );
    // A construct's tags are not the stack's.
    assert!(stack("Network").tags.is_empty());
}

#[test]
fn priorities_resource_types_and_removal_follow_cdk() {
    use berth_constructs::{TagProps, Tags};
    let mut app = App::new();
    let (network, _, vpc) = two_stacks(&mut app);
    // The root's high-priority tag beats the nearer one; the nearer wins at equal priority.
    Tags::of(ROOT).add_with(&mut app, "env", "prod", TagProps::default().priority(300));
    Tags::of(vpc).add(&mut app, "env", "dev");
    Tags::of(ROOT).add(&mut app, "owner", "platform");
    Tags::of(vpc).add(&mut app, "owner", "network-team");
    // Only subnets; everything but the ECS cluster; not the stacks.
    Tags::of(ROOT).add_with(
        &mut app,
        "tier",
        "subnet",
        TagProps::default().include_resource_types(["AWS::EC2::Subnet"]),
    );
    Tags::of(ROOT).add_with(
        &mut app,
        "billing",
        "shared",
        TagProps::default().exclude_resource_types(["AWS::ECS::Cluster", "aws:cdk:stack"]),
    );
    // A removal (priority 200) beats adds below it, not one of priority 300.
    Tags::of(network).add(&mut app, "temp", "yes");
    Tags::of(ROOT).remove(&mut app, "temp");
    Tags::of(vpc).add_with(&mut app, "kept", "yes", TagProps::default().priority(300));
    Tags::of(ROOT).remove(&mut app, "kept");
    let out = app.synth().expect("synth");
    for (path, t, tags) in tags_of(&out) {
        let Some(tags) = tags else { continue };
        let has = |tag: &str| tags.iter().any(|t| t == tag);
        assert!(has("env=prod"), "{path}: {tags:?}");
        assert_eq!(
            has("owner=network-team"),
            path.starts_with("Network/Vpc/"),
            "{path}"
        );
        assert_eq!(has("tier=subnet"), t == "AWS::EC2::Subnet", "{path}");
        assert_eq!(has("billing=shared"), t != "AWS::ECS::Cluster", "{path}");
        assert!(!has("temp=yes"), "{path}");
        assert_eq!(has("kept=yes"), path.starts_with("Network/Vpc/"), "{path}");
    }
    for s in &out.stacks {
        assert_eq!(s.tags.get("env").map(String::as_str), Some("prod"));
        assert!(!s.tags.contains_key("billing") && !s.tags.contains_key("temp"));
    }
}

#[test]
fn tags_written_on_a_resource_win_over_tags_from_scopes() {
    use berth_synth::resource::RawProperties;
    use berth_synth::Value;
    let mut app = App::new();
    let s = Stack::new(&mut app, "S", StackProps::default()).expect("stack");
    let tags = Value::List(vec![Value::map([
        ("Key", Value::from("team")),
        ("Value", Value::from("own")),
    ])]);
    app.add_resource(
        s,
        "Queue",
        RawProperties::new("AWS::SQS::Queue", Value::map([("Tags", tags)])),
    )
    .expect("queue");
    app.add_tag(ROOT, "team", "shop");
    app.add_tag(ROOT, "app", "shop");
    let out = app.synth().expect("synth");
    let all = tags_of(&out);
    assert_eq!(
        all[0].2.as_deref(),
        Some(&["app=shop".to_owned(), "team=own".to_owned()][..])
    );
}
