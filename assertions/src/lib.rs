//! Assertions on synthesized CloudFormation templates, for testing berth apps with `cargo test`
//! (the Rust counterpart of `aws-cdk-lib/assertions`), plus insta snapshot helpers.
//!
//! The crate works on templates as `serde_json::Value`, so it does not depend on the construct
//! tree: load a [`Template`] with [`Template::from_json`], [`Template::from_str`] or
//! [`Template::from_file`] (the `berth` facade adds `Template::from_stack`), then assert on it.
//!
//! # Fine-grained assertions
//!
//! ```
//! use berth_assertions::{pattern, Capture, Match, Template};
//! use serde_json::json;
//!
//! let template = Template::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ecs_service.json"))?;
//!
//! // How many of a type.
//! template.resource_count_is("AWS::ECS::Service", 1);
//!
//! // Properties, matched as a subset: other properties are ignored.
//! template.has_resource_properties("AWS::ECS::Service", json!({
//!     "LaunchType": "FARGATE",
//!     "DesiredCount": 2,
//! }));
//!
//! // Literal JSON mixed with matchers: `pattern!` is `json!` where values may be matchers.
//! template.has_resource_properties("AWS::ECS::TaskDefinition", pattern!({
//!     "ContainerDefinitions": [{
//!         "Name": "web",
//!         "Image": {"Fn::Join": ["", Match::array_with(json!(["nginx:"]))]},
//!         "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp"}],
//!         "Privileged": Match::absent(),
//!     }],
//! }));
//!
//! // Follow a reference: capture the target group the listener forwards to...
//! let target_group = Capture::new();
//! template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", pattern!({
//!     "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": target_group}}],
//! }));
//! // ...and check that resource.
//! let tg = template.resource(&target_group.as_string()).ok_or("no target group")?;
//! assert_eq!(tg["Properties"]["Port"], 8080);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Matchers
//!
//! Every query takes an [`IntoMatcher`]: a `json!` literal or any serializable value (matched as
//! a subset, like [`Match::object_like`]), a matcher from [`Match`], a [`Capture`], or a
//! [`pattern!`] literal. The matchers are [`Match::object_like`], [`Match::object_equals`],
//! [`Match::array_with`], [`Match::array_equals`], [`Match::any_value`], [`Match::absent`],
//! [`Match::not`], [`Match::string_like_regexp`], [`Match::serialized_json`] and
//! [`Match::exact`]; see the [`matcher`] module for how literal JSON inside them is compared.
//!
//! To put matchers inside a JSON literal, use [`pattern!`] (the syntax of `json!`, where a
//! value may also be a matcher: `"User": Match::absent()`), or build objects from pairs:
//! `Match::object_like([("Port", Match::exact(80)), ("Name", Match::absent())])`.
//!
//! # Failure messages
//!
//! A failed assertion panics with a message that names the resource type and how many resources
//! of it exist, shows the closest resources (fewest mismatches) with the path of every mismatch
//! and the expected and found values, the actual value of the closest one, and the pattern:
//!
//! ```text
//! template has 1 resource of type AWS::ElasticLoadBalancingV2::TargetGroup, but none match the expected properties
//!
//! closest match: WebTargetGroup (1 mismatch)
//!   /Properties/Port: expected 80, found 8080
//!
//! actual properties of WebTargetGroup:
//!   {
//!     "Port": 8080,
//!     "Protocol": "HTTP",
//!     "TargetType": "ip"
//!   }
//!
//! expected properties:
//!   {
//!     "Port": 80
//!   }
//! ```
//!
//! Colors are used when stderr is a terminal and `NO_COLOR` is not set. The `try_` methods
//! (e.g. [`Template::try_has_resource_properties`]) return the [`AssertionError`] instead of
//! panicking.
//!
//! # Snapshots
//!
//! [`assert_template_snapshot!`] (JSON), [`assert_template_yaml_snapshot!`] and
//! [`assert_templates_snapshot!`] (one snapshot per stack) store the template with sorted keys
//! through [insta](https://insta.rs), re-exported so you need no direct insta dependency.
//! Review changes with `cargo insta review` (install it with `cargo install cargo-insta`), or
//! run `cargo insta test --review`. In CI, insta does not write snapshots and fails on any
//! difference.
//!
//! ```
//! use berth_assertions::assert_template_snapshot;
//! use serde_json::json;
//!
//! let template = json!({"Resources": {"Log": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}});
//! assert_template_snapshot!(template, @r#"
//! {
//!   "Resources": {
//!     "Log": {
//!       "Properties": {
//!         "RetentionInDays": 7
//!       },
//!       "Type": "AWS::Logs::LogGroup"
//!     }
//!   }
//! }
//! "#);
//! ```
//!
//! See `README.md` beside this crate for the "Testing your infrastructure" guide.

mod capture;
mod error;
pub mod matcher;
mod path;
pub mod snapshot;
mod style;
mod template;

