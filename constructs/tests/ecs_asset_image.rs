//! Container images built from a directory (`ContainerImage::from_asset`): the image
//! URI in the template, the execution role's pull permission on the asset repository,
//! the asset registered on the stack and written to the assembly, and the errors.

use berth_assertions::{pattern, Match, Template};
use berth_constructs::ecs::{
    AssetImageOptions, ContainerDefinitionOptions, ContainerImage, FargateTaskDefinition,
    FargateTaskDefinitionProps, Platform,
};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::asset::{fingerprint, DockerBuildOptions, DEFAULT_ASSET_REPOSITORY};
use serde_json::json;
use std::fs;
use std::path::Path;

fn image_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("Dockerfile"),
        "FROM public.ecr.aws/nginx/nginx:latest\nCOPY index.html /usr/share/nginx/html/\n",
    )
    .unwrap();
    fs::write(dir.path().join("index.html"), "<h1>hello</h1>\n").unwrap();
    fs::write(dir.path().join(".dockerignore"), "*.md\n").unwrap();
    fs::write(dir.path().join("README.md"), "not part of the image\n").unwrap();
    dir
}

fn setup() -> (App, Stack, FargateTaskDefinition) {
    let mut app = App::new();
    let stack = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let task = FargateTaskDefinition::new(
        &mut app,
        stack,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    (app, stack, task)
}

#[test]
fn an_asset_image_is_named_by_its_fingerprint_in_the_asset_repository() {
    let dir = image_dir();
    let (mut app, stack, task) = setup();
    let web = task
        .add_container(
            &mut app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_asset(dir.path())),
        )
        .unwrap();
    let hash = fingerprint(dir.path(), &DockerBuildOptions::default()).unwrap();
    assert_eq!(web.image_asset_hash(&app), Some(hash.clone()));
    assert_eq!(DEFAULT_ASSET_REPOSITORY, "berth-assets-berthtoolkit");

    let assets = stack.docker_image_assets(&app);
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].hash, hash);
    assert_eq!(assets[0].display_name, "Web/TaskDef/web/AssetImage");
    assert_eq!(assets[0].directory, dir.path());
    assert_eq!(assets[0].options, DockerBuildOptions::default());

    let out = app.synth().unwrap();
    let t = Template::from_json(out.stacks[0].template.clone()).unwrap();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ContainerDefinitions": [{"Name": "web", "Image": {"Fn::Sub": (format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/berth-assets-berthtoolkit:{hash}"
        ))}}]}),
    );
    // the execution role may pull from exactly the asset repository
    t.resource_count_is("AWS::IAM::Policy", 1);
    t.has_resource_properties(
        "AWS::IAM::Policy",
        pattern!({"PolicyDocument": {"Statement": (Match::exact(json!([
            {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
             "Effect": "Allow", "Resource": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":ecr:", {"Ref": "AWS::Region"}, ":",
                {"Ref": "AWS::AccountId"}, ":repository/berth-assets-berthtoolkit"]]}},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
        ])))}}),
    );
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        pattern!({"ExecutionRoleArn": (Match::any_value())}),
    );
    // no resource for the asset itself
    t.resource_count_is("AWS::ECR::Repository", 0);
    assert_eq!(out.stacks[0].assets.len(), 1);
}

