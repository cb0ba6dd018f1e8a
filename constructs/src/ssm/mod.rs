//! Systems Manager Parameter Store: [`StringParameter`] (a configuration value the
//! stack owns, usable as an ECS secret with exactly `ssm:GetParameters` on it), and
//! [`value_for_string_parameter`] (a public or existing parameter's value, resolved at
//! deploy time, as CDK's `StringParameter.valueForStringParameter`).
//!
//! ```
//! use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage, FargateTaskDefinition,
//!     FargateTaskDefinitionProps, Secret};
//! use berth_constructs::ssm::{StringParameter, StringParameterProps};
//! use berth_constructs::{App, Stack, StackProps};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let flags = StringParameter::new(&mut app, stack, "Flags",
//!     StringParameterProps::new("beta=on").parameter_name("/web/flags"))?;
//! let task = FargateTaskDefinition::new(&mut app, stack, "Task", FargateTaskDefinitionProps::default())?;
//! task.add_container(&mut app, "web", ContainerDefinitionOptions::new(
//!         ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
//!     .secrets([("FLAGS", Secret::from_ssm_parameter(&flags))]))?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap();
//! assert_eq!(res[id(&["Flags", "Resource"])]["Properties"]["Value"], "beta=on");
//! let policy = &res[id(&["Task", "ExecutionRole", "DefaultPolicy", "Resource"])]["Properties"]["PolicyDocument"]["Statement"][0];
//! assert_eq!(policy["Action"], "ssm:GetParameters");
//! let arn = policy["Resource"]["Fn::Join"][1].as_array().unwrap();
//! assert_eq!(arn.last().unwrap(), ":parameter/web/flags");
//! # Ok(()) }
//! ```

use crate::app::{App, NodeId, Scope, Stack};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr, Attributes, Grant, Grantable};
use crate::{Parameter, ParameterProps};
use berth_synth::cfn::ssm::{parameter as p, CfnParameter};
use berth_synth::resource::ResourceRef;
use berth_synth::{Pseudo, Token, Value};

#[cfg(test)]
mod tests;

/// The storage tier of a parameter.
pub use p::Tier as ParameterTier;

/// What kind of text a parameter holds.
pub use p::DataType as ParameterDataType;

props! {
    /// Options of a [`StringParameter`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct StringParameterProps {
        /// The value (a literal, at most 4096 characters in the standard tier and 8192
        /// in the advanced one, or a token). Required.
        pub string_value: Value,
        /// The name: `/a/b/c` (a hierarchy, starting with `/`) or `name`; letters,
        /// digits and `_ . - /`, not starting with `aws` or `ssm`. Default: generated
        /// by CloudFormation.
        pub parameter_name: Option<String>,
        /// A description. Default: none.
        pub description: Option<String>,
        /// The tier. Default: not rendered (standard).
        pub tier: Option<ParameterTier>,
        /// A regular expression the value must match (checked by SSM at deploy).
        /// Default: none.
        pub allowed_pattern: Option<String>,
        /// `text`, or `aws:ec2:image` for an AMI id. Default: not rendered (`text`).
        pub data_type: Option<ParameterDataType>,
    }
}

impl StringParameterProps {
    /// A parameter holding `value`, every other option at its default.
    pub fn new(value: impl Into<Value>) -> StringParameterProps {
        StringParameterProps {
            string_value: value.into(),
            parameter_name: None,
            description: None,
            tier: None,
            allowed_pattern: None,
            data_type: None,
        }
    }
}

/// An SSM `String` parameter (CDK's `ssm.StringParameter`). Its L1 child is
/// `Resource` (`AWS::SSM::Parameter`). As an ECS secret
/// ([`crate::ecs::Secret::from_ssm_parameter`]) the execution role gets exactly
/// `ssm:GetParameters` on its ARN. See the [module](self) docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringParameter {
    node: NodeId,
    resource: Option<ResourceRef<CfnParameter>>,
}

impl Scope for StringParameter {
    fn node(&self) -> NodeId {
        self.node
    }
}

