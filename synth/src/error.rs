//! Diagnostics and errors of synthesis.

use std::fmt;
use std::path::PathBuf;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Synth fails.
    Error,
    /// Synth goes on; `--strict` makes it an error.
    Warning,
    /// Worth knowing.
    Info,
}

/// One problem (or note) found during synthesis, pointing at a construct and, where
/// it applies, a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// A stable code, e.g. `BERTH-E0101`.
    pub code: &'static str,
    /// The construct path, e.g. `Web/Service/Resource`.
    pub path: String,
    /// The logical ID, where there is one.
    pub logical_id: Option<String>,
    /// The CloudFormation type, for resources.
    pub resource_type: Option<String>,
    /// The property, as `ContainerDefinitions[0].Memory`.
    pub property: Option<String>,
    /// What is wrong: the value given and what is allowed.
    pub message: String,
}

impl Diagnostic {
    /// An error at a construct path.
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            path: path.into(),
            logical_id: None,
            resource_type: None,
            property: None,
            message: message.into(),
        }
    }

    /// A warning at a construct path.
    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, path, message)
        }
    }

    /// An informational note at a construct path.
    pub fn info(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            ..Diagnostic::error(code, path, message)
        }
    }

    /// Sets the property.
    /// (An empty property means the whole object, and is left out.)
    pub fn with_property(mut self, property: impl Into<String>) -> Self {
        let property = property.into();
        self.property = (!property.is_empty()).then_some(property);
        self
    }

    /// Sets the logical ID and resource type.
    pub fn with_resource(mut self, logical_id: &str, resource_type: Option<&str>) -> Self {
        self.logical_id = Some(logical_id.to_owned());
        self.resource_type = resource_type.map(str::to_owned);
        self
    }

    /// Whether it fails synth.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(f, "{level}[{}] {}", self.code, self.path)?;
        if let Some(p) = &self.property {
            write!(f, ": {p}")?;
        }
        write!(f, ": {}", self.message)?;
        match (&self.logical_id, &self.resource_type) {
            (Some(id), Some(t)) => write!(f, " ({id}, {t})"),
            (Some(id), None) => write!(f, " ({id})"),
            _ => Ok(()),
        }
    }
}

/// Converts a JSON pointer (`/ContainerDefinitions/0/Memory`) into the property
/// notation used in messages (`ContainerDefinitions[0].Memory`).
pub fn pointer_to_property(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// What can make synthesis fail.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The app has problems; every one of them is listed, sorted by construct path.
    #[error("{}", render_invalid(.0))]
    Invalid(Vec<Diagnostic>),
    /// Writing the cloud assembly failed.
    #[error("cannot write the cloud assembly at {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output directory is not one synth may write into (it holds files that are
    /// not a cloud assembly, or is not a directory); nothing was written or removed.
    #[error("refusing to write the cloud assembly to {}: {problem}", .path.display())]
    OutputDirectory {
        /// The directory.
        path: PathBuf,
        /// Why.
        problem: crate::assembly::paths::OutputProblem,
    },
    /// An image asset's directory cannot be staged into the assembly.
    #[error("image asset {asset}: {source}")]
    Asset {
        /// The asset's display name (its construct path).
        asset: String,
        /// The cause.
        source: crate::asset::AssetError,
    },
    /// An image asset's files changed between the moment the app fingerprinted them and
    /// the moment they were staged, so the template would name the wrong image.
    #[error("image asset {asset}: the files in {} changed during synthesis; synthesize again", .directory.display())]
    AssetChanged {
        /// The asset's display name (its construct path).
        asset: String,
        /// The asset directory.
        directory: PathBuf,
    },
    /// Rendering a template failed.
    #[error("cannot render template of stack {stack}: {message}")]
    Render {
        /// The stack.
        stack: String,
        /// The cause.
        message: String,
    },
}

fn render_invalid(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let mut s = format!(
        "synthesis failed with {errors} error{}:",
        if errors == 1 { "" } else { "s" }
    );
    for d in diags {
        s.push_str("\n  ");
        s.push_str(&d.to_string());
    }
    s
}

impl From<berth_assembly::SinkError> for SynthError {
    fn from(e: berth_assembly::SinkError) -> Self {
        match e {
            berth_assembly::SinkError::Io { path, source } => SynthError::Io { path, source },
            berth_assembly::SinkError::Refused { path, problem } => {
                SynthError::OutputDirectory { path, problem }
            }
        }
    }
}

impl SynthError {
    /// The diagnostics, if the app was invalid.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            SynthError::Invalid(d) => d,
            _ => &[],
        }
    }
}

/// Result of synthesis operations.
pub type Result<T, E = SynthError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_property_paths() {
        assert_eq!(
            pointer_to_property("/ContainerDefinitions/0/Memory"),
            "ContainerDefinitions[0].Memory"
        );
        assert_eq!(pointer_to_property(""), "");
        assert_eq!(pointer_to_property("/Tags/0"), "Tags[0]");
        assert_eq!(pointer_to_property("/a~1b"), "a/b");
    }

    #[test]
    fn display_names_path_property_and_resource() {
        let d = Diagnostic::error("BERTH-E0200", "Web/TaskDef/Resource", "must be at least 6")
            .with_property("ContainerDefinitions[0].Memory")
            .with_resource("TaskDef1234", Some("AWS::ECS::TaskDefinition"));
        assert_eq!(
            d.to_string(),
            "error[BERTH-E0200] Web/TaskDef/Resource: ContainerDefinitions[0].Memory: must be at least 6 (TaskDef1234, AWS::ECS::TaskDefinition)"
        );
    }
}
