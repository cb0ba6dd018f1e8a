//! [`CloudFormationApi`] over the AWS SDK for Rust (CloudFormation and S3).
//!
//! The SDK's own retries are off for these clients: [`super::retry`] retries, so that
//! a report keeps the first cause. Errors become one-line [`ApiError`]s with the
//! operation, HTTP status and request id; the SDK's debug rendering is kept for `-v`.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::operation::RequestId;
use cfn::types::{Capability, OnFailure, Parameter, Tag};

pub use super::api::Endpoint;
use super::api::{
    ApiError, ChangeSetInfo, ChangeSetType, CloudFormationApi, PlannedChange, RefactorInfo,
    RequestInfo, ResourceMove, StackDefinition, StackEvent, StackInfo, StackRequest, StackResource,
    TemplateSource,
};
use super::retry::{request_token, retry, RetryPolicy};

impl Endpoint {
    /// The endpoint the SDK uses for `service` (`env_name`: `CLOUDFORMATION`, `S3`;
    /// `host`: the AWS host's first label): the one berth was `given` (`--endpoint-url`,
    /// or set in code, with the words that say so), the service's own variable,
    /// `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, else AWS's regional URL.
    pub fn resolve(
        config: &aws_config::SdkConfig,
        given: Option<(&str, &str)>,
        service: &str,
        env_name: &str,
        host: &str,
    ) -> Endpoint {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let service_var = format!("AWS_ENDPOINT_URL_{env_name}");
        let global = env("AWS_ENDPOINT_URL");
        let endpoint = |url: String, origin: String, custom: bool| Endpoint {
            service: service.into(),
            url,
            origin,
            custom,
        };
        if let Some((url, how)) = given {
            let note = match &global {
                Some(g) if g != url => format!("; AWS_ENDPOINT_URL={g} is set but not used"),
                _ => String::new(),
            };
            return endpoint(url.into(), format!("{how}{note}"), true);
        }
        if let Some(url) = env(&service_var) {
            return endpoint(url, format!("the address {service_var} names"), true);
        }
        if let Some(url) = global {
            return endpoint(url, "the address AWS_ENDPOINT_URL names".into(), true);
        }
        match config.endpoint_url() {
            Some(u) => endpoint(
                u.to_string(),
                "the endpoint_url of the AWS profile; AWS_ENDPOINT_URL is not set".into(),
                true,
            ),
            None => endpoint(
                format!(
                    "https://{host}.{}.amazonaws.com",
                    config
                        .region()
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "us-east-1".into())
                ),
                "AWS's endpoint for the region; AWS_ENDPOINT_URL is not set".into(),
                false,
            ),
        }
    }

    /// Puts this endpoint into an [`ApiError::Unreachable`].
    pub fn fill(&self, mut e: ApiError) -> ApiError {
        if let ApiError::Unreachable { endpoint, .. } = &mut e {
            **endpoint = self.clone();
        }
        e
    }
}

/// The SDK-backed implementation.
#[derive(Debug, Clone)]
pub struct AwsCloudFormation {
    cfn: cfn::Client,
    s3: aws_sdk_s3::Client,
    region: String,
    retry: RetryPolicy,
    cfn_endpoint: Endpoint,
    s3_endpoint: Endpoint,
}

impl AwsCloudFormation {
    /// Clients from a loaded SDK configuration, retried by berth with the standard
    /// policy. S3 uses path-style addressing when a custom endpoint
    /// (`AWS_ENDPOINT_URL`) is set.
    pub fn new(config: &aws_config::SdkConfig) -> AwsCloudFormation {
        AwsCloudFormation::with_retries(config, RetryPolicy::standard(), None)
    }

    /// [`AwsCloudFormation::new`] with this retry policy; `endpoint_given` is the
    /// endpoint the configuration was loaded with and how it was given
    /// (`("http://…", "the address --endpoint-url names")`), for messages.
    pub fn with_retries(
        config: &aws_config::SdkConfig,
        policy: RetryPolicy,
        endpoint_given: Option<(&str, &str)>,
    ) -> AwsCloudFormation {
        let off = cfn::config::retry::RetryConfig::disabled();
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .retry_config(off.clone())
            .build();
        let cfn_config = cfn::config::Builder::from(config).retry_config(off).build();
        AwsCloudFormation {
            cfn: cfn::Client::from_conf(cfn_config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
            retry: policy,
            cfn_endpoint: Endpoint::resolve(
                config,
                endpoint_given,
                "CloudFormation",
                "CLOUDFORMATION",
                "cloudformation",
            ),
            s3_endpoint: Endpoint::resolve(config, endpoint_given, "S3", "S3", "s3"),
        }
    }

    /// Maps a CloudFormation error of `operation`.
    fn err<E>(&self, operation: &str, e: SdkError<E, HttpResponse>) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.cfn_endpoint.fill(map_err(e).with_operation(operation))
    }
}

