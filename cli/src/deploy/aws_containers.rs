//! [`ContainerApi`] over the AWS SDK for Rust (ECR and ECS).

use async_trait::async_trait;
use aws_sdk_ecr as ecr;
use aws_sdk_ecs as ecs;
use base64::Engine as _;
use ecs::types::{ContainerDefinition, DesiredStatus, KeyValuePair, TaskDefinitionField};

use super::api::ApiError;
use super::aws::{map_err, to_time};
use super::containers::{
    ContainerApi, ContainerPatch, DeploymentState, HookAnswer, HookState, MonitorState,
    RegistryLogin, RevisionState, ServiceDeploymentState, ServiceState, ServiceUpdate, StopKind,
    StoppedTask, TaskDefinitionPatch,
};

/// The SDK-backed implementation.
#[derive(Debug, Clone)]
pub struct AwsContainers {
    ecr: ecr::Client,
    ecs: ecs::Client,
    /// For the log tails of failure diagnosis.
    ops: crate::ops::aws::AwsOps,
}

impl AwsContainers {
    /// Clients from a loaded SDK configuration.
    pub fn new(config: &aws_config::SdkConfig) -> AwsContainers {
        AwsContainers {
            ecr: ecr::Client::new(config),
            ecs: ecs::Client::new(config),
            ops: crate::ops::aws::AwsOps::new(config),
        }
    }
}

fn patch_container(mut c: ContainerDefinition, patch: &ContainerPatch) -> ContainerDefinition {
    if let Some(image) = &patch.image {
        c.image = Some(image.clone());
    }
    if let Some(env) = &patch.environment {
        c.environment = Some(
            env.iter()
                .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
                .collect(),
        );
    }
    if let Some(command) = &patch.command {
        c.command = (!command.is_empty()).then(|| command.clone());
    }
    if let Some(cpu) = patch.cpu {
        c.cpu = cpu.unwrap_or(0);
    }
    if let Some(memory) = patch.memory {
        c.memory = memory;
    }
    c
}

/// A service as `DescribeServices` returns it, in berth's terms.
pub(crate) fn service_state(s: &ecs::types::Service) -> ServiceState {
    ServiceState {
        arn: s.service_arn().unwrap_or_default().to_string(),
        name: s.service_name().unwrap_or_default().to_string(),
        status: s.status().unwrap_or_default().to_string(),
        task_definition: s.task_definition().unwrap_or_default().to_string(),
        desired: s.desired_count(),
        running: s.running_count(),
        deployments: s
            .deployments()
            .iter()
            .map(|d| DeploymentState {
                id: d.id().unwrap_or_default().to_string(),
                status: d.status().unwrap_or_default().to_string(),
                task_definition: d.task_definition().unwrap_or_default().to_string(),
                desired: d.desired_count(),
                pending: d.pending_count(),
                running: d.running_count(),
                failed: d.failed_tasks(),
                rollout_state: d.rollout_state().map(|r| r.as_str().to_string()),
                rollout_reason: d.rollout_state_reason().map(str::to_string),
            })
            .collect(),
        current_service_deployment: s.current_service_deployment().map(str::to_string),
    }
}

