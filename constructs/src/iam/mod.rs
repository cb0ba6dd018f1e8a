//! IAM: policy statements and documents, principals, managed policies, roles, and
//! the grant pattern ([`Grantable`], [`Grant`]) that other constructs use to give a
//! principal exactly the permissions it needs.
//!
//! Statements are kept as written: berth merges nothing implicitly (only exact
//! duplicates are dropped, as CDK does). A role's `DefaultPolicy` is rendered again on
//! every [`Role::add_to_policy`], so statements added at any time before synth
//! (including from another construct's `prepare`) land in it; statement checks run at
//! synth, in the role's `validate` (`BERTH-E0300`).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth_constructs::iam::{PolicyStatement, Principal, Role, RoleProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let role = Role::new(&mut app, stack, "TaskRole",
//!     RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")))?;
//! role.add_to_policy(&mut app, PolicyStatement::allow()
//!     .action("s3:GetObject")
//!     .resource("arn:aws:s3:::assets/*"))?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! assert_eq!(res["TaskRoleDefaultPolicy07FC53DE"]["Properties"]["PolicyDocument"]["Statement"][0]["Action"], "s3:GetObject");
//! # Ok(())
//! # }
//! ```

use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use berth_synth::cfn::iam::{CfnPolicy, CfnRole};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Intrinsic, Pseudo, Token, Value};
use indexmap::IndexMap;
use std::any::Any;

#[cfg(test)]
mod tests;

/// Whether a statement allows or denies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `Allow` (the default).
    #[default]
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The IAM value.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a statement is about (in resource and trust policies).
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// An AWS service, e.g. `ecs-tasks.amazonaws.com`: `{"Service": ...}`.
    Service(String),
    /// An AWS principal by ARN (role, user, account root): `{"AWS": ...}`.
    Arn(Value),
    /// Anyone: `{"AWS": "*"}`.
    Any,
    /// A federated principal (an identity provider): `{"Federated": ...}`.
    Federated(String),
}

impl Principal {
    /// An AWS service principal, e.g. `ecs-tasks.amazonaws.com`.
    pub fn service(name: impl Into<String>) -> Principal {
        Principal::Service(name.into())
    }

    /// An account's root principal: `arn:${AWS::Partition}:iam::ACCOUNT:root`.
    pub fn account(account_id: impl Into<Value>) -> Principal {
        Principal::Arn(join([
            Value::from("arn:"),
            Pseudo::Partition.token().into(),
            Value::from(":iam::"),
            account_id.into(),
            Value::from(":root"),
        ]))
    }

    /// An AWS principal by ARN (a literal or a token).
    pub fn arn(arn: impl Into<Value>) -> Principal {
        Principal::Arn(arn.into())
    }

    /// A federated principal (an identity provider, e.g. `cognito-identity.amazonaws.com`).
    pub fn federated(provider: impl Into<String>) -> Principal {
        Principal::Federated(provider.into())
    }

    /// Anyone (`{"AWS": "*"}`).
    pub fn any() -> Principal {
        Principal::Any
    }

    fn key_value(&self) -> (&'static str, Value) {
        match self {
            Principal::Service(s) => ("Service", Value::from(s.as_str())),
            Principal::Arn(v) => ("AWS", v.clone()),
            Principal::Any => ("AWS", Value::from("*")),
            Principal::Federated(s) => ("Federated", Value::from(s.as_str())),
        }
    }
}

/// One IAM policy statement, built with chained calls.
///
/// Actions and resources render as a single string when there is one and as a list
/// otherwise, like CDK. Resources are [`Value`]s, so tokens (`Fn::GetAtt`) work.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::iam::PolicyStatement;
/// let s = PolicyStatement::allow()
///     .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
///     .resource("*")
///     .sid("Logs");
/// let json = serde_json::to_string(&s.to_json_value())?;
/// assert_eq!(json, r#"{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":"*","Sid":"Logs"}"#);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyStatement {
    sid: Option<String>,
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<Value>,
    principals: Vec<Principal>,
    conditions: IndexMap<String, IndexMap<String, Value>>,
}

impl PolicyStatement {
    /// An empty `Allow` statement.
    pub fn allow() -> Self {
        Self::default()
    }

