//! Every example synthesizes, deterministically, into an assembly whose manifest
//! follows the CDK cloud-assembly schema; its templates are snapshot-tested under
//! `snapshots/` (review changes with `cargo insta review`).

mod common;

use std::fs;
use std::path::Path;

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn example_templates_match_their_snapshots() {
    for (name, app) in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let out = common::synth_to(app, dir.path());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            for stack in &out.stacks {
                insta::assert_json_snapshot!(format!("{name}__{}", stack.name), stack.template);
            }
        });
    }
}

#[test]
fn every_file_is_what_serde_json_writes_and_memory_holds_what_disk_does() {
    // One writer makes every JSON file; its bytes must be serde_json's for what the file
    // holds (the reparse oracle). An app synthesized in memory (what `App::synth` and
    // the assertions read) must hold the files written to disk, but the staged build
    // contexts.
    use berth::synth::assembly::{MemorySink, Sink as _};
    use berth::synth::synthesize::{synthesize, SynthOptions};
    for ((name, mut on_disk), (_, mut in_memory)) in
        common::examples().into_iter().zip(common::examples())
    {
        let dir = tempfile::tempdir().unwrap();
        on_disk
            .write_assembly(dir.path(), berth::synth::assembly::TemplateFormat::Json)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let memory = MemorySink::new();
        assert!(memory.directory("asset.x").unwrap().is_none());
        let frozen = in_memory.freeze().unwrap();
        synthesize(&frozen, &SynthOptions::default(), &memory)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let memory = memory.into_files();
        let disk: Vec<(String, Vec<u8>)> = read_tree(dir.path())
            .into_iter()
            .filter(|(f, _)| !f.starts_with("asset."))
            .collect();
        let kept: Vec<(String, Vec<u8>)> = memory.into_iter().collect();
        assert_eq!(disk.len(), kept.len(), "example {name}");
        for ((f1, b1), (f2, b2)) in disk.iter().zip(&kept) {
            assert_eq!(f1, f2, "example {name}");
            assert!(b1 == b2, "example {name}: {f1} differs");
            let v: serde_json::Value = serde_json::from_slice(b1).unwrap();
            let expected = match f1.as_str() {
                "tree.json" => serde_json::to_string(&v).unwrap(),
                "cdk.out" => format!("{}\n", serde_json::to_string(&v).unwrap()),
                _ => format!("{}\n", serde_json::to_string_pretty(&v).unwrap()),
            };
            assert!(
                String::from_utf8_lossy(b1) == expected,
                "example {name}: {f1} is not what serde_json writes for it"
            );
        }
        assert!(kept.iter().any(|(f, _)| f == "tree.json"), "{name}");
    }
}

#[test]
fn synthesis_is_byte_stable() {
    for ((name, a), (_, b)) in common::examples().into_iter().zip(common::examples()) {
        let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        common::synth_to(a, d1.path());
        common::synth_to(b, d2.path());
        let (t1, t2) = (read_tree(d1.path()), read_tree(d2.path()));
        assert!(!t1.is_empty());
        assert_eq!(t1, t2, "example {name}: two runs differ");
        for (file, bytes) in &t1 {
            let text = String::from_utf8_lossy(bytes);
            let dir = d1.path().to_string_lossy();
            assert!(
                !text.contains(dir.as_ref()),
                "{file} contains the absolute output path"
            );
        }
    }
}

