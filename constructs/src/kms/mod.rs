//! KMS: [`Key`] (a symmetric key, rotated yearly by default, retained when it leaves
//! the stack) with aliases ([`Alias`]) and the grants other constructs use to let a
//! principal encrypt or decrypt with it.
//!
//! A key's policy gives the account's root full access (CDK's default key policy), so
//! IAM policies decide who may use it: grants go to the grantee's identity policy, on
//! exactly this key's ARN. Services that act on their own (CloudWatch publishing to an
//! encrypted topic, CloudWatch Logs writing an encrypted log group) get a statement in
//! the key policy instead, with [`Key::add_to_resource_policy`].
//!
//! ```
//! use berth_constructs::iam::{Principal, Role, RoleProps};
//! use berth_constructs::kms::{Key, KeyProps};
//! use berth_constructs::{App, Stack, StackProps};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Data", StackProps::default())?;
//! let key = Key::new(&mut app, stack, "Key", KeyProps::default().alias("data"))?;
//! let role = Role::new(&mut app, stack, "Role",
//!     RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")))?;
//! key.grant_encrypt_decrypt(&mut app, &role)?;
//! let out = app.synth()?;
//! let res = &out.stacks[0].template["Resources"];
//! assert_eq!(res["Key961B73FD"]["Properties"]["EnableKeyRotation"], true);
//! assert_eq!(res["Key961B73FD"]["DeletionPolicy"], "Retain");
//! assert_eq!(res["KeyAlias910D852D"]["Properties"]["AliasName"], "alias/data");
//! let statement = &res["RoleDefaultPolicy5FFB7DAB"]["Properties"]["PolicyDocument"]["Statement"][0];
//! assert_eq!(statement["Action"], serde_json::json!(
//!     ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]));
//! assert_eq!(statement["Resource"]["Fn::GetAtt"][0], "Key961B73FD");
//! # Ok(()) }
//! ```

use crate::app::{App, Construct, NodeId, Scope};
use crate::error::{ConstructError, Result};
use crate::iam::{Grant, Grantable, PolicyDocument, PolicyStatement, Principal};
use crate::RemovalPolicy;
use berth_synth::cfn::kms::{CfnAlias, CfnKey};
use berth_synth::resource::ResourceRef;
use berth_synth::{Diagnostic, Expr, Pseudo, Token, Value};
use std::any::Any;

#[cfg(test)]
mod tests;

/// What a key administrator may do (CDK's admin actions): manage the key, not use it.
pub const ADMIN_ACTIONS: [&str; 14] = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];

/// What encrypting with a key takes.
pub const ENCRYPT_ACTIONS: [&str; 3] = ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/// What decrypting with a key takes.
pub const DECRYPT_ACTIONS: [&str; 1] = ["kms:Decrypt"];

props! {
    /// Options of a [`Key`].
    #[derive(Clone, Debug, PartialEq)]
    pub struct KeyProps {
        /// A description. Default: none.
        pub description: Option<String>,
        /// An alias (`alias/` is added when missing), created as the child `Alias`.
        /// More with [`Key::add_alias`]. Default: none.
        pub alias: Option<String>,
        /// Rotate the key material automatically. Default: true (safer than CDK's
        /// false).
        pub enable_key_rotation: bool,
        /// Days between rotations, 90 to 2560. Default: not rendered (KMS's 365).
        pub rotation_period_days: Option<u32>,
        /// Whether the key can be used. Default: not rendered (enabled).
        pub enabled: Option<bool>,
        /// Days KMS waits before deleting the key once it leaves the stack, 7 to 30.
        /// Default: not rendered (30).
        pub pending_window_days: Option<u32>,
        /// What happens to the key when it leaves the stack. Default:
        /// [`RemovalPolicy::Retain`] (data encrypted with it stays readable).
        pub removal_policy: Option<RemovalPolicy>,
        /// Principals that may administer the key (not use it). Default: none.
        pub admins: Vec<Principal>,
    }
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            alias: None,
            enable_key_rotation: true,
            rotation_period_days: None,
            enabled: None,
            pending_window_days: None,
            removal_policy: None,
            admins: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct KeyState {
    fqn: &'static str,
    resource: Option<ResourceRef<CfnKey>>,
    policy: PolicyDocument,
    aliases: usize,
}

impl Construct for KeyState {
    fn fqn(&self) -> &'static str {
        self.fqn
    }
    fn prepare(&mut self, app: &mut App, _node: NodeId) -> Result<()> {
        if let Some(r) = self.resource {
            app.resource_mut(r).key_policy = Some(Expr::Lit(self.policy.to_value()));
        }
        Ok(())
    }
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        crate::iam::resource_policy_problems(app, node, "KeyPolicy", &self.policy)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A KMS key. Its L1 child is `Resource` (`AWS::KMS::Key`); its first alias is `Alias`
/// (`AWS::KMS::Alias`), as in CDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    node: NodeId,
    resource: Option<ResourceRef<CfnKey>>,
}

