//! Image assets end to end against moto: publishing with a stand-in docker program
//! (moto has no registry: the stand-in records its arguments and puts the pushed tag
//! into ECR through the ECR API), the skip of an image already in ECR, hotswap through
//! the ECS API, and the fallback to CloudFormation.

use std::path::{Path, PathBuf};

use berth_cli::exit;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{run_local, unique_prefix, Run};
use crate::e2e::{block, ok, sdk};

/// The venv's Python (it has boto3, which moto brings).
fn venv_python() -> PathBuf {
    if let Ok(lint) = std::env::var("BERTH_CFN_LINT") {
        let p = Path::new(&lint).with_file_name("python");
        if p.exists() {
            return p;
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")
}

/// Installs the stand-in docker in `dir`; returns its path.
pub(crate) fn fake_docker(dir: &Path) -> PathBuf {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake-docker.py"),
    )
    .expect("stand-in source");
    let path = dir.join("docker");
    std::fs::write(&path, format!("#!{}\n{source}", venv_python().display()))
        .expect("write stand-in");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path
}

/// The stand-in's recorded invocations.
pub(crate) fn docker_log(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("docker.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("log line");
            v["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| a.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

/// What the app looks like in one version.
struct Version<'a> {
    page: &'a str,
    greeting: &'a str,
    desired: u32,
    log_group: bool,
}

/// Writes a cloud assembly (as `berth synth` would) with one stack `Svc` whose task
/// definition runs an image asset. Returns the asset hash.
fn write_app(dir: &Path, prefix: &str, repo: &str, v: &Version<'_>) -> String {
    let hash: String = Sha256::digest(v.page.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let _ = std::fs::remove_dir_all(dir);
    let staged = dir.join(format!("asset.{hash}"));
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::write(
        staged.join("Dockerfile"),
        "FROM public.ecr.aws/nginx/nginx:latest\nCOPY index.html /usr/share/nginx/html/\n",
    )
    .unwrap();
    std::fs::write(staged.join("index.html"), v.page).unwrap();
    let manifest = json!({
        "version": "55.0.0",
        "artifacts": {
            "Svc.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Svc.assets.json"}},
            "Svc": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Svc.template.json", "stackName": format!("{prefix}-Svc")},
                "dependencies": ["Svc.assets"]
            }
        }
    });
    let assets = json!({
        "version": "55.0.0",
        "dockerImages": {
            hash.clone(): {
                "displayName": "Svc/TaskDef/web/AssetImage",
                "source": {"directory": format!("asset.{hash}"), "dockerFile": "Dockerfile"},
                "destinations": {"current_account-current_region": {"repositoryName": repo, "imageTag": hash}}
            }
        }
    });
    let mut resources = json!({
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": format!("{prefix}-cluster")},
            "Metadata": {"berth:path": "Svc/Cluster/Resource"}},
        "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
            "Metadata": {"berth:path": "Svc/TaskDef/TaskRole/Resource"}},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": format!("{prefix}-web"), "Cpu": "256", "Memory": "512", "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"], "TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]},
            "ContainerDefinitions": [{"Name": "web", "Essential": true,
                "Image": {"Fn::Sub": format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repo}:{hash}")},
                "Environment": [{"Name": "GREETING", "Value": v.greeting}],
                "PortMappings": [{"ContainerPort": 80}]}]},
            "Metadata": {"berth:path": "Svc/TaskDef/Resource"}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": v.desired, "LaunchType": "FARGATE"},
            "Metadata": {"berth:path": "Svc/Service/Service"}}
    });
    if v.log_group {
        resources["Logs"] = json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7},
            "Metadata": {"berth:path": "Svc/Logs/Resource"}});
    }
    let template = json!({"Resources": resources});
    for (name, value) in [
        ("manifest.json", manifest),
        ("Svc.assets.json", assets),
        ("Svc.template.json", template),
    ] {
        std::fs::write(
            dir.join(name),
            serde_json::to_string_pretty(&value).unwrap(),
        )
        .unwrap();
    }
    hash
}

