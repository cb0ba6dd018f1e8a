//! Hotswap: when the only differences from the deployed template are in ECS task
//! definitions (image, environment, command, cpu, memory) and services' desired counts,
//! register the new task definition revisions and update the services directly through
//! the ECS API, in about a second, instead of a CloudFormation update.
//!
//! [`plan`] compares the templates and says what can be hotswapped or why not;
//! [`Evaluator`] resolves the few intrinsics the new values use (`Ref`, `Fn::Sub`,
//! `Fn::Join`, ...) against the deployed stack's physical ids.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::template::{Resource, Template};

const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";
const SERVICE: &str = "AWS::ECS::Service";
/// Container fields a hotswap may change.
const CONTAINER_FIELDS: [&str; 5] = ["Image", "Environment", "Command", "Cpu", "Memory"];
/// Task definition fields a hotswap may change (besides containers).
const TASK_FIELDS: [&str; 2] = ["Cpu", "Memory"];

/// The unevaluated new values of one task definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskDefinitionChange {
    /// The logical id.
    pub logical_id: String,
    /// Changed task-level fields (`Cpu`, `Memory`), `Null` when removed.
    pub task: BTreeMap<String, Value>,
    /// Changed container fields by container name, `Null` when removed.
    pub containers: BTreeMap<String, BTreeMap<String, Value>>,
}

/// What a service needs after a hotswap.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceChange {
    /// The logical id.
    pub logical_id: String,
    /// The service's `Cluster` property (unevaluated), if any.
    pub cluster: Option<Value>,
    /// Its task definition changed: the logical id of that task definition.
    pub task_definition: Option<String>,
    /// A new desired count (unevaluated).
    pub desired_count: Option<Value>,
}

/// The hotswappable changes between two templates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HotswapPlan {
    /// Task definitions to register again.
    pub task_definitions: Vec<TaskDefinitionChange>,
    /// Services to update.
    pub services: Vec<ServiceChange>,
}

/// What [`plan`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// The templates are equal (parameters may still differ).
    NoChanges,
    /// Every change can be hotswapped.
    Hotswap(HotswapPlan),
    /// Some change needs CloudFormation; each entry says which.
    NotHotswappable(Vec<String>),
}

fn who(id: &str, r: &Resource) -> String {
    match r.construct_path() {
        Some(p) => format!("{p} ({id}, {})", r.kind),
        None => format!("{id} ({})", r.kind),
    }
}

/// The keys whose values differ between two JSON objects (absent counts as `Null`).
fn changed_keys(old: &Value, new: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    let mut keys: Vec<String> = o.keys().chain(n.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| o.get(k) != n.get(k)).collect()
}

