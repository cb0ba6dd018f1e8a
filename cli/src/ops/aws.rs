//! [`OpsApi`] over the AWS SDK for Rust: ECS, CloudWatch Logs, Elastic Load Balancing,
//! CloudWatch alarms, CloudFormation (drift, exports), SSM Parameter Store and Secrets
//! Manager.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_ecs as ecs;
use ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, ContainerOverride,
    DesiredStatus, KeyValuePair, LaunchType, NetworkConfiguration, TaskOverride,
};

use super::api::{
    Alarm, ContainerDef, Drift, ExecSession, LiveTail, LogConfig, LogEvent, LogPage, LogQuery,
    NetworkConfig, OpsApi, RunTaskRequest, RunTaskResult, ServiceDetails, TargetHealth,
    TaskContainer, TaskDefinitionInfo, TaskInfo,
};
use crate::deploy::api::ApiError;
use crate::deploy::aws::{map_err, to_time};

/// The SDK-backed implementation.
#[derive(Debug, Clone)]
pub struct AwsOps {
    ecs: ecs::Client,
    logs: logs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    cfn: aws_sdk_cloudformation::Client,
    ssm: aws_sdk_ssm::Client,
    secrets: aws_sdk_secretsmanager::Client,
    region: String,
    /// A custom endpoint (`AWS_ENDPOINT_URL`) is configured.
    custom_endpoint: bool,
}

impl AwsOps {
    /// Clients from a loaded SDK configuration.
    pub fn new(config: &aws_config::SdkConfig) -> AwsOps {
        AwsOps {
            ecs: ecs::Client::new(config),
            logs: logs::Client::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            cfn: aws_sdk_cloudformation::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
            secrets: aws_sdk_secretsmanager::Client::new(config),
            region: config
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".into()),
            custom_endpoint: config.endpoint_url().is_some(),
        }
    }
}

fn task_of(t: &ecs::types::Task) -> TaskInfo {
    TaskInfo {
        arn: t.task_arn().unwrap_or_default().to_string(),
        task_definition: t.task_definition_arn().unwrap_or_default().to_string(),
        last_status: t.last_status().unwrap_or_default().to_string(),
        desired_status: t.desired_status().unwrap_or_default().to_string(),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        started_at: t.started_at().map(|d| to_time(Some(d))),
        stopped_at: t.stopped_at().map(|d| to_time(Some(d))),
        enable_execute_command: t.enable_execute_command(),
        containers: t
            .containers()
            .iter()
            .map(|c| TaskContainer {
                name: c.name().unwrap_or_default().to_string(),
                runtime_id: c.runtime_id().map(str::to_string),
                last_status: c.last_status().map(str::to_string),
                exit_code: c.exit_code(),
                reason: c.reason().map(str::to_string),
                exec_agent: c
                    .managed_agents()
                    .iter()
                    .find(|a| a.name().map(|n| n.as_str()) == Some("ExecuteCommandAgent"))
                    .and_then(|a| a.last_status().map(str::to_string)),
            })
            .collect(),
    }
}

fn bad_request(e: impl std::fmt::Display) -> ApiError {
    ApiError::service("InvalidParameterException", &e.to_string())
}

/// The live tail event stream.
struct SdkLiveTail {
    out: logs::operation::start_live_tail::StartLiveTailOutput,
}

#[async_trait]
impl LiveTail for SdkLiveTail {
    async fn next(&mut self) -> Result<Option<Vec<LogEvent>>, ApiError> {
        use logs::types::StartLiveTailResponseStream as S;
        match self.out.response_stream.recv().await.map_err(map_err)? {
            None => Ok(None),
            Some(S::SessionUpdate(update)) => Ok(Some(
                update
                    .session_results()
                    .iter()
                    .map(|e| LogEvent {
                        timestamp: e.timestamp().unwrap_or(0),
                        message: e.message().unwrap_or_default().to_string(),
                        group: e
                            .log_group_identifier()
                            .unwrap_or_default()
                            .rsplit(":log-group:")
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                        stream: e.log_stream_name().unwrap_or_default().to_string(),
                        id: None,
                    })
                    .collect(),
            )),
            Some(_) => Ok(Some(Vec::new())),
        }
    }
}