/// Maps an SDK error to an [`ApiError`]: the service's code and message with the HTTP
/// status and request id; an answer that is no AWS error document (an HTML page) with
/// its status and the start of its body; an endpoint that cannot be reached; a
/// connection that broke. The SDK's debug rendering is kept in
/// [`RequestInfo::debug`].
pub(crate) fn map_err<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    // The raw answer is an HTTP response for ordinary calls (an event stream message
    // for a stream's later errors, which has neither status nor body).
    let http = err
        .raw_response()
        .and_then(|r| (r as &dyn std::any::Any).downcast_ref::<HttpResponse>());
    let request_id = match &err {
        SdkError::ServiceError(s) => s.err().meta().request_id().map(str::to_string),
        _ => None,
    }
    .or_else(|| http.and_then(|r| r.request_id()).map(str::to_string));
    let request = Box::new(RequestInfo {
        operation: String::new(),
        status: http.map(|r| r.status().as_u16()),
        request_id,
        retries: Vec::new(),
        debug: Some(format!("{err:?}")),
        essence: String::new(),
    });
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match e.code() {
                Some(code) => ApiError::Service {
                    code: code.to_string(),
                    message: e.message().unwrap_or("").to_string(),
                    request,
                },
                // An answer the SDK could not read as an AWS error: show what came.
                None => ApiError::Http {
                    body: http.map(body_snippet).unwrap_or_default(),
                    request,
                },
            }
        }
        SdkError::ResponseError(_) => ApiError::Http {
            body: http.map(body_snippet).unwrap_or_default(),
            request,
        },
        SdkError::DispatchFailure(d) => {
            let chain = error_chain(&err);
            if d.is_user() && chain.to_lowercase().contains("credential") {
                ApiError::Credentials(chain)
            } else if is_connect_failure(&chain) {
                let env = std::env::var("AWS_ENDPOINT_URL")
                    .ok()
                    .filter(|v| !v.is_empty());
                // The client fills in its own endpoint ([`Endpoint::fill`]); until then,
                // what the environment says.
                ApiError::Unreachable {
                    endpoint: Box::new(Endpoint {
                        service: String::new(),
                        url: String::new(),
                        origin: match &env {
                            Some(v) => format!("AWS_ENDPOINT_URL is set to {v}"),
                            None => "AWS_ENDPOINT_URL is not set".into(),
                        },
                        custom: env.is_some(),
                    }),
                    cause: innermost(&err),
                    request,
                }
            } else {
                ApiError::Network {
                    cause: innermost(&err),
                    request,
                }
            }
        }
        SdkError::TimeoutError(_) => ApiError::Network {
            cause: "the request timed out".into(),
            request,
        },
        _ => {
            let text = error_chain(&err);
            if text.to_lowercase().contains("credentials") {
                ApiError::Credentials(text)
            } else {
                ApiError::Transport(text)
            }
        }
    }
}

/// Whether a dispatch failure happened while connecting (refused, unknown host, TLS).
fn is_connect_failure(chain: &str) -> bool {
    chain.contains("(Connect)")
        || chain.contains("tcp connect error")
        || chain.contains("dns error")
        || chain.contains("Connection refused")
}

/// The start of a response body as one line: the text between tags (a heading that
/// repeats the title dropped), blanks collapsed, at most 160 characters.
fn body_snippet(response: &HttpResponse) -> String {
    let bytes = response.body().bytes().unwrap_or_default();
    let text = String::from_utf8_lossy(bytes);
    let mut segments: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_tag = false;
    let flush = |current: &mut String, segments: &mut Vec<String>| {
        let seg = current.split_whitespace().collect::<Vec<_>>().join(" ");
        current.clear();
        if seg.is_empty() || segments.last().is_some_and(|prev| prev.ends_with(&seg)) {
            return;
        }
        segments.push(seg);
    };
    for c in text.chars() {
        match c {
            '<' => {
                flush(&mut current, &mut segments);
                in_tag = true;
            }
            '>' => in_tag = false,
            _ if !in_tag => current.push(c),
            _ => {}
        }
    }
    flush(&mut current, &mut segments);
    let mut line = segments.join(" ");
    if line.is_empty() {
        return "(empty body)".into();
    }
    if line.chars().count() > 160 {
        line = line.chars().take(157).collect::<String>() + "...";
    }
    line
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut s = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        s.push_str(": ");
        s.push_str(&e.to_string());
        source = e.source();
    }
    s
}

