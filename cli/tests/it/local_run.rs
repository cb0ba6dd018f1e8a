//! `berth run --local` with a recording stand-in for docker (there is no Docker engine
//! here): the exact calls (build, volumes, the pause container, start order with
//! dependency conditions, ports, environment, mounts, health checks), the essential
//! container's exit ending the run, and Ctrl-C cleaning up everything (the real binary,
//! interrupted with SIGINT).

use std::path::Path;
use std::time::{Duration, Instant};

use berth_cli::exit;
use serde_json::{json, Value};

use crate::common::run_with;
use crate::ops_e2e::{docker_calls, local_docker};

const HASH: &str = "5f3c0ffee5f3c0ffee5f3c0ffee5f3c0ffee5f3c0ffee5f3c0ffee5f3c0ffee0";

/// An assembly with `Local/Web/TaskDef`: `db` (health check, docker volume), `migrate`
/// (after db is healthy, must succeed) and the essential `web` (an asset image, after
/// both; a host directory and an EFS volume).
fn write_app(dir: &Path) {
    let app = dir.join("app");
    let asset = app.join(format!("asset.{HASH}"));
    std::fs::create_dir_all(&asset).unwrap();
    std::fs::write(asset.join("Dockerfile"), "FROM scratch\n").unwrap();
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    std::fs::write(
        app.join("manifest.json"),
        json!({"version": "55.0.0", "artifacts": {
        "Local.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Local.assets.json"}},
        "Local": {"type": "aws:cloudformation:stack", "dependencies": ["Local.assets"],
            "properties": {"templateFile": "Local.template.json", "stackName": "local-Local"}}}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        app.join("Local.assets.json"),
        json!({"version": "55.0.0", "dockerImages": {HASH: {
        "displayName": "Local/Web/TaskDef/web/AssetImage",
        "source": {"directory": format!("asset.{HASH}")},
        "destinations": {"current": {"repositoryName": "berth-assets", "imageTag": HASH}}}}})
        .to_string(),
    )
    .unwrap();
    let image = json!({"Fn::Sub": format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/berth-assets:{HASH}")});
    std::fs::write(app.join("Local.template.json"), json!({"Resources": {
        "Fs": {"Type": "AWS::EFS::FileSystem"},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "Local/Web/TaskDef/Resource"},
        "Properties": {
            "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"],
            "Volumes": [
                {"Name": "data"},
                {"Name": "uploads", "Host": {"SourcePath": uploads.display().to_string()}},
                {"Name": "shared", "EFSVolumeConfiguration": {"FilesystemId": {"Ref": "Fs"}}}],
            "ContainerDefinitions": [
                {"Name": "web", "Image": image, "Essential": true,
                 "PortMappings": [{"ContainerPort": 8080, "HostPort": 8080, "Protocol": "tcp"}],
                 "Environment": [{"Name": "LOG", "Value": "info"}, {"Name": "PORT", "Value": "8080"}],
                 "DependsOn": [{"ContainerName": "db", "Condition": "HEALTHY"}, {"ContainerName": "migrate", "Condition": "SUCCESS"}],
                 "MountPoints": [{"SourceVolume": "uploads", "ContainerPath": "/uploads", "ReadOnly": true},
                                 {"SourceVolume": "shared", "ContainerPath": "/shared"}]},
                {"Name": "migrate", "Image": image, "Essential": false, "Command": ["migrate", "up"],
                 "DependsOn": [{"ContainerName": "db", "Condition": "HEALTHY"}]},
                {"Name": "db", "Image": "postgres:16", "Essential": false,
                 "Environment": [{"Name": "POSTGRES_PASSWORD", "Value": "dev"}],
                 "PortMappings": [{"ContainerPort": 5432}],
                 "HealthCheck": {"Command": ["CMD-SHELL", "pg_isready -U postgres"], "Interval": 5, "Timeout": 2, "Retries": 3, "StartPeriod": 1},
                 "MountPoints": [{"SourceVolume": "data", "ContainerPath": "/var/lib/postgresql/data"}]}]}}}}).to_string()).unwrap();
}