impl Scope for Key {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Key {
    /// Creates a key under `scope`; the rotation period and pending window are checked
    /// here.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: KeyProps) -> Result<Key> {
        let path = format!("{}/{id}", app.path(&scope));
        if let Some(d) = props.rotation_period_days {
            if !props.enable_key_rotation {
                return Err(ConstructError::invalid(
                    path,
                    "rotation_period_days",
                    "a rotation period needs enable_key_rotation = true",
                ));
            }
            if !(90..=2560).contains(&d) {
                return Err(ConstructError::invalid(
                    path,
                    "rotation_period_days",
                    format!("the rotation period must be between 90 and 2560 days, got {d}"),
                ));
            }
        }
        if let Some(d) = props.pending_window_days {
            if !(7..=30).contains(&d) {
                return Err(ConstructError::invalid(
                    path,
                    "pending_window_days",
                    format!("the pending window must be between 7 and 30 days, got {d}"),
                ));
            }
        }
        let cfn = CfnKey {
            description: props.description.map(Into::into),
            enable_key_rotation: Some(props.enable_key_rotation.into()),
            enabled: props.enabled.map(Into::into),
            pending_window_in_days: props.pending_window_days.map(|d| i64::from(d).into()),
            rotation_period_in_days: props.rotation_period_days.map(|d| i64::from(d).into()),
            ..Default::default()
        };
        // CDK's default key policy: the account administers the key, and IAM policies
        // may grant its use.
        let policy = PolicyDocument::new([PolicyStatement::allow()
            .action("kms:*")
            .principal(Principal::account(Pseudo::AccountId.token()))
            .resource("*")]);
        let node = app.add_construct(
            scope,
            id,
            KeyState {
                fqn: "berth.kms.Key",
                resource: None,
                policy,
                aliases: 0,
            },
        )?;
        let resource = app.add_resource(node, "Resource", cfn)?;
        app.apply_removal_policy(
            resource,
            props.removal_policy.unwrap_or(RemovalPolicy::Retain),
        )?;
        if let Some(s) = app.construct_mut::<KeyState>(node) {
            s.resource = Some(resource);
        }
        let key = Key {
            node,
            resource: Some(resource),
        };
        for admin in props.admins {
            key.add_to_resource_policy(
                app,
                PolicyStatement::allow()
                    .actions(ADMIN_ACTIONS)
                    .principal(admin)
                    .resource("*"),
            )?;
        }
        if let Some(alias) = props.alias {
            key.add_alias(app, &alias)?;
        }
        Ok(key)
    }