fn innermost(err: &dyn std::error::Error) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        last = e.to_string();
        source = e.source();
    }
    last
}

pub(crate) fn to_time(t: Option<&aws_sdk_cloudformation::primitives::DateTime>) -> SystemTime {
    t.and_then(|d| SystemTime::try_from(*d).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH + Duration::from_secs(0))
}

fn parameters(req: &StackRequest) -> Vec<Parameter> {
    req.parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

fn tags(req: &StackRequest) -> Vec<Tag> {
    req.tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn capabilities(req: &StackRequest) -> Vec<Capability> {
    req.capabilities
        .iter()
        .map(|c| Capability::from(c.as_str()))
        .collect()
}

fn template_body_or_url<B>(
    call: B,
    template: &TemplateSource,
    body: impl FnOnce(B, &str) -> B,
    url: impl FnOnce(B, &str) -> B,
) -> B {
    match template {
        TemplateSource::Body(b) => body(call, b),
        TemplateSource::Url(u) => url(call, u),
    }
}

#[async_trait]
impl CloudFormationApi for AwsCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        let found = retry(self.retry, || async {
            self.cfn
                .describe_stacks()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| self.err("DescribeStacks", e))
        })
        .await;
        let out = match found {
            Ok(o) => o,
            Err(e) if e.is_stack_missing() => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(s) = out.stacks().first() else {
            return Ok(None);
        };
        let status = s
            .stack_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        Ok(Some(StackInfo {
            stack_id: s.stack_id().unwrap_or_default().to_string(),
            stack_name: s.stack_name().unwrap_or_default().to_string(),
            status,
            status_reason: s.stack_status_reason().map(str::to_string),
            outputs: s
                .outputs()
                .iter()
                .filter_map(|o| {
                    Some((
                        o.output_key()?.to_string(),
                        o.output_value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
            parameters: s
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.parameter_key()?.to_string(),
                        p.parameter_value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
            tags: s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect(),
            termination_protection: s.enable_termination_protection().unwrap_or(false),
        }))
    }

    async fn get_template(&self, stack: &str) -> Result<Option<String>, ApiError> {
        let found = retry(self.retry, || async {
            self.cfn
                .get_template()
                .stack_name(stack)
                .template_stage(cfn::types::TemplateStage::Original)
                .send()
                .await
                .map_err(|e| self.err("GetTemplate", e))
        })
        .await;
        match found {
            Ok(o) => Ok(o.template_body().map(str::to_string)),
            Err(e) if e.is_stack_missing() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn create_stack(&self, req: &StackRequest) -> Result<String, ApiError> {
        let token = request_token();
        let out = retry(self.retry, || async {
            let mut call = self
                .cfn
                .create_stack()
                .stack_name(&req.stack_name)
                .client_request_token(&token)
                .set_parameters(Some(parameters(req)))
                .set_capabilities(Some(capabilities(req)))
                .set_tags(Some(tags(req)));
            call = template_body_or_url(
                call,
                &req.template,
                |c, b| c.template_body(b),
                |c, u| c.template_url(u),
            );
            call = if req.disable_rollback {
                call.disable_rollback(true)
            } else {
                call.on_failure(OnFailure::Rollback)
            };
            if req.termination_protection {
                call = call.enable_termination_protection(true);
            }
            call.send().await.map_err(|e| self.err("CreateStack", e))
        })
        .await?;
        Ok(out.stack_id().unwrap_or(&req.stack_name).to_string())
    }

    async fn update_stack(&self, req: &StackRequest) -> Result<(), ApiError> {
        let token = request_token();
        retry(self.retry, || async {
            let mut call = self
                .cfn
                .update_stack()
                .stack_name(&req.stack_name)
                .client_request_token(&token)
                .set_parameters(Some(parameters(req)))
                .set_capabilities(Some(capabilities(req)))
                .set_tags(Some(tags(req)));
            call = template_body_or_url(
                call,
                &req.template,
                |c, b| c.template_body(b),
                |c, u| c.template_url(u),
            );
            if req.disable_rollback {
                call = call.disable_rollback(true);
            }
            call.send().await.map_err(|e| self.err("UpdateStack", e))
        })
        .await?;
        Ok(())
    }

    async fn create_change_set(
        &self,
        req: &StackRequest,
        name: &str,
        kind: ChangeSetType,
    ) -> Result<String, ApiError> {
        let token = request_token();
        let out = retry(self.retry, || async {
            let mut call = self
                .cfn
                .create_change_set()
                .stack_name(&req.stack_name)
                .change_set_name(name)
                .client_token(&token)
                .change_set_type(match kind {
                    ChangeSetType::Create => cfn::types::ChangeSetType::Create,
                    ChangeSetType::Update => cfn::types::ChangeSetType::Update,
                })
                .set_parameters(Some(parameters(req)))
                .set_capabilities(Some(capabilities(req)))
                .set_tags(Some(tags(req)));
            call = template_body_or_url(
                call,
                &req.template,
                |c, b| c.template_body(b),
                |c, u| c.template_url(u),
            );
            call.send()
                .await
                .map_err(|e| self.err("CreateChangeSet", e))
        })
        .await?;
        Ok(out.id().unwrap_or(name).to_string())
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<ChangeSetInfo, ApiError> {
        let mut info = ChangeSetInfo::default();
        let mut token: Option<String> = None;
        loop {
            let page = retry(self.retry, || async {
                self.cfn
                    .describe_change_set()
                    .stack_name(stack)
                    .change_set_name(name)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| self.err("DescribeChangeSet", e))
            })
            .await?;
            info.status = page
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            info.status_reason = page.status_reason().map(str::to_string);
            for change in page.changes() {
                let Some(rc) = change.resource_change() else {
                    continue;
                };
                info.resource_changes.push(PlannedChange {
                    action: rc
                        .action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
                    resource_type: rc.resource_type().unwrap_or_default().to_string(),
                    replacement: rc.replacement().map(|r| r.as_str().to_string()),
                    causes: rc
                        .details()
                        .iter()
                        .filter_map(|d| {
                            let t = d.target()?;
                            let what = match (t.attribute().map(|a| a.as_str()), t.name()) {
                                (Some(a), Some(n)) => format!("{a}.{n}"),
                                (Some(a), None) => a.to_string(),
                                (None, Some(n)) => n.to_string(),
                                (None, None) => return None,
                            };
                            Some(match t.requires_recreation().map(|r| r.as_str()) {
                                Some(r) if r != "Never" => {
                                    format!("{what} (requires recreation: {r})")
                                }
                                _ => what,
                            })
                        })
                        .collect(),
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        info.changes = info.resource_changes.len();
        Ok(info)
    }

    async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        disable_rollback: bool,
    ) -> Result<(), ApiError> {
        let token = request_token();
        retry(self.retry, || async {
            let mut call = self
                .cfn
                .execute_change_set()
                .stack_name(stack)
                .change_set_name(name)
                .client_request_token(&token);
            if disable_rollback {
                call = call.disable_rollback(true);
            }
            call.send()
                .await
                .map_err(|e| self.err("ExecuteChangeSet", e))
        })
        .await?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), ApiError> {
        retry(self.retry, || async {
            self.cfn
                .delete_change_set()
                .stack_name(stack)
                .change_set_name(name)
                .send()
                .await
                .map_err(|e| self.err("DeleteChangeSet", e))
        })
        .await?;
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        let token = request_token();
        retry(self.retry, || async {
            self.cfn
                .delete_stack()
                .stack_name(stack)
                .client_request_token(&token)
                .send()
                .await
                .map_err(|e| self.err("DeleteStack", e))
        })
        .await?;
        Ok(())
    }

    async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let found = retry(self.retry, || async {
            self.cfn
                .describe_stack_events()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| self.err("DescribeStackEvents", e))
        })
        .await;
        let out = match found {
            Ok(o) => o,
            Err(e) if e.is_stack_missing() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(out
            .stack_events()
            .iter()
            .map(|e| StackEvent {
                event_id: e.event_id().unwrap_or_default().to_string(),
                stack_name: e.stack_name().unwrap_or_default().to_string(),
                logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                physical_id: e.physical_resource_id().map(str::to_string),
                resource_type: e.resource_type().unwrap_or_default().to_string(),
                status: e
                    .resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: e.resource_status_reason().map(str::to_string),
                timestamp: to_time(e.timestamp()),
            })
            .collect())
    }

    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = retry(self.retry, || async {
                self.cfn
                    .list_stack_resources()
                    .stack_name(stack)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| self.err("ListStackResources", e))
            })
            .await?;
            for r in page.stack_resource_summaries() {
                out.push(StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                    physical_id: r.physical_resource_id().map(str::to_string),
                    resource_type: r.resource_type().unwrap_or_default().to_string(),
                    status: r
                        .resource_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    async fn cancel_update_stack(&self, stack: &str) -> Result<(), ApiError> {
        let token = request_token();
        retry(self.retry, || async {
            self.cfn
                .cancel_update_stack()
                .stack_name(stack)
                .client_request_token(&token)
                .send()
                .await
                .map_err(|e| self.err("CancelUpdateStack", e))
        })
        .await?;
        Ok(())
    }

    async fn upload_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, ApiError> {
        retry(self.retry, || async {
            self.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type("application/json")
                .body(aws_sdk_s3::primitives::ByteStream::from(
                    body.as_bytes().to_vec(),
                ))
                .send()
                .await
                .map_err(|e| {
                    self.s3_endpoint
                        .fill(map_err(e).with_operation("PutObject"))
                })
        })
        .await?;
        Ok(format!(
            "https://s3.{}.amazonaws.com/{bucket}/{key}",
            self.region
        ))
    }

    async fn update_termination_protection(
        &self,
        stack: &str,
        enable: bool,
    ) -> Result<(), ApiError> {
        retry(self.retry, || async {
            self.cfn
                .update_termination_protection()
                .stack_name(stack)
                .enable_termination_protection(enable)
                .send()
                .await
                .map_err(|e| self.err("UpdateTerminationProtection", e))
        })
        .await?;
        Ok(())
    }

    async fn create_stack_refactor(
        &self,
        stacks: &[StackDefinition],
        moves: &[ResourceMove],
        create_stacks: bool,
        description: &str,
    ) -> Result<String, ApiError> {
        use cfn::types::{ResourceLocation, ResourceMapping};
        let definitions: Vec<cfn::types::StackDefinition> = stacks
            .iter()
            .map(|s| {
                let b = cfn::types::StackDefinition::builder().stack_name(&s.stack_name);
                match &s.template {
                    TemplateSource::Body(body) => b.template_body(body),
                    TemplateSource::Url(u) => b.template_url(u),
                }
                .build()
            })
            .collect();
        let mappings: Vec<ResourceMapping> = moves
            .iter()
            .map(|m| {
                ResourceMapping::builder()
                    .source(
                        ResourceLocation::builder()
                            .stack_name(&m.source_stack)
                            .logical_resource_id(&m.source_id)
                            .build(),
                    )
                    .destination(
                        ResourceLocation::builder()
                            .stack_name(&m.destination_stack)
                            .logical_resource_id(&m.destination_id)
                            .build(),
                    )
                    .build()
            })
            .collect();
        let out = retry(self.retry, || async {
            self.cfn
                .create_stack_refactor()
                .description(description)
                .enable_stack_creation(create_stacks)
                .set_stack_definitions(Some(definitions.clone()))
                .set_resource_mappings(Some(mappings.clone()))
                .send()
                .await
                .map_err(|e| self.err("CreateStackRefactor", e))
        })
        .await?;
        Ok(out.stack_refactor_id().unwrap_or_default().to_string())
    }

    async fn describe_stack_refactor(&self, id: &str) -> Result<RefactorInfo, ApiError> {
        let out = retry(self.retry, || async {
            self.cfn
                .describe_stack_refactor()
                .stack_refactor_id(id)
                .send()
                .await
                .map_err(|e| self.err("DescribeStackRefactor", e))
        })
        .await?;
        Ok(RefactorInfo {
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            status_reason: out.status_reason().map(str::to_string),
            execution_status: out
                .execution_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            execution_status_reason: out.execution_status_reason().map(str::to_string),
        })
    }

    async fn execute_stack_refactor(&self, id: &str) -> Result<(), ApiError> {
        retry(self.retry, || async {
            self.cfn
                .execute_stack_refactor()
                .stack_refactor_id(id)
                .send()
                .await
                .map_err(|e| self.err("ExecuteStackRefactor", e))
        })
        .await?;
        Ok(())
    }
}
