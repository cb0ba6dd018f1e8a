//! Publishing image assets: build each image with docker and push it to its ECR
//! repository, unless the tag is already there.
//!
//! The docker program comes from the `BERTH_DOCKER` setting (default `docker`), so podman
//! or a test stand-in works the same. Its output is captured and shown when a step fails.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::assembly::ImageAsset;
use crate::deploy::api::ApiError;
use crate::deploy::containers::ContainerApi;
use crate::deploy::progress::Progress;

/// The environment variable naming the docker program.
pub const DOCKER_ENV: &str = "BERTH_DOCKER";

/// The docker program (and leading arguments), e.g. `docker`, `podman`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docker {
    program: String,
    args: Vec<String>,
}

impl Default for Docker {
    fn default() -> Self {
        Docker::from_setting(std::env::var(DOCKER_ENV).ok().as_deref())
    }
}

impl Docker {
    /// From a setting such as `podman` or `sudo docker` (split on whitespace); `None` or
    /// blank means `docker`.
    pub fn from_setting(setting: Option<&str>) -> Docker {
        let mut words = setting.unwrap_or("").split_whitespace().map(str::to_string);
        match words.next() {
            Some(program) => Docker {
                program,
                args: words.collect(),
            },
            None => Docker {
                program: "docker".into(),
                args: Vec::new(),
            },
        }
    }

    /// The program as the user would type it.
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A command for `docker ...` (the program and its leading arguments), for callers
    /// that stream its output (`berth run --local`).
    pub fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(&self.args);
        cmd
    }

    /// Runs `docker ARGS` (with `stdin` fed in, if any) and returns its combined output.
    async fn run(&self, args: &[String], stdin: Option<&str>) -> Result<String, PublishError> {
        let shown = format!("{} {}", self.display(), args.join(" "));
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(&self.args)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| PublishError::Spawn {
            program: self.display(),
            message: e.to_string(),
        })?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let _ = pipe.write_all(text.as_bytes()).await;
            drop(pipe);
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| PublishError::Spawn {
                program: self.display(),
                message: e.to_string(),
            })?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            Ok(text)
        } else {
            Err(PublishError::Command {
                command: shown,
                status: out
                    .status
                    .code()
                    .map(|c| format!("exit code {c}"))
                    .unwrap_or_else(|| "killed by a signal".into()),
                output: text,
            })
        }
    }
}

/// Why an image could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The docker program could not be started.
    #[error("cannot run `{program}`: {message}; install docker (or podman), or point {DOCKER_ENV} at the program to use")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        message: String,
    },
    /// A docker command failed.
    #[error("`{command}` failed ({status}){}", if .output.trim().is_empty() { String::new() } else { format!(":\n{}", indent(.output)) })]
    Command {
        /// The command line (without secrets).
        command: String,
        /// Its exit status.
        status: String,
        /// Its output.
        output: String,
    },
    /// The destination repository does not exist.
    #[error("the ECR repository {0} does not exist: run `berth bootstrap` once for this account and region")]
    NoRepository(String),
    /// The repository name needs values berth does not know.
    #[error("the repository name {0:?} has placeholders berth cannot fill in")]
    Placeholder(String),
    /// An ECR call failed.
    #[error("{0}")]
    Api(#[from] ApiError),
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What happened to one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Built and pushed to this image URI.
    Pushed(String),
    /// Already in the repository under this URI: not rebuilt.
    AlreadyThere(String),
}

/// Builds and pushes image assets.
pub struct Publisher {
    api: Arc<dyn ContainerApi>,
    docker: Docker,
    progress: Arc<dyn Progress>,
    logged_in: Mutex<BTreeSet<String>>,
}

impl Publisher {
    /// A publisher using `api` for ECR and `docker` to build and push.
    pub fn new(api: Arc<dyn ContainerApi>, docker: Docker, progress: Arc<dyn Progress>) -> Self {
        Publisher {
            api,
            docker,
            progress,
            logged_in: Mutex::new(BTreeSet::new()),
        }
    }

