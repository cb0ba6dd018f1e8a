//! Secrets Manager: a [`Secret`] whose value Secrets Manager generates (a password,
//! or a JSON document with a generated key), usable as an ECS secret with exactly
//! `secretsmanager:GetSecretValue` on it, with a rotation schedule hook.
//!
//! ```
//! use berth_constructs::ecs::{ContainerDefinitionOptions, ContainerImage, FargateTaskDefinition,
//!     FargateTaskDefinitionProps, Secret as EcsSecret};
//! use berth_constructs::secretsmanager::{Secret, SecretProps, SecretStringGenerator};
//! use berth_constructs::{App, Stack, StackProps};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Web", StackProps::default())?;
//! let db = Secret::new(&mut app, stack, "DbCredentials", SecretProps::default()
//!     .generate_secret_string(SecretStringGenerator::json(r#"{"username":"app"}"#, "password")
//!         .exclude_punctuation(true)))?;
//! let task = FargateTaskDefinition::new(&mut app, stack, "Task", FargateTaskDefinitionProps::default())?;
//! task.add_container(&mut app, "web", ContainerDefinitionOptions::new(
//!         ContainerImage::from_registry("public.ecr.aws/nginx/nginx:latest"))
//!     .secrets([("DB_PASSWORD", EcsSecret::from_secrets_manager_json_field(&db, "password"))]))?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! let id = |p: &[&str]| berth_synth::logical_id::make_unique_id(p).unwrap();
//! let gen = &res[id(&["DbCredentials", "Resource"])]["Properties"]["GenerateSecretString"];
//! assert_eq!(gen["GenerateStringKey"], "password");
//! assert_eq!(gen["ExcludePunctuation"], true);
//! let c = &res[id(&["Task", "Resource"])]["Properties"]["ContainerDefinitions"][0]["Secrets"][0];
//! assert_eq!(c["ValueFrom"]["Fn::Join"][1][1], ":password::");
//! let policy = &res[id(&["Task", "ExecutionRole", "DefaultPolicy", "Resource"])]["Properties"]["PolicyDocument"]["Statement"][0];
//! assert_eq!(policy["Action"], "secretsmanager:GetSecretValue");
//! assert_eq!(policy["Resource"], serde_json::json!({"Ref": id(&["DbCredentials", "Resource"])}));
//! # Ok(()) }
//! ```

use crate::app::{App, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::{join, value_expr, Attributes, Grant, Grantable, PolicyStatement};
use crate::RemovalPolicy;
use berth_synth::cfn::secretsmanager::{
    rotation_schedule as rs, secret as sm, CfnRotationSchedule, CfnSecret,
};
use berth_synth::resource::ResourceRef;
use berth_synth::{Pseudo, Token, Value};
use std::time::Duration;

#[cfg(test)]
mod tests;

props! {
    /// How Secrets Manager generates the secret's value (CDK's
    /// `SecretStringGenerator`). Without a template it is a password; with
    /// [`SecretStringGenerator::json`] it is a JSON object with the password under a key.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct SecretStringGenerator {
        /// The length of the password, 1 to 4096. Default: not rendered (32).
        pub password_length: Option<u32>,
        /// Characters never to use. Default: none.
        pub exclude_characters: Option<String>,
        /// Leave out punctuation. Default: false.
        pub exclude_punctuation: bool,
        /// Leave out lower case letters. Default: false.
        pub exclude_lowercase: bool,
        /// Leave out upper case letters. Default: false.
        pub exclude_uppercase: bool,
        /// Leave out digits. Default: false.
        pub exclude_numbers: bool,
        /// Allow the space character. Default: false.
        pub include_space: bool,
        /// Use at least one of every character type included. Default: not rendered
        /// (true).
        pub require_each_included_type: Option<bool>,
        /// A JSON object to add the password to, under `generate_string_key` (both or
        /// neither). Default: none.
        pub secret_string_template: Option<String>,
        /// The key of the password in `secret_string_template`. Default: none.
        pub generate_string_key: Option<String>,
    }
}

impl SecretStringGenerator {
    /// A JSON object `template` with the generated password under `key`, e.g.
    /// `json(r#"{"username":"app"}"#, "password")`.
    pub fn json(template: impl Into<String>, key: impl Into<String>) -> SecretStringGenerator {
        SecretStringGenerator {
            secret_string_template: Some(template.into()),
            generate_string_key: Some(key.into()),
            ..Default::default()
        }
    }

    fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        if let Some(n) = self.password_length {
            if !(1..=4096).contains(&n) {
                return Err((
                    "password_length",
                    format!("{n} is out of range; allowed: 1 to 4096"),
                ));
            }
        }
        if self.exclude_lowercase
            && self.exclude_uppercase
            && self.exclude_numbers
            && self.exclude_punctuation
            && !self.include_space
        {
            return Err((
                "exclude_numbers",
                "every kind of character is excluded: nothing is left to generate a password from"
                    .into(),
            ));
        }
        match (&self.secret_string_template, &self.generate_string_key) {
            (Some(t), Some(k)) => {
                let obj = serde_json::from_str::<serde_json::Value>(t)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .ok_or_else(|| {
                        (
                            "secret_string_template",
                            format!("\"{t}\" is not a JSON object"),
                        )
                    })?;
                if obj.contains_key(k) {
                    return Err(("generate_string_key", format!("the template has the key \"{k}\" already; the generated value goes there")));
                }
                if k.is_empty() {
                    return Err(("generate_string_key", "the key cannot be empty".into()));
                }
            }
            (Some(_), None) => {
                return Err((
                    "generate_string_key",
                    "a template needs the key the generated value goes under".into(),
                ))
            }
            (None, Some(_)) => {
                return Err((
                    "secret_string_template",
                    "a generated key needs a template (a JSON object) to go into".into(),
                ))
            }
            (None, None) => {}
        }
        Ok(())
    }

    fn l1(&self) -> sm::GenerateSecretString {
        let flag = |b: bool| b.then(|| true.into());
        sm::GenerateSecretString {
            exclude_characters: self.exclude_characters.clone().map(Into::into),
            exclude_lowercase: flag(self.exclude_lowercase),
            exclude_numbers: flag(self.exclude_numbers),
            exclude_punctuation: flag(self.exclude_punctuation),
            exclude_uppercase: flag(self.exclude_uppercase),
            generate_string_key: self.generate_string_key.clone().map(Into::into),
            include_space: flag(self.include_space),
            password_length: self.password_length.map(|n| i64::from(n).into()),
            require_each_included_type: self.require_each_included_type.map(Into::into),
            secret_string_template: self.secret_string_template.clone().map(Into::into),
        }
    }
}

props! {
    /// Options of a [`Secret`].
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct SecretProps {
        /// The secret's name (1 to 512 of letters, digits and `/_+=.@-`). Default:
        /// generated by CloudFormation.
        pub secret_name: Option<String>,
        /// A description. Default: none.
        pub description: Option<String>,
        /// How the value is generated. Default: a 32-character password (CDK's
        /// default: `GenerateSecretString: {}`).
        pub generate_secret_string: SecretStringGenerator,
        /// The ARN of a customer managed KMS key to encrypt the secret with; readers
        /// are granted `kms:Decrypt` on it through Secrets Manager. Default: the AWS
        /// managed key `aws/secretsmanager`.
        pub encryption_key_arn: Option<Value>,
        /// What happens to the secret when it leaves the stack. Default:
        /// [`RemovalPolicy::Delete`] (rendered, as CDK).
        pub removal_policy: Option<RemovalPolicy>,
    }
}

props! {
    /// A rotation schedule ([`Secret::add_rotation_schedule`]).
    #[derive(Clone, Debug, PartialEq)]
    pub struct RotationScheduleOptions {
        /// The ARN of the Lambda function that rotates the secret. It must allow
        /// `secretsmanager.amazonaws.com` to invoke it (a resource-based policy) and may
        /// read and write this secret (its role); berth has no Lambda construct, so
        /// neither is done here. Required.
        pub rotation_lambda_arn: Value,
        /// How often: whole days (1 to 1000) become `AutomaticallyAfterDays`, whole
        /// hours (at least 4) a `rate(N hours)` expression. Default: 30 days (as CDK).
        pub automatically_after: Duration,
        /// Rotate when the schedule is deployed, not only at its next window. Default:
        /// not rendered (true).
        pub rotate_immediately_on_update: Option<bool>,
    }
}