fn revision(r: &ecs::types::ServiceRevisionSummary) -> RevisionState {
    RevisionState {
        arn: r.arn().unwrap_or_default().to_string(),
        requested: r.requested_task_count(),
        running: r.running_task_count(),
        pending: r.pending_task_count(),
        production_weight: r.requested_production_traffic_weight(),
        test_weight: r.requested_test_traffic_weight(),
    }
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<std::time::SystemTime> {
    t.and_then(|d| std::time::SystemTime::try_from(*d).ok())
}

/// A service deployment as `DescribeServiceDeployments` returns it, in berth's terms.
pub(crate) fn service_deployment(d: &ecs::types::ServiceDeployment) -> ServiceDeploymentState {
    let config = d.deployment_configuration();
    ServiceDeploymentState {
        arn: d.service_deployment_arn().unwrap_or_default().to_string(),
        status: d
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        status_reason: d.status_reason().map(str::to_string),
        strategy: config
            .and_then(|c| c.strategy())
            .map(|s| s.as_str().to_string()),
        stage: d.lifecycle_stage().map(|s| s.as_str().to_string()),
        bake_time_minutes: config.and_then(|c| c.bake_time_in_minutes()),
        target: d.target_service_revision().map(revision),
        sources: d.source_service_revisions().iter().map(revision).collect(),
        hooks: d
            .lifecycle_hook_details()
            .iter()
            .map(|h| HookState {
                hook_id: h.hook_id().unwrap_or_default().to_string(),
                target_type: h
                    .target_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                target_arn: h.target_arn().map(str::to_string),
                status: h
                    .status()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                expires_at: time(h.expires_at()),
                timeout_action: h.timeout_action().map(|a| a.as_str().to_string()),
            })
            .collect(),
        alarms: d.alarms().map(|a| MonitorState {
            status: a
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            alarm_names: a.alarm_names().to_vec(),
            triggered: a.triggered_alarm_names().to_vec(),
            ..Default::default()
        }),
        circuit_breaker: d.deployment_circuit_breaker().map(|c| MonitorState {
            status: c
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            failure_count: c.failure_count(),
            threshold: c.threshold(),
            ..Default::default()
        }),
        rollback_reason: d.rollback().and_then(|r| r.reason()).map(str::to_string),
    }
}

#[async_trait]
impl ContainerApi for AwsContainers {
    async fn repository_uri(&self, repository: &str) -> Result<Option<String>, ApiError> {
        match self
            .ecr
            .describe_repositories()
            .repository_names(repository)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .repositories()
                .first()
                .and_then(|r| r.repository_uri().map(str::to_string))),
            Err(e) => {
                let e = map_err(e).with_operation("DescribeRepositories");
                match &e {
                    ApiError::Service { code, .. } if code == "RepositoryNotFoundException" => {
                        Ok(None)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    async fn image_exists(&self, repository: &str, tag: &str) -> Result<bool, ApiError> {
        let id = ecr::types::ImageIdentifier::builder()
            .image_tag(tag)
            .build();
        match self
            .ecr
            .describe_images()
            .repository_name(repository)
            .image_ids(id)
            .send()
            .await
        {
            Ok(out) => Ok(!out.image_details().is_empty()),
            Err(e) => {
                let e = map_err(e).with_operation("DescribeImages");
                match &e {
                    ApiError::Service { code, .. } if code == "ImageNotFoundException" => Ok(false),
                    _ => Err(e),
                }
            }
        }
    }

    async fn registry_login(&self) -> Result<RegistryLogin, ApiError> {
        let out = self
            .ecr
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("GetAuthorizationToken"))?;
        let data = out.authorization_data().first().ok_or_else(|| {
            ApiError::service("NoAuthorizationData", "ECR returned no authorization data")
        })?;
        let token = data.authorization_token().unwrap_or_default();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                ApiError::service("BadAuthorizationToken", "the ECR token is not base64 text")
            })?;
        let (username, password) = decoded.split_once(':').ok_or_else(|| {
            ApiError::service(
                "BadAuthorizationToken",
                "the ECR token is not `user:password`",
            )
        })?;
        Ok(RegistryLogin {
            username: username.to_string(),
            password: password.to_string(),
            endpoint: data.proxy_endpoint().unwrap_or_default().to_string(),
        })
    }

    async fn register_revision(
        &self,
        current: &str,
        patch: &TaskDefinitionPatch,
    ) -> Result<String, ApiError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(current)
            .include(TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("DescribeTaskDefinition"))?;
        let td = out.task_definition().cloned().ok_or_else(|| {
            ApiError::service(
                "ClientException",
                &format!("task definition {current} not found"),
            )
        })?;
        let mut containers = td.container_definitions.clone().unwrap_or_default();
        for (name, p) in &patch.containers {
            let Some(i) = containers.iter().position(|c| c.name() == Some(name)) else {
                return Err(ApiError::service(
                    "ClientException",
                    &format!("task definition {current} has no container named {name}"),
                ));
            };
            containers[i] = patch_container(containers[i].clone(), p);
        }
        let tags = out.tags().to_vec();
        let new = self
            .ecs
            .register_task_definition()
            .set_family(td.family.clone())
            .set_task_role_arn(td.task_role_arn.clone())
            .set_execution_role_arn(td.execution_role_arn.clone())
            .set_network_mode(td.network_mode.clone())
            .set_container_definitions(Some(containers))
            .set_volumes(td.volumes.clone())
            .set_placement_constraints(td.placement_constraints.clone())
            .set_requires_compatibilities(td.requires_compatibilities.clone())
            .set_cpu(patch.cpu.clone().or(td.cpu.clone()))
            .set_memory(patch.memory.clone().or(td.memory.clone()))
            .set_tags((!tags.is_empty()).then_some(tags))
            .set_pid_mode(td.pid_mode.clone())
            .set_ipc_mode(td.ipc_mode.clone())
            .set_proxy_configuration(td.proxy_configuration.clone())
            .set_ephemeral_storage(td.ephemeral_storage.clone())
            .set_runtime_platform(td.runtime_platform.clone())
            .set_enable_fault_injection(td.enable_fault_injection)
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("RegisterTaskDefinition"))?;
        new.task_definition()
            .and_then(|t| t.task_definition_arn())
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::service("ClientException", "RegisterTaskDefinition returned no ARN")
            })
    }

    async fn update_service(&self, update: &ServiceUpdate) -> Result<(), ApiError> {
        self.ecs
            .update_service()
            .cluster(&update.cluster)
            .service(&update.service)
            .set_task_definition(update.task_definition.clone())
            .set_desired_count(update.desired_count)
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("UpdateService"))?;
        Ok(())
    }

    async fn describe_service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceState>, ApiError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("DescribeServices"))?;
        let Some(s) = out.services().first() else {
            return Ok(None);
        };
        Ok(Some(service_state(s)))
    }

    async fn describe_service_deployment(
        &self,
        arn: &str,
    ) -> Result<Option<ServiceDeploymentState>, ApiError> {
        let out = self
            .ecs
            .describe_service_deployments()
            .service_deployment_arns(arn)
            .send()
            .await
            .map_err(map_err)?;
        Ok(out.service_deployments().first().map(service_deployment))
    }

    async fn continue_service_deployment(
        &self,
        arn: &str,
        hook_id: &str,
        answer: HookAnswer,
    ) -> Result<(), ApiError> {
        let action = match answer {
            HookAnswer::Continue => ecs::types::DeploymentLifecycleHookAction::Continue,
            HookAnswer::Rollback => ecs::types::DeploymentLifecycleHookAction::Rollback,
        };
        self.ecs
            .continue_service_deployment()
            .service_deployment_arn(arn)
            .hook_id(hook_id)
            .action(action)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn stop_service_deployment(&self, arn: &str, kind: StopKind) -> Result<(), ApiError> {
        let stop = match kind {
            StopKind::Rollback => ecs::types::StopServiceDeploymentStopType::Rollback,
            StopKind::Abort => ecs::types::StopServiceDeploymentStopType::Abort,
        };
        self.ecs
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(stop)
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn container_log_tail(
        &self,
        task: &StoppedTask,
        container: &str,
        lines: i32,
    ) -> Result<Option<Vec<String>>, ApiError> {
        use crate::ops::api::OpsApi as _;
        let td = self.ops.task_definition(&task.task_definition).await?;
        crate::ops::logs::tail_of(&self.ops, &td, container, task.short_id(), lines).await
    }

    async fn stopped_tasks(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<StoppedTask>, ApiError> {
        let list = self
            .ecs
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(DesiredStatus::Stopped)
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("ListTasks"))?;
        let arns = list.task_arns().to_vec();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let out = self
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(arns))
            .send()
            .await
            .map_err(|e| map_err(e).with_operation("DescribeTasks"))?;
        Ok(out
            .tasks()
            .iter()
            .map(|t| StoppedTask {
                arn: t.task_arn().unwrap_or_default().to_string(),
                task_definition: t.task_definition_arn().unwrap_or_default().to_string(),
                stop_code: t.stop_code().map(|c| c.as_str().to_string()),
                stopped_reason: t.stopped_reason().map(str::to_string),
                containers: t
                    .containers()
                    .iter()
                    .map(|c| {
                        (
                            c.name().unwrap_or_default().to_string(),
                            c.exit_code(),
                            c.reason().map(str::to_string),
                        )
                    })
                    .collect(),
                stopped_at: t.stopped_at().map(|d| to_time(Some(d))),
            })
            .collect())
    }
}