    /// An empty `Deny` statement.
    pub fn deny() -> Self {
        PolicyStatement {
            effect: Effect::Deny,
            ..Self::default()
        }
    }

    /// Sets the effect.
    pub fn effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }

    /// Sets the statement id.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds an action (`ecr:BatchGetImage`).
    pub fn action(mut self, action: impl Into<String>) -> Self {
        let a = action.into();
        if !self.actions.contains(&a) {
            self.actions.push(a);
        }
        self
    }

    /// Adds actions.
    pub fn actions<S: Into<String>>(self, actions: impl IntoIterator<Item = S>) -> Self {
        actions.into_iter().fold(self, |s, a| s.action(a))
    }

    /// Adds a resource (an ARN, `*`, or a token).
    pub fn resource(mut self, resource: impl Into<Value>) -> Self {
        let r = resource.into();
        if !self.resources.contains(&r) {
            self.resources.push(r);
        }
        self
    }

    /// Adds resources.
    pub fn resources<V: Into<Value>>(self, resources: impl IntoIterator<Item = V>) -> Self {
        resources.into_iter().fold(self, |s, r| s.resource(r))
    }

    /// Adds a principal (for trust and resource policies).
    pub fn principal(mut self, principal: Principal) -> Self {
        if !self.principals.contains(&principal) {
            self.principals.push(principal);
        }
        self
    }

    /// Adds a condition: operator (`StringEquals`), key (`aws:SourceAccount`), value.
    pub fn condition(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<Value>,
    ) -> Self {
        self.conditions
            .entry(operator.into())
            .or_default()
            .insert(key.into(), value.into());
        self
    }

    /// The effect.
    pub fn effect_value(&self) -> Effect {
        self.effect
    }

    /// The actions, in the order they were added.
    pub fn action_list(&self) -> &[String] {
        &self.actions
    }

    /// The resources, in the order they were added.
    pub fn resource_list(&self) -> &[Value] {
        &self.resources
    }

    /// The principals.
    pub fn principal_list(&self) -> &[Principal] {
        &self.principals
    }

    /// The statement as an IAM JSON value (`Action`, `Condition`, `Effect`, `Principal`,
    /// `Resource`, `Sid`, in CDK's order), tokens kept.
    pub fn to_value(&self) -> Value {
        let mut m = IndexMap::new();
        if !self.actions.is_empty() {
            m.insert(
                "Action".to_owned(),
                one_or_list(
                    self.actions
                        .iter()
                        .map(|a| Value::from(a.as_str()))
                        .collect(),
                ),
            );
        }
        if !self.conditions.is_empty() {
            m.insert(
                "Condition".to_owned(),
                Value::Map(Box::new(
                    self.conditions
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::Map(Box::new(v.clone()))))
                        .collect(),
                )),
            );
        }
        m.insert("Effect".to_owned(), Value::from(self.effect.as_str()));
        if !self.principals.is_empty() {
            let mut p: IndexMap<String, Vec<Value>> = IndexMap::new();
            for principal in &self.principals {
                let (k, v) = principal.key_value();
                p.entry(k.to_owned()).or_default().push(v);
            }
            m.insert(
                "Principal".to_owned(),
                Value::Map(Box::new(
                    p.into_iter().map(|(k, v)| (k, one_or_list(v))).collect(),
                )),
            );
        }
        if !self.resources.is_empty() {
            m.insert("Resource".to_owned(), one_or_list(self.resources.clone()));
        }
        if let Some(s) = &self.sid {
            m.insert("Sid".to_owned(), Value::from(s.as_str()));
        }
        Value::Map(Box::new(m))
    }

    /// The statement as plain JSON (tokens render as their intrinsic objects with
    /// element ids; for tests and display).
    pub fn to_json_value(&self) -> serde_json::Value {
        value_to_json(&self.to_value())
    }

    /// Problems with this statement in an identity policy (attached to a role).
    fn identity_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.actions.is_empty() {
            out.push("a policy statement must name at least one action".to_owned());
        }
        if self.resources.is_empty() {
            out.push("a policy statement in an identity policy must name at least one resource (use \"*\" for all)".to_owned());
        }
        if !self.principals.is_empty() {
            out.push("a policy statement in an identity policy cannot name principals; principals belong in trust and resource policies".to_owned());
        }
        out
    }
}

