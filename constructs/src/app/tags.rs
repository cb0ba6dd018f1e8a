//! Tags on any scope (CDK's `Tags.of(scope).add/remove`): a tag added to the app, a
//! stack or any construct applies to every taggable resource below it, and to the
//! stacks below it (their stack-level tags, which CloudFormation also propagates).
//!
//! Conflicts are settled as in CDK: the operation with the higher priority wins (adding
//! defaults to 100, removing to 200); at equal priority the one nearest the resource
//! wins, and on one scope the one made last. `include_resource_types` and
//! `exclude_resource_types` restrict an operation to (or keep it from) CloudFormation
//! types; a stack's own type for them is `aws:cdk:stack`. Resources whose schema has no
//! `Tags` are left untagged. `Tags` written on an L1 resource itself win over tags from
//! scopes, and a removal only removes tags that came from scopes (CDK gives L1 tags a
//! priority of 50 instead).

use super::{App, Scope};
use indexmap::IndexMap;

/// The priority of [`Tags::add`] (CDK's default).
pub const ADD_PRIORITY: u32 = 100;
/// The priority of [`Tags::remove`] (CDK's default).
pub const REMOVE_PRIORITY: u32 = 200;
/// The resource type a stack has for `include_resource_types`/`exclude_resource_types`.
pub const STACK_RESOURCE_TYPE: &str = "aws:cdk:stack";

props! {
    /// Options of a tag operation (CDK's `TagProps`).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct TagProps {
        /// The operation's priority: the highest wins, at equal priority the one nearest
        /// the resource. Default: 100 to add, 200 to remove.
        pub priority: Option<u32>,
        /// Only these resource types (e.g. `AWS::ECS::Service`; `aws:cdk:stack` for
        /// stacks). Default: every type.
        pub include_resource_types: Vec<String>,
        /// Not these resource types. Default: none.
        pub exclude_resource_types: Vec<String>,
    }
}

/// One tag operation, recorded on the scope it was made on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TagOp {
    key: String,
    /// `None` removes the key.
    value: Option<String>,
    priority: u32,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl TagOp {
    fn applies_to(&self, resource_type: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|t| t == resource_type))
            && !self.exclude.iter().any(|t| t == resource_type)
    }
}

/// The tags of a resource (or stack) of `resource_type` under scopes whose operations
/// are `levels`, outermost first (each in the order made).
pub(crate) fn resolve<'a>(
    levels: impl IntoIterator<Item = &'a [TagOp]>,
    resource_type: &str,
) -> IndexMap<String, String> {
    let mut chosen: IndexMap<&str, (u32, Option<&str>)> = IndexMap::new();
    for op in levels.into_iter().flatten() {
        if !op.applies_to(resource_type) {
            continue;
        }
        match chosen.get_mut(op.key.as_str()) {
            Some((priority, _)) if *priority > op.priority => {}
            Some(slot) => *slot = (op.priority, op.value.as_deref()),
            None => {
                chosen.insert(&op.key, (op.priority, op.value.as_deref()));
            }
        }
    }
    chosen
        .into_iter()
        .filter_map(|(k, (_, v))| Some((k.to_owned(), v?.to_owned())))
        .collect()
}

/// Tags of a scope: `Tags::of(scope).add(&mut app, "team", "shop")` tags every
/// taggable resource and stack below `scope` (CDK's `Tags.of`). [`ROOT`](crate::ROOT)
/// is the whole app.
///
/// ```
/// use berth_constructs::{App, Stack, StackProps, Tags, TagProps, ROOT};
/// use berth_synth::resource::RawProperties;
/// use berth_synth::Value;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Shop", StackProps::default())?;
/// app.add_resource(stack, "Queue", RawProperties::new("AWS::SQS::Queue", Value::map::<&str>([])))?;
/// app.add_resource(stack, "Logs", RawProperties::new("AWS::Logs::LogGroup", Value::map::<&str>([])))?;
/// Tags::of(ROOT).add(&mut app, "team", "shop");
/// Tags::of(stack).add_with(&mut app, "cost-center", "42",
///     TagProps::default().exclude_resource_types(["AWS::Logs::LogGroup"]));
/// let out = app.synth()?;
/// let t = &out.stacks[0].template["Resources"];
/// assert_eq!(t["Queue"]["Properties"]["Tags"], serde_json::json!([
///     {"Key": "cost-center", "Value": "42"}, {"Key": "team", "Value": "shop"},
/// ]));
/// assert_eq!(t["Logs"]["Properties"]["Tags"], serde_json::json!([{"Key": "team", "Value": "shop"}]));
/// assert_eq!(out.stacks[0].tags["team"], "shop");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tags {
    scope: super::NodeId,
}

