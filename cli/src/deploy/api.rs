//! The CloudFormation operations the deploy engine needs, behind a trait so that the
//! engine runs the same against AWS (the SDK) and against a scripted fake.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_trait::async_trait;

/// What berth knows about a request that failed: which operation, the HTTP status and
/// request id of the answer, what retries answered, and the SDK's raw rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    /// The API operation (`CreateChangeSet`); empty when unknown.
    pub operation: String,
    /// The HTTP status of the answer, when one came.
    pub status: Option<u16>,
    /// The request id AWS gave the answer.
    pub request_id: Option<String>,
    /// What later attempts answered when berth retried, in order. The error holding
    /// this is always the first one: a retry never replaces the cause.
    pub retries: Vec<ApiError>,
    /// The SDK's full debug rendering (printed with `-v` only).
    pub debug: Option<String>,
    /// The error of this request without request ids and retries (filled in when
    /// retries are added), to tell whether the retries met the same.
    pub essence: String,
}

/// Where a client sends its requests, and which setting chose it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoint {
    /// `CloudFormation`, `S3` (empty: not known).
    pub service: String,
    /// The URL (empty: not known).
    pub url: String,
    /// Which setting chose it, and whether `AWS_ENDPOINT_URL` is set, for messages
    /// (`the address AWS_ENDPOINT_URL names`).
    pub origin: String,
    /// Whether a setting chose it (`AWS_ENDPOINT_URL`, `--endpoint-url`, a profile's
    /// `endpoint_url`) rather than AWS's own endpoint being used.
    pub custom: bool,
}

/// An error from an AWS call, rendered as one line: the operation, the cause, the HTTP
/// status and request id (`CreateStack: ValidationError: … (HTTP 400, request id …)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error code.
    #[error("{}{code}: {message}{}", op_prefix(request), request_suffix(request))]
    Service {
        /// e.g. `ValidationError`.
        code: String,
        /// The service's message.
        message: String,
        /// The request that failed.
        request: Box<RequestInfo>,
    },
    /// No credentials could be found.
    #[error("no AWS credentials found: {0}")]
    Credentials(String),
    /// The request never got an answer (network, endpoint, timeout, unparsable reply).
    #[error("{0}")]
    Transport(String),
    /// The endpoint could not be reached at all (connection refused, unknown host).
    #[error(
        "{}cannot connect to {}{}: {cause}{}",
        op_prefix(request),
        unreachable_target(&endpoint.service, &endpoint.url),
        paren(&endpoint.origin),
        request_suffix(request)
    )]
    Unreachable {
        /// Where berth tried to connect.
        endpoint: Box<Endpoint>,
        /// The innermost cause (`Connection refused (os error 111)`).
        cause: String,
        /// The request that failed.
        request: Box<RequestInfo>,
    },
    /// The connection broke or timed out before a complete answer came.
    #[error(
        "{}no complete answer: {cause}{}",
        op_prefix(request),
        request_suffix(request)
    )]
    Network {
        /// What happened (`connection closed before message completed`, `timed out`).
        cause: String,
        /// The request that failed.
        request: Box<RequestInfo>,
    },
    /// A stack operation did not finish within
    /// [`PollConfig::give_up_after`](crate::deploy::PollConfig::give_up_after): berth
    /// stopped waiting, CloudFormation did not.
    #[error(
        "{stack} is still {status} after {}: berth stopped waiting; the operation goes on in CloudFormation (`berth status` shows where it stands)",
        waited_text(waited)
    )]
    StillInProgress {
        /// The stack.
        stack: String,
        /// Its last status.
        status: String,
        /// How long berth waited.
        waited: std::time::Duration,
    },
    /// An answer came that is not an AWS error document (an HTML error page, a proxy's
    /// reply).
    #[error("{}{}", op_prefix(request), http_line(body, request))]
    Http {
        /// The start of the body, one line.
        body: String,
        /// The request that failed (its status is the HTTP status).
        request: Box<RequestInfo>,
    },
}

fn waited_text(d: &std::time::Duration) -> String {
    match d.as_secs() {
        0 => format!("{} ms", d.as_millis()),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn op_prefix(request: &RequestInfo) -> String {
    if request.operation.is_empty() {
        String::new()
    } else {
        format!("{}: ", request.operation)
    }
}

fn unreachable_target(service: &str, endpoint: &str) -> String {
    match (service.is_empty(), endpoint.is_empty()) {
        (_, true) => "the AWS endpoint".to_string(),
        (true, false) => endpoint.to_string(),
        (false, false) => format!("{service} at {endpoint}"),
    }
}

fn paren(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" ({s})")
    }
}