/// `Fn::Join` with `""`, adjacent literal strings merged (as CDK renders them); a plain
/// string when every part is literal.
pub(crate) fn join(parts: impl IntoIterator<Item = Value>) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (Some(Value::String(prev)), Value::String(s)) => prev.push_str(&s),
            (_, Value::String(s)) if s.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    match out.as_slice() {
        [] => Value::from(""),
        [Value::String(_)] => out.pop().unwrap_or_default(),
        _ => Value::join("", out),
    }
}

fn one_or_list(mut v: Vec<Value>) -> Value {
    if v.len() == 1 {
        v.pop().unwrap_or_default()
    } else {
        Value::List(v)
    }
}

/// Plain JSON of a value, for display and tests.
pub(crate) fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s),
        Value::List(l) => serde_json::Value::Array(l.iter().map(value_to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
        Value::Fn(i) => json!({ "Intrinsic": format!("{i:?}") }),
    }
}

/// A policy document: `{"Statement": [...], "Version": "2012-10-17"}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    /// A document with these statements.
    pub fn new(statements: impl IntoIterator<Item = PolicyStatement>) -> Self {
        let mut d = PolicyDocument::default();
        for s in statements {
            d.add_statement(s);
        }
        d
    }

    /// Adds a statement (an exact duplicate of one already there is dropped). Returns
    /// whether it was added.
    pub fn add_statement(&mut self, statement: PolicyStatement) -> bool {
        if self.statements.contains(&statement) {
            return false;
        }
        self.statements.push(statement);
        true
    }

    /// The statements.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// Whether there are no statements.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The document as a value, tokens kept.
    pub fn to_value(&self) -> Value {
        Value::map([
            (
                "Statement",
                Value::List(self.statements.iter().map(|s| s.to_value()).collect()),
            ),
            ("Version", Value::from("2012-10-17")),
        ])
    }
}

/// A managed policy attached by ARN.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicy {
    arn: Value,
}

impl ManagedPolicy {
    /// An AWS managed policy by name, e.g. `service-role/AmazonECSTaskExecutionRolePolicy`;
    /// the ARN is built with `${AWS::Partition}` so it works in every partition.
    ///
    /// ```
    /// use berth_constructs::iam::ManagedPolicy;
    /// let p = ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy");
    /// assert!(p.arn().is_token());
    /// ```
    pub fn aws_managed(name: &str) -> ManagedPolicy {
        ManagedPolicy {
            arn: join([
                Value::from("arn:"),
                Pseudo::Partition.token().into(),
                Value::from(format!(":iam::aws:policy/{name}")),
            ]),
        }
    }

    /// A managed policy by ARN (customer managed, or a token).
    pub fn from_arn(arn: impl Into<Value>) -> ManagedPolicy {
        ManagedPolicy { arn: arn.into() }
    }

    /// The policy's ARN.
    pub fn arn(&self) -> Value {
        self.arn.clone()
    }
}

/// What a grant adds statements to: a role (or a construct that owns one).
pub trait Grantable {
    /// Adds a statement to the principal's identity policy. Returns whether it was
    /// added: `false` when the principal cannot be changed (an imported role).
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool>;
}

impl<T: Grantable + ?Sized> Grantable for &T {
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        (**self).add_to_principal_policy(app, statement)
    }
}

/// What a grant did: the statements it asked for and whether the principal's policy
/// took them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grant {
    statements: Vec<PolicyStatement>,
    applied: bool,
}

impl Grant {
    /// Grants `actions` on `resources` to `grantee`, as one statement.
    pub fn add_to_principal<A: Into<String>, R: Into<Value>>(
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        actions: impl IntoIterator<Item = A>,
        resources: impl IntoIterator<Item = R>,
    ) -> Result<Grant> {
        let statement = PolicyStatement::allow()
            .actions(actions)
            .resources(resources);
        let applied = grantee.add_to_principal_policy(app, statement.clone())?;
        Ok(Grant {
            statements: vec![statement],
            applied,
        })
    }