fn berth_with_docker(cwd: &Path, docker: &Path, args: &[&str]) -> Run {
    let docker = docker.display().to_string();
    run_local(cwd, args, move |s| s.docker(&docker))
}

const DEPLOY: [&str; 9] = [
    "deploy",
    "--app",
    "app",
    "--method",
    "direct",
    "--require-approval",
    "never",
    "--rollout-timeout",
    "60",
];

#[test]
fn publish_deploy_skip_hotswap_and_fall_back() {
    let config = sdk();
    let p = unique_prefix("a");
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let docker = fake_docker(root);
    let app = root.join("app");
    let toolkit = format!("{p}Toolkit");
    let repo = format!("berth-assets-{}", toolkit.to_lowercase());

    // No repository yet: publishing explains what to do and nothing is built.
    let v1 = Version {
        page: "<h1>v1</h1>",
        greeting: "hello",
        desired: 1,
        log_group: false,
    };
    let hash1 = write_app(&app, &p, &repo, &v1);
    let r = berth_with_docker(root, &docker, &DEPLOY);
    assert_eq!(r.code, exit::FAILED, "{r:?}");
    assert!(
        r.err.contains(&format!(
            "the ECR repository {repo} does not exist: run `berth bootstrap`"
        )),
        "{}",
        r.err
    );
    assert!(docker_log(root).is_empty());

    ok(&berth_with_docker(
        root,
        &docker,
        &["bootstrap", "--toolkit-stack-name", &toolkit],
    ));

    // First deploy: build, login, tag, push, then CloudFormation.
    let r = berth_with_docker(root, &docker, &DEPLOY);
    ok(&r);
    let uri = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/{repo}");
    let staged = app.join(format!("asset.{hash1}")).display().to_string();
    let log = docker_log(root);
    assert_eq!(
        log.iter().map(|a| a[0].as_str()).collect::<Vec<_>>(),
        ["build", "login", "tag", "push"],
        "{log:?}"
    );
    assert_eq!(
        log[0],
        [
            "build".to_string(),
            "--tag".into(),
            format!("berth-asset:{hash1}"),
            "--file".into(),
            format!("{staged}/Dockerfile"),
            staged.clone(),
        ]
    );
    assert_eq!(
        log[1],
        [
            "login",
            "--username",
            "AWS",
            "--password-stdin",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
        ]
    );
    assert_eq!(
        log[2],
        [
            "tag".to_string(),
            format!("berth-asset:{hash1}"),
            format!("{uri}:{hash1}")
        ]
    );
    assert_eq!(log[3], ["push".to_string(), format!("{uri}:{hash1}")]);
    assert!(
        r.out.contains(&format!("pushed {uri}:{hash1}")),
        "{}",
        r.out
    );

    let ecs = aws_sdk_ecs::Client::new(&config);
    let cluster = format!("{p}-cluster");
    let service_td = |ecs: &aws_sdk_ecs::Client| {
        block(async {
            let arns = ecs
                .list_services()
                .cluster(&cluster)
                .send()
                .await
                .unwrap()
                .service_arns()
                .to_vec();
            assert_eq!(arns.len(), 1, "{arns:?}");
            let s = ecs
                .describe_services()
                .cluster(&cluster)
                .services(&arns[0])
                .send()
                .await
                .unwrap();
            let s = &s.services()[0];
            let td_arn = s.task_definition().unwrap().to_string();
            let td = ecs
                .describe_task_definition()
                .task_definition(&td_arn)
                .send()
                .await
                .unwrap();
            let c = &td.task_definition().unwrap().container_definitions()[0];
            let env: Vec<(String, String)> = c
                .environment()
                .iter()
                .map(|kv| {
                    (
                        kv.name().unwrap_or_default().to_string(),
                        kv.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            (
                td_arn,
                c.image().unwrap_or_default().to_string(),
                env,
                s.desired_count(),
            )
        })
    };
    let (td1, image1, _, _) = service_td(&ecs);
    assert_eq!(image1, format!("{uri}:{hash1}"));

    // Same app again: the image is in ECR, so nothing is rebuilt.
    let r = berth_with_docker(root, &docker, &DEPLOY);
    ok(&r);
    assert_eq!(docker_log(root).len(), 4, "{:?}", docker_log(root));
    assert!(r.out.contains("already in"), "{}", r.out);

    // A changed file, environment and desired count: hotswap through ECS.
    let v2 = Version {
        page: "<h1>v2</h1>",
        greeting: "bonjour",
        desired: 2,
        log_group: false,
    };
    let hash2 = write_app(&app, &p, &repo, &v2);
    let deployed_template = || {
        block(async {
            aws_sdk_cloudformation::Client::new(&config)
                .get_template()
                .stack_name(format!("{p}-Svc"))
                .send()
                .await
                .unwrap()
                .template_body()
                .unwrap()
                .to_string()
        })
    };
    let deployed_before = deployed_template();
    let mut args = DEPLOY.to_vec();
    args.push("--hotswap-only");
    let r = berth_with_docker(root, &docker, &args);
    ok(&r);
    let log = docker_log(root);
    assert_eq!(
        log[4..].iter().map(|a| a[0].as_str()).collect::<Vec<_>>(),
        ["build", "login", "tag", "push"],
        "the new image is built and pushed: {log:?}"
    );
    assert_eq!(log[7], ["push".to_string(), format!("{uri}:{hash2}")]);
    assert!(r.out.contains("hotswapped"), "{}", r.out);
    assert!(r.out.contains("has drifted from its template"), "{}", r.out);
    assert!(
        r.out
            .contains("task definition Svc/TaskDef/Resource: registered"),
        "{}",
        r.out
    );
    let (td2, image2, env2, desired2) = service_td(&ecs);
    assert_ne!(td1, td2);
    assert!(td2.ends_with(&format!("{p}-web:2")), "{td2}");
    assert_eq!(image2, format!("{uri}:{hash2}"));
    assert_eq!(env2, [("GREETING".to_string(), "bonjour".to_string())]);
    assert_eq!(desired2, 2);
    let deployed_after = deployed_template();
    assert_eq!(
        deployed_before, deployed_after,
        "hotswap does not touch the stack"
    );

    // A new resource cannot be hotswapped: --hotswap-only fails naming it ...
    let v3 = Version {
        log_group: true,
        ..v2
    };
    write_app(&app, &p, &repo, &v3);
    let r = berth_with_docker(root, &docker, &args);
    assert_eq!(r.code, exit::FAILED, "{r:?}");
    assert!(
        r.out
            .contains("Svc/Logs/Resource (Logs, AWS::Logs::LogGroup) is added"),
        "{}",
        r.out
    );
    // ... and --hotswap falls back to CloudFormation, saying why.
    let mut args = DEPLOY.to_vec();
    args.push("--hotswap");
    let r = berth_with_docker(root, &docker, &args);
    ok(&r);
    assert!(
        r.out
            .contains("hotswap not possible, deploying through CloudFormation"),
        "{}",
        r.out
    );
    assert!(r.out.contains("UPDATE_COMPLETE"), "{}", r.out);
}

#[test]
fn a_failing_build_shows_the_docker_output_and_deploys_nothing() {
    let _config = sdk();
    let p = unique_prefix("b");
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let docker = fake_docker(root);
    std::fs::write(root.join("fail-build"), "").unwrap();
    let toolkit = format!("{p}Toolkit");
    let repo = format!("berth-assets-{}", toolkit.to_lowercase());
    ok(&berth_with_docker(
        root,
        &docker,
        &["bootstrap", "--toolkit-stack-name", &toolkit],
    ));
    let v = Version {
        page: "<h1>broken</h1>",
        greeting: "x",
        desired: 1,
        log_group: false,
    };
    write_app(&root.join("app"), &p, &repo, &v);
    let r = berth_with_docker(root, &docker, &DEPLOY);
    assert_eq!(r.code, exit::FAILED, "{r:?}");
    assert!(
        r.err
            .contains("publishing image Svc/TaskDef/web/AssetImage"),
        "{}",
        r.err
    );
    assert!(r.err.contains("build --tag berth-asset:"), "{}", r.err);
    assert!(
        r.err
            .contains("did not complete successfully: exit code: 2"),
        "{}",
        r.err
    );
    assert!(!r.out.contains("creating"), "{}", r.out);

    // `berth publish` runs the same step alone.
    std::fs::remove_file(root.join("fail-build")).unwrap();
    let r = berth_with_docker(root, &docker, &["publish", "--app", "app"]);
    ok(&r);
    assert!(
        r.out.contains("1 image pushed, 0 already in ECR"),
        "{}",
        r.out
    );
}

#[test]
fn no_publish_deploys_without_running_docker() {
    let config = sdk();
    let p = unique_prefix("np");
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let docker = fake_docker(root);
    let repo = format!("berth-assets-{p}toolkit");
    let v = Version {
        page: "<h1>prebuilt</h1>",
        greeting: "hi",
        desired: 1,
        log_group: false,
    };
    let hash = write_app(&root.join("app"), &p, &repo, &v);
    let mut args = DEPLOY.to_vec();
    args.push("--no-publish");
    let r = berth_with_docker(root, &docker, &args);
    ok(&r);
    assert!(docker_log(root).is_empty(), "{:?}", docker_log(root));
    let family = block(async {
        aws_sdk_ecs::Client::new(&config)
            .describe_task_definition()
            .task_definition(format!("{p}-web"))
            .send()
            .await
            .unwrap()
            .task_definition()
            .unwrap()
            .container_definitions()[0]
            .image()
            .unwrap()
            .to_string()
    });
    assert!(family.ends_with(&format!("/{repo}:{hash}")), "{family}");
}

/// Every file under `dir`, as bytes.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn the_registry_password_appears_in_no_output_or_file() {
    let _config = sdk();
    let p = unique_prefix("pw");
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let tools = tempfile::tempdir().unwrap();
    let docker = fake_docker(tools.path());
    let toolkit = format!("{p}Toolkit");
    let repo = format!("berth-assets-{}", toolkit.to_lowercase());
    ok(&berth_with_docker(
        root,
        &docker,
        &["bootstrap", "--toolkit-stack-name", &toolkit],
    ));
    let mut outputs = String::new();
    for (page, command) in [("<h1>one</h1>", "publish"), ("<h1>two</h1>", "deploy")] {
        let v = Version {
            page,
            greeting: "hi",
            desired: 1,
            log_group: false,
        };
        write_app(&root.join("app"), &p, &repo, &v);
        let mut args = if command == "publish" {
            vec!["publish", "--app", "app"]
        } else {
            DEPLOY.to_vec()
        };
        args.push("-vv");
        let r = berth_with_docker(root, &docker, &args);
        ok(&r);
        outputs.push_str(&r.out);
        outputs.push_str(&r.err);
    }
    let logins: Vec<Vec<String>> = docker_log(tools.path())
        .into_iter()
        .filter(|a| a[0] == "login")
        .collect();
    assert_eq!(logins.len(), 2, "{logins:?}");
    let password = std::fs::read_to_string(tools.path().join("login.stdin")).unwrap();
    let password = password.trim();
    assert!(
        password.len() >= 8,
        "the stand-in got a password: {password:?}"
    );
    assert!(
        !outputs.contains(password),
        "the registry password is in berth's output:\n{outputs}"
    );
    for args in docker_log(tools.path()) {
        assert!(
            !args.iter().any(|a| a.contains(password)),
            "the password is on docker's command line: {args:?}"
        );
    }
    for (path, bytes) in all_files(root) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(password),
            "the registry password is in {}",
            path.display()
        );
    }
}

