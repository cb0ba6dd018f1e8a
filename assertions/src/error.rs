//! Errors: [`Error`] for loading templates, [`AssertionError`] for failed assertions.

use std::fmt;
use std::path::PathBuf;

use crate::matcher::{plural, Mismatch};
use crate::style::Palette;

/// The `Result` of loading a template.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A template could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("could not read the template file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not valid JSON.
    #[error("the template is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The text is not valid YAML (or uses CloudFormation's short-form tags such as `!Ref`,
    /// which are not supported: use the long form `Ref:`).
    #[error("the template is not valid YAML: {0} (short-form tags such as !Ref are not supported; use the long form, e.g. `Ref: X`)")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// The JSON is not shaped like a CloudFormation template.
    #[error("not a CloudFormation template: {0}")]
    NotATemplate(#[from] TemplateProblem),
    /// The cloud assembly could not be read.
    #[error(transparent)]
    Assembly(#[from] berth_assembly::read::AssemblyError),
    /// The cloud assembly has no stack of that name.
    #[error("the cloud assembly has no stack {stack:?}; it has: {}", .available.join(", "))]
    NoSuchStack {
        /// The name asked for.
        stack: String,
        /// The stacks it has.
        available: Vec<String>,
    },
}

pub use berth_assembly::template::TemplateProblem;

/// A failed assertion, with the text a person needs to fix the test or the stack.
///
/// Returned by the `try_` methods of [`Template`](crate::Template); the other methods panic with
/// the same text (colored when stderr is a terminal). `Display` gives the text without colors.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_assertions::Template;
/// use serde_json::json;
///
/// let t = Template::from_json(json!({"Resources": {
///     "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 80}}
/// }}))?;
/// let err = t
///     .try_has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", json!({"Port": 8080}))
///     .unwrap_err();
/// assert_eq!(err.closest().ok_or("no closest resource")?.0, "Tg");
/// assert!(err.to_string().contains("/Properties/Port: expected 8080, found 80"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AssertionError {
    headline: String,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Block {
    Candidate {
        label: String,
        id: String,
        mismatches: Vec<Mismatch>,
        /// A title and the candidate's actual value (pretty JSON).
        actual: Option<(String, String)>,
    },
    Text(String),
    Mismatches(Vec<Mismatch>),
    Pattern {
        title: String,
        text: String,
    },
}

/// How many mismatch lines to print per candidate.
const MAX_MISMATCHES: usize = 8;

/// How many lines of a candidate's actual value to print.
const MAX_ACTUAL_LINES: usize = 40;

impl AssertionError {
    pub(crate) fn new(headline: impl Into<String>) -> Self {
        Self {
            headline: headline.into(),
            blocks: Vec::new(),
        }
    }

    pub(crate) fn candidate(
        mut self,
        label: impl Into<String>,
        id: &str,
        mismatches: Vec<Mismatch>,
        actual: Option<(String, String)>,
    ) -> Self {
        self.blocks.push(Block::Candidate {
            label: label.into(),
            id: id.to_owned(),
            mismatches,
            actual,
        });
        self
    }

    pub(crate) fn mismatches(mut self, mismatches: Vec<Mismatch>) -> Self {
        self.blocks.push(Block::Mismatches(mismatches));
        self
    }

    pub(crate) fn text(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Text(text.into()));
        self
    }

    pub(crate) fn pattern(mut self, title: impl Into<String>, text: String) -> Self {
        self.blocks.push(Block::Pattern {
            title: title.into(),
            text,
        });
        self
    }

    /// The first line: what was expected and what the template has.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {}}))?;
    /// let err = t.try_resource_count_is("AWS::ECS::Cluster", 1).unwrap_err();
    /// assert_eq!(err.headline(), "expected 1 resource of type AWS::ECS::Cluster, found 0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn headline(&self) -> &str {
        &self.headline
    }

    /// The candidate that came closest (fewest mismatches) and its mismatches, if any candidate
    /// was tried.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Outputs": {"Url": {"Value": "x"}}}))?;
    /// let err = t.try_has_output("*", json!({"Value": "y"})).unwrap_err();
    /// let (id, mismatches) = err.closest().ok_or("no closest resource")?;
    /// assert_eq!(id, "Url");
    /// assert_eq!(mismatches[0].to_string(), "/Value: expected \"y\", found \"x\"");
    /// # Ok(())
    /// # }
    /// ```
    pub fn closest(&self) -> Option<(&str, &[Mismatch])> {
        self.blocks.iter().find_map(|block| match block {
            Block::Candidate { id, mismatches, .. } => Some((id.as_str(), mismatches.as_slice())),
            _ => None,
        })
    }

    /// The message, with ANSI colors if `color` is true.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {}}))?;
    /// let err = t.try_resource_count_is("AWS::ECS::Cluster", 1).unwrap_err();
    /// assert_eq!(err.render(false), err.to_string());
    /// assert!(err.render(true).contains("\x1b[1m"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn render(&self, color: bool) -> String {
        let p = Palette::new(color);
        let mut out = p.bold(&self.headline);
        for block in &self.blocks {
            out.push_str("\n\n");
            match block {
                Block::Candidate {
                    label,
                    id,
                    mismatches,
                    actual,
                } => {
                    let count = mismatches.len();
                    out.push_str(&format!(
                        "{label}: {} {}",
                        p.bold(id),
                        p.dim(&format!(
                            "({count} mismatch{})",
                            if count == 1 { "" } else { "es" }
                        ))
                    ));
                    for m in mismatches.iter().take(MAX_MISMATCHES) {
                        out.push_str("\n  ");
                        out.push_str(&p.mismatch(m));
                    }
                    if count > MAX_MISMATCHES {
                        let rest = count - MAX_MISMATCHES;
                        out.push_str(&format!(
                            "\n  … and {rest} more mismatch{}",
                            if rest == 1 { "" } else { "es" }
                        ));
                    }
                    if let Some((title, text)) = actual {
                        out.push_str(&format!("\n\n{title}:"));
                        let lines: Vec<&str> = text.lines().collect();
                        for line in lines.iter().take(MAX_ACTUAL_LINES) {
                            out.push_str("\n  ");
                            out.push_str(&p.dim(line));
                        }
                        if lines.len() > MAX_ACTUAL_LINES {
                            let rest = lines.len() - MAX_ACTUAL_LINES;
                            out.push_str(&format!("\n  … ({rest} more lines)"));
                        }
                    }
                }
                Block::Text(text) => out.push_str(text),
                Block::Mismatches(mismatches) => {
                    let lines: Vec<String> = mismatches.iter().map(|m| p.mismatch(m)).collect();
                    out.push_str(&lines.join("\n"));
                }
                Block::Pattern { title, text } => {
                    out.push_str(title);
                    out.push(':');
                    for line in text.lines() {
                        out.push_str("\n  ");
                        out.push_str(&p.expected(line));
                    }
                }
            }
        }
        out
    }
}

impl fmt::Display for AssertionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for AssertionError {}

/// `"1 resource"`, `"2 resources"`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}
