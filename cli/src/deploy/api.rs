//! The CloudFormation operations the deploy engine needs, behind a trait so that the
//! engine runs the same against AWS (the SDK) and against a scripted fake.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;

/// An error from a CloudFormation call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error code.
    #[error("{code}: {message}")]
    Service {
        /// e.g. `ValidationError`.
        code: String,
        /// The service's message.
        message: String,
    },
    /// No credentials could be found.
    #[error("no AWS credentials found: {0}")]
    Credentials(String),
    /// The request never got an answer (network, endpoint, timeout, unparsable reply).
    #[error("{0}")]
    Transport(String),
}

impl ApiError {
    /// A service error.
    pub fn service(code: &str, message: &str) -> ApiError {
        ApiError::Service {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Whether this is CloudFormation's "nothing to update".
    pub fn is_no_updates(&self) -> bool {
        matches!(self, ApiError::Service { message, .. }
            if message.contains("No updates are to be performed"))
    }

    /// Whether this says the stack does not exist.
    pub fn is_stack_missing(&self) -> bool {
        matches!(self, ApiError::Service { message, .. }
            if message.contains("does not exist"))
    }
}

/// A stack as `DescribeStacks` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StackInfo {
    /// The stack id (ARN).
    pub stack_id: String,
    /// The stack name.
    pub stack_name: String,
    /// `CREATE_COMPLETE`, ...
    pub status: String,
    /// The status reason.
    pub status_reason: Option<String>,
    /// Outputs by key.
    pub outputs: BTreeMap<String, String>,
    /// Parameter values by key.
    pub parameters: BTreeMap<String, String>,
    /// Stack tags.
    pub tags: BTreeMap<String, String>,
}

/// One stack event.
#[derive(Debug, Clone, PartialEq)]
pub struct StackEvent {
    /// Unique event id.
    pub event_id: String,
    /// The stack name.
    pub stack_name: String,
    /// Logical id of the resource (the stack's own name for stack events).
    pub logical_id: String,
    /// Physical id, if known.
    pub physical_id: Option<String>,
    /// `AWS::ECS::Service`, or `AWS::CloudFormation::Stack`.
    pub resource_type: String,
    /// `CREATE_IN_PROGRESS`, `CREATE_FAILED`, ...
    pub status: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub timestamp: SystemTime,
}

/// One resource of a deployed stack (`ListStackResources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    /// Logical id.
    pub logical_id: String,
    /// Physical id (an ARN, a name, a URL, depending on the type).
    pub physical_id: Option<String>,
    /// `AWS::ECS::Service`, ...
    pub resource_type: String,
    /// `CREATE_COMPLETE`, ...
    pub status: String,
}

/// Where the template comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateSource {
    /// Inline body (≤ 51,200 bytes).
    Body(String),
    /// An S3 URL.
    Url(String),
}

/// What creating or updating a stack needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StackRequest {
    /// The stack name.
    pub stack_name: String,
    /// The template.
    pub template: TemplateSource,
    /// Parameter values.
    pub parameters: BTreeMap<String, String>,
    /// `CAPABILITY_IAM` / `CAPABILITY_NAMED_IAM`, only when needed.
    pub capabilities: Vec<String>,
    /// Stack tags.
    pub tags: BTreeMap<String, String>,
    /// Keep failed resources instead of rolling back.
    pub disable_rollback: bool,
}

/// Whether a change set creates a stack or updates one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetType {
    /// The stack does not exist yet.
    Create,
    /// The stack exists.
    Update,
}

/// A change set as `DescribeChangeSet` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSetInfo {
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`.
    pub status: String,
    /// Why it failed.
    pub status_reason: Option<String>,
    /// Number of resource changes.
    pub changes: usize,
}

impl ChangeSetInfo {
    /// Whether CloudFormation reports there is nothing to change.
    pub fn is_empty_change_set(&self) -> bool {
        (self.status == "FAILED"
            && self.status_reason.as_deref().is_some_and(|r| {
                r.contains("didn't contain changes") || r.contains("No updates are to be performed")
            }))
            || (self.status == "CREATE_COMPLETE" && self.changes == 0)
    }
}

/// The CloudFormation (and template upload) operations of the deploy engine.
#[async_trait]
pub trait CloudFormationApi: Send + Sync {
    /// `DescribeStacks` for one stack; `None` when it does not exist (or is deleted).
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, ApiError>;
    /// `GetTemplate` (original); `None` when the stack does not exist.
    async fn get_template(&self, stack: &str) -> Result<Option<String>, ApiError>;
    /// `CreateStack`; returns the stack id.
    async fn create_stack(&self, req: &StackRequest) -> Result<String, ApiError>;
    /// `UpdateStack`; "No updates are to be performed" is an error ([`ApiError::is_no_updates`]).
    async fn update_stack(&self, req: &StackRequest) -> Result<(), ApiError>;
    /// `CreateChangeSet`; returns the change set id.
    async fn create_change_set(
        &self,
        req: &StackRequest,
        name: &str,
        kind: ChangeSetType,
    ) -> Result<String, ApiError>;
    /// `DescribeChangeSet`.
    async fn describe_change_set(&self, stack: &str, name: &str)
        -> Result<ChangeSetInfo, ApiError>;
    /// `ExecuteChangeSet`.
    async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        disable_rollback: bool,
    ) -> Result<(), ApiError>;
    /// `DeleteChangeSet`.
    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), ApiError>;
    /// `DeleteStack` (by name or id).
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError>;
    /// `DescribeStackEvents`, newest first (first page is enough for the engine, which
    /// remembers what it has seen).
    async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError>;
    /// `ListStackResources`: every resource of the stack with its physical id.
    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError>;
    /// `CancelUpdateStack`: stops an update and rolls it back.
    async fn cancel_update_stack(&self, stack: &str) -> Result<(), ApiError>;
    /// Uploads a template to `bucket/key` and returns the URL CloudFormation reads it from.
    async fn upload_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, ApiError>;
}
