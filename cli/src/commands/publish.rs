//! `berth publish`: build the image assets of the selected stacks and push them to ECR.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::assembly::StackArtifact;
use crate::cli::PublishArgs;
use crate::commands::{block_on, Ctx};
use crate::deploy::containers::ContainerApi;
use crate::deploy::progress::Progress;
use crate::error::CliError;
use crate::exit;
use crate::publish::{PublishError, Published, Publisher};

/// Publishes every image asset of `stacks` (each image once). Returns how many were
/// pushed and how many were already there.
pub async fn publish_all(
    ctx: &Ctx<'_>,
    containers: Option<Arc<dyn ContainerApi>>,
    progress: &Arc<dyn Progress>,
    stacks: &[StackArtifact],
) -> Result<(usize, usize), CliError> {
    let mut pushed = 0;
    let mut present = 0;
    if stacks.iter().all(|s| s.assets.is_empty()) {
        return Ok((0, 0));
    }
    let Some(containers) = containers else {
        return Err(CliError::Publish {
            asset: "image assets".into(),
            source: PublishError::Api(crate::deploy::api::ApiError::Transport(
                "no ECR client is configured".into(),
            )),
        });
    };
    let publisher = Publisher::new(containers, ctx.docker.clone(), Arc::clone(progress));
    let mut done = BTreeSet::new();
    for stack in stacks {
        for asset in &stack.assets {
            if !done.insert((asset.repository_name.clone(), asset.image_tag.clone())) {
                continue;
            }
            match publisher.publish(&stack.stack_name, asset).await {
                Ok(Published::Pushed(_)) => pushed += 1,
                Ok(Published::AlreadyThere(_)) => present += 1,
                Err(source) => {
                    return Err(CliError::Publish {
                        asset: format!("image {} ({})", asset.display_name, asset.short_id()),
                        source,
                    })
                }
            }
        }
    }
    Ok((pushed, present))
}

/// Runs `berth publish`.
pub fn run(ctx: &mut Ctx<'_>, args: &PublishArgs) -> Result<u8, CliError> {
    let assembly = ctx.assembly()?;
    let stacks: Vec<StackArtifact> = assembly
        .select(&args.stacks, args.all, true)?
        .into_iter()
        .cloned()
        .collect();
    let (pushed, present) = block_on(
        ctx,
        async {
            let containers = ctx.containers().await?;
            let progress = ctx.progress();
            publish_all(ctx, containers, &progress, &stacks).await
        },
        "publishing stopped; run `berth publish` again to finish",
    )?;
    if pushed + present == 0 {
        ctx.out.line("no image assets to publish");
    } else {
        ctx.out.line(&format!(
            "✔ {pushed} image{} pushed, {present} already in ECR",
            if pushed == 1 { "" } else { "s" }
        ));
    }
    Ok(exit::OK)
}