#[async_trait]
impl OpsApi for AwsOps {
    fn region(&self) -> String {
        self.region.clone()
    }

    async fn service_details(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ServiceDetails>, ApiError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .map_err(map_err)?;
        let Some(s) = out.services().first() else {
            return Ok(None);
        };
        let network = s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|a| NetworkConfig {
                subnets: a.subnets().to_vec(),
                security_groups: a.security_groups().to_vec(),
                assign_public_ip: a.assign_public_ip() == Some(&AssignPublicIp::Enabled),
            });
        Ok(Some(ServiceDetails {
            state: crate::deploy::aws_containers::service_state(s),
            cluster_arn: s.cluster_arn().unwrap_or_default().to_string(),
            launch_type: s.launch_type().map(|l| l.as_str().to_string()),
            capacity_providers: s
                .capacity_provider_strategy()
                .iter()
                .map(|c| (c.capacity_provider().to_string(), c.weight(), c.base()))
                .collect(),
            network,
            enable_execute_command: s.enable_execute_command(),
            target_groups: s
                .load_balancers()
                .iter()
                .filter_map(|l| l.target_group_arn().map(str::to_string))
                .collect(),
            events: s
                .events()
                .iter()
                .map(|e| {
                    (
                        to_time(e.created_at()),
                        e.message().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        }))
    }

    async fn task_definition(&self, arn: &str) -> Result<TaskDefinitionInfo, ApiError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(map_err)?;
        let td = out.task_definition().ok_or_else(|| {
            ApiError::service(
                "ClientException",
                &format!("task definition {arn} not found"),
            )
        })?;
        Ok(TaskDefinitionInfo {
            arn: td.task_definition_arn().unwrap_or(arn).to_string(),
            family: td.family().unwrap_or_default().to_string(),
            revision: td.revision(),
            network_mode: td.network_mode().map(|m| m.as_str().to_string()),
            task_role_arn: td.task_role_arn().map(str::to_string),
            containers: td
                .container_definitions()
                .iter()
                .map(|c| ContainerDef {
                    name: c.name().unwrap_or_default().to_string(),
                    image: c.image().unwrap_or_default().to_string(),
                    essential: c.essential().unwrap_or(true),
                    log: c.log_configuration().map(|l| LogConfig {
                        driver: l.log_driver().as_str().to_string(),
                        options: l
                            .options()
                            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                            .unwrap_or_default(),
                    }),
                })
                .collect(),
        })
    }

    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        family: Option<&str>,
        stopped: bool,
    ) -> Result<Vec<String>, ApiError> {
        let out = self
            .ecs
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_string))
            .set_family(family.map(str::to_string))
            .desired_status(if stopped {
                DesiredStatus::Stopped
            } else {
                DesiredStatus::Running
            })
            .send()
            .await
            .map_err(map_err)?;
        Ok(out.task_arns().to_vec())
    }

    async fn describe_tasks(
        &self,
        cluster: &str,
        tasks: &[String],
    ) -> Result<Vec<TaskInfo>, ApiError> {
        let mut all = Vec::new();
        for chunk in tasks.chunks(100) {
            let out = self
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(map_err)?;
            all.extend(out.tasks().iter().map(task_of));
        }
        Ok(all)
    }

    async fn run_task(&self, r: &RunTaskRequest) -> Result<RunTaskResult, ApiError> {
        let mut call = self
            .ecs
            .run_task()
            .cluster(&r.cluster)
            .task_definition(&r.task_definition)
            .count(r.count)
            .started_by(&r.started_by)
            .enable_execute_command(r.enable_execute_command);
        if let Some(l) = &r.launch_type {
            call = call.launch_type(LaunchType::from(l.as_str()));
        }
        for (provider, weight, base) in &r.capacity_providers {
            call = call.capacity_provider_strategy(
                CapacityProviderStrategyItem::builder()
                    .capacity_provider(provider)
                    .weight(*weight)
                    .base(*base)
                    .build()
                    .map_err(bad_request)?,
            );
        }
        if let Some(n) = &r.network {
            let vpc = AwsVpcConfiguration::builder()
                .set_subnets(Some(n.subnets.clone()))
                .set_security_groups(
                    (!n.security_groups.is_empty()).then(|| n.security_groups.clone()),
                )
                .assign_public_ip(if n.assign_public_ip {
                    AssignPublicIp::Enabled
                } else {
                    AssignPublicIp::Disabled
                })
                .build()
                .map_err(bad_request)?;
            call = call.network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build(),
            );
        }
        if !r.overrides.is_empty() {
            let mut o = TaskOverride::builder();
            for c in &r.overrides {
                o = o.container_overrides(
                    ContainerOverride::builder()
                        .name(&c.name)
                        .set_command(c.command.clone())
                        .set_environment((!c.environment.is_empty()).then(|| {
                            c.environment
                                .iter()
                                .map(|(k, v)| KeyValuePair::builder().name(k).value(v).build())
                                .collect()
                        }))
                        .build(),
                );
            }
            call = call.overrides(o.build());
        }
        let out = call.send().await.map_err(map_err)?;
        Ok(RunTaskResult {
            tasks: out.tasks().iter().map(task_of).collect(),
            failures: out
                .failures()
                .iter()
                .map(|f| {
                    let mut s = f.reason().unwrap_or("failed").to_string();
                    if let Some(d) = f.detail() {
                        s.push_str(&format!(" ({d})"));
                    }
                    if let Some(a) = f.arn() {
                        s = format!("{a}: {s}");
                    }
                    s
                })
                .collect(),
        })
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> Result<ExecSession, ApiError> {
        let out = self
            .ecs
            .execute_command()
            .cluster(cluster)
            .task(task)
            .container(container)
            .command(command)
            .interactive(true)
            .send()
            .await
            .map_err(map_err)?;
        let s = out.session().ok_or_else(|| {
            ApiError::service("ServerException", "ExecuteCommand returned no session")
        })?;
        Ok(ExecSession {
            session_id: s.session_id().unwrap_or_default().to_string(),
            stream_url: s.stream_url().unwrap_or_default().to_string(),
            token_value: s.token_value().unwrap_or_default().to_string(),
        })
    }

    async fn target_health(&self, target_group: &str) -> Result<Vec<TargetHealth>, ApiError> {
        let out = self
            .elb
            .describe_target_health()
            .target_group_arn(target_group)
            .send()
            .await
            .map_err(map_err)?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let target = d
                    .target()
                    .map(|t| match t.port() {
                        Some(p) => format!("{}:{p}", t.id().unwrap_or_default()),
                        None => t.id().unwrap_or_default().to_string(),
                    })
                    .unwrap_or_default();
                let h = d.target_health();
                TargetHealth {
                    target,
                    state: h
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_else(|| "unknown".into()),
                    reason: h.and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                    description: h.and_then(|h| h.description()).map(str::to_string),
                }
            })
            .collect())
    }

    async fn alarms(&self, names: &[String]) -> Result<Vec<Alarm>, ApiError> {
        let mut all = Vec::new();
        for chunk in names.chunks(100) {
            let out = self
                .cloudwatch
                .describe_alarms()
                .set_alarm_names(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(map_err)?;
            macro_rules! collect {
                ($alarms:expr) => {
                    for a in $alarms {
                        all.push(Alarm {
                            name: a.alarm_name().unwrap_or_default().to_string(),
                            state: a
                                .state_value()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                            reason: a.state_reason().map(str::to_string),
                        });
                    }
                };
            }
            collect!(out.metric_alarms());
            collect!(out.composite_alarms());
        }
        Ok(all)
    }

    async fn stack_drift(&self, stack: &str) -> Result<Option<Drift>, ApiError> {
        match self.cfn.describe_stacks().stack_name(stack).send().await {
            Ok(out) => Ok(out.stacks().first().map(|s| {
                let d = s.drift_information();
                Drift {
                    status: d
                        .and_then(|d| d.stack_drift_status().map(|x| x.as_str().to_string()))
                        .unwrap_or_else(|| "NOT_CHECKED".into()),
                    checked_at: d
                        .and_then(|d| d.last_check_timestamp())
                        .map(|t| to_time(Some(t))),
                }
            })),
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

    async fn exports(&self) -> Result<BTreeMap<String, String>, ApiError> {
        let mut out = BTreeMap::new();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            let page = self
                .cfn
                .list_exports()
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(map_err)?;
            for e in page.exports() {
                if let (Some(n), Some(v)) = (e.name(), e.value()) {
                    out.insert(n.to_string(), v.to_string());
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn filter_log_events(&self, q: &LogQuery) -> Result<LogPage, ApiError> {
        let out = self
            .logs
            .filter_log_events()
            .log_group_name(&q.group)
            .set_log_stream_names((!q.streams.is_empty()).then(|| q.streams.clone()))
            .set_log_stream_name_prefix(q.stream_prefix.clone())
            .set_start_time(q.start)
            .set_end_time(q.end)
            .set_filter_pattern(q.pattern.clone())
            .set_next_token(q.next_token.clone())
            .send()
            .await
            .map_err(map_err)?;
        Ok(LogPage {
            events: out
                .events()
                .iter()
                .map(|e| LogEvent {
                    timestamp: e.timestamp().unwrap_or(0),
                    message: e.message().unwrap_or_default().to_string(),
                    group: q.group.clone(),
                    stream: e.log_stream_name().unwrap_or_default().to_string(),
                    id: e.event_id().map(str::to_string),
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn last_log_events(
        &self,
        group: &str,
        stream: &str,
        limit: i32,
    ) -> Result<Vec<LogEvent>, ApiError> {
        let out = self
            .logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(false)
            .limit(limit)
            .send()
            .await
            .map_err(map_err)?;
        Ok(out
            .events()
            .iter()
            .map(|e| LogEvent {
                timestamp: e.timestamp().unwrap_or(0),
                message: e.message().unwrap_or_default().to_string(),
                group: group.to_string(),
                stream: stream.to_string(),
                id: None,
            })
            .collect())
    }

    async fn live_tail(
        &self,
        groups: &[String],
        prefixes: &[String],
        pattern: Option<&str>,
    ) -> Result<Box<dyn LiveTail>, ApiError> {
        if self.custom_endpoint {
            // The SDK prefixes StartLiveTail's host name (`stream-HOST`), which a custom
            // endpoint (an address, moto) does not serve: never send it elsewhere.
            return Err(ApiError::service(
                "LiveTailUnavailable",
                "not with a custom endpoint (AWS_ENDPOINT_URL)",
            ));
        }
        let out = self
            .logs
            .start_live_tail()
            .set_log_group_identifiers(Some(groups.to_vec()))
            .set_log_stream_name_prefixes((!prefixes.is_empty()).then(|| prefixes.to_vec()))
            .set_log_event_filter_pattern(pattern.map(str::to_string))
            .send()
            .await
            .map_err(map_err)?;
        Ok(Box::new(SdkLiveTail { out }))
    }

    async fn parameter(&self, name: &str) -> Result<String, ApiError> {
        let out = self
            .ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(map_err)?;
        Ok(out
            .parameter()
            .and_then(|p| p.value())
            .unwrap_or_default()
            .to_string())
    }

    async fn secret(&self, id: &str) -> Result<String, ApiError> {
        let out = self
            .secrets
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(map_err)?;
        Ok(out.secret_string().unwrap_or_default().to_string())
    }
}