    /// An existing key by ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`, or a
    /// token). berth never changes it: [`Key::add_to_resource_policy`] returns `false`,
    /// grants go to the grantee's identity policy (which the key's policy must allow).
    pub fn from_key_arn(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        key_arn: impl Into<Value>,
    ) -> Result<Key> {
        let arn = key_arn.into();
        let key_id = match &arn {
            Value::String(s) => {
                let parts: Vec<&str> = s.splitn(6, ':').collect();
                match (parts.as_slice(), parts.get(5).and_then(|r| r.strip_prefix("key/"))) {
                    (["arn", _, "kms", _, _, _], Some(k)) if !k.is_empty() => Value::from(k),
                    _ => {
                        return Err(ConstructError::invalid(
                            format!("{}/{id}", app.path(&scope)),
                            "key_arn",
                            format!("\"{s}\" is not a KMS key ARN; expected arn:<partition>:kms:<region>:<account>:key/<key id>"),
                        ))
                    }
                }
            }
            token => berth_synth::Intrinsic::Select(
                Value::Int(1),
                berth_synth::Intrinsic::Split("/".into(), token.clone()).into_value(),
            )
            .into_value(),
        };
        let node = app.add_construct(
            scope,
            id,
            KeyState {
                fqn: "berth.kms.ImportedKey",
                resource: None,
                policy: PolicyDocument::default(),
                aliases: 0,
            },
        )?;
        app.set_attribute(node, "Arn", arn);
        app.set_attribute(node, "KeyId", key_id);
        Ok(Key {
            node,
            resource: None,
        })
    }

