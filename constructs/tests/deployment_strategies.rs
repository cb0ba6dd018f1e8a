//! Deployment strategies (rolling, blue/green, linear, canary), lifecycle hooks (Lambda,
//! `PAUSE`), deployment alarms and the alternate targets the load-balanced patterns
//! create, as they land in the template: on `FargateService`, `Ec2Service` (through its
//! ALB pattern), the ALB, NLB and queue patterns. The load-balanced templates also pass
//! cfn-lint with zero errors and warnings (see `support`). Bad input is in
//! `bad_input.rs` (snapshotted errors).

mod support;

use berth_assertions::Template;
use berth_constructs::ec2::{Vpc, VpcProps};
use berth_constructs::ecs::{
    AddCapacityOptions, AlarmBehavior, Cluster, ClusterProps, ContainerDefinitionOptions,
    ContainerImage, DeploymentAlarms, DeploymentStrategy, FargateService, FargateServiceProps,
    FargateTaskDefinition, FargateTaskDefinitionProps, HookTimeoutAction, LifecycleHook,
    LifecycleStage,
};
use berth_constructs::patterns::{
    ApplicationLoadBalancedEc2Service, ApplicationLoadBalancedEc2ServiceProps,
    ApplicationLoadBalancedFargateService, ApplicationLoadBalancedFargateServiceProps,
    DefaultAlarmsProps, NetworkLoadBalancedFargateService, NetworkLoadBalancedFargateServiceProps,
    QueueProcessingFargateService, QueueProcessingFargateServiceProps,
};
use berth_constructs::{App, Stack, StackProps};
use berth_synth::logical_id::make_unique_id;
use serde_json::{json, Value};

const HOOK_FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";

fn nginx() -> ContainerImage {
    ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest")
}

fn id(path: &[&str]) -> String {
    make_unique_id(path).unwrap()
}

fn json_of(mut app: App) -> Value {
    let out = app.synth().unwrap_or_else(|e| panic!("synth failed: {e}"));
    out.stacks[0].template.clone()
}

fn template(app: App) -> Template {
    Template::from_json(json_of(app)).unwrap()
}

/// The only `AWS::ECS::Service`'s properties.
fn service_props(t: &Value) -> Value {
    let services: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::ECS::Service")
        .collect();
    assert_eq!(services.len(), 1, "{t:#}");
    services[0]["Properties"].clone()
}

fn stack_and_cluster(app: &mut App) -> (Stack, Cluster) {
    let s = Stack::new(app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        app,
        s,
        "Vpc",
        VpcProps::default()
            .max_azs(2)
            .nat_gateways(1)
            .availability_zones(["us-east-1a", "us-east-1b"]),
    )
    .unwrap();
    let cluster = Cluster::new(app, s, "Cluster", ClusterProps::default().vpc(vpc)).unwrap();
    (s, cluster)
}

/// A Fargate service `Web/Service` without a load balancer, deploying with `props`.
fn plain_service(configure: impl FnOnce(FargateServiceProps) -> FargateServiceProps) -> App {
    let mut app = App::new();
    let (s, cluster) = stack_and_cluster(&mut app);
    let task = FargateTaskDefinition::new(
        &mut app,
        s,
        "TaskDef",
        FargateTaskDefinitionProps::default(),
    )
    .unwrap();
    task.add_container(&mut app, "worker", ContainerDefinitionOptions::new(nginx()))
        .unwrap();
    FargateService::new(
        &mut app,
        s,
        "Service",
        configure(FargateServiceProps::new(cluster, task)),
    )
    .unwrap();
    app
}

#[test]
fn rolling_is_the_default_with_ecs_limits_circuit_breaker_and_managed_tags_written_out() {
    let t = json_of(plain_service(|p| p));
    let p = service_props(&t);
    assert_eq!(
        p["DeploymentConfiguration"],
        json!({
            "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true},
            "MaximumPercent": 200,
            "MinimumHealthyPercent": 100,
            "Strategy": "ROLLING"
        })
    );
    assert_eq!(p["DeploymentController"], json!({"Type": "ECS"}));
    assert_eq!(p["EnableECSManagedTags"], json!(false));
}