pub use capture::Capture;
pub use error::{AssertionError, Error, Result, TemplateProblem};
pub use matcher::{IntoMatcher, IntoObjectPattern, Match, Matcher, Mismatch};
pub use path::ValuePath;
pub use template::Template;

/// Not public API: what the macros need, so users need no direct insta dependency.
#[doc(hidden)]
pub mod __private {
    pub use insta;
    pub use serde_json;
}

/// Builds a [`Matcher`] with `serde_json::json!` syntax, where any value may also be a matcher
/// (a [`Match`] function, a [`Capture`], a variable holding a [`Matcher`]) or any serializable
/// Rust expression.
///
/// - `{...}` and `[...]` become object and array patterns whose values are themselves
///   `pattern!` values; they are matched with the enclosing strictness (a subset at the top of a
///   `Template` query, exact inside [`Match::exact`]/[`Match::object_equals`]);
/// - `null`, literals and other expressions go through [`IntoMatcher`], by reference like
///   `json!` does, so a [`Capture`] or [`Matcher`] variable is not moved and can be read after;
/// - keys are string literals, variables (`name: 1`, like `json!`), or any expression in
///   parentheses: `(format!("{prefix}Arn")): 1`.
///
/// A value runs up to the next comma outside brackets, so `Match::absent()` needs no
/// parentheses; put a value in parentheses only if it has such a comma itself (generic
/// arguments such as `HashMap::<K, V>::new()`). Parentheses are always allowed.
///
/// ```
/// use berth_assertions::{pattern, Capture, Match};
/// use serde_json::json;
///
/// let port = 8080;
/// let log_group = Capture::new();
/// let m = pattern!({
///     "PortMappings": [{"ContainerPort": port}],
///     "Essential": true,
///     "Command": null,
///     "LogConfiguration": {"Options": {"awslogs-group": {"Ref": log_group}}},
///     "User": (Match::absent()),
///     "Environment": (Match::array_with(json!([{"Name": "STAGE"}]))),
/// });
/// assert!(m.matches(&json!({
///     "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp"}],
///     "Essential": true,
///     "Command": null,
///     "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "WebLogs"}}},
///     "Environment": [{"Name": "PORT", "Value": "8080"}, {"Name": "STAGE", "Value": "prod"}],
/// })));
/// assert_eq!(log_group.as_string(), "WebLogs");
/// ```
#[macro_export]
macro_rules! pattern {
    // ----- objects: munch `key: value,` pairs -----
    (@object [$($out:tt)*]) => {
        $crate::Matcher::object(::std::vec![$($out)*])
    };
    (@object [$($out:tt)*] $key:literal : $($rest:tt)*) => {
        $crate::pattern!(@value [$($out)*] [$key] [] $($rest)*)
    };
    (@object [$($out:tt)*] $key:ident : $($rest:tt)*) => {
        $crate::pattern!(@value [$($out)*] [$key] [] $($rest)*)
    };
    (@object [$($out:tt)*] ($key:expr) : $($rest:tt)*) => {
        $crate::pattern!(@value [$($out)*] [$key] [] $($rest)*)
    };
    (@value [$($out:tt)*] [$key:expr] [$($val:tt)+] , $($rest:tt)*) => {
        $crate::pattern!(@object [$($out)* (::std::string::String::from($key), $crate::pattern!($($val)+)),] $($rest)*)
    };
    (@value [$($out:tt)*] [$key:expr] [$($val:tt)+]) => {
        $crate::pattern!(@object [$($out)* (::std::string::String::from($key), $crate::pattern!($($val)+)),])
    };
    (@value [$($out:tt)*] [$key:expr] [$($val:tt)*] $next:tt $($rest:tt)*) => {
        $crate::pattern!(@value [$($out)*] [$key] [$($val)* $next] $($rest)*)
    };
    // ----- arrays: munch `value,` items -----
    (@array [$($out:tt)*] [$($val:tt)+] , $($rest:tt)*) => {
        $crate::pattern!(@array [$($out)* $crate::pattern!($($val)+),] [] $($rest)*)
    };
    (@array [$($out:tt)*] [$($val:tt)+]) => {
        $crate::Matcher::array(::std::vec![$($out)* $crate::pattern!($($val)+)])
    };
    (@array [$($out:tt)*] []) => {
        $crate::Matcher::array(::std::vec![$($out)*])
    };
    (@array [$($out:tt)*] [$($val:tt)*] $next:tt $($rest:tt)*) => {
        $crate::pattern!(@array [$($out)*] [$($val)* $next] $($rest)*)
    };
    // ----- values -----
    (null) => {
        $crate::Matcher::literal($crate::__private::serde_json::Value::Null)
    };
    ({}) => {
        $crate::Matcher::object(::std::vec::Vec::<(::std::string::String, $crate::Matcher)>::new())
    };
    ({ $($tt:tt)+ }) => {
        $crate::pattern!(@object [] $($tt)+)
    };
    ([]) => {
        $crate::Matcher::array(::std::vec::Vec::<$crate::Matcher>::new())
    };
    ([ $($tt:tt)+ ]) => {
        $crate::pattern!(@array [] [] $($tt)+)
    };
    ($other:expr) => {
        $crate::IntoMatcher::into_matcher(&$other)
    };
}