fn http_line(body: &str, request: &RequestInfo) -> String {
    let status = request
        .status
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_else(|| "an answer".into());
    let rest = RequestInfo {
        status: None,
        ..request.clone()
    };
    format!(
        "{status} that is not an AWS error document: {body}{}",
        request_suffix(&rest)
    )
}

/// ` (HTTP 400, request id …)`, then what retries answered.
fn request_suffix(request: &RequestInfo) -> String {
    let mut parts = Vec::new();
    if let Some(s) = request.status {
        parts.push(format!("HTTP {s}"));
    }
    if let Some(id) = &request.request_id {
        parts.push(format!("request id {id}"));
    }
    let mut s = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    };
    if let Some(last) = request.retries.last() {
        let n = request.retries.len();
        let tries = if n == 1 { "retry" } else { "retries" };
        if request
            .retries
            .iter()
            .all(|r| r.essence() == request.essence)
        {
            s.push_str(&format!("; the same on {n} {tries}"));
        } else if n == 1 {
            s.push_str(&format!(
                "; the retry answered: {}",
                last.clone().with_operation("")
            ));
        } else {
            s.push_str(&format!(
                "; {n} retries, the last answered: {}",
                last.clone().with_operation("")
            ));
        }
    }
    s
}

/// Service error codes that mean "slow down and try again".
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Service error codes that mean "the service failed this time".
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalFailure",
    "InternalError",
    "InternalServiceError",
    "ServiceUnavailable",
];

impl ApiError {
    /// A service error.
    pub fn service(code: &str, message: &str) -> ApiError {
        ApiError::Service {
            code: code.into(),
            message: message.into(),
            request: Box::default(),
        }
    }

    /// The answer of the last attempt: the error itself, or what its last retry got.
    /// A definitive answer (the stack does not exist) after a throttled first attempt
    /// is what the call returned, though the report starts with the first cause.
    pub fn final_answer(&self) -> &ApiError {
        self.request()
            .and_then(|r| r.retries.last())
            .unwrap_or(self)
    }

    /// Whether this is CloudFormation's "nothing to update".
    pub fn is_no_updates(&self) -> bool {
        matches!(self.final_answer(), ApiError::Service { message, .. }
            if message.contains("No updates are to be performed"))
    }

    /// Whether this says the stack does not exist.
    pub fn is_stack_missing(&self) -> bool {
        matches!(self.final_answer(), ApiError::Service { message, .. }
            if message.contains("does not exist"))
    }