#[test]
fn manifests_follow_the_cloud_assembly_schema() {
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "../assembly/schemas/cloud-assembly/cloud-assembly.schema.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the cloud-assembly schema compiles");
    let assets_schema: serde_json::Value = serde_json::from_str(include_str!(
        "../assembly/schemas/cloud-assembly/assets.schema.json"
    ))
    .unwrap();
    let assets_validator =
        jsonschema::validator_for(&assets_schema).expect("the asset-manifest schema compiles");
    for (name, app) in common::examples() {
        let dir = tempfile::tempdir().unwrap();
        let out = common::synth_to(app, dir.path());
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&manifest)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "example {name}: manifest.json is invalid:\n{}",
            errors.join("\n")
        );
        // every asset manifest follows the asset-manifest schema
        for (id, art) in manifest["artifacts"].as_object().unwrap() {
            if art["type"] != "cdk:asset-manifest" {
                continue;
            }
            let file = art["properties"]["file"].as_str().unwrap();
            let assets: serde_json::Value =
                serde_json::from_slice(&fs::read(dir.path().join(file)).unwrap()).unwrap();
            let errors: Vec<String> = assets_validator
                .iter_errors(&assets)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "example {name}: {file} ({id}) is invalid:\n{}",
                errors.join("\n")
            );
        }
        // every stack is an artifact whose template file exists
        for stack in &out.stacks {
            let art = &manifest["artifacts"][&stack.name];
            assert_eq!(art["type"], "aws:cloudformation:stack");
            let file = art["properties"]["templateFile"].as_str().unwrap();
            assert!(dir.path().join(file).is_file(), "{file}");
        }
        assert!(dir.path().join("tree.json").is_file());
    }
}

#[test]
fn hello_exports_the_vpc_to_the_app_stack() {
    let (_, app) = common::examples()
        .into_iter()
        .find(|(n, _)| *n == "hello")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth_to(app, dir.path());
    let names: Vec<&str> = out.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["HelloNetwork", "HelloApp"]);
    assert_eq!(out.stacks[1].dependencies, ["HelloNetwork"]);
    let sg = &out.stacks[1].template["Resources"]["WebSecurityGroup"]["Properties"]["VpcId"];
    let import = sg["Fn::ImportValue"].as_str().expect("an import");
    let net = &out.stacks[0].template["Outputs"];
    let (id, output) = net.as_object().unwrap().iter().next().unwrap();
    assert_eq!(import, format!("HelloNetwork:{id}"));
    assert_eq!(output["Value"], serde_json::json!({"Ref": "Vpc"}));
}