#[test]
fn build_options_reach_the_asset_and_change_the_fingerprint() {
    let dir = image_dir();
    fs::write(
        dir.path().join("Dockerfile.prod"),
        "FROM scratch AS runtime\n",
    )
    .unwrap();
    let (mut app, stack, task) = setup();
    let options = AssetImageOptions {
        file: Some("Dockerfile.prod".into()),
        build_args: [("MODE".to_string(), "prod".to_string())].into(),
        target: Some("runtime".into()),
        platform: Some(Platform::LinuxArm64),
    };
    let a = task
        .add_container(
            &mut app,
            "a",
            ContainerDefinitionOptions::new(ContainerImage::from_asset_with(
                dir.path(),
                options.clone(),
            )),
        )
        .unwrap();
    // the same directory and options in a second container: one asset
    let b = task
        .add_container(
            &mut app,
            "b",
            ContainerDefinitionOptions {
                essential: false,
                ..ContainerDefinitionOptions::new(ContainerImage::from_asset_with(
                    dir.path(),
                    options,
                ))
            },
        )
        .unwrap();
    // the default options: another asset
    let c = task
        .add_container(
            &mut app,
            "c",
            ContainerDefinitionOptions {
                essential: false,
                ..ContainerDefinitionOptions::new(ContainerImage::from_asset(dir.path()))
            },
        )
        .unwrap();
    assert_eq!(a.image_asset_hash(&app), b.image_asset_hash(&app));
    assert_ne!(a.image_asset_hash(&app), c.image_asset_hash(&app));
    let assets = stack.docker_image_assets(&app);
    assert_eq!(assets.len(), 2);
    assert_eq!(assets[0].display_name, "Web/TaskDef/a/AssetImage");
    assert_eq!(
        assets[0].options,
        DockerBuildOptions {
            file: "Dockerfile.prod".into(),
            build_args: [("MODE".to_string(), "prod".to_string())].into(),
            target: Some("runtime".into()),
            platform: Some("linux/arm64".into()),
        }
    );
    assert_eq!(assets[1].display_name, "Web/TaskDef/c/AssetImage");
    assert_eq!(Platform::LinuxAmd64.as_str(), "linux/amd64");

    // the assembly: manifest artifact, dependency, asset manifest, staged context
    let out_dir = tempfile::tempdir().unwrap();
    app.synth_to(out_dir.path(), berth_synth::assembly::TemplateFormat::Json)
        .unwrap();
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&fs::read(out_dir.path().join(f)).unwrap()).unwrap()
    };
    let manifest = read("manifest.json");
    assert_eq!(
        manifest["artifacts"]["Web.assets"],
        json!({"type": "cdk:asset-manifest", "properties": {"file": "Web.assets.json"}})
    );
    assert_eq!(
        manifest["artifacts"]["Web"]["dependencies"],
        json!(["Web.assets"])
    );
    let assets_json = read("Web.assets.json");
    let images = assets_json["dockerImages"].as_object().unwrap();
    assert_eq!(images.len(), 2);
    let h = a.image_asset_hash(&app).unwrap();
    assert_eq!(
        images[&h]["source"],
        json!({"directory": format!("asset.{h}"), "dockerFile": "Dockerfile.prod",
            "dockerBuildArgs": {"MODE": "prod"}, "dockerBuildTarget": "runtime",
            "platform": "linux/arm64"})
    );
    let staged = out_dir.path().join(format!("asset.{h}"));
    assert!(staged.join("index.html").is_file());
    assert!(staged.join("Dockerfile.prod").is_file());
    assert!(
        !staged.join("README.md").exists(),
        "ignored files are not staged"
    );
}

fn add_asset(dir: &Path, options: AssetImageOptions) -> String {
    let (mut app, _, task) = setup();
    let err = task
        .add_container(
            &mut app,
            "web",
            ContainerDefinitionOptions::new(ContainerImage::from_asset_with(dir, options)),
        )
        .unwrap_err();
    assert_eq!(err.path, "Web/TaskDef/web");
    assert_eq!(err.property.as_deref(), Some("image"));
    // nothing was added: the id is still free
    task.add_container(
        &mut app,
        "web",
        ContainerDefinitionOptions::new(ContainerImage::from_registry("nginx")),
    )
    .unwrap();
    err.to_string()
}

#[test]
fn asset_errors_name_the_container_the_property_and_the_path() {
    let dir = image_dir();
    let missing = dir.path().join("missing");
    assert_eq!(
        add_asset(&missing, AssetImageOptions::default()),
        format!(
            "Web/TaskDef/web: image: the image asset directory {} does not exist",
            missing.display()
        )
    );
    assert_eq!(
        add_asset(
            dir.path(),
            AssetImageOptions {
                file: Some("Dockerfile.dev".into()),
                ..Default::default()
            }
        ),
        format!(
            "Web/TaskDef/web: image: there is no Dockerfile at {}; add one or name it with the `file` option",
            dir.path().join("Dockerfile.dev").display()
        )
    );
    fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        add_asset(dir.path(), AssetImageOptions::default()),
        format!(
            "Web/TaskDef/web: image: there is no Dockerfile at {}; add one or name it with the `file` option",
            dir.path().join("Dockerfile").display()
        )
    );
    assert_eq!(
        add_asset(
            dir.path(),
            AssetImageOptions {
                file: Some("../Dockerfile".into()),
                ..Default::default()
            }
        ),
        format!(
            "Web/TaskDef/web: image: the Dockerfile ../Dockerfile is outside the image asset directory {}; give a path inside it",
            dir.path().display()
        )
    );
}