    /// The key's ARN.
    pub fn key_arn(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.attr_arn(),
            None => Token::get_att(self.node, "Arn"),
        }
    }

    /// The key's id (`Ref`).
    pub fn key_id(&self) -> Token<String> {
        match self.resource {
            Some(r) => r.ref_(),
            None => Token::get_att(self.node, "KeyId"),
        }
    }

    /// The L1 key, for escape hatches (`None` when imported).
    pub fn cfn(&self) -> Option<ResourceRef<CfnKey>> {
        self.resource
    }

    /// Whether berth owns (and may change) this key.
    pub fn is_owned(&self) -> bool {
        self.resource.is_some()
    }

    /// Adds a statement to the key policy (checked at synth: it needs an action and a
    /// principal). Returns `false` for an imported key, whose policy berth never
    /// changes.
    pub fn add_to_resource_policy(
        &self,
        app: &mut App,
        statement: PolicyStatement,
    ) -> Result<bool> {
        if self.resource.is_none() {
            return Ok(false);
        }
        let prepared = app.is_prepared();
        let Some(s) = app.construct_mut::<KeyState>(self.node) else {
            return Ok(false);
        };
        s.policy.add_statement(statement);
        if prepared {
            let (doc, r) = (s.policy.to_value(), s.resource);
            if let Some(r) = r {
                app.resource_mut(r).key_policy = Some(Expr::Lit(doc));
            }
        }
        Ok(true)
    }

    /// Lets `grantee` use the key for `actions`, on exactly this key's ARN (in the
    /// grantee's identity policy; the key policy trusts the account's IAM).
    pub fn grant<A: Into<String>>(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
        actions: impl IntoIterator<Item = A>,
    ) -> Result<Grant> {
        Grant::add_to_principal(app, grantee, actions, [self.key_arn()])
    }

    /// Lets `grantee` decrypt: `kms:Decrypt`.
    pub fn grant_decrypt(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
    ) -> Result<Grant> {
        self.grant(app, grantee, DECRYPT_ACTIONS)
    }

    /// Lets `grantee` encrypt: `kms:Encrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`.
    pub fn grant_encrypt(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
    ) -> Result<Grant> {
        self.grant(app, grantee, ENCRYPT_ACTIONS)
    }

    /// Lets `grantee` encrypt and decrypt (CDK's `grantEncryptDecrypt`): `kms:Decrypt`,
    /// `kms:Encrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`.
    pub fn grant_encrypt_decrypt(
        &self,
        app: &mut App,
        grantee: &(impl Grantable + ?Sized),
    ) -> Result<Grant> {
        self.grant(
            app,
            grantee,
            DECRYPT_ACTIONS.iter().chain(&ENCRYPT_ACTIONS).copied(),
        )
    }

    /// Lets a service principal (`cloudwatch.amazonaws.com`, `logs.amazonaws.com`, ...)
    /// use the key for `actions`, through the key policy (services have no identity
    /// policy). Returns `false` for an imported key.
    pub fn grant_to_service<A: Into<String>>(
        &self,
        app: &mut App,
        service: &str,
        actions: impl IntoIterator<Item = A>,
    ) -> Result<bool> {
        self.add_to_resource_policy(
            app,
            PolicyStatement::allow()
                .actions(actions)
                .principal(Principal::service(service))
                .resource("*"),
        )
    }

    /// Adds an alias (`alias/` is added when missing): the first is the child `Alias`,
    /// the next ones `Alias<name>` (`/` written `--`), as in CDK. Names starting with
    /// `alias/aws/` are AWS's own and rejected, as are characters KMS does not allow.
    pub fn add_alias(&self, app: &mut App, name: &str) -> Result<Alias> {
        let alias_name = if name.starts_with("alias/") {
            name.to_owned()
        } else {
            format!("alias/{name}")
        };
        let path = app.path(self.node);
        let bad = |m: String| ConstructError::invalid(path.clone(), "alias", m);
        let rest = &alias_name["alias/".len()..];
        if rest.is_empty() || alias_name.len() > 256 {
            return Err(bad(format!(
                "\"{alias_name}\" is not an alias name: give 1 to 250 characters after alias/"
            )));
        }
        if alias_name.starts_with("alias/aws/") {
            return Err(bad(format!(
                "\"{alias_name}\": aliases starting with alias/aws/ are reserved for AWS managed keys"
            )));
        }
        if let Some(c) = rest
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | ':')))
        {
            return Err(bad(format!(
                "\"{alias_name}\" contains {c:?}; an alias name can have letters, digits, /, _, - and : only"
            )));
        }
        let count = app
            .construct::<KeyState>(self.node)
            .map(|s| s.aliases)
            .unwrap_or(0);
        let id = if count == 0 {
            "Alias".to_owned()
        } else {
            format!("Alias{}", alias_name.replace('/', "--"))
        };
        let node = app.add_construct(
            self.node,
            &id,
            crate::iam::Attributes::new("berth.kms.Alias"),
        )?;
        let resource = app.add_resource(
            node,
            "Resource",
            CfnAlias {
                alias_name: Some(alias_name.clone().into()),
                target_key_id: Some(self.key_arn().into()),
            },
        )?;
        app.apply_removal_policy(resource, RemovalPolicy::Retain)?;
        if let Some(s) = app.construct_mut::<KeyState>(self.node) {
            s.aliases += 1;
        }
        Ok(Alias {
            node,
            resource,
            key: *self,
        })
    }

    /// Changes what happens to the key when it leaves the stack (`false` for an
    /// imported key).
    pub fn apply_removal_policy(&self, app: &mut App, policy: RemovalPolicy) -> Result<bool> {
        match self.resource {
            Some(r) => app.apply_removal_policy(r, policy).map(|_| true),
            None => Ok(false),
        }
    }
}

/// An alias of a [`Key`]. Its L1 child is `Resource` (`AWS::KMS::Alias`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alias {
    node: NodeId,
    resource: ResourceRef<CfnAlias>,
    key: Key,
}

impl Scope for Alias {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Alias {
    /// The alias name (`Ref`), `alias/...`.
    pub fn alias_name(&self) -> Token<String> {
        self.resource.ref_()
    }

    /// The alias's ARN, `arn:<partition>:kms:<region>:<account>:alias/...`.
    pub fn alias_arn(&self) -> Token<String> {
        Token::from_intrinsic(berth_synth::Intrinsic::Join(
            String::new(),
            vec![
                Value::from("arn:"),
                Pseudo::Partition.token().into(),
                Value::from(":kms:"),
                Pseudo::Region.token().into(),
                Value::from(":"),
                Pseudo::AccountId.token().into(),
                Value::from(":"),
                self.alias_name().into(),
            ],
        ))
    }

    /// The key it names.
    pub fn key(&self) -> Key {
        self.key
    }

    /// The L1 alias, for escape hatches.
    pub fn cfn(&self) -> ResourceRef<CfnAlias> {
        self.resource
    }
}