    /// The service error code, if the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the service asked berth to slow down.
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
    }

    /// Whether trying the same request again may succeed: throttling, a server error
    /// (HTTP 5xx), a broken connection or a timeout. An endpoint that refuses
    /// connections, a client error (HTTP 4xx) or missing credentials are not retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Service { code, request, .. } => {
                self.is_throttling()
                    || TRANSIENT_CODES.contains(&code.as_str())
                    || request.status.is_some_and(|s| s >= 500)
            }
            ApiError::Network { .. } => true,
            ApiError::Http { request, .. } => request.status.is_some_and(|s| s >= 500 || s == 429),
            ApiError::Unreachable { .. }
            | ApiError::Credentials(_)
            | ApiError::Transport(_)
            | ApiError::StillInProgress { .. } => false,
        }
    }

    /// Whether this says the thing being created is already there.
    pub fn is_already_exists(&self) -> bool {
        match self {
            ApiError::Service { code, message, .. } => {
                code.contains("AlreadyExists") || message.contains("already exists")
            }
            _ => false,
        }
    }

    /// Whether the first attempt may have been carried out although its answer was
    /// lost: it failed in a way that is retried, and a retry then found its work done
    /// (the stack or change set already exists, the change set is already executing).
    pub fn may_have_succeeded(&self) -> bool {
        self.is_retryable()
            && self.request().is_some_and(|r| {
                r.retries.last().is_some_and(|last| {
                    last.is_already_exists()
                        || last.code() == Some("InvalidChangeSetStatus")
                        || matches!(last, ApiError::Service { message, .. } if message.contains("_IN_PROGRESS state"))
                })
            })
    }

    /// The request details, for errors that came from a request.
    pub fn request(&self) -> Option<&RequestInfo> {
        match self {
            ApiError::Service { request, .. }
            | ApiError::Unreachable { request, .. }
            | ApiError::Network { request, .. }
            | ApiError::Http { request, .. } => Some(request),
            ApiError::Credentials(_)
            | ApiError::Transport(_)
            | ApiError::StillInProgress { .. } => None,
        }
    }

    /// The request details, to fill in.
    pub fn request_mut(&mut self) -> Option<&mut RequestInfo> {
        match self {
            ApiError::Service { request, .. }
            | ApiError::Unreachable { request, .. }
            | ApiError::Network { request, .. }
            | ApiError::Http { request, .. } => Some(request),
            ApiError::Credentials(_)
            | ApiError::Transport(_)
            | ApiError::StillInProgress { .. } => None,
        }
    }

    /// Names the operation that failed (`""`: none).
    pub fn with_operation(mut self, operation: &str) -> ApiError {
        if let Some(r) = self.request_mut() {
            r.operation = operation.to_string();
        }
        self
    }

    /// What to try, when there is something better to say than the error itself.
    pub fn hint(&self) -> Option<String> {
        let retried = self
            .request()
            .map(|r| r.retries.len())
            .filter(|n| *n > 0)
            .map(|n| format!(" (berth tried {} times)", n + 1))
            .unwrap_or_default();
        match self {
            ApiError::Unreachable { endpoint, .. } if endpoint.custom => Some(
                "check that the server at that address is running (or leave the endpoint unset to use AWS)".into(),
            ),
            ApiError::Unreachable { .. } => Some(
                "check the network connection, a proxy (HTTPS_PROXY) and the region (--region, AWS_REGION)".into(),
            ),
            ApiError::Network { .. } => Some(format!(
                "the connection broke before the answer came{retried}; run the command again: it starts from the state AWS is in"
            )),
            ApiError::Http { request, .. } if request.status.is_some_and(|s| s >= 500) => Some(format!(
                "the service failed{retried}; run the command again, and if it keeps failing, look at the endpoint (AWS_ENDPOINT_URL)"
            )),
            ApiError::Service { .. } if self.is_throttling() => Some(format!(
                "AWS is throttling this account's requests{retried}; wait a minute and run the command again, or deploy with a lower --concurrency"
            )),
            ApiError::Service { code, request, .. } if code.contains("AccessDenied") || code == "UnauthorizedOperation" => Some(format!(
                "the credentials in use may not call {}; check the IAM permissions of the profile (--profile, AWS_PROFILE)",
                if request.operation.is_empty() { "this operation" } else { &request.operation }
            )),
            ApiError::Service { code, .. } if code == "ExpiredToken" || code == "ExpiredTokenException" => Some(
                "the session credentials have expired: refresh them (e.g. `aws sso login`) and run the command again".into(),
            ),
            ApiError::Service { code, .. }
                if matches!(code.as_str(), "InvalidClientTokenId" | "UnrecognizedClientException" | "SignatureDoesNotMatch" | "AuthFailure") =>
            {
                Some("the credentials are not valid for this account: check AWS_ACCESS_KEY_ID / AWS_PROFILE".into())
            }
            ApiError::Service { request, .. } if request.status.is_some_and(|s| s >= 500) => Some(format!(
                "the service failed{retried}; run the command again"
            )),
            _ => None,
        }
    }

    /// The error and, when there is one, what to try: `…; check that the server …`.
    pub fn with_hint(&self) -> String {
        match self.hint() {
            Some(h) => format!("{self}; {h}"),
            None => self.to_string(),
        }
    }

    /// The error without its operation, request id and retries: what two attempts
    /// that failed the same way share.
    pub fn essence(&self) -> String {
        let mut e = self.clone().with_operation("");
        if let Some(r) = e.request_mut() {
            r.request_id = None;
            r.retries.clear();
            r.essence.clear();
        }
        e.to_string()
    }

    /// The SDK's raw rendering of the error (for `-v`), if there is one.
    pub fn debug_text(&self) -> Option<&str> {
        self.request().and_then(|r| r.debug.as_deref())
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
    /// Whether termination protection is on (`EnableTerminationProtection`).
    pub termination_protection: bool,
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
    /// Turn termination protection on when creating the stack (`CreateStack` only;
    /// other paths call `UpdateTerminationProtection`).
    pub termination_protection: bool,
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSetInfo {
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`.
    pub status: String,
    /// Why it failed.
    pub status_reason: Option<String>,
    /// Number of resource changes.
    pub changes: usize,
    /// The resource changes, as CloudFormation plans them.
    pub resource_changes: Vec<PlannedChange>,
}

/// One resource change of a change set (`ResourceChange`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlannedChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// The logical id.
    pub logical_id: String,
    /// The resource type.
    pub resource_type: String,
    /// `True`, `False`, `Conditional` (modifications only).
    pub replacement: Option<String>,
    /// What CloudFormation names as the reasons, one each (`Properties.LogGroupName
    /// (requires recreation: Always)`).
    pub causes: Vec<String>,
}

/// A stack in a stack refactor: its name and the template it has afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct StackDefinition {
    /// The stack name.
    pub stack_name: String,
    /// The template after the refactor.
    pub template: TemplateSource,
}