#[test]
fn hello_queue_redrives_into_its_dead_letter_queue() {
    use berth::assertions::{pattern, Capture, Match, Template};
    use berth::prelude::*;
    let (_, mut app) = common::examples()
        .into_iter()
        .find(|(n, _)| *n == "hello")
        .unwrap();
    let stack = app.stacks()[1];
    let t = Template::from_stack(&mut app, stack);
    t.resource_count_is("AWS::SQS::Queue", 2);
    let dlq = Capture::new();
    t.has_resource_properties(
        "AWS::SQS::Queue",
        pattern!({"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}, "maxReceiveCount": 5}}),
    );
    let dlq_id = dlq.as_string();
    let dead_letters = t.find_resources(
        "AWS::SQS::Queue",
        pattern!({"Properties": {"MessageRetentionPeriod": 1209600}}),
    );
    assert_eq!(dead_letters.keys().collect::<Vec<_>>(), vec![&dlq_id]);
    // the dead-letter queue itself has no redrive policy
    t.has_resource_properties(
        "AWS::SQS::Queue",
        pattern!({"MessageRetentionPeriod": 1209600, "RedrivePolicy": Match::absent()}),
    );
    // every taggable resource carries the stack's tags
    t.all_resources_properties("AWS::SQS::Queue", pattern!({"Tags": Match::array_with(vec![serde_json::json!({"Key": "project", "Value": "hello"})])}));
}

#[test]
fn alb_fargate_wires_listener_service_security_group_and_scaling() {
    use berth::assertions::{pattern, Capture, Match, Template};
    use berth::prelude::*;
    let (_, mut app) = common::examples()
        .into_iter()
        .find(|(n, _)| *n == "alb-fargate")
        .unwrap();
    let stack = app.stacks()[0];
    let t = Template::from_stack(&mut app, stack);

    // the listener forwards to the target group whose port is the container port
    let tg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        pattern!({"Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": tg}}]}),
    );
    let tg_id = tg.as_string();
    let container_port = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Name": "web", "PortMappings": [{"ContainerPort": container_port}]}]}),
    );
    let port = container_port.as_number();
    assert_eq!(port, 80.0);
    let group = t
        .resource(&tg_id)
        .expect("the forwarded-to target group exists");
    assert_eq!(group["Type"], "AWS::ElasticLoadBalancingV2::TargetGroup");
    assert_eq!(group["Properties"]["Port"].as_f64(), Some(port));
    assert_eq!(group["Properties"]["HealthCheckPath"], "/health");
    let service_id = Capture::new();
    t.has_resource(
        "AWS::ECS::Service",
        pattern!({"Properties": {
            "LoadBalancers": (Match::exact(serde_json::json!([{"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": tg_id}}]))),
            "NetworkConfiguration": {"AwsvpcConfiguration": {"SecurityGroups": [{"Fn::GetAtt": [service_id, "GroupId"]}]}},
        }}),
    );
    let service_sg = service_id.as_string();

    // the only ingress into the service's security group: the LB's group, on that port
    let lb_sg = Capture::new();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        pattern!({"Scheme": "internet-facing", "SecurityGroups": [{"Fn::GetAtt": [lb_sg, "GroupId"]}]}),
    );
    let lb_sg = lb_sg.as_string();
    let into_service = t.find_resources(
        "AWS::EC2::SecurityGroupIngress",
        pattern!({"Properties": {"GroupId": {"Fn::GetAtt": [service_sg.clone(), "GroupId"]}}}),
    );
    assert_eq!(into_service.len(), 1, "{into_service:?}");
    let ingress = into_service.values().next().unwrap();
    assert_eq!(
        ingress["Properties"]["SourceSecurityGroupId"],
        serde_json::json!({"Fn::GetAtt": [lb_sg, "GroupId"]})
    );
    assert_eq!(ingress["Properties"]["IpProtocol"], "tcp");
    assert_eq!(ingress["Properties"]["FromPort"].as_f64(), Some(port));
    assert_eq!(ingress["Properties"]["ToPort"].as_f64(), Some(port));
    let sg = t.resource(&service_sg).unwrap();
    assert!(
        sg["Properties"].get("SecurityGroupIngress").is_none(),
        "no inline ingress on the service group: {sg}"
    );

    // the scaling policy refers to the scalable target of that service
    let target = Capture::new();
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        pattern!({"PolicyType": "TargetTrackingScaling", "ScalingTargetId": {"Ref": target},
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}),
    );
    let scalable = t.resource(&target.as_string()).unwrap();
    assert_eq!(
        scalable["Type"],
        "AWS::ApplicationAutoScaling::ScalableTarget"
    );
    let services = t.find_resources("AWS::ECS::Service", serde_json::json!({}));
    assert_eq!(services.len(), 1);
    let service_logical_id = services.keys().next().unwrap();
    let cluster_id = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::Service",
        pattern!({"Cluster": {"Ref": cluster_id}}),
    );
    assert_eq!(
        scalable["Properties"]["ResourceId"],
        serde_json::json!({"Fn::Join": ["", ["service/", {"Ref": cluster_id.as_string()}, "/",
            {"Fn::GetAtt": [service_logical_id, "Name"]}]]})
    );
    assert_eq!(scalable["Properties"]["MinCapacity"], 2);
    assert_eq!(scalable["Properties"]["MaxCapacity"], 10);
    assert_eq!(
        scalable["Properties"]["ScalableDimension"],
        "ecs:service:DesiredCount"
    );

    // the task role may pull from the repository
    let repo = t.find_resources("AWS::ECR::Repository", serde_json::json!({}));
    let repo_id = repo.keys().next().unwrap().clone();
    let task_role = Capture::new();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"TaskRoleArn": {"Fn::GetAtt": [task_role, "Arn"]}}),
    );
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"Roles": [{"Ref": task_role.as_string()}],
            "PolicyDocument": {"Statement": (Match::array_with(serde_json::json!([{
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                "Effect": "Allow", "Resource": {"Fn::GetAtt": [repo_id, "Arn"]}}])))}}),
    );
}