    /// Grants one statement as written (with its conditions) to `grantee`.
    pub fn add_statement_to_principal(
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        statement: PolicyStatement,
    ) -> Result<Grant> {
        let applied = grantee.add_to_principal_policy(app, statement.clone())?;
        Ok(Grant {
            statements: vec![statement],
            applied,
        })
    }

    /// Both grants together.
    pub fn combine(mut self, other: Grant) -> Grant {
        self.statements.extend(other.statements);
        self.applied = self.applied && other.applied;
        self
    }

    /// The statements granted.
    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    /// Every action granted, in order.
    pub fn actions(&self) -> Vec<&str> {
        self.statements
            .iter()
            .flat_map(|s| s.actions.iter().map(String::as_str))
            .collect()
    }

    /// Whether the principal's policy took the statements (`false` for an imported role,
    /// which berth never changes).
    pub fn is_applied(&self) -> bool {
        self.applied
    }
}

/// A construct with no state but its type name (imported constructs record their
/// attributes with `App::set_attribute`).
#[derive(Debug, Default)]
pub(crate) struct Attributes {
    pub(crate) fqn: &'static str,
}

impl Attributes {
    pub(crate) fn new(fqn: &'static str) -> Self {
        Attributes { fqn }
    }
}

impl Construct for Attributes {
    fn fqn(&self) -> &'static str {
        self.fqn
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

props! {
    /// Options of a [`Role`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct RoleProps {
        /// Who can assume the role (the trust policy's principal).
        pub assumed_by: Principal,
        /// Managed policies attached to the role. Default: none.
        pub managed_policies: Vec<ManagedPolicy>,
        /// The role's name. Default: generated by CloudFormation (recommended: a fixed name
        /// prevents replacement and clashes across stacks).
        pub role_name: Option<String>,
        /// A description. Default: none.
        pub description: Option<String>,
        /// The IAM path. Default: `/` (CloudFormation's default; not rendered).
        pub path: Option<String>,
        /// Maximum session duration in seconds, 3600 to 43200. Default: 3600 (not rendered).
        pub max_session_duration: Option<u32>,
        /// Inline policies by name, rendered in the role's `Policies`. Default: none.
        pub inline_policies: IndexMap<String, PolicyDocument>,
        /// The permissions boundary. Default: none.
        pub permissions_boundary: Option<ManagedPolicy>,
    }
}

impl RoleProps {
    /// Props with only the trusted principal set; every other field at its default.
    pub fn new(principal: Principal) -> RoleProps {
        RoleProps {
            assumed_by: principal,
            managed_policies: Vec::new(),
            role_name: None,
            description: None,
            path: None,
            max_session_duration: None,
            inline_policies: IndexMap::new(),
            permissions_boundary: None,
        }
    }
}

/// State of a role: its attributes, and the statements of its default policy.
#[derive(Debug)]
struct RoleState {
    fqn: &'static str,
    arn: Value,
    name: Value,
    default_policy: Option<(NodeId, ResourceRef<CfnPolicy>)>,
    document: PolicyDocument,
}

impl RoleState {
    fn new(fqn: &'static str, arn: Value, name: Value) -> Self {
        RoleState {
            fqn,
            arn,
            name,
            default_policy: None,
            document: PolicyDocument::default(),
        }
    }
}