/// One resource a stack refactor moves (`ResourceMapping`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResourceMove {
    /// The stack it is in now.
    pub source_stack: String,
    /// Its logical id now.
    pub source_id: String,
    /// The stack it moves to (may be the same).
    pub destination_stack: String,
    /// Its logical id afterwards.
    pub destination_id: String,
}

/// A stack refactor as `DescribeStackRefactor` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefactorInfo {
    /// `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `CREATE_FAILED`, ...
    pub status: String,
    /// Why (for failures).
    pub status_reason: Option<String>,
    /// `UNAVAILABLE`, `AVAILABLE`, `EXECUTE_IN_PROGRESS`, `EXECUTE_COMPLETE`,
    /// `EXECUTE_FAILED`, `ROLLBACK_COMPLETE`, ...
    pub execution_status: String,
    /// Why (for failures).
    pub execution_status_reason: Option<String>,
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
    /// `UpdateTerminationProtection`.
    async fn update_termination_protection(
        &self,
        stack: &str,
        enable: bool,
    ) -> Result<(), ApiError>;
    /// `CreateStackRefactor`: the stacks with their templates afterwards and the
    /// resources that move; `create_stacks` lets it create destination stacks that do
    /// not exist yet. Returns the refactor's id.
    async fn create_stack_refactor(
        &self,
        stacks: &[StackDefinition],
        moves: &[ResourceMove],
        create_stacks: bool,
        description: &str,
    ) -> Result<String, ApiError>;
    /// `DescribeStackRefactor`.
    async fn describe_stack_refactor(&self, id: &str) -> Result<RefactorInfo, ApiError>;
    /// `ExecuteStackRefactor`.
    async fn execute_stack_refactor(&self, id: &str) -> Result<(), ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_with_the_request_and_what_to_try() {
        let e = ApiError::Service {
            code: "AccessDenied".into(),
            message: "User: arn:aws:iam::1:user/ci is not authorized".into(),
            request: Box::new(RequestInfo {
                operation: "CreateChangeSet".into(),
                status: Some(403),
                request_id: Some("abc-123".into()),
                ..RequestInfo::default()
            }),
        };
        assert_eq!(
            e.with_hint(),
            "CreateChangeSet: AccessDenied: User: arn:aws:iam::1:user/ci is not authorized (HTTP 403, \
             request id abc-123); the credentials in use may not call CreateChangeSet; check the IAM \
             permissions of the profile (--profile, AWS_PROFILE)"
        );
        assert!(!e.is_retryable());

        let aws = ApiError::Unreachable {
            endpoint: Box::new(Endpoint {
                service: "CloudFormation".into(),
                url: "https://cloudformation.eu-west-1.amazonaws.com".into(),
                origin: "AWS's endpoint for the region; AWS_ENDPOINT_URL is not set".into(),
                custom: false,
            }),
            cause: "dns error: failed to lookup address information".into(),
            request: Box::new(RequestInfo {
                operation: "DescribeStacks".into(),
                ..RequestInfo::default()
            }),
        };
        assert_eq!(
            aws.with_hint(),
            "DescribeStacks: cannot connect to CloudFormation at https://cloudformation.eu-west-1.amazonaws.com \
             (AWS's endpoint for the region; AWS_ENDPOINT_URL is not set): dns error: failed to lookup \
             address information; check the network connection, a proxy (HTTPS_PROXY) and the region \
             (--region, AWS_REGION)"
        );
        assert!(!aws.is_retryable());

        let html = ApiError::Http {
            body: "502 Bad Gateway".into(),
            request: Box::new(RequestInfo {
                status: Some(502),
                ..RequestInfo::default()
            }),
        };
        assert_eq!(
            html.to_string(),
            "HTTP 502 that is not an AWS error document: 502 Bad Gateway"
        );
        assert!(html.is_retryable());
    }

    #[test]
    fn a_definitive_answer_after_a_retry_is_what_the_call_returned() {
        let e = ApiError::Service {
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
            request: Box::new(RequestInfo {
                retries: vec![ApiError::service(
                    "ValidationError",
                    "Stack with id X does not exist",
                )],
                ..RequestInfo::default()
            }),
        };
        assert!(e.is_stack_missing());
        assert!(!e.may_have_succeeded());
        assert_eq!(e.code(), Some("Throttling"));
    }
}
