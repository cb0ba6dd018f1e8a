//! The image-asset loop of the `web-asset` example, end to end against moto (started by
//! `scripts/test`): `berth watch` synthesizes the app in-process, bootstraps nothing
//! itself, publishes the image with a stand-in docker (moto has no registry: the
//! stand-in records its arguments and puts the pushed tag into ECR through the ECR API)
//! and creates the stack; then a file of the image directory changes and the next cycle
//! publishes the new image and hotswaps the service to a new task definition revision.

use std::path::Path;
use std::time::{Duration, Instant};

use berth_cli::Session;

use crate::assets_e2e::{docker_log, fake_docker};
use crate::e2e::{block, require_local_endpoint, sdk};

#[path = "../../../examples/web-asset/main.rs"]
#[allow(dead_code)]
mod web_asset;

/// The workspace root (the example and its image live there).
fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn run(cwd: &Path, docker: &Path, image: &Path, args: &[&str]) -> (u8, String) {
    let (session, out, err) = Session::captured();
    let image = image.to_path_buf();
    let mut argv = vec!["berth"];
    argv.extend_from_slice(args);
    let code = session
        .cwd(cwd)
        .endpoint(require_local_endpoint())
        .sdk_retries(false)
        .docker(&docker.display().to_string())
        .synth(move |dir: &Path| {
            let mut app = web_asset::app_with_image_dir(&image)?;
            app.synth_to(dir, berth::synth::assembly::TemplateFormat::Json)?;
            Ok(())
        })
        .run(argv);
    (code, format!("{}{}", out.contents(), err.contents()))
}

#[test]
fn watch_publishes_deploys_then_hotswaps_an_edited_image() {
    require_local_endpoint();
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    // The stand-in writes its log beside itself: outside the watched directory.
    let tools = tempfile::tempdir().unwrap();
    let docker = fake_docker(tools.path());
    let image = root.join("image");
    copy_dir(&workspace().join("examples/web-asset/image"), &image);

    // The repository the example's images go to (a no-op when it exists already).
    let (code, out) = run(root, &docker, &image, &["bootstrap"]);
    assert_eq!(code, 0, "{out}");

    // Edit index.html once the first cycle has published and deployed.
    let stamp = format!(
        "{:?}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
    );
    let editor = {
        let (root, image) = (root.to_path_buf(), image.clone());
        let tools = tools.path().to_path_buf();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            // The first cycle ends with the CloudFormation create (or a hotswap when a
            // previous run left the stack): wait for its push, then for quiet.
            while !docker_log(&tools).iter().any(|c| c[0] == "push")
                && !root.join("berth.out/manifest.json").exists()
            {
                assert!(Instant::now() < deadline, "the first cycle never published");
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(1500));
            // As editors do: write beside, then rename (a cycle never sees half a file).
            let tmp = root.join("index.html.tmp");
            std::fs::write(&tmp, format!("<h1>edited at {stamp}</h1>\n")).unwrap();
            std::fs::rename(&tmp, image.join("index.html")).unwrap();
        })
    };
    let (code, out) = run(
        root,
        &docker,
        &image,
        &[
            "watch",
            "--cycles",
            "2",
            "--debounce-ms",
            "200",
            "--rollout-timeout",
            "60",
        ],
    );
    editor.join().unwrap();
    assert_eq!(code, 0, "{out}");
    let cycles: Vec<&str> = out.lines().filter(|l| l.contains(" cycle ")).collect();
    assert_eq!(cycles.len(), 2, "{out}");
    assert!(cycles[0].starts_with("✔ cycle 1: "), "{out}");
    assert!(
        cycles[1].starts_with("✔ cycle 2: 1 image pushed · WebAsset hotswapped ("),
        "{out}"
    );

    // The second cycle built, tagged and pushed the edited image ...
    let commands = docker_log(tools.path());
    let pushes: Vec<&Vec<String>> = commands.iter().filter(|c| c[0] == "push").collect();
    let last_push = &pushes.last().expect("a push")[1];
    let (repo_uri, tag) = last_push.rsplit_once(':').unwrap();
    assert_eq!(
        repo_uri,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/berth-assets-berthtoolkit"
    );
    let assets: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("berth.out/WebAsset.assets.json")).unwrap(),
    )
    .unwrap();
    assert!(
        assets["dockerImages"].get(tag).is_some(),
        "the pushed tag is the synthesized asset hash: {assets}"
    );

    // ... and the service runs a new task definition revision with that image.
    let ecs = aws_sdk_ecs::Client::new(&sdk());
    let config = block(async {
        let mut images = Vec::new();
        for cluster in ecs.list_clusters().send().await.unwrap().cluster_arns() {
            let services = ecs.list_services().cluster(cluster).send().await.unwrap();
            for arn in services.service_arns() {
                if !arn.contains("WebAsset") {
                    continue;
                }
                let s = ecs
                    .describe_services()
                    .cluster(cluster)
                    .services(arn)
                    .send()
                    .await
                    .unwrap();
                let td = s.services()[0].task_definition().unwrap().to_string();
                let def = ecs
                    .describe_task_definition()
                    .task_definition(&td)
                    .send()
                    .await
                    .unwrap();
                let c = &def.task_definition().unwrap().container_definitions()[0];
                images.push((td, c.image().unwrap().to_string()));
            }
        }
        images
    });
    assert_eq!(config.len(), 1, "one WebAsset service: {config:?}");
    let (td, image_uri) = &config[0];
    assert_eq!(image_uri, last_push, "{out}");
    assert!(!td.ends_with(":1"), "a new revision: {td}");
}