/// Diagnostic codes of the L2 constructs start at `BERTH-E0300`; `BERTH-E0300` is an
/// identity policy statement that IAM would reject (no action, no resource, or a
/// principal).
impl Construct for RoleState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        if let Some((_, policy)) = self.default_policy {
            let doc = self.document.to_value();
            app.resource_mut(policy).policy_document = Some(berth_synth::Expr::Lit(doc));
        }
        Ok(())
    }
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        // The path only for a problem: validation runs for every role.
        let path = || match self.default_policy {
            Some((p, _)) => app.path(p),
            None => app.path(node),
        };
        let mut out = Vec::new();
        for (i, s) in self.document.statements().iter().enumerate() {
            for problem in s.identity_problems() {
                out.push(
                    Diagnostic::error("BERTH-E0300", path(), problem)
                        .with_property(format!("PolicyDocument.Statement[{i}]")),
                );
            }
        }
        out
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// An IAM role. Its L1 child is `Resource` (`AWS::IAM::Role`); statements added with
/// [`Role::add_to_policy`] (and by grants) go into a `DefaultPolicy` child
/// (`AWS::IAM::Policy` at `<Role>/DefaultPolicy/Resource`), created on first use, so
/// logical IDs match CDK's.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::iam::{ManagedPolicy, Principal, Role, RoleProps};
/// use berth_constructs::{App, Stack, StackProps};
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
/// let role = Role::new(&mut app, stack, "ExecutionRole", RoleProps {
///     managed_policies: vec![ManagedPolicy::aws_managed("service-role/AmazonECSTaskExecutionRolePolicy")],
///     ..RoleProps::new(Principal::service("ecs-tasks.amazonaws.com"))
/// })?;
/// assert_eq!(app.path(role), "Web/ExecutionRole");
/// let out = app.synth()?;
/// let props = &out.stacks[0].template["Resources"]["ExecutionRole605A040B"]["Properties"];
/// assert_eq!(props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"], "ecs-tasks.amazonaws.com");
/// assert_eq!(props["ManagedPolicyArns"][0]["Fn::Join"][1][2], ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    node: NodeId,
    resource: Option<ResourceRef<CfnRole>>,
}

impl Scope for Role {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Role {
    /// Creates a role under `scope`.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: RoleProps) -> Result<Role> {
        if let Some(d) = props.max_session_duration {
            if !(3600..=43200).contains(&d) {
                return Err(ConstructError::invalid(
                    format!("{}/{id}", app.path(&scope)),
                    "max_session_duration",
                    format!("max_session_duration must be between 3600 and 43200 seconds, got {d}"),
                ));
            }
        }
        let trust = PolicyDocument::new([PolicyStatement::allow()
            .action("sts:AssumeRole")
            .principal(props.assumed_by.clone())]);
        let cfn = CfnRole {
            assume_role_policy_document: Some(berth_synth::Expr::Lit(trust.to_value())),
            description: props.description.map(Into::into),
            managed_policy_arns: (!props.managed_policies.is_empty()).then(|| {
                berth_synth::Expr::Lit(
                    props
                        .managed_policies
                        .iter()
                        .map(|p| value_expr(p.arn()))
                        .collect(),
                )
            }),
            max_session_duration: props.max_session_duration.map(|d| (d as i64).into()),
            path: props.path.map(Into::into),
            permissions_boundary: props.permissions_boundary.map(|p| value_expr(p.arn())),
            policies: (!props.inline_policies.is_empty()).then(|| {
                berth_synth::Expr::Lit(
                    props
                        .inline_policies
                        .iter()
                        .map(|(name, doc)| berth_synth::cfn::iam::role::Policy {
                            policy_document: Some(berth_synth::Expr::Lit(doc.to_value())),
                            policy_name: Some(name.into()),
                        })
                        .collect(),
                )
            }),
            role_name: props.role_name.map(Into::into),
            tags: None,
        };
        let node = app.add_construct(
            scope,
            id,
            RoleState::new("berth.iam.Role", Value::Null, Value::Null),
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        if let Some(s) = app.construct_mut::<RoleState>(node) {
            s.arn = resource.attr_arn().into();
            s.name = resource.ref_().into();
        }
        Ok(Role {
            node,
            resource: Some(resource),
        })
    }