#[test]
fn many_puts_25_services_per_stack_and_references_the_base_stack() {
    use berth::assertions::Template;
    let dir = tempfile::tempdir().unwrap();
    let app = common::many::app_with(60).expect("many builds with 60 services");
    let out = common::synth_to(app, dir.path());
    let names: Vec<&str> = out.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ManyBase",
            "ManyServices1",
            "ManyServices2",
            "ManyServices3"
        ]
    );
    let base = Template::from_json(out.stacks[0].template.clone()).unwrap();
    base.resource_count_is("AWS::EC2::VPC", 1);
    base.resource_count_is("AWS::ECS::Cluster", 1);
    base.resource_count_is("AWS::ECR::Repository", 1);
    base.resource_count_is("AWS::ECS::Service", 0);
    let cluster_export = base
        .find_outputs("*", serde_json::json!({}))
        .into_iter()
        .find(|(k, _)| k.starts_with("ExportsOutputRefCluster"))
        .map(|(_, v)| v["Export"]["Name"].clone())
        .expect("the base stack exports the cluster");
    for (stack, services) in out.stacks[1..].iter().zip([25, 25, 10]) {
        assert_eq!(
            stack.dependencies,
            vec!["ManyBase".to_string()],
            "{}",
            stack.name
        );
        let t = Template::from_json(stack.template.clone()).unwrap();
        t.resource_count_is("AWS::ECS::Service", services);
        t.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", services);
        t.resource_count_is("AWS::ApplicationAutoScaling::ScalingPolicy", services);
        t.resource_count_is("AWS::EC2::VPC", 0);
        t.resource_count_is("AWS::ECS::Cluster", 0);
        t.all_resources_properties(
            "AWS::ECS::Service",
            serde_json::json!({"Cluster": {"Fn::ImportValue": cluster_export.clone()}}),
        );
    }
}