impl RotationScheduleOptions {
    /// Rotation by `rotation_lambda_arn` every 30 days.
    pub fn new(rotation_lambda_arn: impl Into<Value>) -> RotationScheduleOptions {
        RotationScheduleOptions {
            rotation_lambda_arn: rotation_lambda_arn.into(),
            automatically_after: Duration::from_secs(30 * 86_400),
            rotate_immediately_on_update: None,
        }
    }
}

/// A Secrets Manager secret (CDK's `secretsmanager.Secret`). Its L1 child is
/// `Resource` (`AWS::SecretsManager::Secret`). See the [module](self) docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secret {
    node: NodeId,
    resource: Option<ResourceRef<CfnSecret>>,
    has_key: bool,
}

impl Scope for Secret {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Secret {
    /// Creates a secret under `scope`; its options are checked here.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: SecretProps) -> Result<Secret> {
        let path = format!("{}/{id}", app.path(&scope));
        if let Some(n) = &props.secret_name {
            let ok = (1..=512).contains(&n.len())
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
            if !ok {
                return Err(ConstructError::invalid(
                    path,
                    "secret_name",
                    format!(
                        "invalid secret name \"{n}\": use 1 to 512 letters, digits and /_+=.@-"
                    ),
                ));
            }
        }
        let g = &props.generate_secret_string;
        g.check().map_err(|(p, m)| {
            ConstructError::invalid(&path, format!("generate_secret_string.{p}"), m)
        })?;
        let node = app.add_construct(scope, id, Attributes::new("berth.secretsmanager.Secret"))?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnSecret {
                description: props.description.map(Into::into),
                generate_secret_string: Some(g.l1().into()),
                kms_key_id: props.encryption_key_arn.clone().map(value_expr),
                name: props.secret_name.map(Into::into),
                ..Default::default()
            },
        )?;
        app.apply_removal_policy(
            resource,
            props.removal_policy.unwrap_or(RemovalPolicy::Delete),
        )?;
        let has_key = props.encryption_key_arn.is_some();
        if let Some(key) = props.encryption_key_arn {
            app.set_attribute(node, "EncryptionKeyArn", key);
        }
        Ok(Secret {
            node,
            resource: Some(resource),
            has_key,
        })
    }

    /// An existing secret by its complete ARN (with the six-character suffix Secrets
    /// Manager adds). berth never changes it.
    pub fn from_secret_complete_arn(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        arn: impl Into<Value>,
    ) -> Result<Secret> {
        let arn = arn.into();
        if let Value::String(s) = &arn {
            let parts: Vec<&str> = s.split(':').collect();
            if parts.len() != 7
                || parts[0] != "arn"
                || parts[2] != "secretsmanager"
                || parts[5] != "secret"
            {
                return Err(ConstructError::invalid(
                    format!("{}/{id}", app.path(&scope)),
                    "secret_arn",
                    format!("\"{s}\" is not a secret ARN; expected arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>"),
                ));
            }
        }
        let node = app.add_construct(
            scope,
            id,
            Attributes::new("berth.secretsmanager.ImportedSecret"),
        )?;
        app.set_attribute(node, "Arn", arn);
        Ok(Secret {
            node,
            resource: None,
            has_key: false,
        })
    }

    /// The secret's ARN (`Ref`).
    pub fn secret_arn(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "Arn"),
        }
    }

    /// The ARN of its customer managed KMS key, if it has one.
    pub fn encryption_key_arn(&self) -> Option<Value> {
        self.has_key
            .then(|| Token::<String>::get_att(self.node, "EncryptionKeyArn").into())
    }

    /// A JSON key of the secret's value, resolved by CloudFormation at deploy time (a
    /// dynamic reference `{{resolve:secretsmanager:<arn>:SecretString:<key>::}}`), for
    /// properties that take a password, such as a database's.
    pub fn secret_value_from_json(&self, key: &str) -> Value {
        join([
            Value::from("{{resolve:secretsmanager:"),
            self.secret_arn().into(),
            Value::from(format!(":SecretString:{key}::}}}}")),
        ])
    }

    /// The L1 secret, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnSecret>> {
        self.resource
    }

    /// Lets `grantee` read the secret (CDK's `grantRead`): `secretsmanager:GetSecretValue`
    /// and `secretsmanager:DescribeSecret` on its ARN, and `kms:Decrypt` on its key
    /// through Secrets Manager only.
    pub fn grant_read(&self, app: &mut App, grantee: &(impl Grantable + ?Sized)) -> Result<Grant> {
        let grant = Grant::add_to_principal(
            app,
            grantee,
            [
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ],
            [self.secret_arn()],
        )?;
        self.grant_key(app, grantee, grant, &["kms:Decrypt"])
    }

    /// Lets `grantee` change the secret: `secretsmanager:PutSecretValue` and
    /// `secretsmanager:UpdateSecret` on its ARN, and `kms:Encrypt`, `kms:ReEncrypt*` and
    /// `kms:GenerateDataKey*` on its key through Secrets Manager only.
    pub fn grant_write(&self, app: &mut App, grantee: &(impl Grantable + ?Sized)) -> Result<Grant> {
        let grant = Grant::add_to_principal(
            app,
            grantee,
            [
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
            ],
            [self.secret_arn()],
        )?;
        self.grant_key(
            app,
            grantee,
            grant,
            &["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        )
    }

    fn grant_key(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        grant: Grant,
        actions: &[&str],
    ) -> Result<Grant> {
        let Some(key) = self.encryption_key_arn() else {
            return Ok(grant);
        };
        let statement = kms_via_secrets_manager(key, actions);
        let applied = grantee.add_to_principal_policy(app, statement.clone())?;
        Ok(grant.combine(Grant::from_statement(statement, applied)))
    }

    /// Rotates the secret on a schedule (CDK's `addRotationSchedule`): a
    /// `RotationSchedule` construct `id` under the secret
    /// (`AWS::SecretsManager::RotationSchedule`).
    pub fn add_rotation_schedule(
        &self,
        app: &mut App,
        id: &str,
        options: RotationScheduleOptions,
    ) -> Result<ResourceRef<CfnRotationSchedule>> {
        let path = format!("{}/{id}", app.path(self.node));
        let bad = |m: String| ConstructError::invalid(&path, "automatically_after", m);
        let d = options.automatically_after;
        let secs = d.as_secs();
        if d.subsec_nanos() != 0 || secs % 3600 != 0 {
            return Err(bad(format!(
                "rotation runs every whole number of hours or days, got {d:?}"
            )));
        }
        let hours = secs / 3600;
        if !(4..=1000 * 24).contains(&hours) {
            return Err(bad(format!(
                "rotation runs every 4 hours to 1000 days, got {d:?}"
            )));
        }
        if matches!(&options.rotation_lambda_arn, Value::Null)
            || options
                .rotation_lambda_arn
                .as_str()
                .is_some_and(|s| !s.starts_with("arn:"))
        {
            return Err(ConstructError::invalid(
                &path,
                "rotation_lambda_arn",
                "give the ARN of the rotation Lambda function (arn:<partition>:lambda:...)",
            ));
        }
        let rules = if hours % 24 == 0 {
            rs::RotationRules {
                automatically_after_days: Some(
                    i64::try_from(hours / 24).unwrap_or(i64::MAX).into(),
                ),
                ..Default::default()
            }
        } else {
            rs::RotationRules {
                schedule_expression: Some(format!("rate({hours} hours)").into()),
                ..Default::default()
            }
        };
        let node = app.add_group(self.node, id)?;
        app.add_resource(
            node,
            "Resource",
            CfnRotationSchedule {
                rotate_immediately_on_update: options.rotate_immediately_on_update.map(Into::into),
                rotation_lambda_arn: Some(value_expr(options.rotation_lambda_arn)),
                rotation_rules: Some(rules.into()),
                secret_id: Some(self.secret_arn().into()),
                ..Default::default()
            },
        )
    }
}

/// `actions` on `key`, only through Secrets Manager in this region.
pub(crate) fn kms_via_secrets_manager(key: Value, actions: &[&str]) -> PolicyStatement {
    PolicyStatement::allow()
        .actions(actions.iter().copied())
        .resource(key)
        .condition(
            "StringEquals",
            "kms:ViaService",
            join([
                Value::from("secretsmanager."),
                Pseudo::Region.token().into(),
                Value::from(".amazonaws.com"),
            ]),
        )
}
