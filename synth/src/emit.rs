//! The files of an assembly besides the templates, from the synthesized stacks:
//! `manifest.json`, each stack's asset manifest and staged build contexts, `cdk.out`.
//! Their format is `berth_assembly::manifest`'s; this module fills it in.

use crate::asset::{self, DEFAULT_ASSET_REPOSITORY};
use crate::error::{Result, SynthError};
use crate::par::par_map;
use crate::synthesize::StackArtifact;
use berth_assembly::json::write;
use berth_assembly::manifest::{
    artifacts_part, asset_directory_name, asset_manifest_artifact_id, asset_manifest_file_name,
    Artifact, ArtifactProperties, AssetManifest, DockerImage, DockerImageDestination,
    DockerImageSource, ManifestWriter, Metadata, StackProperties, ASSET_MANIFEST_ARTIFACT, CDK_OUT,
    CDK_OUT_FILE, CURRENT_ACCOUNT_REGION, MANIFEST_FILE, MANIFEST_VERSION, STACK_ARTIFACT,
    TREE_ARTIFACT, TREE_ARTIFACT_ID,
};
use berth_assembly::tree::TREE_FILE;
use berth_assembly::Sink;
use indexmap::IndexMap;
use std::io;

/// The manifest artifacts of a stack, in manifest order: its asset manifest (if it
/// has image assets), then the stack.
pub(crate) fn stack_artifacts(st: &StackArtifact) -> Vec<(String, Artifact<'_>)> {
    let mut out = Vec::with_capacity(2);
    let assets_id = (!st.assets.is_empty()).then(|| asset_manifest_artifact_id(&st.name));
    if let Some(id) = &assets_id {
        let file = asset_manifest_file_name(&st.name);
        out.push((id.clone(), Artifact::file(ASSET_MANIFEST_ARTIFACT, file)));
    }
    let properties = StackProperties {
        template_file: st.template_file.clone(),
        stack_name: Some(st.name.clone()),
        tags: st.tags.clone(),
        description: st.description.clone(),
        parameters: IndexMap::new(),
        termination_protection: st.termination_protection.then_some(true),
    };
    let artifact = Artifact {
        kind: STACK_ARTIFACT.to_owned(),
        environment: Some(st.env.uri()),
        properties: Some(ArtifactProperties::Stack(properties)),
        // The stacks, then its asset manifest, as CDK writes them.
        dependencies: st.dependencies.iter().cloned().chain(assets_id).collect(),
        metadata: Some(Metadata::LogicalIds(&st.logical_ids)),
        display_name: Some(st.path.clone()),
    };
    out.push((st.name.clone(), artifact));
    out
}

/// Writes `manifest.json`: the tree, then each stack's artifacts. The stacks'
/// artifacts (their logical-ID metadata is most of a large app's manifest) are
/// serialized on parallel workers a few stacks at a time and written in order, never
/// all held at once.
pub(crate) fn write_manifest(sink: &dyn Sink, stacks: &[StackArtifact]) -> Result<()> {
    let tree = Artifact::file(TREE_ARTIFACT, TREE_FILE);
    let batch = 4 * std::thread::available_parallelism().map_or(1, |n| n.get());
    sink.write(MANIFEST_FILE, &mut |w| {
        let mut manifest = ManifestWriter::new(w, MANIFEST_VERSION)?;
        manifest
            .artifacts(&artifacts_part([(TREE_ARTIFACT_ID, &tree)]).map_err(io::Error::other)?)?;
        for part in stacks.chunks(batch) {
            let parts = par_map(part.iter().collect(), |st| {
                let artifacts = stack_artifacts(st);
                artifacts_part(artifacts.iter().map(|(id, a)| (id.as_str(), a)))
            });
            for part in parts {
                manifest.artifacts(&part.map_err(io::Error::other)?)?;
            }
        }
        manifest.finish().map(drop)
    })?;
    Ok(())
}

/// The asset manifest of a stack (`<Stack>.assets.json`): for each image asset, where
/// its build context is in the assembly, how to build it, and that it is pushed to
/// [`DEFAULT_ASSET_REPOSITORY`] in the stack's account and region, tagged with its
/// fingerprint. `None` for a stack without assets.
pub fn asset_manifest(stack: &StackArtifact) -> Option<AssetManifest> {
    if stack.assets.is_empty() {
        return None;
    }
    let mut images = IndexMap::new();
    for a in &stack.assets {
        if images.contains_key(&a.hash) {
            continue;
        }
        let source = DockerImageSource {
            directory: asset_directory_name(&a.hash),
            docker_file: Some(asset::dockerfile_name(&a.options)),
            docker_build_args: a.options.build_args.clone(),
            docker_build_target: a.options.target.clone(),
            platform: a.options.platform.clone(),
        };
        let destination = DockerImageDestination {
            repository_name: DEFAULT_ASSET_REPOSITORY.to_owned(),
            image_tag: a.hash.clone(),
        };
        let image = DockerImage {
            display_name: Some(a.display_name.clone()),
            source,
            destinations: [(CURRENT_ACCOUNT_REGION.to_owned(), destination)].into(),
        };
        images.insert(a.hash.clone(), image);
    }
    Some(AssetManifest {
        version: MANIFEST_VERSION.to_owned(),
        docker_images: images,
    })
}

/// `<Stack>.assets.json`, when the stack has image assets.
pub(crate) fn write_asset_manifest(sink: &dyn Sink, stack: &StackArtifact) -> Result<()> {
    if let Some(assets) = asset_manifest(stack) {
        let bytes = write::to_vec_pretty(&assets).map_err(|e| SynthError::Render {
            stack: stack.name.clone(),
            message: e.to_string(),
        })?;
        sink.write_bytes(&asset_manifest_file_name(&stack.name), &bytes)?;
    }
    Ok(())
}

/// Copies the build context of every asset into `asset.<hash>/` of the assembly (once
/// per hash), checking that the files still have the fingerprint the templates use.
/// A sink without directories (memory) gets none.
pub(crate) fn stage_assets(sink: &dyn Sink, stacks: &[StackArtifact]) -> Result<()> {
    let mut staged = std::collections::HashSet::new();
    for a in stacks.iter().flat_map(|s| &s.assets) {
        if !staged.insert(a.hash.as_str()) {
            continue;
        }
        let Some(dest) = sink.directory(&asset_directory_name(&a.hash))? else {
            continue;
        };
        let hash =
            asset::stage(&a.directory, &a.options, &dest).map_err(|source| SynthError::Asset {
                asset: a.display_name.clone(),
                source,
            })?;
        if hash != a.hash {
            return Err(SynthError::AssetChanged {
                asset: a.display_name.clone(),
                directory: a.directory.clone(),
            });
        }
    }
    Ok(())
}

/// `policy-validation-report.json` (CDK's format): what the rule packs found.
pub(crate) fn write_validation_report(
    sink: &dyn Sink,
    report: &crate::rules::Report,
) -> Result<()> {
    let bytes =
        write::to_vec_pretty(&crate::rules::ValidationReport::new(report)).map_err(|e| {
            SynthError::Render {
                stack: crate::rules::REPORT_FILE.to_owned(),
                message: e.to_string(),
            }
        })?;
    Ok(sink.write_bytes(crate::rules::REPORT_FILE, &bytes)?)
}

/// `cdk.out`.
pub(crate) fn write_cdk_out(sink: &dyn Sink) -> Result<()> {
    Ok(sink.write_bytes(CDK_OUT_FILE, CDK_OUT)?)
}

#[cfg(test)]
mod tests;
