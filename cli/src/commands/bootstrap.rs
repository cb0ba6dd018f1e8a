//! `berth bootstrap`: the staging stack with an S3 bucket (large templates, assets)
//! and an ECR repository (image assets).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use crate::assembly::StackArtifact;
use crate::cli::BootstrapArgs;
use crate::commands::{block_on, Ctx};
use crate::deploy::{Approval, DeployOptions, Engine, Method, Outcome};
use crate::error::CliError;
use crate::exit;
use crate::template::Template;

/// The bootstrap template's version, exported as the `BootstrapVersion` output.
pub const BOOTSTRAP_VERSION: &str = "1";

/// The staging stack's template.
pub fn toolkit_template(toolkit_stack: &str) -> String {
    let repo: String = toolkit_stack
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let value = json!({
        "Description": "berth bootstrap: staging bucket for templates and assets, and a repository for image assets",
        "Resources": {
            "StagingBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Metadata": {"berth:path": format!("{toolkit_stack}/StagingBucket")}
            },
            "ContainerAssetsRepository": {
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "RepositoryName": format!("berth-assets-{repo}"),
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": true}
                },
                "DeletionPolicy": "Retain",
                "Metadata": {"berth:path": format!("{toolkit_stack}/ContainerAssetsRepository")}
            }
        },
        "Outputs": {
            "BucketName": {"Value": {"Ref": "StagingBucket"}},
            "RepositoryName": {"Value": {"Ref": "ContainerAssetsRepository"}},
            "BootstrapVersion": {"Value": BOOTSTRAP_VERSION}
        }
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Runs `berth bootstrap`.
pub fn run(ctx: &mut Ctx<'_>, args: &BootstrapArgs) -> Result<u8, CliError> {
    let name = args.toolkit_stack_name.clone();
    let body = toolkit_template(&name);
    let template = Template::parse_json(&body).map_err(|e| CliError::Serialize(e.to_string()))?;
    let stack = StackArtifact {
        id: name.clone(),
        stack_name: name.clone(),
        environment: "aws://unknown-account/unknown-region".into(),
        dependencies: Vec::new(),
        template_file: PathBuf::from("<bootstrap>"),
        template,
        template_body: body,
        tags: BTreeMap::new(),
        parameters: BTreeMap::new(),
        assets: Vec::new(),
        display_name: None,
        termination_protection: None,
    };
    let options = DeployOptions {
        method: Method::Direct,
        approval: Approval::Never,
        toolkit_stack: name.clone(),
        poll: ctx.poll,
        ..DeployOptions::default()
    };
    let outcome = block_on(
        ctx,
        async {
            let api = ctx.api().await?;
            let engine = Engine {
                containers: None,
                api,
                progress: ctx.progress(),
                prompter: Arc::clone(&ctx.prompter),
                options,
                out: ctx.out.clone(),
            };
            Ok(engine.deploy_stack(&stack).await)
        },
        "CloudFormation carries on with the bootstrap stack",
    )?;
    match outcome {
        Outcome::Deployed { outputs, .. } | Outcome::NoChanges { outputs } => {
            ctx.out.line(&format!("✔ {name} bootstrapped"));
            for (k, v) in &outputs {
                ctx.out.line(&format!("  {k} = {v}"));
            }
            Ok(exit::OK)
        }
        Outcome::Failed(report) => {
            ctx.out.write(&report.render());
            Ok(exit::FAILED)
        }
        other => {
            ctx.err.line(&format!("{name}: {other:?}"));
            Ok(exit::FAILED)
        }
    }
}
