//! [`SynthOutput`]: a synthesized assembly with each stack's template read back as
//! JSON, for programs and tests that look at the templates (`App::synth`).

use crate::error::{Result, SynthError};
use crate::synthesize::{StackArtifact, Synthesis};
use berth_assembly::template::{self, TemplateFormat};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

/// The stacks of a synthesized assembly, in deployment order, with their templates,
/// and the warnings and notes.
pub type SynthOutput = Synthesis<SynthesizedStack>;

/// A stack of the assembly and its template. Its other fields are its
/// [`StackArtifact`]'s (`stack.name`, `stack.dependencies`, ...).
#[derive(Clone, Debug)]
pub struct SynthesizedStack {
    /// What the manifest says of the stack.
    pub artifact: StackArtifact,
    /// The template, parsed from the bytes synthesis wrote.
    pub template: Json,
}

impl AsRef<StackArtifact> for SynthesizedStack {
    fn as_ref(&self) -> &StackArtifact {
        &self.artifact
    }
}

impl std::ops::Deref for SynthesizedStack {
    type Target = StackArtifact;
    fn deref(&self) -> &StackArtifact {
        &self.artifact
    }
}

impl SynthOutput {
    /// `synthesis` with each template read from `files` (an in-memory assembly, by
    /// file name).
    pub fn from_files(synthesis: Synthesis, files: &BTreeMap<String, Vec<u8>>) -> Result<Self> {
        Self::with_templates(synthesis, |file| {
            files.get(file).cloned().ok_or_else(|| SynthError::Render {
                stack: String::new(),
                message: format!("synthesis wrote no {file}"),
            })
        })
    }

    /// `synthesis` with each template read from the assembly directory `dir`.
    pub fn read(synthesis: Synthesis, dir: &Path) -> Result<Self> {
        Self::with_templates(synthesis, |file| {
            let path = dir.join(file);
            std::fs::read(&path).map_err(|source| SynthError::Io { path, source })
        })
    }

    fn with_templates(
        synthesis: Synthesis,
        read: impl Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        let stacks = synthesis
            .stacks
            .into_iter()
            .map(|artifact| {
                let bytes = read(&artifact.template_file)?;
                let format = TemplateFormat::of_file(Path::new(&artifact.template_file));
                let template =
                    template::parse_value(&bytes, format).map_err(|e| SynthError::Render {
                        stack: artifact.name.clone(),
                        message: e.to_string(),
                    })?;
                Ok(SynthesizedStack { artifact, template })
            })
            .collect::<Result<_>>()?;
        Ok(SynthOutput {
            stacks,
            diagnostics: synthesis.diagnostics,
        })
    }
}