    /// An existing role by ARN. berth never changes it: grants to it are not applied
    /// ([`Grant::is_applied`] is false) and [`Role::add_to_policy`] returns `false`.
    pub fn from_role_arn(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        role_arn: impl Into<Value>,
    ) -> Result<Role> {
        let arn = role_arn.into();
        let name = match &arn {
            Value::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                let resource = parts.get(5).copied().unwrap_or("");
                if parts.len() != 6
                    || parts[0] != "arn"
                    || parts[2] != "iam"
                    || !resource.starts_with("role/")
                {
                    return Err(ConstructError::invalid(
                        format!("{}/{id}", app.path(&scope)),
                        "role_arn",
                        format!("\"{s}\" is not a role ARN; expected arn:<partition>:iam::<account>:role/<name>"),
                    ));
                }
                Value::from(resource.rsplit('/').next().unwrap_or(""))
            }
            // A token: the last path segment of the ARN's resource part, at deploy time.
            token => Intrinsic::Select(
                Value::Int(1),
                Intrinsic::Split(
                    "/".into(),
                    Intrinsic::Select(
                        Value::Int(5),
                        Intrinsic::Split(":".into(), token.clone()).into_value(),
                    )
                    .into_value(),
                )
                .into_value(),
            )
            .into_value(),
        };
        let node = app.add_construct(
            scope,
            id,
            RoleState::new("berth.iam.ImportedRole", arn.clone(), name.clone()),
        )?;
        app.set_attribute(node, "Arn", arn);
        app.set_attribute(node, "RoleName", name);
        Ok(Role {
            node,
            resource: None,
        })
    }

    /// The role's ARN.
    pub fn role_arn(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.attr_arn(),
            None => Token::get_att(self.node, "Arn"),
        }
    }

    /// The role's name.
    pub fn role_name(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "RoleName"),
        }
    }

    /// The L1 role, for escape hatches (`None` for an imported role).
    pub fn cfn(&self) -> Option<ResourceRef<CfnRole>> {
        self.resource
    }

    /// Whether berth owns (and may change) this role.
    pub fn is_owned(&self) -> bool {
        self.resource.is_some()
    }

    /// The `DefaultPolicy` construct, once a statement has been added.
    pub fn default_policy(&self, app: &App) -> Option<NodeId> {
        app.construct::<RoleState>(self.node)?
            .default_policy
            .map(|(p, _)| p)
    }

    /// Attaches a managed policy.
    pub fn add_managed_policy(&self, app: &mut App, policy: &ManagedPolicy) -> Result<bool> {
        let Some(r) = self.resource else {
            return Ok(false);
        };
        let cfn = app.resource_mut(r);
        let mut list = match cfn.managed_policy_arns.take() {
            Some(berth_synth::Expr::Lit(l)) => l,
            _ => Vec::new(),
        };
        let arn = value_expr(policy.arn());
        if !list.contains(&arn) {
            list.push(arn);
        }
        cfn.managed_policy_arns = Some(berth_synth::Expr::Lit(list));
        Ok(true)
    }

    /// Adds a statement to the role's `DefaultPolicy` (created on first use). Returns
    /// whether it was added: `false` for an imported role. Statements are checked at
    /// synth: each needs an action and a resource, and no principal.
    pub fn add_to_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        if self.resource.is_none() {
            return Ok(false);
        }
        let state_node = self.node;
        let existing = app
            .construct::<RoleState>(state_node)
            .and_then(|s| s.default_policy);
        let (_, policy) = match existing {
            Some(p) => p,
            None => {
                let pnode = app.add_group(self.node, "DefaultPolicy")?;
                let role_ref = self.resource.map(|r| r.ref_());
                let res = app.add_resource(
                    pnode,
                    "Resource",
                    CfnPolicy {
                        policy_name: Some(policy_name(app, pnode).into()),
                        roles: Some(berth_synth::Expr::Lit(
                            role_ref.into_iter().map(Into::into).collect(),
                        )),
                        ..CfnPolicy::default()
                    },
                )?;
                if let Some(s) = app.construct_mut::<RoleState>(state_node) {
                    s.default_policy = Some((pnode, res));
                }
                (pnode, res)
            }
        };
        let prepared = app.is_prepared();
        let Some(state) = app.construct_mut::<RoleState>(state_node) else {
            return Ok(false);
        };
        state.document.add_statement(statement);
        // The document goes into the L1 when the app is prepared for synth (once, not on
        // every statement); a statement added after that goes in at once.
        if prepared {
            let doc = state.document.to_value();
            app.resource_mut(policy).policy_document = Some(berth_synth::Expr::Lit(doc));
        }
        Ok(true)
    }
}