    /// Publishes one asset of `stack`, unless its tag is already in the repository.
    pub async fn publish(
        &self,
        stack: &str,
        asset: &ImageAsset,
    ) -> Result<Published, PublishError> {
        let repo = &asset.repository_name;
        if repo.contains("${") {
            return Err(PublishError::Placeholder(repo.clone()));
        }
        let name = format!("image {} ({})", asset.display_name, asset.short_id());
        let uri = self
            .api
            .repository_uri(repo)
            .await?
            .ok_or_else(|| PublishError::NoRepository(repo.clone()))?;
        let target = format!("{uri}:{}", asset.image_tag);
        if self.api.image_exists(repo, &asset.image_tag).await? {
            self.progress
                .message(stack, &format!("{name}: already in {repo}, not rebuilt"));
            return Ok(Published::AlreadyThere(target));
        }
        self.progress.message(stack, &format!("{name}: building"));
        let local = format!("berth-asset:{}", asset.id);
        self.docker.run(&build_args(asset, &local), None).await?;

        let registry = uri.split('/').next().unwrap_or(&uri).to_string();
        {
            let mut logged_in = self.logged_in.lock().await;
            if !logged_in.contains(&registry) {
                let login = self.api.registry_login().await?;
                let endpoint = if login.endpoint.is_empty() {
                    format!("https://{registry}")
                } else {
                    login.endpoint.clone()
                };
                self.docker
                    .run(
                        &[
                            "login".into(),
                            "--username".into(),
                            login.username.clone(),
                            "--password-stdin".into(),
                            endpoint,
                        ],
                        Some(&login.password),
                    )
                    .await?;
                logged_in.insert(registry);
            }
        }
        self.docker
            .run(&["tag".into(), local, target.clone()], None)
            .await?;
        self.progress.message(stack, &format!("{name}: pushing"));
        self.docker
            .run(&["push".into(), target.clone()], None)
            .await?;
        self.progress
            .message(stack, &format!("{name}: pushed {target}"));
        Ok(Published::Pushed(target))
    }
}

/// `build --tag LOCAL --file DIR/DOCKERFILE [--build-arg K=V].. [--target T] [--platform P] DIR`
pub fn build_args(asset: &ImageAsset, local_tag: &str) -> Vec<String> {
    let dir: &Path = &asset.directory;
    let mut args = vec![
        "build".to_string(),
        "--tag".into(),
        local_tag.to_string(),
        "--file".into(),
        dir.join(&asset.dockerfile).display().to_string(),
    ];
    for (k, v) in &asset.build_args {
        args.push("--build-arg".into());
        args.push(format!("{k}={v}"));
    }
    if let Some(t) = &asset.target {
        args.push("--target".into());
        args.push(t.clone());
    }
    if let Some(p) = &asset.platform {
        args.push("--platform".into());
        args.push(p.clone());
    }
    args.push(dir.display().to_string());
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    #[test]
    fn docker_setting_splits_program_and_arguments() {
        assert_eq!(Docker::from_setting(None).display(), "docker");
        assert_eq!(Docker::from_setting(Some("  ")).display(), "docker");
        let d = Docker::from_setting(Some("sudo  podman"));
        assert_eq!(d.program, "sudo");
        assert_eq!(d.args, vec!["podman"]);
    }

    #[test]
    fn build_arguments_carry_every_option() {
        let asset = ImageAsset {
            id: "abc".into(),
            display_name: "Web/Image".into(),
            directory: PathBuf::from("out/asset.abc"),
            dockerfile: "Dockerfile.prod".into(),
            build_args: BTreeMap::from([("A".into(), "1".into()), ("B".into(), "x y".into())]),
            target: Some("runtime".into()),
            platform: Some("linux/arm64".into()),
            repository_name: "repo".into(),
            image_tag: "abc".into(),
        };
        assert_eq!(
            build_args(&asset, "berth-asset:abc").join(" "),
            "build --tag berth-asset:abc --file out/asset.abc/Dockerfile.prod --build-arg A=1 \
             --build-arg B=x y --target runtime --platform linux/arm64 out/asset.abc"
        );
    }
}