/// Compares the deployed template with the new one.
pub fn plan(deployed: &Template, new: &Template) -> Plan {
    let mut reasons = Vec::new();
    let mut out = HotswapPlan::default();
    for section in ["Outputs", "Parameters"] {
        let (a, b) = match section {
            "Outputs" => (&deployed.outputs, &new.outputs),
            _ => (&deployed.parameters, &new.parameters),
        };
        if a != b {
            reasons.push(format!("the template's {section} changed"));
        }
    }
    for key in changed_keys(
        &serde_json::to_value(&deployed.rest).unwrap_or_default(),
        &serde_json::to_value(&new.rest).unwrap_or_default(),
    ) {
        reasons.push(format!("the template's {key} changed"));
    }
    for (id, r) in &deployed.resources {
        if !new.resources.contains_key(id) {
            reasons.push(format!("{} is removed", who(id, r)));
        }
    }
    for (id, r) in &new.resources {
        let Some(old) = deployed.resources.get(id) else {
            reasons.push(format!("{} is added", who(id, r)));
            continue;
        };
        if old.kind != r.kind {
            reasons.push(format!("{id} changes type from {} to {}", old.kind, r.kind));
            continue;
        }
        if old.properties == r.properties && old.rest == r.rest {
            continue; // Metadata alone does not change the resource.
        }
        if old.rest != r.rest {
            let keys = changed_keys(
                &serde_json::to_value(&old.rest).unwrap_or_default(),
                &serde_json::to_value(&r.rest).unwrap_or_default(),
            );
            reasons.push(format!("{}: {} changed", who(id, r), keys.join(", ")));
            continue;
        }
        match r.kind.as_str() {
            TASK_DEFINITION => match task_definition_change(id, old, r) {
                Ok(change) => out.task_definitions.push(change),
                Err(why) => reasons.push(format!("{}: {why}", who(id, r))),
            },
            SERVICE => {
                let keys = changed_keys(&old.properties, &r.properties);
                let other: Vec<&String> = keys.iter().filter(|k| *k != "DesiredCount").collect();
                if other.is_empty() {
                    out.services.push(ServiceChange {
                        logical_id: id.clone(),
                        cluster: r.properties.get("Cluster").cloned(),
                        task_definition: None,
                        desired_count: Some(
                            r.properties
                                .get("DesiredCount")
                                .cloned()
                                .unwrap_or(Value::Null),
                        ),
                    });
                } else {
                    reasons.push(format!(
                        "{}: {} changed (hotswap can only change DesiredCount)",
                        who(id, r),
                        other
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            _ => {
                let keys = changed_keys(&old.properties, &r.properties);
                reasons.push(format!(
                    "{}: {} changed",
                    who(id, r),
                    if keys.is_empty() {
                        "Properties".to_string()
                    } else {
                        keys.join(", ")
                    }
                ));
            }
        }
    }
    // Who uses the changed task definitions: services are updated; anything else would
    // keep pointing at the old revision.
    for td in &out.task_definitions {
        let reference = serde_json::json!({"Ref": td.logical_id});
        for (id, r) in &new.resources {
            if id == &td.logical_id {
                continue;
            }
            if r.kind == SERVICE && r.properties.get("TaskDefinition") == Some(&reference) {
                match out.services.iter_mut().find(|s| &s.logical_id == id) {
                    Some(s) => s.task_definition = Some(td.logical_id.clone()),
                    None => out.services.push(ServiceChange {
                        logical_id: id.clone(),
                        cluster: r.properties.get("Cluster").cloned(),
                        task_definition: Some(td.logical_id.clone()),
                        desired_count: None,
                    }),
                }
            } else if refers_to(&r.properties, &td.logical_id) {
                reasons.push(format!(
                    "{} uses the task definition {}, and hotswap only updates services",
                    who(id, r),
                    td.logical_id
                ));
            }
        }
        // An output (e.g. an export to another stack's service) would keep the old ARN.
        for (name, output) in &new.outputs {
            if refers_to(output, &td.logical_id) {
                reasons.push(format!(
                    "output {name} refers to the task definition {}, and a hotswap cannot update its value",
                    td.logical_id
                ));
            }
        }
    }
    if !reasons.is_empty() {
        Plan::NotHotswappable(reasons)
    } else if out.task_definitions.is_empty() && out.services.is_empty() {
        Plan::NoChanges
    } else {
        Plan::Hotswap(out)
    }
}

fn refers_to(v: &Value, logical_id: &str) -> bool {
    match v {
        Value::Object(m) => {
            if m.get("Ref").and_then(Value::as_str) == Some(logical_id) {
                return true;
            }
            if let Some(Value::Array(a)) = m.get("Fn::GetAtt") {
                if a.first().and_then(Value::as_str) == Some(logical_id) {
                    return true;
                }
            }
            if let Some(Value::String(s)) = m.get("Fn::GetAtt") {
                if s.split('.').next() == Some(logical_id) {
                    return true;
                }
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let text = match sub {
                    Value::String(s) => Some(s.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                };
                if text.is_some_and(|t| {
                    t.contains(&format!("${{{logical_id}}}"))
                        || t.contains(&format!("${{{logical_id}."))
                }) {
                    return true;
                }
            }
            m.values().any(|x| refers_to(x, logical_id))
        }
        Value::Array(a) => a.iter().any(|x| refers_to(x, logical_id)),
        _ => false,
    }
}

fn task_definition_change(
    id: &str,
    old: &Resource,
    new: &Resource,
) -> Result<TaskDefinitionChange, String> {
    let mut change = TaskDefinitionChange {
        logical_id: id.into(),
        ..Default::default()
    };
    for key in changed_keys(&old.properties, &new.properties) {
        if key == "ContainerDefinitions" {
            continue;
        }
        if TASK_FIELDS.contains(&key.as_str()) {
            change.task.insert(
                key.clone(),
                new.properties.get(&key).cloned().unwrap_or(Value::Null),
            );
        } else {
            return Err(format!(
                "{key} changed (hotswap can change container Image, Environment, Command, Cpu and Memory, and the task's Cpu and Memory)"
            ));
        }
    }
    let empty = Vec::new();
    let old_c = old
        .properties
        .get("ContainerDefinitions")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let new_c = new
        .properties
        .get("ContainerDefinitions")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if old_c.len() != new_c.len() {
        return Err("containers were added or removed".into());
    }
    for (o, n) in old_c.iter().zip(new_c) {
        let name = n.get("Name").and_then(Value::as_str).unwrap_or_default();
        if o.get("Name") != n.get("Name") {
            return Err("containers were renamed or reordered".into());
        }
        let mut fields = BTreeMap::new();
        for key in changed_keys(o, n) {
            if !CONTAINER_FIELDS.contains(&key.as_str()) {
                return Err(format!(
                    "container {name}: {key} changed (hotswap can change Image, Environment, Command, Cpu and Memory)"
                ));
            }
            fields.insert(key.clone(), n.get(&key).cloned().unwrap_or(Value::Null));
        }
        if !fields.is_empty() {
            change.containers.insert(name.to_string(), fields);
        }
    }
    Ok(change)
}

/// What intrinsic functions resolve against: the deployed stack.
#[derive(Debug, Clone, Default)]
pub struct Evaluator {
    /// `AWS::AccountId`.
    pub account: String,
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::Partition`.
    pub partition: String,
    /// `AWS::StackName`.
    pub stack_name: String,
    /// `AWS::StackId`.
    pub stack_id: String,
    /// Parameter values.
    pub parameters: BTreeMap<String, String>,
    /// Physical id and type by logical id.
    pub resources: BTreeMap<String, (String, String)>,
    /// Exported values by export name (`Fn::ImportValue`); empty: imports are not
    /// evaluated.
    pub exports: BTreeMap<String, String>,
}

impl Evaluator {
    /// From the stack ARN (`arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID`).
    pub fn for_stack(stack_id: &str, stack_name: &str) -> Evaluator {
        let parts: Vec<&str> = stack_id.split(':').collect();
        let get = |i: usize, default: &str| {
            parts
                .get(i)
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
                .unwrap_or_else(|| default.to_string())
        };
        Evaluator {
            partition: get(1, "aws"),
            region: get(3, "us-east-1"),
            account: get(4, ""),
            stack_name: stack_name.into(),
            stack_id: stack_id.into(),
            ..Default::default()
        }
    }

    fn url_suffix(&self) -> &'static str {
        if self.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }

    fn reference(&self, name: &str) -> Result<Value, String> {
        Ok(Value::String(match name {
            "AWS::AccountId" => self.account.clone(),
            "AWS::Region" => self.region.clone(),
            "AWS::Partition" => self.partition.clone(),
            "AWS::URLSuffix" => self.url_suffix().into(),
            "AWS::StackName" => self.stack_name.clone(),
            "AWS::StackId" => self.stack_id.clone(),
            "AWS::NoValue" => return Ok(Value::Null),
            other => {
                if let Some(v) = self.parameters.get(other) {
                    v.clone()
                } else if let Some((physical, _)) = self.resources.get(other) {
                    physical.clone()
                } else {
                    return Err(format!(
                        "Ref {other}: not a parameter or a resource of the deployed stack"
                    ));
                }
            }
        }))
    }

    fn get_att(&self, logical: &str, attr: &str) -> Result<Value, String> {
        let (physical, kind) = self.resources.get(logical).ok_or_else(|| {
            format!("Fn::GetAtt {logical}.{attr}: no such resource in the deployed stack")
        })?;
        let (p, r, a) = (&self.partition, &self.region, &self.account);
        let v = match (kind.as_str(), attr) {
            ("AWS::ECR::Repository", "Arn") => format!("arn:{p}:ecr:{r}:{a}:repository/{physical}"),
            ("AWS::ECR::Repository", "RepositoryUri") => {
                format!("{a}.dkr.ecr.{r}.{}/{physical}", self.url_suffix())
            }
            ("AWS::IAM::Role", "Arn") => format!("arn:{p}:iam::{a}:role/{physical}"),
            ("AWS::Logs::LogGroup", "Arn") => {
                format!("arn:{p}:logs:{r}:{a}:log-group:{physical}:*")
            }
            ("AWS::SQS::Queue", "QueueUrl") => physical.clone(),
            ("AWS::SQS::Queue", "QueueName") => physical.rsplit('/').next().unwrap_or("").into(),
            ("AWS::SQS::Queue", "Arn") => format!(
                "arn:{p}:sqs:{r}:{a}:{}",
                physical.rsplit('/').next().unwrap_or("")
            ),
            ("AWS::SNS::Topic", "TopicArn") => physical.clone(),
            ("AWS::ECS::Cluster", "Arn") => format!("arn:{p}:ecs:{r}:{a}:cluster/{physical}"),
            ("AWS::S3::Bucket", "Arn") => format!("arn:{p}:s3:::{physical}"),
            ("AWS::EC2::SecurityGroup", "GroupId") => physical.clone(),
            ("AWS::EC2::Subnet", "SubnetId") => physical.clone(),
            ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn") => physical.clone(),
            ("AWS::SecretsManager::Secret", "Id") => physical.clone(),
            _ => {
                return Err(format!(
                "Fn::GetAtt {logical}.{attr} ({kind}) cannot be evaluated without CloudFormation"
            ))
            }
        };
        Ok(Value::String(v))
    }

    /// Resolves `v` to a literal.
    pub fn eval(&self, v: &Value) -> Result<Value, String> {
        match v {
            Value::Array(a) => Ok(Value::Array(
                a.iter()
                    .map(|x| self.eval(x))
                    .filter(|x| !matches!(x, Ok(Value::Null)))
                    .collect::<Result<_, _>>()?,
            )),
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().expect("one entry");
                match k.as_str() {
                    "Ref" => self.reference(arg.as_str().unwrap_or_default()),
                    "Fn::GetAtt" => {
                        let (l, a) = match arg {
                            Value::Array(x) => (
                                x.first()
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_string(),
                                x.get(1)
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_string(),
                            ),
                            Value::String(s) => {
                                let (l, a) = s.split_once('.').unwrap_or((s, ""));
                                (l.to_string(), a.to_string())
                            }
                            _ => return Err("malformed Fn::GetAtt".into()),
                        };
                        self.get_att(&l, &a)
                    }
                    "Fn::Join" => {
                        let sep = arg.get(0).and_then(Value::as_str).unwrap_or_default();
                        let items = self.eval(arg.get(1).unwrap_or(&Value::Null))?;
                        let parts: Vec<String> = items
                            .as_array()
                            .ok_or("Fn::Join needs a list")?
                            .iter()
                            .map(scalar)
                            .collect::<Result<_, _>>()?;
                        Ok(Value::String(parts.join(sep)))
                    }
                    "Fn::Select" => {
                        let i = scalar(&self.eval(arg.get(0).unwrap_or(&Value::Null))?)?
                            .parse::<usize>()
                            .map_err(|_| "Fn::Select needs a number index".to_string())?;
                        let list = self.eval(arg.get(1).unwrap_or(&Value::Null))?;
                        list.get(i)
                            .cloned()
                            .ok_or_else(|| format!("Fn::Select index {i} is out of range"))
                    }
                    "Fn::Split" => {
                        let sep = arg.get(0).and_then(Value::as_str).unwrap_or_default();
                        let s = scalar(&self.eval(arg.get(1).unwrap_or(&Value::Null))?)?;
                        Ok(Value::Array(
                            s.split(sep).map(|p| Value::String(p.into())).collect(),
                        ))
                    }
                    "Fn::Sub" => self.sub(arg),
                    "Fn::ImportValue" if !self.exports.is_empty() => {
                        let name = scalar(&self.eval(arg)?)?;
                        self.exports
                            .get(&name)
                            .map(|v| Value::String(v.clone()))
                            .ok_or_else(|| format!("Fn::ImportValue {name}: no such export"))
                    }
                    other if other.starts_with("Fn::") => Err(format!(
                        "{other} cannot be evaluated without CloudFormation"
                    )),
                    _ => Ok(Value::Object(
                        m.iter()
                            .map(|(k, x)| Ok((k.clone(), self.eval(x)?)))
                            .collect::<Result<_, String>>()?,
                    )),
                }
            }
            Value::Object(m) => Ok(Value::Object(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), self.eval(x)?)))
                    .collect::<Result<_, String>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    fn sub(&self, arg: &Value) -> Result<Value, String> {
        let (text, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) => (
                a.first().and_then(Value::as_str).unwrap_or_default(),
                a.get(1).and_then(Value::as_object),
            ),
            _ => return Err("malformed Fn::Sub".into()),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or("unclosed ${ in Fn::Sub")?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.and_then(|m| m.get(name)) {
                out.push_str(&scalar(&self.eval(v)?)?);
            } else if let Some((l, a)) = name.split_once('.').filter(|_| !name.starts_with("AWS::"))
            {
                out.push_str(&scalar(&self.get_att(l, a)?)?);
            } else {
                out.push_str(&scalar(&self.reference(name)?)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }
}

fn scalar(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("expected a scalar, got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(v: Value) -> Template {
        serde_json::from_value(v).unwrap()
    }

    fn base(image: &str, desired: i64, ingress_port: i64) -> Template {
        template(json!({
            "Resources": {
                "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Metadata": {"berth:path": "App/TaskDef/Resource"}, "Properties": {
                    "Cpu": "256", "Memory": "512",
                    "ContainerDefinitions": [{"Name": "web", "Image": image, "Essential": true,
                        "Environment": [{"Name": "A", "Value": "1"}]}]
                }},
                "Service": {"Type": "AWS::ECS::Service", "Properties": {
                    "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "TaskDef"}, "DesiredCount": desired
                }},
                "Cluster": {"Type": "AWS::ECS::Cluster"},
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Metadata": {"berth:path": "App/Sg/Resource"}, "Properties": {"GroupDescription": "x", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": ingress_port, "ToPort": ingress_port, "CidrIp": "0.0.0.0/0"}]}}
            }
        }))
    }

    #[test]
    fn an_image_change_is_a_task_definition_revision_and_a_service_update() {
        let Plan::Hotswap(p) = plan(&base("a:1", 1, 80), &base("a:2", 1, 80)) else {
            panic!("expected a hotswap");
        };
        assert_eq!(p.task_definitions.len(), 1);
        assert_eq!(
            p.task_definitions[0].containers["web"]["Image"],
            json!("a:2")
        );
        assert_eq!(p.services.len(), 1);
        assert_eq!(p.services[0].task_definition.as_deref(), Some("TaskDef"));
        assert_eq!(p.services[0].desired_count, None);
    }

    #[test]
    fn a_desired_count_change_alone_updates_the_service() {
        let Plan::Hotswap(p) = plan(&base("a:1", 1, 80), &base("a:1", 3, 80)) else {
            panic!("expected a hotswap");
        };
        assert!(p.task_definitions.is_empty());
        assert_eq!(p.services[0].desired_count, Some(json!(3)));
    }

    #[test]
    fn other_changes_name_the_resource_and_property() {
        let Plan::NotHotswappable(reasons) = plan(&base("a:1", 1, 80), &base("a:2", 1, 443)) else {
            panic!("expected no hotswap");
        };
        assert_eq!(
            reasons,
            vec!["App/Sg/Resource (Sg, AWS::EC2::SecurityGroup): SecurityGroupIngress changed"]
        );
        let mut t = base("a:1", 1, 80);
        t.resources["TaskDef"].properties["ContainerDefinitions"][0]["PortMappings"] =
            json!([{"ContainerPort": 80}]);
        let Plan::NotHotswappable(reasons) = plan(&base("a:1", 1, 80), &t) else {
            panic!("expected no hotswap");
        };
        assert!(
            reasons[0].contains("container web: PortMappings changed"),
            "{reasons:?}"
        );
    }

    #[test]
    fn equal_templates_have_no_changes_and_metadata_does_not_count() {
        assert_eq!(
            plan(&base("a:1", 1, 80), &base("a:1", 1, 80)),
            Plan::NoChanges
        );
        let mut t = base("a:1", 1, 80);
        t.resources["Sg"].metadata = json!({"berth:path": "App/Moved"});
        assert_eq!(plan(&base("a:1", 1, 80), &t), Plan::NoChanges);
    }

    /// The reasons `plan` gives when only the image changes in `old`.
    fn reasons_for_an_image_change(old: Template) -> Vec<String> {
        let mut new = old.clone();
        new.resources["TaskDef"].properties["ContainerDefinitions"][0]["Image"] = json!("a:2");
        match plan(&old, &new) {
            Plan::NotHotswappable(reasons) => reasons,
            other => panic!("expected no hotswap, got {other:?}"),
        }
    }

    #[test]
    fn a_task_definition_used_by_a_rule_is_not_hotswapped() {
        let mut old = base("a:1", 1, 80);
        old.resources.insert(
            "Rule".into(),
            serde_json::from_value(json!({"Type": "AWS::Events::Rule", "Properties": {
                "Targets": [{"Id": "t", "Arn": "x", "EcsParameters": {"TaskDefinitionArn": {"Ref": "TaskDef"}}}]
            }}))
            .unwrap(),
        );
        assert_eq!(
            reasons_for_an_image_change(old),
            vec!["Rule (AWS::Events::Rule) uses the task definition TaskDef, and hotswap only updates services"]
        );
    }

    #[test]
    fn a_task_definition_in_an_output_is_not_hotswapped() {
        let mut old = base("a:1", 1, 80);
        old.outputs.insert(
            "ExportsOutputRefTaskDef".into(),
            json!({"Value": {"Ref": "TaskDef"}, "Export": {"Name": "App:TaskDef"}}),
        );
        assert_eq!(
            reasons_for_an_image_change(old),
            vec!["output ExportsOutputRefTaskDef refers to the task definition TaskDef, and a hotswap cannot update its value"]
        );
    }

    #[test]
    fn intrinsics_resolve_against_the_deployed_stack() {
        let mut e = Evaluator::for_stack(
            "arn:aws:cloudformation:eu-west-1:111122223333:stack/App/abc",
            "App",
        );
        e.resources.insert(
            "Repo".into(),
            ("my-repo".into(), "AWS::ECR::Repository".into()),
        );
        e.resources.insert(
            "Queue".into(),
            (
                "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs".into(),
                "AWS::SQS::Queue".into(),
            ),
        );
        assert_eq!(
            e.eval(&json!({"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/berth-assets:abc"}))
                .unwrap(),
            json!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/berth-assets:abc")
        );
        assert_eq!(
            e.eval(&json!({"Fn::Join": [":", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, "v2"]]}))
                .unwrap(),
            json!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/my-repo:v2")
        );
        assert_eq!(
            e.eval(&json!([{"Name": "Q", "Value": {"Ref": "Queue"}}]))
                .unwrap(),
            json!([{"Name": "Q", "Value": "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"}])
        );
        assert_eq!(
            e.eval(&json!({"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}))
                .unwrap(),
            json!("b")
        );
        assert_eq!(
            e.eval(&json!({"Fn::GetAtt": ["Lb", "DNSName"]}))
                .unwrap_err(),
            "Fn::GetAtt Lb.DNSName: no such resource in the deployed stack"
        );
        assert_eq!(
            e.eval(&json!({"Fn::ImportValue": "x"})).unwrap_err(),
            "Fn::ImportValue cannot be evaluated without CloudFormation"
        );
    }
}

mod run {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::{plan, scalar, Evaluator, HotswapPlan, Plan, TaskDefinitionChange};
    use crate::assembly::StackArtifact;
    use crate::deploy::api::{ApiError, StackInfo};
    use crate::deploy::containers::{ContainerPatch, ServiceUpdate, TaskDefinitionPatch};
    use crate::deploy::rollout::{cluster_of_service_arn, poll_all, RolloutTracker};
    use crate::deploy::{Backoff, Engine, FailureReport, HotswapMode, Outcome};
    use crate::template::Template;

    /// A service update ready to send, with how to name it.
    struct PreparedService {
        label: String,
        update: ServiceUpdate,
        task_definition: Option<String>,
    }

    fn to_i32(v: &Value, what: &str) -> Result<Option<i32>, String> {
        match v {
            Value::Null => Ok(None),
            other => scalar(other)?
                .parse::<i32>()
                .map(Some)
                .map_err(|_| format!("{what} is not a whole number: {other}")),
        }
    }

    fn patch(ev: &Evaluator, td: &TaskDefinitionChange) -> Result<TaskDefinitionPatch, String> {
        let mut p = TaskDefinitionPatch::default();
        for (key, v) in &td.task {
            let value = match ev.eval(v)? {
                Value::Null => {
                    return Err(format!(
                        "the task's {key} is removed, which needs CloudFormation"
                    ))
                }
                other => scalar(&other)?,
            };
            match key.as_str() {
                "Cpu" => p.cpu = Some(value),
                _ => p.memory = Some(value),
            }
        }
        for (name, fields) in &td.containers {
            let mut c = ContainerPatch::default();
            for (key, v) in fields {
                let value = ev.eval(v)?;
                match key.as_str() {
                    "Image" => c.image = Some(scalar(&value)?),
                    "Environment" => {
                        let mut env = Vec::new();
                        for item in value.as_array().cloned().unwrap_or_default() {
                            let k = item
                                .get("Name")
                                .map(scalar)
                                .transpose()?
                                .unwrap_or_default();
                            let v = item
                                .get("Value")
                                .map(scalar)
                                .transpose()?
                                .unwrap_or_default();
                            env.push((k, v));
                        }
                        c.environment = Some(env);
                    }
                    "Command" => {
                        c.command = Some(
                            value
                                .as_array()
                                .cloned()
                                .unwrap_or_default()
                                .iter()
                                .map(scalar)
                                .collect::<Result<_, _>>()?,
                        )
                    }
                    "Cpu" => c.cpu = Some(to_i32(&value, "container Cpu")?),
                    _ => c.memory = Some(to_i32(&value, "container Memory")?),
                }
            }
            p.containers.insert(name.clone(), c);
        }
        Ok(p)
    }

    impl Engine {
        fn no_hotswap(&self, name: &str, reasons: &[String]) -> Option<Outcome> {
            let list = reasons
                .iter()
                .map(|r| format!("\n    - {r}"))
                .collect::<String>();
            if self.options.hotswap == HotswapMode::Only {
                return Some(Outcome::Failed(Box::new(FailureReport {
                    stack: name.to_string(),
                    operation: "hotswap".into(),
                    status: None,
                    status_reason: None,
                    resources: Vec::new(),
                    error: Some(format!("these changes cannot be hotswapped:{list}")),
                    hint: Some("deploy through CloudFormation: `berth deploy` without --hotswap-only (or with --hotswap, which falls back)".into()),
                })));
            }
            self.progress.message(
                name,
                &format!("hotswap not possible, deploying through CloudFormation:{list}"),
            );
            None
        }

        /// Tries to hotswap `stack`; `None` means: deploy through CloudFormation.
        pub(crate) async fn try_hotswap(
            &self,
            stack: &StackArtifact,
            current: Option<&StackInfo>,
        ) -> Result<Option<Outcome>, ApiError> {
            let name = &stack.stack_name;
            let Some(current) = current.filter(|c| {
                matches!(
                    c.status.as_str(),
                    "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE"
                )
            }) else {
                let why = match current {
                    None => "the stack does not exist yet".to_string(),
                    Some(c) => format!("the stack is {}", c.status),
                };
                return Ok(self.no_hotswap(name, &[why]));
            };
            let Some(containers) = self.containers.clone() else {
                return Ok(self.no_hotswap(name, &["no ECS client is available".into()]));
            };
            let deployed = match self.api.get_template(name).await? {
                Some(body) => Template::parse_any(&body).ok(),
                None => None,
            };
            let Some(deployed) = deployed else {
                return Ok(
                    self.no_hotswap(name, &["the deployed template could not be read".into()])
                );
            };
            let plan: HotswapPlan = match plan(&deployed, &stack.template) {
                Plan::NoChanges => return Ok(None),
                Plan::NotHotswappable(reasons) => return Ok(self.no_hotswap(name, &reasons)),
                Plan::Hotswap(p) => p,
            };

            // Evaluate everything before changing anything.
            let resources = self.api.stack_resources(name).await?;
            let mut ev = Evaluator::for_stack(&current.stack_id, name);
            ev.parameters = current.parameters.clone();
            for r in &resources {
                if let Some(p) = &r.physical_id {
                    ev.resources
                        .insert(r.logical_id.clone(), (p.clone(), r.resource_type.clone()));
                }
            }
            let label = |id: &str| {
                stack
                    .template
                    .construct_path(id)
                    .map(str::to_string)
                    .unwrap_or_else(|| id.to_string())
            };
            let physical = |id: &str| ev.resources.get(id).map(|(p, _)| p.clone());
            let mut patches = Vec::new();
            for td in &plan.task_definitions {
                let Some(arn) = physical(&td.logical_id) else {
                    return Ok(self.no_hotswap(
                        name,
                        &[format!(
                            "{} has no physical id in the deployed stack",
                            label(&td.logical_id)
                        )],
                    ));
                };
                match patch(&ev, td) {
                    Ok(p) => patches.push((td.logical_id.clone(), arn, p)),
                    Err(why) => {
                        return Ok(
                            self.no_hotswap(name, &[format!("{}: {why}", label(&td.logical_id))])
                        )
                    }
                }
            }
            let mut services = Vec::new();
            for s in &plan.services {
                let Some(arn) = physical(&s.logical_id) else {
                    return Ok(self.no_hotswap(
                        name,
                        &[format!(
                            "{} has no physical id in the deployed stack",
                            label(&s.logical_id)
                        )],
                    ));
                };
                let cluster = match &s.cluster {
                    Some(v) => match ev.eval(v).and_then(|c| scalar(&c)) {
                        Ok(c) => c,
                        Err(why) => {
                            return Ok(self.no_hotswap(
                                name,
                                &[format!("{}: Cluster: {why}", label(&s.logical_id))],
                            ))
                        }
                    },
                    None => cluster_of_service_arn(&arn)
                        .unwrap_or("default")
                        .to_string(),
                };
                let desired = match &s.desired_count {
                    Some(v) => match ev.eval(v).and_then(|d| to_i32(&d, "DesiredCount")) {
                        Ok(Some(d)) => Some(d),
                        Ok(None) => {
                            return Ok(self.no_hotswap(
                                name,
                                &[format!(
                                    "{}: DesiredCount is removed, which needs CloudFormation",
                                    label(&s.logical_id)
                                )],
                            ))
                        }
                        Err(why) => {
                            return Ok(self
                                .no_hotswap(name, &[format!("{}: {why}", label(&s.logical_id))]))
                        }
                    },
                    None => None,
                };
                services.push(PreparedService {
                    label: label(&s.logical_id),
                    update: ServiceUpdate {
                        cluster,
                        service: arn,
                        task_definition: None,
                        desired_count: desired,
                    },
                    task_definition: s.task_definition.clone(),
                });
            }

            self.progress
                .started(name, "hotswapping", patches.len() + services.len());
            let fail = |error: String| {
                Outcome::Failed(Box::new(FailureReport {
                    stack: name.clone(),
                    operation: "hotswap".into(),
                    status: None,
                    status_reason: None,
                    resources: Vec::new(),
                    error: Some(error),
                    hint: None,
                }))
            };
            let mut changes = Vec::new();
            let mut new_arns: BTreeMap<String, String> = BTreeMap::new();
            for (logical, arn, p) in &patches {
                match containers.register_revision(arn, p).await {
                    Ok(new) => {
                        let revision = new.rsplit('/').next().unwrap_or(&new).to_string();
                        let line =
                            format!("task definition {}: registered {revision}", label(logical));
                        self.progress.message(name, &line);
                        changes.push(line);
                        new_arns.insert(logical.clone(), new);
                    }
                    Err(e) => {
                        self.progress.finished(name, false, "hotswap failed");
                        return Ok(Some(fail(format!(
                            "registering a new revision of {} failed: {e}",
                            label(logical)
                        ))));
                    }
                }
            }
            for s in &mut services {
                s.update.task_definition = s
                    .task_definition
                    .as_ref()
                    .and_then(|l| new_arns.get(l).cloned());
                if let Err(e) = containers.update_service(&s.update).await {
                    self.progress.finished(name, false, "hotswap failed");
                    return Ok(Some(fail(format!(
                        "updating service {} failed: {e}",
                        s.label
                    ))));
                }
                let mut what = Vec::new();
                if let Some(td) = &s.update.task_definition {
                    what.push(format!(
                        "task definition {}",
                        td.rsplit('/').next().unwrap_or(td)
                    ));
                }
                if let Some(d) = s.update.desired_count {
                    what.push(format!("desired count {d}"));
                }
                let line = format!("service {}: updated ({})", s.label, what.join(", "));
                self.progress.message(name, &line);
                changes.push(line);
            }

            if self.options.rollout.enabled {
                let mut trackers: Vec<RolloutTracker> = services
                    .iter()
                    .map(|s| {
                        RolloutTracker::new(
                            name,
                            &s.update.cluster,
                            &s.update.service,
                            &s.label,
                            self.options.rollout,
                        )
                    })
                    .collect();
                let mut backoff = Backoff::new(self.options.poll);
                loop {
                    let failed = poll_all(
                        &mut trackers,
                        containers.as_ref(),
                        self.progress.as_ref(),
                        self.prompter.as_ref(),
                        false,
                    )
                    .await?;
                    if let Some(failure) = failed {
                        self.progress
                            .finished(name, false, "service rollout failed");
                        let mut outcome = fail(failure.reason);
                        if let Outcome::Failed(r) = &mut outcome {
                            r.hint = Some(if failure.rolled_back {
                                format!("ECS rolled the service back: it runs its previous revision. The stack has drifted from its template: a full `berth deploy {name}` brings them back in line")
                            } else {
                                format!("ECS keeps the previous tasks running where it can (the circuit breaker rolls back when enabled); fix the image or its settings and deploy again. The stack has drifted from its template: a full `berth deploy {name}` brings them back in line")
                            });
                        }
                        return Ok(Some(outcome));
                    }
                    if trackers.is_empty() {
                        break;
                    }
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
            self.progress.finished(name, true, "hotswapped");
            Ok(Some(Outcome::Hotswapped {
                changes,
                outputs: current.outputs.clone(),
            }))
        }
    }
}