#[test]
fn blue_green_without_a_load_balancer_with_bake_time_and_a_pause_hook() {
    let gate = LifecycleHook::pause([LifecycleStage::PostScaleUp])
        .timeout_minutes(30)
        .on_timeout(HookTimeoutAction::Continue);
    let t = json_of(plain_service(|p| {
        p.deployment_strategy(DeploymentStrategy::blue_green().bake_time_minutes(20))
            .lifecycle_hooks([gate])
            .circuit_breaker(None)
    }));
    let p = service_props(&t);
    assert_eq!(
        p["DeploymentConfiguration"],
        json!({
            "BakeTimeInMinutes": 20,
            "LifecycleHooks": [{
                "LifecycleStages": ["POST_SCALE_UP"],
                "TargetType": "PAUSE",
                "TimeoutConfiguration": {"Action": "CONTINUE", "TimeoutInMinutes": 30}
            }],
            "MaximumPercent": 200,
            "MinimumHealthyPercent": 100,
            "Strategy": "BLUE_GREEN"
        })
    );
    // No circuit breaker, no controller given: ECS's default controller, not rendered.
    assert!(p.get("DeploymentController").is_none(), "{p:#}");
    // Blue/green without a load balancer needs no alternate target nor infrastructure role.
    assert!(p.get("LoadBalancers").is_none(), "{p:#}");
    let roles = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .count();
    assert_eq!(roles, 0, "no infrastructure role: {t:#}");
}

#[test]
fn given_deployment_alarms_fail_without_rolling_back() {
    let alarms =
        DeploymentAlarms::new(["web-5xx", "web-latency"]).behavior(AlarmBehavior::FailOnAlarm);
    let t = json_of(plain_service(|p| p.deployment_alarms(alarms)));
    assert_eq!(
        service_props(&t)["DeploymentConfiguration"]["Alarms"],
        json!({"AlarmNames": ["web-5xx", "web-latency"], "Enable": true, "Rollback": false})
    );
}