/// Checks a parameter name as SSM takes it.
fn check_name(path: &str, name: &str) -> Result<()> {
    let bad = |m: String| ConstructError::invalid(path, "parameter_name", m);
    if name.is_empty() || name.len() > 1011 {
        return Err(bad(format!(
            "a parameter name has 1 to 1011 characters, got {}",
            name.len()
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
    {
        return Err(bad(format!(
            "invalid parameter name \"{name}\": use letters, digits and _ . - /"
        )));
    }
    if name.contains('/') && !name.starts_with('/') {
        return Err(bad(format!(
            "the hierarchical name \"{name}\" must start with '/': /{name}"
        )));
    }
    if name.contains("//") || (name.len() > 1 && name.ends_with('/')) {
        return Err(bad(format!(
            "invalid parameter name \"{name}\": empty level between slashes"
        )));
    }
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err(bad(format!(
            "\"{name}\" starts with aws or ssm, which SSM reserves"
        )));
    }
    if name.matches('/').count() > 15 {
        return Err(bad(format!(
            "\"{name}\" has more than 15 levels of hierarchy"
        )));
    }
    Ok(())
}

/// `arn:${Partition}:ssm:${Region}:${AccountId}:parameter/<name>` for a literal name
/// (with or without its leading `/`) or a generated one (a token, always simple).
pub(crate) fn parameter_arn(name: Value) -> Value {
    let mut parts = vec![
        Value::from("arn:"),
        Pseudo::Partition.token().into(),
        Value::from(":ssm:"),
        Pseudo::Region.token().into(),
        Value::from(":"),
        Pseudo::AccountId.token().into(),
    ];
    match name {
        Value::String(n) => parts.push(Value::from(format!(
            ":parameter/{}",
            n.trim_start_matches('/')
        ))),
        token => {
            parts.push(Value::from(":parameter/"));
            parts.push(token);
        }
    }
    join(parts)
}

impl StringParameter {
    /// Creates a parameter under `scope`; the name and the value are checked here.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: StringParameterProps,
    ) -> Result<StringParameter> {
        let path = format!("{}/{id}", app.path(&scope));
        if let Some(n) = &props.parameter_name {
            check_name(&path, n)?;
        }
        let max = match props.tier {
            Some(ParameterTier::Advanced) => 8192,
            _ => 4096,
        };
        match &props.string_value {
            Value::String(v) if v.is_empty() => {
                return Err(ConstructError::invalid(
                    path,
                    "string_value",
                    "a parameter's value cannot be empty",
                ))
            }
            Value::String(v) if v.chars().count() > max => {
                return Err(ConstructError::invalid(
                    path,
                    "string_value",
                    format!(
                        "the value has {} characters; the tier allows at most {max}",
                        v.chars().count()
                    ),
                ))
            }
            Value::Null => {
                return Err(ConstructError::invalid(
                    path,
                    "string_value",
                    "a parameter needs a value",
                ))
            }
            _ => {}
        }
        let literal_name = props.parameter_name.clone();
        let node = app.add_construct(scope, id, Attributes::new("berth.ssm.StringParameter"))?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnParameter {
                allowed_pattern: props.allowed_pattern.map(Into::into),
                data_type: props.data_type.map(Into::into),
                description: props.description.map(Into::into),
                name: props.parameter_name.map(Into::into),
                tier: props.tier.map(Into::into),
                type_: Some(p::Type::String.into()),
                value: Some(value_expr(props.string_value)),
                ..Default::default()
            },
        )?;
        // The ARN from the name as written, or from `Ref` when it is generated.
        let name = match literal_name {
            Some(n) => Value::from(n),
            None => resource.ref_().into(),
        };
        app.set_attribute(node, "Arn", parameter_arn(name));
        Ok(StringParameter {
            node,
            resource: Some(resource),
        })
    }

    /// An existing parameter by name (`/web/flags` or `flags`), in the stack's account
    /// and region. berth never changes it.
    pub fn from_string_parameter_name(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        name: &str,
    ) -> Result<StringParameter> {
        check_name(&format!("{}/{id}", app.path(&scope)), name)?;
        let node = app.add_construct(
            scope,
            id,
            Attributes::new("berth.ssm.ImportedStringParameter"),
        )?;
        app.set_attribute(node, "Name", Value::from(name));
        app.set_attribute(node, "Arn", parameter_arn(Value::from(name)));
        Ok(StringParameter {
            node,
            resource: None,
        })
    }

    /// The parameter's name.
    pub fn parameter_name(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "Name"),
        }
    }

    /// The parameter's ARN (`arn:...:parameter/<name>`).
    pub fn parameter_arn(&self) -> Token<String> {
        Token::get_att(self.node, "Arn")
    }

    /// The L1 parameter, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnParameter>> {
        self.resource
    }

    /// Lets `grantee` read the parameter (CDK's `grantRead`): `ssm:DescribeParameters`,
    /// `ssm:GetParameters`, `ssm:GetParameter` and `ssm:GetParameterHistory` on its ARN.
    pub fn grant_read(&self, app: &mut App, grantee: &(impl Grantable + ?Sized)) -> Result<Grant> {
        Grant::add_to_principal(
            app,
            grantee,
            [
                "ssm:DescribeParameters",
                "ssm:GetParameters",
                "ssm:GetParameter",
                "ssm:GetParameterHistory",
            ],
            [self.parameter_arn()],
        )
    }

    /// Lets `grantee` change the parameter: `ssm:PutParameter` on its ARN.
    pub fn grant_write(&self, app: &mut App, grantee: &(impl Grantable + ?Sized)) -> Result<Grant> {
        Grant::add_to_principal(app, grantee, ["ssm:PutParameter"], [self.parameter_arn()])
    }
}

/// The value of the SSM parameter `name` (a public one such as
/// `/aws/service/aws-for-fluent-bit/stable`, or one made elsewhere), resolved by
/// CloudFormation at deploy time through a template parameter of type
/// `AWS::SSM::Parameter::Value<String>` at the stack's root, named as CDK names it
/// (`SsmParameterValue<name>C96584B6F00A464EAD1953AFF4B05118Parameter`, made once per
/// stack).
pub fn value_for_string_parameter(
    app: &mut App,
    scope: impl Scope,
    name: &str,
) -> Result<Token<String>> {
    value_for_typed_parameter(
        app,
        scope,
        name,
        "AWS::SSM::Parameter::Value<String>",
        "parameter_name",
    )
}

/// [`value_for_string_parameter`] for a parameter type (`..<AWS::EC2::Image::Id>`).
pub(crate) fn value_for_typed_parameter(
    app: &mut App,
    scope: impl Scope,
    name: &str,
    type_name: &str,
    property: &str,
) -> Result<Token<String>> {
    let scope = scope.node();
    let stack = Stack::of(app, scope).ok_or_else(|| {
        ConstructError::invalid(app.path(scope), property, "the construct is not in a stack")
    })?;
    let alnum: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let id = format!("SsmParameterValue{alnum}C96584B6F00A464EAD1953AFF4B05118Parameter");
    let node = match app.child(stack, &id) {
        Some(n) => n,
        None => Parameter::new(
            app,
            stack,
            &id,
            ParameterProps {
                type_name: Some(type_name.into()),
                default: Some(Value::from(name)),
                ..Default::default()
            },
        )?
        .node(),
    };
    Ok(Token::ref_to(node))
}