/// The run id berth chose (from the first container name), and the calls with it
/// replaced by `ID` and the test directory by `DIR`.
fn normalized(dir: &Path) -> Vec<(Vec<String>, Value)> {
    let calls = docker_calls(dir);
    let id = calls
        .iter()
        .flat_map(|(a, _)| a.iter())
        .find_map(|a| a.strip_prefix("berth.run="))
        .expect("a run label")
        .to_string();
    let d = dir.display().to_string();
    calls
        .into_iter()
        .map(|(a, env)| {
            (
                a.into_iter()
                    .map(|x| x.replace(&id, "ID").replace(&d, "DIR"))
                    .collect(),
                env,
            )
        })
        .collect()
}

fn line(a: &[String]) -> String {
    a.join(" ")
}

#[test]
fn a_local_run_starts_containers_in_dependency_order_and_ends_with_the_essential_exit() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path());
    std::fs::write(dir.path().join(".env"), "# local settings\nTOKEN=t0k3n\n").unwrap();
    let docker = local_docker(
        dir.path(),
        &json!({
            "migrate": {"exit": 0, "after": 0.05},
            "web": {"exit": 3, "after": 0.6, "logs": ["listening on :8080", "fatal: cannot reach the queue"]},
        }),
    );
    let d = docker.display().to_string();
    let r = run_with(
        dir.path(),
        None,
        &[
            "run",
            "--local",
            "Web/TaskDef",
            "--app",
            "app",
            "--env-file",
            ".env",
            "--override",
            "web.env.LOG=debug",
            "--env",
            "EXTRA=1",
            "--command",
            "serve --port 8080",
        ],
        move |s| s.docker(&d),
    );
    assert_eq!(
        r.code, 3,
        "the essential container's exit code\n{}{}",
        r.out, r.err
    );
    let calls = normalized(dir.path());
    let serial: Vec<String> = calls
        .iter()
        .filter(|(a, _)| a[0] != "logs")
        .map(|(a, _)| line(a))
        .collect();
    let web_start = serial
        .iter()
        .position(|c| c.contains("--name berth-ID-web"))
        .unwrap();
    let pg = "--health-cmd pg_isready -U postgres --health-interval 5s --health-timeout 2s --health-retries 3 --health-start-period 1s";
    assert_eq!(
        serial[..=web_start],
        [
            format!("build --tag berth-asset:{HASH} --file DIR/app/asset.{HASH}/Dockerfile DIR/app/asset.{HASH}"),
            "volume create --label berth.run=ID berth-ID-data".to_string(),
            "run --detach --name berth-ID-pause --label berth.run=ID --publish 127.0.0.1:5432:5432/tcp --publish 127.0.0.1:8080:8080/tcp public.ecr.aws/docker/library/busybox:stable sleep 2147483647".to_string(),
            format!("run --detach --name berth-ID-db --label berth.run=ID --network container:berth-ID-pause --env POSTGRES_PASSWORD=dev --env TOKEN --volume berth-ID-data:/var/lib/postgresql/data {pg} postgres:16"),
            "inspect --format {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}} berth-ID-db".to_string(),
            format!("run --detach --name berth-ID-migrate --label berth.run=ID --network container:berth-ID-pause --env TOKEN berth-asset:{HASH} migrate up"),
            "inspect --format {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}} berth-ID-db".to_string(),
            "wait berth-ID-migrate".to_string(),
            format!("run --detach --name berth-ID-web --label berth.run=ID --network container:berth-ID-pause --env PORT=8080 --env LOG=debug --env EXTRA=1 --env TOKEN --volume DIR/uploads:/uploads:ro --volume DIR/.berth/volumes/shared:/shared berth-asset:{HASH} serve --port 8080"),
        ]
    );
    // Then it waits for every container (in parallel), and cleans up in reverse order.
    // (A wait still starting when web exits may be cut short before it is recorded.)
    let waits: Vec<&String> = serial[web_start + 1..]
        .iter()
        .filter(|c| c.starts_with("wait "))
        .collect();
    assert!(waits.iter().any(|w| *w == "wait berth-ID-web"), "{waits:?}");
    assert!(
        waits.iter().all(|w| [
            "wait berth-ID-db",
            "wait berth-ID-migrate",
            "wait berth-ID-web"
        ]
        .contains(&w.as_str())),
        "{waits:?}"
    );
    let cleanup: Vec<&String> = serial[web_start + 1..]
        .iter()
        .filter(|c| !c.starts_with("wait "))
        .collect();
    assert_eq!(
        cleanup,
        [
            "stop --time 10 berth-ID-web berth-ID-migrate berth-ID-db berth-ID-pause",
            "rm --force berth-ID-web berth-ID-migrate berth-ID-db berth-ID-pause",
            "volume rm berth-ID-data",
        ]
    );
    // Secrets and env-file values go through docker's environment, not its arguments.
    let env_of = |name: &str| {
        calls
            .iter()
            .find(|(a, _)| a[0] == "run" && a.contains(&format!("berth-ID-{name}")))
            .map(|(_, e)| e.clone())
            .unwrap()
    };
    assert_eq!(env_of("web"), json!({"TOKEN": "t0k3n"}));
    assert_eq!(env_of("db"), json!({"TOKEN": "t0k3n"}));
    let mut followed: Vec<String> = calls
        .iter()
        .filter(|(a, _)| a[0] == "logs")
        .map(|(a, _)| line(a))
        .collect();
    followed.sort();
    assert_eq!(
        followed,
        [
            "logs --follow berth-ID-db",
            "logs --follow berth-ID-migrate",
            "logs --follow berth-ID-web"
        ]
    );
    assert!(
        dir.path().join(".berth/volumes/shared").is_dir(),
        "EFS volumes become local directories"
    );
    // Whether migrate's exit is reported before web's depends on timing: leave it out.
    let err: Vec<String> = r
        .err
        .lines()
        .filter(|l| !l.contains("(not essential"))
        .map(|l| {
            let id_at = l.find("berth-").map(|i| i + 6);
            match id_at {
                Some(i) if l.len() > i + 6 => format!("{}ID{}", &l[..i], &l[i + 6..]),
                _ => l.to_string(),
            }
        })
        .collect();
    insta::assert_snapshot!(
        "run_local",
        format!("stdout:\n{}\nstderr:\n{}", r.out, err.join("\n"))
    );
}

