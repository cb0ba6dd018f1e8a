//! The input of synthesis: a [`Source`] of stacks and their elements, with construct
//! paths and element ids, that renders each resource's properties and walks its
//! construct tree. This is all synth knows of an app; it never sees constructs.
//! [`AppSpec`] is a source made of plain data (for tests and for programs that build
//! their stacks without the construct tree).

use crate::asset::DockerBuildOptions;
use crate::error::Diagnostic;
use berth_assembly::json::Node;
use berth_assembly::tree::TreeWriter;
use berth_cfn::value::{ElementId, Leaf, Value};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What synthesis reads an app through (the construct tree's `Frozen` app, an
/// [`AppSpec`]). Called from several threads.
pub trait Source: Sync {
    /// The stacks, in the order they were defined, with their elements; resources
    /// without their properties (see [`Source::properties`]). Called once.
    fn stacks(&self) -> Vec<StackSpec>;

    /// The `Properties` of the resource `resource`, every [`Value`] in them rendered
    /// by `leaf` (synth's renderer: it resolves the tokens). Called once per resource,
    /// while its stack renders, so that the properties of a whole app are never
    /// copied out of it.
    fn properties(&self, resource: ElementId, leaf: &mut Leaf<'_>) -> Node;

    /// Walks the construct tree into `tree` (`tree.json`).
    fn tree(&self, tree: &mut TreeWriter<'_>) -> std::io::Result<()>;

    /// Problems found before synthesis (the constructs' own validation): reported with
    /// synthesis's, and errors among them fail it.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// An app as plain data: stacks, each resource's properties as a [`Value`] by element
/// id, and the construct tree.
#[derive(Clone, Debug, Default)]
pub struct AppSpec {
    /// The stacks, in the order they were defined.
    pub stacks: Vec<StackSpec>,
    /// The `Properties` of each resource (none: `{}`).
    pub properties: BTreeMap<ElementId, Value>,
    /// The construct tree, written as `tree.json`.
    pub tree: TreeNode,
}

impl Source for AppSpec {
    fn stacks(&self) -> Vec<StackSpec> {
        self.stacks.clone()
    }

    fn properties(&self, resource: ElementId, leaf: &mut Leaf<'_>) -> Node {
        match self.properties.get(&resource) {
            Some(v) => leaf(v),
            None => Node::Object(Vec::new()),
        }
    }

    fn tree(&self, tree: &mut TreeWriter<'_>) -> std::io::Result<()> {
        self.tree.write(tree)
    }
}

/// Where a stack is deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The account, or `None` for environment-agnostic.
    pub account: Option<String>,
    /// The region, or `None` for environment-agnostic.
    pub region: Option<String>,
}

impl Environment {
    /// `aws://account/region`, with `unknown-account`/`unknown-region` where agnostic.
    pub fn uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region.as_deref().unwrap_or("unknown-region")
        )
    }
}

/// One stack.
#[derive(Clone, Debug, Default)]
pub struct StackSpec {
    /// The element id of the stack itself.
    pub id: ElementId,
    /// The construct path of the stack (its construct id, as stacks sit below the app).
    pub path: String,
    /// The CloudFormation stack name (also the artifact id and the template file name).
    pub name: String,
    /// The template's `Description`.
    pub description: Option<String>,
    /// Stack tags, applied to the stack and to every taggable resource in it.
    pub tags: IndexMap<String, String>,
    /// Where it deploys.
    pub env: Environment,
    /// Whether termination protection is on.
    pub termination_protection: bool,
    /// Stacks this one must be deployed after, besides those implied by references.
    pub depends_on: Vec<ElementId>,
    /// Parameters, resources, outputs, conditions and mappings, in definition order.
    pub elements: Vec<ElementSpec>,
    /// Docker image assets the stack's templates refer to, one per fingerprint, in the
    /// order they were added. The assembly gets `<StackName>.assets.json` and a copy of
    /// each build context when there are any.
    pub assets: Vec<DockerImageAssetSpec>,
}

/// A Docker image built from a directory, published before its stack is deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerImageAssetSpec {
    /// The fingerprint of the build context and options
    /// ([`crate::asset::fingerprint`]): the asset id and the image tag.
    pub hash: String,
    /// The directory with the Dockerfile (the build context), as given by the app.
    pub directory: PathBuf,
    /// How the image is built.
    pub options: DockerBuildOptions,
    /// A name for humans: the construct path of the asset
    /// (`Web/TaskDef/web/AssetImage`).
    pub display_name: String,
}