/// CDK names a default policy after its logical ID (what `generatePolicyName` does).
fn policy_name(app: &App, policy_node: NodeId) -> String {
    let mut ids = app.path_ids(policy_node);
    ids.push("Resource");
    let mut id =
        berth_synth::logical_id::make_unique_id(&ids[1..]).unwrap_or_else(|| "Policy".into());
    // Letters and digits only (one byte each): at most 128 of them.
    id.truncate(128);
    id
}

/// A value as an `Expr<String>` (a literal string, or a token).
pub(crate) fn value_expr(v: impl Into<Value>) -> berth_synth::Expr<String> {
    match v.into() {
        Value::String(s) => berth_synth::Expr::Lit(s),
        other => berth_synth::Expr::Token(other),
    }
}

impl Grantable for Role {
    fn add_to_principal_policy(&self, app: &mut App, statement: PolicyStatement) -> Result<bool> {
        self.add_to_policy(app, statement)
    }
}

/// `BERTH-E0600`: a statement of a resource policy (key, queue, topic, file system)
/// that the service would reject: no action, or no principal.
pub(crate) fn resource_policy_problems(
    app: &App,
    node: NodeId,
    property: &str,
    document: &PolicyDocument,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, s) in document.statements().iter().enumerate() {
        let mut problem = |m: &str| {
            out.push(
                Diagnostic::error("BERTH-E0600", app.path(node), m)
                    .with_property(format!("{property}.Statement[{i}]")),
            )
        };
        if s.action_list().is_empty() {
            problem("a resource policy statement must name at least one action");
        }
        if s.principal_list().is_empty() {
            problem("a resource policy statement must name a principal (who it is about)");
        }
    }
    out
}

/// A resource policy in an L1 of its own, `<construct>/Policy/Resource` (an SQS queue
/// policy, an SNS topic policy), created with the first statement, as in CDK. The owning
/// construct keeps it in its state, renders it in `prepare` and checks it in `validate`.
#[derive(Debug)]
pub(crate) struct PolicyChild<P: berth_synth::resource::CfnProperties> {
    resource: Option<(NodeId, ResourceRef<P>)>,
    document: PolicyDocument,
    set: fn(&mut P, Value),
}

impl<P: berth_synth::resource::CfnProperties> PolicyChild<P> {
    /// No policy yet; `set` puts the document into the L1.
    pub(crate) fn new(set: fn(&mut P, Value)) -> Self {
        PolicyChild {
            resource: None,
            document: PolicyDocument::default(),
            set,
        }
    }

    /// Renders the document into the L1 (for `prepare`).
    pub(crate) fn render(&self, app: &mut App) {
        if let Some((_, r)) = self.resource {
            (self.set)(app.resource_mut(r), self.document.to_value());
        }
    }

    /// The `BERTH-E0600` problems of its statements (for `validate`).
    pub(crate) fn problems(&self, app: &App) -> Vec<Diagnostic> {
        match self.resource {
            Some((node, _)) => {
                resource_policy_problems(app, node, "PolicyDocument", &self.document)
            }
            None => Vec::new(),
        }
    }

    /// Adds `statement` to the policy of the construct at `owner`, whose state `S` keeps
    /// it (`child`), creating the `Policy` L1 (`new_l1`) on first use.
    pub(crate) fn add<S: Construct>(
        app: &mut App,
        owner: NodeId,
        child: fn(&mut S) -> &mut PolicyChild<P>,
        new_l1: impl FnOnce() -> P,
        statement: PolicyStatement,
    ) -> Result<bool> {
        let existing = app
            .construct_mut::<S>(owner)
            .and_then(|s| child(s).resource);
        let resource = match existing {
            Some((_, r)) => r,
            None => {
                let node = app.add_group(owner, "Policy")?;
                let r = app.add_resource(node, "Resource", new_l1())?;
                if let Some(s) = app.construct_mut::<S>(owner) {
                    child(s).resource = Some((node, r));
                }
                r
            }
        };
        let prepared = app.is_prepared();
        let Some(s) = app.construct_mut::<S>(owner) else {
            return Ok(false);
        };
        let c = child(s);
        c.document.add_statement(statement);
        // After prepare (a statement added late), straight into the L1.
        if prepared {
            let (doc, set) = (c.document.to_value(), c.set);
            set(app.resource_mut(resource), doc);
        }
        Ok(true)
    }
}
