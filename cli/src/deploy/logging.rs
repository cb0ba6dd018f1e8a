//! A [`CloudFormationApi`] wrapper that prints every call (for `-v`).

use std::sync::Arc;

use async_trait::async_trait;

use super::api::{
    ApiError, ChangeSetInfo, ChangeSetType, CloudFormationApi, RefactorInfo, ResourceMove,
    StackDefinition, StackEvent, StackInfo, StackRequest, StackResource, TemplateSource,
};
use crate::output::Out;

/// Prints `api: Operation args -> result` lines to `out`, then delegates.
pub struct LoggingApi {
    inner: Arc<dyn CloudFormationApi>,
    out: Out,
}

impl LoggingApi {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn CloudFormationApi>, out: Out) -> LoggingApi {
        LoggingApi { inner, out }
    }

    fn log<T>(&self, call: &str, result: &Result<T, ApiError>, ok: impl FnOnce(&T) -> String) {
        match result {
            Ok(v) => self.out.line(&format!("api: {call} -> {}", ok(v))),
            Err(e) => {
                self.out.line(&format!("api: {call} -> error: {e}"));
                // The SDK's own rendering of the first attempt and of each retry.
                let all =
                    std::iter::once(e).chain(e.request().into_iter().flat_map(|r| &r.retries));
                for (i, err) in all.enumerate() {
                    if let Some(raw) = err.debug_text() {
                        let which = if i == 0 {
                            "the first attempt".to_string()
                        } else {
                            format!("retry {i}")
                        };
                        self.out
                            .line(&format!("api:   {which}, as the SDK reports it: {raw}"));
                    }
                }
            }
        }
    }
}

fn describe_request(req: &StackRequest) -> String {
    let template = match &req.template {
        TemplateSource::Body(b) => format!("body of {} bytes", b.len()),
        TemplateSource::Url(u) => u.clone(),
    };
    format!(
        "{} ({template}, capabilities {:?}, {} parameters)",
        req.stack_name,
        req.capabilities,
        req.parameters.len()
    )
}

#[async_trait]
impl CloudFormationApi for LoggingApi {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackInfo>, ApiError> {
        let r = self.inner.describe_stack(stack).await;
        self.log(&format!("DescribeStacks {stack}"), &r, |s| match s {
            Some(s) => s.status.clone(),
            None => "not found".into(),
        });
        r
    }
    async fn get_template(&self, stack: &str) -> Result<Option<String>, ApiError> {
        let r = self.inner.get_template(stack).await;
        self.log(&format!("GetTemplate {stack}"), &r, |t| match t {
            Some(b) => format!("{} bytes", b.len()),
            None => "not found".into(),
        });
        r
    }
    async fn create_stack(&self, req: &StackRequest) -> Result<String, ApiError> {
        let r = self.inner.create_stack(req).await;
        self.log(
            &format!("CreateStack {}", describe_request(req)),
            &r,
            |id| id.clone(),
        );
        r
    }
    async fn update_stack(&self, req: &StackRequest) -> Result<(), ApiError> {
        let r = self.inner.update_stack(req).await;
        self.log(
            &format!("UpdateStack {}", describe_request(req)),
            &r,
            |_| "ok".into(),
        );
        r
    }
    async fn create_change_set(
        &self,
        req: &StackRequest,
        name: &str,
        kind: ChangeSetType,
    ) -> Result<String, ApiError> {
        let r = self.inner.create_change_set(req, name, kind).await;
        self.log(
            &format!("CreateChangeSet {name} {kind:?} {}", describe_request(req)),
            &r,
            |id| id.clone(),
        );
        r
    }
    async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<ChangeSetInfo, ApiError> {
        let r = self.inner.describe_change_set(stack, name).await;
        self.log(&format!("DescribeChangeSet {stack} {name}"), &r, |c| {
            format!("{} ({} changes)", c.status, c.changes)
        });
        r
    }
    async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        disable_rollback: bool,
    ) -> Result<(), ApiError> {
        let r = self
            .inner
            .execute_change_set(stack, name, disable_rollback)
            .await;
        self.log(&format!("ExecuteChangeSet {stack} {name}"), &r, |_| {
            "ok".into()
        });
        r
    }
    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), ApiError> {
        let r = self.inner.delete_change_set(stack, name).await;
        self.log(&format!("DeleteChangeSet {stack} {name}"), &r, |_| {
            "ok".into()
        });
        r
    }
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        let r = self.inner.delete_stack(stack).await;
        self.log(&format!("DeleteStack {stack}"), &r, |_| "ok".into());
        r
    }
    async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, ApiError> {
        let r = self.inner.stack_events(stack).await;
        self.log(&format!("DescribeStackEvents {stack}"), &r, |e| {
            format!("{} events", e.len())
        });
        r
    }
    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let r = self.inner.stack_resources(stack).await;
        self.log(&format!("ListStackResources {stack}"), &r, |v| {
            format!("{} resources", v.len())
        });
        r
    }
    async fn cancel_update_stack(&self, stack: &str) -> Result<(), ApiError> {
        let r = self.inner.cancel_update_stack(stack).await;
        self.log(&format!("CancelUpdateStack {stack}"), &r, |_| "ok".into());
        r
    }
    async fn upload_template(
        &self,
        bucket: &str,
        key: &str,
        body: &str,
    ) -> Result<String, ApiError> {
        let r = self.inner.upload_template(bucket, key, body).await;
        self.log(&format!("PutObject s3://{bucket}/{key}"), &r, |u| u.clone());
        r
    }
    async fn update_termination_protection(
        &self,
        stack: &str,
        enable: bool,
    ) -> Result<(), ApiError> {
        let r = self
            .inner
            .update_termination_protection(stack, enable)
            .await;
        self.log(
            &format!("UpdateTerminationProtection {stack} enable={enable}"),
            &r,
            |_| "ok".into(),
        );
        r
    }
    async fn create_stack_refactor(
        &self,
        stacks: &[StackDefinition],
        moves: &[ResourceMove],
        create_stacks: bool,
        description: &str,
    ) -> Result<String, ApiError> {
        let r = self
            .inner
            .create_stack_refactor(stacks, moves, create_stacks, description)
            .await;
        let names: Vec<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
        self.log(
            &format!(
                "CreateStackRefactor stacks={names:?} moves={} create_stacks={create_stacks}",
                moves.len()
            ),
            &r,
            |id| id.clone(),
        );
        r
    }
    async fn describe_stack_refactor(&self, id: &str) -> Result<RefactorInfo, ApiError> {
        let r = self.inner.describe_stack_refactor(id).await;
        self.log(&format!("DescribeStackRefactor {id}"), &r, |i| {
            format!("{} / {}", i.status, i.execution_status)
        });
        r
    }
    async fn execute_stack_refactor(&self, id: &str) -> Result<(), ApiError> {
        let r = self.inner.execute_stack_refactor(id).await;
        self.log(&format!("ExecuteStackRefactor {id}"), &r, |_| "ok".into());
        r
    }
}