#[test]
fn microservices_wires_cloud_map_ingress_queue_and_the_scheduled_task_role() {
    use berth::assertions::{pattern, Capture, Template};
    use berth::prelude::*;
    use serde_json::json;
    let (_, mut app) = common::examples()
        .into_iter()
        .find(|(n, _)| *n == "microservices")
        .unwrap();
    let stack = app.stacks()[0];
    let t = Template::from_stack(&mut app, stack);
    let res = t.as_json()["Resources"].as_object().unwrap().clone();
    let by_path = |path: &str| -> String {
        res.iter()
            .find(|(_, r)| r["Metadata"]["berth:path"] == format!("Microservices/{path}"))
            .unwrap_or_else(|| panic!("no resource at {path}"))
            .0
            .clone()
    };
    // the backends are in Cloud Map as users/orders.svc.local
    for (name, svc) in [("users", "Users"), ("orders", "Orders")] {
        let cm = by_path(&format!("{svc}/Service/CloudmapService/Resource"));
        assert_eq!(res[&cm]["Properties"]["Name"], name);
        assert_eq!(
            res[&cm]["Properties"]["NamespaceId"],
            json!({"Fn::GetAtt": [by_path("Namespace/Resource"), "Id"]})
        );
        let service = by_path(&format!("{svc}/Service/Service"));
        assert_eq!(
            res[&service]["Properties"]["ServiceRegistries"],
            json!([{"RegistryArn": {"Fn::GetAtt": [cm, "Arn"]}}])
        );
    }
    // ingress: web -> users, orders -> users, web -> orders, lb -> web; nothing else
    let sg = |svc: &str| by_path(&format!("{svc}/Service/SecurityGroup/Resource"));
    let mut rules: Vec<(String, String, i64)> = t
        .find_resources("AWS::EC2::SecurityGroupIngress", json!({}))
        .values()
        .map(|r| {
            let p = &r["Properties"];
            assert_eq!(p["FromPort"], p["ToPort"]);
            (
                p["SourceSecurityGroupId"]["Fn::GetAtt"][0]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                p["GroupId"]["Fn::GetAtt"][0].as_str().unwrap().to_owned(),
                p["FromPort"].as_i64().unwrap(),
            )
        })
        .collect();
    rules.sort();
    let mut expected = vec![
        (sg("Web"), sg("Users"), 8080),
        (sg("Orders"), sg("Users"), 8080),
        (sg("Web"), sg("Orders"), 8081),
        (by_path("Web/LB/SecurityGroup/Resource"), sg("Web"), 80),
    ];
    expected.sort();
    assert_eq!(rules, expected);
    // the worker's queue redrives into its dead-letter queue and sets QUEUE_NAME
    let queue = by_path("Worker/EcsProcessingQueue/Resource");
    let dlq = by_path("Worker/EcsProcessingDeadLetterQueue/Resource");
    assert_eq!(
        res[&queue]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
        json!({"Fn::GetAtt": [dlq, "Arn"]})
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Environment": [{"Name": "QUEUE_NAME", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]}]}),
    );
    // the nightly rule runs exactly its task definition; its role may run only that
    // family and pass only that task definition's roles
    let task_def = by_path("Nightly/ScheduledTaskDef/Resource");
    let events_role = Capture::new();
    t.has_resource_properties(
        "AWS::Events::Rule",
        pattern!({"ScheduleExpression": "cron(0 3 * * ? *)", "Targets": [{
            "RoleArn": {"Fn::GetAtt": [events_role, "Arn"]},
            "EcsParameters": {"TaskDefinitionArn": {"Ref": task_def.clone()}}}]}),
    );
    let family = res[&task_def]["Properties"]["Family"].as_str().unwrap();
    let policy = t.find_resources(
        "AWS::IAM::Policy",
        json!({"Properties": {"Roles": [{"Ref": events_role.as_string()}]}}),
    );
    assert_eq!(policy.len(), 1);
    let statements = policy.values().next().unwrap()["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["Action"], "ecs:RunTask");
    assert_eq!(
        statements[0]["Resource"]["Fn::Join"][1]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        &json!(format!(":task-definition/{family}:*"))
    );
    assert_eq!(statements[1]["Action"], "iam:PassRole");
    assert_eq!(
        statements[1]["Resource"],
        json!([
            res[&task_def]["Properties"]["ExecutionRoleArn"],
            res[&task_def]["Properties"]["TaskRoleArn"]
        ])
    );
}

/// The relative paths of the files below `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    read_tree(dir).into_iter().map(|(rel, _)| rel).collect()
}

#[test]
fn web_asset_stages_its_image_and_names_it_by_fingerprint() {
    use berth::assertions::{pattern, Template};
    let image = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-asset/image");
    let hash = berth::synth::asset::fingerprint(&image, &Default::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = common::synth_to(common::web_asset::app().unwrap(), dir.path());
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Image": {"Fn::Sub": (format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/berth-assets-berthtoolkit:{hash}"
        ))}}]}),
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["artifacts"]["WebAsset"]["dependencies"],
        serde_json::json!(["WebAsset.assets"])
    );
    let assets: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("WebAsset.assets.json")).unwrap())
            .unwrap();
    assert_eq!(
        assets["dockerImages"][&hash],
        serde_json::json!({
            "displayName": "WebAsset/TaskDef/web/AssetImage",
            "source": {"directory": format!("asset.{hash}"), "dockerFile": "Dockerfile"},
            "destinations": {"current_account-current_region": {
                "repositoryName": "berth-assets-berthtoolkit", "imageTag": hash}}
        })
    );
    // the staged context holds what the image is built from, not the ignored files
    assert_eq!(
        file_names(&dir.path().join(format!("asset.{hash}"))),
        [".dockerignore", "Dockerfile", "index.html"]
    );
}