#[test]
fn a_local_run_explains_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path());
    let docker = local_docker(dir.path(), &json!({}));
    let run = |args: &[&str]| {
        let d = docker.display().to_string();
        let mut a = vec!["run", "--local", "--app", "app"];
        a.extend_from_slice(args);
        run_with(dir.path(), None, &a, move |s| s.docker(&d))
    };
    let r = run(&["TaskDef", "--override", "cache.env.A=1"]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(r.err.trim(), "error: Local/Web/TaskDef has no container named \"cache\"; its containers: web, migrate, db");
    let r = run(&["TaskDef", "--override", "web.A=1"]);
    assert_eq!(r.code, exit::USAGE);
    assert_eq!(r.err.trim(), "error: invalid --override \"web.A=1\": expected CONTAINER.env.NAME=VALUE or CONTAINER.image=IMAGE");
    let r = run(&["Nothing"]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: no task definition or service matches \"Nothing\"; the app has: Local/Web/TaskDef"
    );
    assert!(docker_calls(dir.path()).is_empty(), "nothing was started");
}

#[test]
fn ctrl_c_stops_and_removes_everything_the_run_started() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path());
    // Nothing exits by itself.
    let docker = local_docker(dir.path(), &json!({"migrate": {"exit": 0, "after": 0.05}}));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
        .args([
            "run",
            "--local",
            "Web/TaskDef",
            "--app",
            "app",
            "--no-secrets",
        ])
        .current_dir(dir.path())
        .env("BERTH_DOCKER", &docker)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !docker_calls(dir.path())
        .iter()
        .any(|(a, _)| a[0] == "logs" && a.last().is_some_and(|n| n.ends_with("-web")))
    {
        assert!(Instant::now() < deadline, "web never started");
        assert!(child.try_wait().unwrap().is_none(), "berth ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(exit::INTERRUPTED)),
        "{stderr}"
    );
    assert!(
        stderr.contains("interrupted: stopping and removing what the run started"),
        "{stderr}"
    );
    assert!(
        stderr.contains("removed 4 containers, 1 volume"),
        "{stderr}"
    );
    let serial: Vec<String> = normalized(dir.path())
        .iter()
        .map(|(a, _)| line(a))
        .collect();
    let n = serial.len();
    assert_eq!(
        serial[n - 3..],
        [
            "stop --time 10 berth-ID-web berth-ID-migrate berth-ID-db berth-ID-pause".to_string(),
            "rm --force berth-ID-web berth-ID-migrate berth-ID-db berth-ID-pause".to_string(),
            "volume rm berth-ID-data".to_string(),
        ]
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("state"))
        .unwrap()
        .collect();
    assert!(left.is_empty(), "every container was removed: {left:?}");
}

