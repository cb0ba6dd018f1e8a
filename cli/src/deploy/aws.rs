//! [`CloudFormationApi`] over the AWS SDK for Rust (CloudFormation and S3).

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use cfn::types::{Capability, OnFailure, Parameter, Tag};

use super::api::{
    ApiError, ChangeSetInfo, ChangeSetType, CloudFormationApi, StackEvent, StackInfo, StackRequest,
    StackResource, TemplateSource,
};

/// The SDK-backed implementation.
#[derive(Debug, Clone)]
pub struct AwsCloudFormation {
    cfn: cfn::Client,
    s3: aws_sdk_s3::Client,
    region: String,
}

impl AwsCloudFormation {
    /// Clients from a loaded SDK configuration. S3 uses path-style addressing when a
    /// custom endpoint (`AWS_ENDPOINT_URL`) is set.
    pub fn new(config: &aws_config::SdkConfig) -> AwsCloudFormation {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        AwsCloudFormation {
            cfn: cfn::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
        }
    }
}

pub(crate) fn map_err<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), message) => ApiError::Service {
                    code: code.to_string(),
                    message: message.unwrap_or("").to_string(),
                },
                // An error the SDK could not classify: keep what the service sent.
                (None, _) => ApiError::Service {
                    code: "UnknownError".to_string(),
                    message: format!(
                        "{}",
                        aws_sdk_cloudformation::error::DisplayErrorContext(&err)
                    ),
                },
            }
        }
        SdkError::DispatchFailure(d) if d.is_user() => {
            let text = format!("{err:?}");
            if text.contains("credentials") || text.contains("Credentials") {
                ApiError::Credentials(text)
            } else {
                ApiError::Transport(error_chain(&err))
            }
        }
        _ => {
            let text = error_chain(&err);
            if text.contains("credentials") {
                ApiError::Credentials(text)
            } else {
                ApiError::Transport(text)
            }
        }
    }
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

#[async_trait]
impl CloudFormationApi for AwsCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        let out = match self.cfn.describe_stacks().stack_name(stack).send().await {
            Ok(o) => o,
            Err(e) => {
                let e = map_err(e);
                return if e.is_stack_missing() {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
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
        }))
    }

    async fn get_template(&self, stack: &str) -> Result<Option<String>, ApiError> {
        match self
            .cfn
            .get_template()
            .stack_name(stack)
            .template_stage(cfn::types::TemplateStage::Original)
            .send()
            .await
        {
            Ok(o) => Ok(o.template_body().map(str::to_string)),
            Err(e) => {
                let e = map_err(e);
                if e.is_stack_missing() {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn create_stack(&self, req: &StackRequest) -> Result<String, ApiError> {
        let mut call = self
            .cfn
            .create_stack()
            .stack_name(&req.stack_name)
            .set_parameters(Some(parameters(req)))
            .set_capabilities(Some(capabilities(req)))
            .set_tags(Some(tags(req)));
        call = match &req.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        call = if req.disable_rollback {
            call.disable_rollback(true)
        } else {
            call.on_failure(OnFailure::Rollback)
        };
        let out = call.send().await.map_err(map_err)?;
        Ok(out.stack_id().unwrap_or(&req.stack_name).to_string())
    }

    async fn update_stack(&self, req: &StackRequest) -> Result<(), ApiError> {
        let mut call = self
            .cfn
            .update_stack()
            .stack_name(&req.stack_name)
            .set_parameters(Some(parameters(req)))
            .set_capabilities(Some(capabilities(req)))
            .set_tags(Some(tags(req)));
        call = match &req.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        if req.disable_rollback {
            call = call.disable_rollback(true);
        }
        call.send().await.map_err(map_err)?;
        Ok(())
    }

    async fn create_change_set(
        &self,
        req: &StackRequest,
        name: &str,
        kind: ChangeSetType,
    ) -> Result<String, ApiError> {
        let mut call = self
            .cfn
            .create_change_set()
            .stack_name(&req.stack_name)
            .change_set_name(name)
            .change_set_type(match kind {
                ChangeSetType::Create => cfn::types::ChangeSetType::Create,
                ChangeSetType::Update => cfn::types::ChangeSetType::Update,
            })
            .set_parameters(Some(parameters(req)))
            .set_capabilities(Some(capabilities(req)))
            .set_tags(Some(tags(req)));
        call = match &req.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        let out = call.send().await.map_err(map_err)?;
        Ok(out.id().unwrap_or(name).to_string())
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<ChangeSetInfo, ApiError> {
        let out = self
            .cfn
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(map_err)?;
        Ok(ChangeSetInfo {
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            status_reason: out.status_reason().map(str::to_string),
            changes: out.changes().len(),
        })
    }

    async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        disable_rollback: bool,
    ) -> Result<(), ApiError> {
        let mut call = self
            .cfn
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(name);
        if disable_rollback {
            call = call.disable_rollback(true);
        }
        call.send().await.map_err(map_err)?;
        Ok(())
    }

    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), ApiError> {
        self.cfn
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.cfn
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let out = match self
            .cfn
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) => {
                let e = map_err(e);
                return if e.is_stack_missing() {
                    Ok(Vec::new())
                } else {
                    Err(e)
                };
            }
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
            let page = self
                .cfn
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(map_err)?;
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
        self.cfn
            .cancel_update_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn upload_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, ApiError> {
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
            .map_err(map_err)?;
        Ok(format!(
            "https://s3.{}.amazonaws.com/{bucket}/{key}",
            self.region
        ))
    }
}