impl Tags {
    /// The tags of `scope`.
    pub fn of(scope: impl Scope) -> Tags {
        Tags {
            scope: scope.node(),
        }
    }

    /// Adds `key` = `value` to every taggable resource and stack below the scope, with
    /// priority 100.
    pub fn add(&self, app: &mut App, key: &str, value: &str) {
        self.add_with(app, key, value, TagProps::default());
    }

    /// [`Tags::add`] with a priority and resource types.
    pub fn add_with(&self, app: &mut App, key: &str, value: &str, props: TagProps) {
        self.push(app, key, Some(value), ADD_PRIORITY, props);
    }

    /// Removes `key` from the tags that scopes give the resources and stacks below the
    /// scope, with priority 200 (tags written on an L1 resource itself stay).
    pub fn remove(&self, app: &mut App, key: &str) {
        self.remove_with(app, key, TagProps::default());
    }

    /// [`Tags::remove`] with a priority and resource types.
    pub fn remove_with(&self, app: &mut App, key: &str, props: TagProps) {
        self.push(app, key, None, REMOVE_PRIORITY, props);
    }

    fn push(&self, app: &mut App, key: &str, value: Option<&str>, default: u32, p: TagProps) {
        let op = TagOp {
            key: key.to_owned(),
            value: value.map(str::to_owned),
            priority: p.priority.unwrap_or(default),
            include: p.include_resource_types,
            exclude: p.exclude_resource_types,
        };
        app.node_mut(self.scope).extra_mut().tags.push(op);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(key: &str, value: Option<&str>, priority: u32) -> TagOp {
        TagOp {
            key: key.into(),
            value: value.map(Into::into),
            priority,
            include: vec![],
            exclude: vec![],
        }
    }

    #[test]
    fn nearer_wins_at_equal_priority_higher_priority_wins_always() {
        let root = [op("team", Some("a"), 100), op("env", Some("prod"), 300)];
        let near = [op("team", Some("b"), 100), op("env", Some("dev"), 100)];
        let tags = resolve([&root[..], &near[..]], "AWS::SQS::Queue");
        assert_eq!(tags["team"], "b");
        assert_eq!(tags["env"], "prod");
    }

    #[test]
    fn a_removal_wins_over_adds_of_lower_priority_and_loses_to_higher() {
        let root = [op("team", None, 200), op("keep", Some("x"), 300)];
        let near = [op("team", Some("b"), 100), op("keep", None, 200)];
        let tags = resolve([&root[..], &near[..]], "AWS::SQS::Queue");
        assert!(!tags.contains_key("team"));
        assert_eq!(tags["keep"], "x");
    }

    #[test]
    fn resource_types_filter_operations() {
        let mut only_services = op("svc", Some("yes"), 100);
        only_services.include = vec!["AWS::ECS::Service".into()];
        let mut not_queues = op("q", Some("no"), 100);
        not_queues.exclude = vec!["AWS::SQS::Queue".into()];
        let ops = [only_services, not_queues];
        assert!(resolve([&ops[..]], "AWS::SQS::Queue").is_empty());
        let svc = resolve([&ops[..]], "AWS::ECS::Service");
        assert_eq!((svc["svc"].as_str(), svc["q"].as_str()), ("yes", "no"));
    }
}