#[test]
fn canary_on_the_alb_pattern_creates_the_green_group_the_production_rule_and_the_roles() {
    let mut app = App::new();
    let (s, cluster) = stack_and_cluster(&mut app);
    let smoke = LifecycleHook::lambda(
        "SmokeTest",
        HOOK_FN,
        [
            LifecycleStage::PostTestTrafficShift,
            LifecycleStage::TestTrafficShift,
        ],
    )
    .hook_details(json!({"path": "/health"}))
    .timeout_minutes(15);
    let props = ApplicationLoadBalancedFargateServiceProps::new(nginx())
        .cluster(cluster)
        .deployment_strategy(DeploymentStrategy::canary(5, 3))
        .lifecycle_hooks([smoke]);
    let web = ApplicationLoadBalancedFargateService::new(&mut app, s, "Api", props).unwrap();
    assert!(web.alternate_target_group().is_some());
    assert!(web.production_listener_rule().is_some());
    assert!(web.test_listener().is_none());
    let json = json_of(app);
    let t = Template::from_json(json.clone()).unwrap();

    let blue = id(&["Api", "LB", "PublicListener", "ECSGroup", "Resource"]);
    let green = id(&[
        "Api",
        "LB",
        "PublicListener",
        "ECSAlternateGroup",
        "Resource",
    ]);
    let rule = id(&["Api", "LB", "PublicListener", "ProductionRule", "Resource"]);
    let infra = id(&["Api", "Service", "LBAlternateOptionsRole", "Resource"]);
    let hook_role = id(&["Api", "Service", "SmokeTestRole", "Resource"]);
    let p = service_props(&json);
    assert_eq!(
        p["DeploymentConfiguration"],
        json!({
            "CanaryConfiguration": {"CanaryBakeTimeInMinutes": 3, "CanaryPercent": 5.0},
            "LifecycleHooks": [{
                "HookDetails": {"path": "/health"},
                "HookTargetArn": HOOK_FN,
                "LifecycleStages": ["POST_TEST_TRAFFIC_SHIFT", "TEST_TRAFFIC_SHIFT"],
                "RoleArn": {"Fn::GetAtt": [hook_role, "Arn"]},
                "TargetType": "AWS_LAMBDA",
                "TimeoutConfiguration": {"TimeoutInMinutes": 15}
            }],
            "MaximumPercent": 200,
            "MinimumHealthyPercent": 100,
            "Strategy": "CANARY"
        })
    );
    assert_eq!(
        p["LoadBalancers"][0]["AdvancedConfiguration"],
        json!({
            "AlternateTargetGroupArn": {"Ref": green},
            "ProductionListenerRule": {"Ref": rule},
            "RoleArn": {"Fn::GetAtt": [infra, "Arn"]}
        })
    );
    assert_eq!(
        p["LoadBalancers"][0]["TargetGroupArn"],
        json!({"Ref": blue})
    );
    // The production rule: every path, the last priority, all traffic to blue.
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        json!({
            "Priority": 50000,
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
            "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": {"Ref": blue}, "Weight": 100},
                {"TargetGroupArn": {"Ref": green}, "Weight": 0}
            ]}}]
        }),
    );
    // The green group takes blue's settings (port, protocol, target type, health check).
    let res = json["Resources"].as_object().unwrap();
    let (bp, gp) = (&res[&blue]["Properties"], &res[&green]["Properties"]);
    for k in ["Port", "Protocol", "TargetType", "VpcId", "HealthCheckPath"] {
        assert_eq!(bp.get(k), gp.get(k), "{k}");
    }
    // The infrastructure role: ECS assumes it, with ECS's managed policy for load balancers.
    assert_eq!(
        res[&infra]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "ecs.amazonaws.com"})
    );
    assert_eq!(
        res[&infra]["Properties"]["ManagedPolicyArns"],
        json!([{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
            ":iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"]]}])
    );
    // The hook's role may invoke exactly the function (and its versions).
    t.has_resource_properties(
        "AWS::IAM::Policy",
        json!({
            "PolicyDocument": {"Statement": [{
                "Action": "lambda:InvokeFunction",
                "Effect": "Allow",
                "Resource": [HOOK_FN, format!("{HOOK_FN}:*")]
            }]},
            "Roles": [{"Ref": hook_role}]
        }),
    );
    support::lint_template(&json);
}

#[test]
fn linear_on_the_nlb_pattern_with_a_test_listener_and_default_alarms() {
    let mut app = App::new();
    let (s, cluster) = stack_and_cluster(&mut app);
    let props = NetworkLoadBalancedFargateServiceProps::new(cluster, nginx())
        .deployment_strategy(DeploymentStrategy::linear(20, 2).bake_time_minutes(5))
        .test_port(9000);
    let web = NetworkLoadBalancedFargateService::new(&mut app, s, "Api", props).unwrap();
    let alarms = web
        .default_alarms(&mut app, DefaultAlarmsProps::default())
        .unwrap();
    assert!(web.alternate_target_group().is_some());
    let json = json_of(app);
    let p = service_props(&json);
    assert_eq!(p["DeploymentConfiguration"]["Strategy"], "LINEAR");
    assert_eq!(p["DeploymentConfiguration"]["BakeTimeInMinutes"], 5);
    assert_eq!(
        p["DeploymentConfiguration"]["LinearConfiguration"],
        json!({"StepBakeTimeInMinutes": 2, "StepPercent": 20.0})
    );
    // On a network load balancer ECS moves traffic on the listeners themselves.
    let adv = &p["LoadBalancers"][0]["AdvancedConfiguration"];
    let listeners: Vec<(String, &Value)> = json["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .map(|(k, r)| (k.clone(), r))
        .collect();
    assert_eq!(listeners.len(), 2, "production and test listener");
    let by_port = |port: i64| {
        listeners
            .iter()
            .find(|(_, r)| r["Properties"]["Port"] == port)
            .map(|(k, _)| k.clone())
            .unwrap()
    };
    assert_eq!(adv["ProductionListenerRule"], json!({"Ref": by_port(80)}));
    assert_eq!(adv["TestListenerRule"], json!({"Ref": by_port(9000)}));
    assert!(adv["AlternateTargetGroupArn"]["Ref"].is_string());
    assert!(adv["RoleArn"]["Fn::GetAtt"].is_array());
    // The alarms watch both target groups and roll back.
    let names = p["DeploymentConfiguration"]["Alarms"]["AlarmNames"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(names.len(), alarms.len());
    assert!(names.len() >= 2, "{names:?}");
    assert_eq!(p["DeploymentConfiguration"]["Alarms"]["Rollback"], true);
    let t = Template::from_json(json.clone()).unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 9000, "Protocol": "TCP"}),
    );
    support::lint_template(&json);
}