#[test]
fn web_asset_gets_a_new_image_only_when_a_counted_file_changes() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-asset/image");
    let copy = tempfile::tempdir().unwrap();
    for (rel, bytes) in read_tree(&source) {
        let to = copy.path().join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
    let image_of = |image_dir: &Path| -> String {
        let out_dir = tempfile::tempdir().unwrap();
        let app = common::web_asset::app_with_image_dir(image_dir).unwrap();
        let out = common::synth_to(app, out_dir.path());
        let assets: serde_json::Value =
            serde_json::from_slice(&fs::read(out_dir.path().join("WebAsset.assets.json")).unwrap())
                .unwrap();
        let tags: Vec<&String> = assets["dockerImages"].as_object().unwrap().keys().collect();
        assert_eq!(tags.len(), 1);
        assert!(out_dir.path().join(format!("asset.{}", tags[0])).is_dir());
        out.stacks[0].template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| r["Type"] == "AWS::ECS::TaskDefinition")
            .unwrap()["Properties"]["ContainerDefinitions"][0]["Image"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let original = image_of(&source);
    assert_eq!(
        image_of(copy.path()),
        original,
        "a copy elsewhere is the same image"
    );
    fs::write(copy.path().join("README.md"), "edited notes\n").unwrap();
    fs::write(copy.path().join("notes/more.txt"), "new notes\n").unwrap();
    assert_eq!(image_of(copy.path()), original, "ignored files changed");
    fs::write(
        copy.path().join("index.html"),
        "<!doctype html><h1>a new page</h1>\n",
    )
    .unwrap();
    let changed = image_of(copy.path());
    assert_ne!(changed, original, "index.html changed");
    assert!(changed.contains("/berth-assets-berthtoolkit:"), "{changed}");
}

/// Lines of code as the issue counts them: rustfmt's layout (`cargo fmt --check` runs
/// first in `scripts/test`), without blank lines, comment lines (`//`, `///`, `//!`,
/// block comments) and the lines of `use` declarations.
fn code_lines(source: &str) -> usize {
    let (mut n, mut in_use, mut in_block) = (0, false, false);
    for line in source.lines().map(str::trim) {
        if in_block {
            in_block = !line.contains("*/");
        } else if line.is_empty() || line.starts_with("//") {
        } else if line.starts_with("/*") {
            in_block = !line.contains("*/");
        } else if in_use || line.starts_with("use ") || line.starts_with("pub use ") {
            in_use = !line.ends_with(';');
        } else {
            n += 1;
        }
    }
    n
}

#[test]
fn code_lines_are_counted_without_blanks_comments_and_uses() {
    let src = "//! doc\nuse a::{\n    b,\n    c,\n};\n\n/// f\nfn f() {\n    /* x\n    y */\n    g(); // h\n}\n";
    assert_eq!(code_lines(src), 3);
}

#[test]
fn the_cdk_comparison_examples_stay_as_short_as_cdk() {
    // CDK's `ApplicationLoadBalancedFargateService` app is 51 lines with its imports;
    // berth's must stay close to it (issue 19's budget).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (example, budget) in [("alb-fargate", 55), ("microservices", 75)] {
        let path = root.join("examples").join(example).join("main.rs");
        let n = code_lines(&fs::read_to_string(&path).unwrap());
        eprintln!("{example}: {n} lines of code (budget {budget})");
        assert!(
            n <= budget,
            "{example} has {n} lines of code, more than {budget}"
        );
    }
}

#[test]
fn the_readme_app_is_the_facade_example_that_rustdoc_compiles_and_runs() {
    // README.md's app is not compiled where it is; src/lib.rs's crate example is the
    // same code (a doctest), so the README's code must appear there line for line.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let block = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a rust block in the README");
    let app: Vec<&str> = block
        .lines()
        .skip_while(|l| !l.starts_with("pub fn app"))
        .take_while(|l| !l.starts_with("fn main"))
        .collect();
    assert!(app.len() > 10, "{block}");
    let lib = fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let doc: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! ").or(l.strip_prefix("//!")))
        .collect();
    let start = doc
        .iter()
        .position(|l| l.starts_with("pub fn app"))
        .expect("the app in src/lib.rs");
    assert_eq!(&doc[start..start + app.len()], &app[..]);
}