/// An element of a stack.
#[derive(Clone, Debug)]
pub struct ElementSpec {
    /// Its id (what tokens refer to).
    pub id: ElementId,
    /// Its construct path: ids joined by `/`, the first its stack's
    /// (`"Api/Web/TaskDef/Resource"` in stack `Api`). Ids never contain `/`; the logical
    /// ID is derived from the ids below the stack.
    pub path: String,
    /// A logical ID set by hand, replacing the one derived from the path.
    pub logical_id: Option<String>,
    /// What it is.
    pub kind: ElementKind,
}

impl ElementSpec {
    /// A resource at `path`, its logical ID derived from the path.
    pub fn resource(id: ElementId, path: impl Into<String>, resource: ResourceSpec) -> Self {
        ElementSpec {
            id,
            path: path.into(),
            logical_id: None,
            kind: ElementKind::Resource(resource),
        }
    }
}

/// The kinds of template elements.
#[derive(Clone, Debug)]
pub enum ElementKind {
    /// A resource.
    Resource(ResourceSpec),
    /// A template parameter: its definition (`Type`, `Default`, `AllowedValues`, ...).
    Parameter(IndexMap<String, Value>),
    /// An output.
    Output(OutputSpec),
    /// A condition: its expression (`Fn::Equals`, ...).
    Condition(Value),
    /// A mapping: top level key → second level key → value.
    Mapping(Value),
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete the resource.
    Delete,
    /// Keep the resource, orphaned from the stack.
    Retain,
    /// Take a snapshot, then delete (for types that support snapshots).
    Snapshot,
    /// Keep the resource only when the stack is deleted, not on a failed create.
    RetainExceptOnCreate,
}

impl RemovalPolicy {
    /// The CloudFormation value.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::Snapshot => "Snapshot",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
        }
    }
}

/// A resource (its properties come from [`Source::properties`]).
#[derive(Clone, Debug, Default)]
pub struct ResourceSpec {
    /// `AWS::ECS::Service` and the like.
    pub type_name: String,
    /// Elements this resource must be created after (explicit dependencies).
    pub depends_on: Vec<ElementId>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<RemovalPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<RemovalPolicy>,
    /// The condition that must hold for the resource to be created.
    pub condition: Option<ElementId>,
    /// Tags from the stack and enclosing scopes, applied if the type is taggable.
    pub tags: IndexMap<String, String>,
    /// Extra `Metadata` entries (`berth:path` is always added).
    pub metadata: IndexMap<String, Value>,
}

impl ResourceSpec {
    /// A resource of `type_name` with nothing else set.
    pub fn of_type(type_name: impl Into<String>) -> Self {
        ResourceSpec {
            type_name: type_name.into(),
            ..Default::default()
        }
    }
}

/// An output.
#[derive(Clone, Debug, Default)]
pub struct OutputSpec {
    /// Its value.
    pub value: Value,
    /// Its description.
    pub description: Option<String>,
    /// The name to export it under (`Export.Name`).
    pub export_name: Option<Value>,
    /// The condition that must hold for the output to exist.
    pub condition: Option<ElementId>,
}

/// A node of the construct tree, for `tree.json`.
#[derive(Clone, Debug, Default)]
pub struct TreeNode {
    /// The construct id.
    pub id: String,
    /// The full construct path (`""` for the app).
    pub path: String,
    /// The construct's type, e.g. `berth.ecs.FargateService`.
    pub fqn: String,
    /// The CloudFormation type, for L1 resources.
    pub cfn_type: Option<String>,
    /// Children, in order.
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// Writes the node and those below it into `tree`.
    pub fn write(&self, tree: &mut TreeWriter<'_>) -> std::io::Result<()> {
        tree.open(&self.id, &self.path);
        for child in &self.children {
            tree.child(&child.id);
            child.write(tree)?;
        }
        tree.close(&self.fqn, self.cfn_type.as_deref())
    }
}