/// Snapshots a template as pretty JSON with sorted keys, through insta.
///
/// Takes a [`Template`], a `serde_json::Value`, or anything implementing
/// [`snapshot::ToTemplateJson`] (by value or reference). Three forms, as insta's
/// `assert_snapshot!`:
///
/// - `assert_template_snapshot!(template)`: named after the test function;
/// - `assert_template_snapshot!("name", template)`: a named snapshot file;
/// - `assert_template_snapshot!(template, @"...")`: an inline snapshot.
///
/// Snapshot files go to `snapshots/` beside the test file. A new or changed snapshot fails the
/// test and writes a `.snap.new` file: review it with `cargo insta review`.
///
/// ```
/// use berth_assertions::{assert_template_snapshot, Template};
/// use serde_json::json;
///
/// let template = Template::from_json(json!({"Resources": {"C": {"Type": "AWS::ECS::Cluster"}}}))?;
/// assert_template_snapshot!(template, @r#"
/// {
///   "Resources": {
///     "C": {
///       "Type": "AWS::ECS::Cluster"
///     }
///   }
/// }
/// "#);
/// # Ok::<(), berth_assertions::Error>(())
/// ```
#[macro_export]
macro_rules! assert_template_snapshot {
    ($template:expr, @$snapshot:literal $(,)?) => {{
        let template_json = $crate::snapshot::to_stable_json(&$template);
        $crate::__private::insta::assert_snapshot!(template_json, @$snapshot);
    }};
    ($name:expr, $template:expr $(,)?) => {{
        let template_json = $crate::snapshot::to_stable_json(&$template);
        $crate::__private::insta::assert_snapshot!($name, template_json);
    }};
    ($template:expr $(,)?) => {{
        let template_json = $crate::snapshot::to_stable_json(&$template);
        $crate::__private::insta::assert_snapshot!(template_json);
    }};
}

/// Snapshots a template as YAML with sorted keys, through insta. Same forms as
/// [`assert_template_snapshot!`].
///
/// ```
/// use berth_assertions::assert_template_yaml_snapshot;
/// use serde_json::json;
///
/// let template = json!({"Resources": {"Svc": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": {"Ref": "C"}}}}});
/// assert_template_yaml_snapshot!(template, @r"
/// Resources:
///   Svc:
///     Properties:
///       Cluster:
///         Ref: C
///     Type: AWS::ECS::Service
/// ");
/// ```
#[macro_export]
macro_rules! assert_template_yaml_snapshot {
    ($template:expr, @$snapshot:literal $(,)?) => {{
        let template_yaml = $crate::snapshot::to_stable_yaml(&$template);
        $crate::__private::insta::assert_snapshot!(template_yaml, @$snapshot);
    }};
    ($name:expr, $template:expr $(,)?) => {{
        let template_yaml = $crate::snapshot::to_stable_yaml(&$template);
        $crate::__private::insta::assert_snapshot!($name, template_yaml);
    }};
    ($template:expr $(,)?) => {{
        let template_yaml = $crate::snapshot::to_stable_yaml(&$template);
        $crate::__private::insta::assert_snapshot!(template_yaml);
    }};
}

/// Snapshots several templates (an app's stacks), one named snapshot each, through insta.
///
/// Takes anything iterable over `(name, template)` pairs, where the name is `Display` (the stack
/// name) and the template implements [`snapshot::ToTemplateJson`]. Add `yaml` as the first
/// argument for YAML. With `cargo insta test --review`, every changed stack is written before
/// review, not only the first. (This example's snapshots are committed in `src/snapshots/`.)
///
/// ```
/// use berth_assertions::assert_templates_snapshot;
/// use serde_json::json;
///
/// let stacks = vec![
///     ("network", json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}})),
///     ("service", json!({"Resources": {"Svc": {"Type": "AWS::ECS::Service"}}})),
/// ];
/// // Compares with snapshots/<module>__network.snap and <module>__service.snap.
/// assert_templates_snapshot!(stacks);
/// assert_templates_snapshot!(yaml, vec![("network-yaml", json!({"Resources": {}}))]);
/// ```
#[macro_export]
macro_rules! assert_templates_snapshot {
    (yaml, $templates:expr $(,)?) => {{
        for (name, template) in $templates {
            let template_yaml = $crate::snapshot::to_stable_yaml(&template);
            $crate::__private::insta::assert_snapshot!(
                ::std::string::ToString::to_string(&name),
                template_yaml
            );
        }
    }};
    ($templates:expr $(,)?) => {{
        for (name, template) in $templates {
            let template_json = $crate::snapshot::to_stable_json(&template);
            $crate::__private::insta::assert_snapshot!(
                ::std::string::ToString::to_string(&name),
                template_json
            );
        }
    }};
}