#[test]
fn watch_hotswaps_only_unless_fallback_and_watches_only_what_it_includes() {
    let config = sdk();
    let p = unique_prefix("w");
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let tools = tempfile::tempdir().unwrap();
    let docker = fake_docker(tools.path());
    let toolkit = format!("{p}Toolkit");
    let repo = format!("berth-assets-{}", toolkit.to_lowercase());
    ok(&berth_with_docker(
        root,
        &docker,
        &["bootstrap", "--toolkit-stack-name", &toolkit],
    ));
    // The app: a command that copies the version named in src/version into the output.
    let v1 = Version {
        page: "<h1>w</h1>",
        greeting: "hi",
        desired: 1,
        log_group: false,
    };
    write_app(&root.join("versions/v1"), &p, &repo, &v1);
    let v2 = Version {
        log_group: true,
        ..v1
    };
    write_app(&root.join("versions/v2"), &p, &repo, &v2);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/version"), "v1").unwrap();
    std::fs::write(
        root.join("app.sh"),
        "set -e\nmkdir -p \"$BERTH_OUTDIR\"\nrm -rf \"$BERTH_OUTDIR\"/*\ncp -R \"versions/$(cat src/version)/.\" \"$BERTH_OUTDIR/\"\n",
    )
    .unwrap();
    let log_groups = || {
        block(async {
            aws_sdk_cloudformation::Client::new(&config)
                .get_template()
                .stack_name(format!("{p}-Svc"))
                .send()
                .await
                .map(|t| {
                    t.template_body()
                        .unwrap_or_default()
                        .contains("AWS::Logs::LogGroup")
                })
                .unwrap_or(false)
        })
    };

    // Runs `berth watch` for two cycles; between them, once the first has printed its
    // line, changes a file that is not included (no cycle), then src/version.
    let watch = |fallback: bool| -> (u8, String) {
        let (session, out, err) = berth_cli::Session::captured();
        let endpoint = berth_cli::local::loopback_endpoint().unwrap();
        let editor = {
            let (out, root) = (out.clone(), root.to_path_buf());
            std::thread::spawn(move || {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
                while !out.contents().contains("cycle 1:") {
                    assert!(std::time::Instant::now() < deadline, "no first cycle");
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
                std::fs::write(root.join("not-watched.txt"), "x").unwrap();
                std::thread::sleep(std::time::Duration::from_millis(1500));
                std::fs::write(root.join("src/version"), "v2").unwrap();
            })
        };
        let mut argv = vec![
            "berth",
            "watch",
            "--app",
            "sh app.sh",
            "--include",
            "src",
            "--cycles",
            "2",
            "--debounce-ms",
            "300",
            "--rollout-timeout",
            "60",
        ];
        if fallback {
            argv.push("--fallback");
        }
        let code = session
            .cwd(root)
            .endpoint(endpoint)
            .poll(crate::common::fast_poll())
            .sdk_retries(false)
            .docker(&docker.display().to_string())
            .run(argv);
        editor.join().unwrap();
        (code, format!("{}{}", out.contents(), err.contents()))
    };

    // Without --fallback: the first cycle creates the stack; the second cannot hotswap
    // a new log group and only reports it.
    let (code, out) = watch(false);
    assert_eq!(code, exit::FAILED, "{out}");
    let cycles: Vec<&str> = out.lines().filter(|l| l.contains(" cycle ")).collect();
    assert_eq!(cycles.len(), 2, "{out}");
    assert!(
        cycles[0].starts_with("✔ cycle 1: 1 image pushed · "),
        "{out}"
    );
    assert!(cycles[0].contains(&format!("{p}-Svc deployed")), "{out}");
    assert!(cycles[1].starts_with("✘ cycle 2: "), "{out}");
    assert!(
        out.contains("Svc/Logs/Resource (Logs, AWS::Logs::LogGroup) is added"),
        "{out}"
    );
    assert!(!log_groups(), "nothing was deployed by cycle 2");

    // With --fallback: the same change goes through CloudFormation.
    std::fs::write(root.join("src/version"), "v1").unwrap();
    let (code, out) = watch(true);
    assert_eq!(code, exit::OK, "{out}");
    let cycles: Vec<&str> = out.lines().filter(|l| l.contains(" cycle ")).collect();
    assert_eq!(cycles.len(), 2, "{out}");
    assert!(cycles[0].contains(&format!("{p}-Svc unchanged")), "{out}");
    assert!(
        cycles[1].starts_with(&format!("✔ cycle 2: {p}-Svc deployed")),
        "{out}"
    );
    assert!(log_groups(), "cycle 2 deployed the log group");
}