#[test]
fn blue_green_on_the_alb_ec2_pattern() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let cluster = Cluster::new(&mut app, s, "Cluster", ClusterProps::default()).unwrap();
    cluster
        .add_capacity(&mut app, "Capacity", AddCapacityOptions::new("t3.small"))
        .unwrap();
    let props = ApplicationLoadBalancedEc2ServiceProps::new(cluster, nginx())
        .desired_count(2)
        .deployment_strategy(DeploymentStrategy::blue_green().bake_time_minutes(0))
        .test_port(8080);
    let web = ApplicationLoadBalancedEc2Service::new(&mut app, s, "Api", props).unwrap();
    assert!(web.test_listener_rule().is_some());
    let json = json_of(app);
    let p = service_props(&json);
    assert_eq!(p["LaunchType"], "EC2");
    assert_eq!(p["DeploymentConfiguration"]["Strategy"], "BLUE_GREEN");
    assert_eq!(p["DeploymentConfiguration"]["BakeTimeInMinutes"], 0);
    let test_rule = id(&["Api", "LB", "TestListener", "TestRule", "Resource"]);
    assert_eq!(
        p["LoadBalancers"][0]["AdvancedConfiguration"]["TestListenerRule"],
        json!({"Ref": test_rule})
    );
    let t = Template::from_json(json).unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({"Port": 8080, "Protocol": "HTTP"}),
    );
}

#[test]
fn blue_green_on_the_queue_pattern_needs_no_load_balancer() {
    let mut app = App::new();
    let (s, cluster) = stack_and_cluster(&mut app);
    let props = QueueProcessingFargateServiceProps::new(cluster, nginx())
        .deployment_strategy(DeploymentStrategy::blue_green())
        .lifecycle_hooks([LifecycleHook::pause([LifecycleStage::PreScaleUp])]);
    QueueProcessingFargateService::new(&mut app, s, "Worker", props).unwrap();
    let t = template(app);
    t.has_resource_properties(
        "AWS::ECS::Service",
        json!({"DeploymentConfiguration": {
            "Strategy": "BLUE_GREEN",
            "LifecycleHooks": [{"LifecycleStages": ["PRE_SCALE_UP"], "TargetType": "PAUSE"}]
        }}),
    );
}

#[test]
fn every_pause_stage_ecs_allows_is_accepted() {
    let stages = [
        LifecycleStage::ReconcileService,
        LifecycleStage::PreScaleUp,
        LifecycleStage::PostScaleUp,
        LifecycleStage::PostTestTrafficShift,
        LifecycleStage::PostProductionTrafficShift,
    ];
    let t = json_of(plain_service(|p| {
        p.deployment_strategy(DeploymentStrategy::blue_green())
            .lifecycle_hooks([LifecycleHook::pause(stages)])
    }));
    assert_eq!(
        service_props(&t)["DeploymentConfiguration"]["LifecycleHooks"][0]["LifecycleStages"],
        json!([
            "RECONCILE_SERVICE",
            "PRE_SCALE_UP",
            "POST_SCALE_UP",
            "POST_TEST_TRAFFIC_SHIFT",
            "POST_PRODUCTION_TRAFFIC_SHIFT"
        ])
    );
}