#[test]
fn values_that_refer_to_the_stack_come_from_the_deployed_stack() {
    use berth_cli::deploy::fake::{FakeCloudFormation, Script};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("manifest.json"), json!({"version": "55.0.0", "artifacts": {"Jobs": {
        "type": "aws:cloudformation:stack", "properties": {"templateFile": "Jobs.template.json", "stackName": "local-Jobs"}}}}).to_string()).unwrap();
    let template = json!({"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "Jobs/Worker/Resource"},
            "Properties": {"NetworkMode": "bridge", "ContainerDefinitions": [{
                "Name": "worker", "Image": "worker:3", "Essential": true,
                "Environment": [{"Name": "QUEUE_URL", "Value": {"Ref": "Queue"}},
                                {"Name": "REGION", "Value": {"Ref": "AWS::Region"}}]}]}}}});
    std::fs::write(app.join("Jobs.template.json"), template.to_string()).unwrap();
    let docker = local_docker(dir.path(), &json!({"worker": {"exit": 0, "after": 0.05}}));
    let run = |cfn: Arc<FakeCloudFormation>, extra: &[&str]| {
        let d = docker.display().to_string();
        let mut a = vec!["run", "--local", "Worker", "--app", "app"];
        a.extend_from_slice(extra);
        run_with(dir.path(), Some(cfn), &a, move |s| s.docker(&d))
    };
    // Not deployed: the error says what to do.
    let r = run(Arc::new(FakeCloudFormation::new()), &[]);
    assert_eq!(r.code, exit::APP);
    assert_eq!(
        r.err.trim(),
        "error: Jobs/Worker: container worker: environment QUEUE_URL needs the deployed stack (Ref Queue: not a parameter or a resource of the deployed stack), and stack local-Jobs is not deployed: deploy it first, or set the value with --override"
    );
    // ... and --override is enough.
    let r = run(
        Arc::new(FakeCloudFormation::new()),
        &["--override", "worker.env.QUEUE_URL=http://localhost:9324/q"],
    );
    assert_eq!(r.code, exit::OK, "{}", r.err);
    // Deployed: the queue's URL. A bridge task gets a network of its own.
    std::fs::remove_file(dir.path().join("docker.log")).unwrap();
    let cfn = Arc::new(FakeCloudFormation::new());
    cfn.put_stack(
        "local-Jobs",
        &template.to_string(),
        "CREATE_COMPLETE",
        Script::default(),
    );
    cfn.set_physical_id(
        "local-Jobs",
        "Queue",
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
    );
    let r = run(cfn, &[]);
    assert_eq!(r.code, exit::OK, "{}", r.err);
    let calls: Vec<String> = normalized(dir.path())
        .iter()
        .filter(|(a, _)| a[0] != "logs" && a[0] != "wait")
        .map(|(a, _)| line(a))
        .collect();
    assert_eq!(
        calls,
        [
            "network create --label berth.run=ID berth-ID",
            "run --detach --name berth-ID-worker --label berth.run=ID --network berth-ID --network-alias worker --env QUEUE_URL=https://sqs.us-east-1.amazonaws.com/123456789012/jobs --env REGION=us-east-1 worker:3",
            "stop --time 10 berth-ID-worker",
            "rm --force berth-ID-worker",
            "network rm berth-ID",
        ]
    );
}
