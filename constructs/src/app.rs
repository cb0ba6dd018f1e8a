//! The construct tree: an [`App`] owns every node in one arena; constructs are small
//! `Copy` handles ([`NodeId`], [`Stack`], `ResourceRef<P>`, the L2 handles) into it.

use crate::error::{ConstructError, ErrorKind, Result};
use berth_synth::assembly::tree::TreeWriter;
use berth_synth::assembly::{DirSink, MemorySink, TemplateFormat};
use berth_synth::json::Node as Json;
use berth_synth::model::{
    DockerImageAssetSpec, ElementKind, ElementSpec, Environment, OutputSpec, RemovalPolicy,
    ResourceSpec, Source, StackSpec,
};
use berth_synth::output::SynthOutput;
use berth_synth::par::par_map;
use berth_synth::resource::{render_with_overrides, CfnProperties, PropertyOverride, ResourceRef};
use berth_synth::synthesize::{synthesize, SynthOptions, Synthesis};
use berth_synth::value::Leaf;
use berth_synth::{Diagnostic, ElementId, SynthError, Value};
use indexmap::IndexMap;
use std::any::Any;
use std::path::Path;

/// A node of the tree. The same number is the [`ElementId`] that tokens refer to.
pub type NodeId = ElementId;

/// Anything that can be a scope: a node, a stack, a resource, an L2 construct.
pub trait Scope {
    /// The node of the scope.
    fn node(&self) -> NodeId;
}

impl Scope for NodeId {
    fn node(&self) -> NodeId {
        *self
    }
}
impl<P> Scope for ResourceRef<P> {
    fn node(&self) -> NodeId {
        self.id()
    }
}
impl<T: Scope + ?Sized> Scope for &T {
    fn node(&self) -> NodeId {
        (**self).node()
    }
}

/// The behaviour of a higher-level (L2) construct: its state lives in the tree, and
/// synth calls [`Construct::prepare`] (to render lazily computed properties into its
/// L1 children) and then [`Construct::validate`].
pub trait Construct: Any + Send + Sync {
    /// The construct's type name for `tree.json`, e.g. `berth.ecs.FargateService`.
    fn fqn(&self) -> &'static str {
        "berth.Construct"
    }
    /// Called once at synth, before validation, with the state taken out of the tree.
    fn prepare(&mut self, app: &mut App, node: NodeId) -> Result<()> {
        let _ = (app, node);
        Ok(())
    }
    /// Problems with the construct, found at synth.
    fn validate(&self, app: &App, node: NodeId) -> Vec<Diagnostic> {
        let _ = (app, node);
        Vec::new()
    }
    /// Upcast for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// Upcast for downcasting.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A construct with no behaviour of its own: a scope to group children under.
#[derive(Debug, Default)]
pub struct Group;

impl Construct for Group {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

struct ResourceData {
    props: Box<dyn CfnProperties>,
    overrides: Vec<PropertyOverride>,
    deletion_policy: Option<RemovalPolicy>,
    update_replace_policy: Option<RemovalPolicy>,
    condition: Option<NodeId>,
    metadata: IndexMap<String, Value>,
}

struct StackData {
    name: String,
    description: Option<String>,
    env: Environment,
    termination_protection: bool,
    assets: Vec<DockerImageAssetSpec>,
    /// How many template elements (resources, parameters, outputs, conditions,
    /// mappings) the stack holds: lowering sizes its element list with it.
    elements: usize,
}

// Boxed variants keep `Node` small: the arena holds one per construct.
enum NodeKind {
    App,
    Stack(Box<StackData>),
    Construct(Option<Box<dyn Construct>>),
    Resource(Box<ResourceData>),
    Parameter(Box<IndexMap<String, Value>>),
    Output(Box<OutputSpec>),
    Condition(Box<Value>),
    Mapping(Box<Value>),
}

impl NodeKind {
    fn noun(&self) -> &'static str {
        match self {
            NodeKind::App => "app",
            NodeKind::Stack(_) => "stack",
            NodeKind::Construct(_) => "construct",
            NodeKind::Resource(_) => "resource",
            NodeKind::Parameter(_) => "parameter",
            NodeKind::Output(_) => "output",
            NodeKind::Condition(_) => "condition",
            NodeKind::Mapping(_) => "mapping",
        }
    }
}

struct Node {
    id: String,
    parent: Option<NodeId>,
    /// In the order they were added; a child's id is its node's `id` (scopes are
    /// small, so a scan finds one faster than a map costs to keep per node).
    children: Vec<NodeId>,
    kind: NodeKind,
    /// What few nodes have (tags, explicit dependencies, a logical-ID override), boxed so
    /// that the many nodes without them stay small.
    extra: Option<Box<NodeExtra>>,
}

/// The construct tree's nodes, by id, in chunks of a fixed size: growing never copies
/// the nodes already there (one `Vec` would double and copy megabytes for a large app,
/// touching fresh memory each time).
struct Nodes {
    chunks: Vec<Vec<Node>>,
    len: usize,
}

impl Nodes {
    /// Nodes per chunk, as a power of two.
    const CHUNK_BITS: u32 = 10;
    const CHUNK: usize = 1 << Self::CHUNK_BITS;

    fn new() -> Nodes {
        Nodes {
            chunks: Vec::new(),
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, node: Node) {
        if self.len % Self::CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(Self::CHUNK));
        }
        self.chunks
            .last_mut()
            .expect("a chunk with room")
            .push(node);
        self.len += 1;
    }

    fn get(&self, i: usize) -> Option<&Node> {
        self.chunks
            .get(i >> Self::CHUNK_BITS)?
            .get(i & (Self::CHUNK - 1))
    }

    fn iter(&self) -> impl Iterator<Item = &Node> {
        self.chunks.iter().flatten()
    }
}

impl std::ops::Index<usize> for Nodes {
    type Output = Node;
    fn index(&self, i: usize) -> &Node {
        &self.chunks[i >> Self::CHUNK_BITS][i & (Self::CHUNK - 1)]
    }
}

impl std::ops::IndexMut<usize> for Nodes {
    fn index_mut(&mut self, i: usize) -> &mut Node {
        &mut self.chunks[i >> Self::CHUNK_BITS][i & (Self::CHUNK - 1)]
    }
}

/// The rarely set parts of a [`Node`].
#[derive(Default)]
struct NodeExtra {
    /// Tag operations made on this scope ([`Tags`]), in order.
    tags: Vec<TagOp>,
    depends_on: Vec<NodeId>,
    logical_id: Option<String>,
    /// What an imported construct stands for (see `attributes.rs`).
    attributes: Vec<(String, Value)>,
}

impl Node {
    fn new(id: String, parent: Option<NodeId>, kind: NodeKind) -> Node {
        Node {
            id,
            parent,
            children: Vec::new(),
            kind,
            extra: None,
        }
    }

    /// The tag operations made on this node.
    fn tags(&self) -> &[TagOp] {
        self.extra.as_ref().map_or(&[], |e| &e.tags)
    }

    fn depends_on(&self) -> &[NodeId] {
        self.extra.as_ref().map_or(&[], |e| &e.depends_on)
    }

    fn logical_id(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|e| e.logical_id.as_ref())
    }

    fn extra_mut(&mut self) -> &mut NodeExtra {
        self.extra.get_or_insert_with(Default::default)
    }
}

/// The root of the construct tree: it owns every construct of the program.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_constructs::{App, Stack, StackProps};
/// use berth_synth::resource::RawProperties;
/// use berth_synth::Value;
///
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "Storage", StackProps::default())?;
/// let bucket = app
///     .add_resource(stack, "Bucket", RawProperties::new("AWS::S3::Bucket", Value::map::<&str>([])))?;
/// assert_eq!(app.path(bucket), "Storage/Bucket");
/// let out = app.synth()?;
/// assert!(out.stacks[0].template["Resources"]["Bucket"].is_object());
/// # Ok(())
/// # }
/// ```
///
/// Synthesis ([`App::synth`], [`App::synth_to`], [`App::write_assembly`]) freezes the
/// app first ([`App::freeze`]): the constructs are prepared (once), the tree is locked,
/// and synthesis reads it without changing it, so the app can still be read (and
/// synthesized again) afterwards.
pub struct App {
    nodes: Nodes,
    locked: bool,
    prepared: bool,
    options: SynthOptions,
    /// Whether any construct has recorded attributes ([`App::set_attribute`]).
    has_attributes: bool,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

/// The root node of every app.
pub const ROOT: NodeId = ElementId(0);

props! {
    /// Options of a stack.
    #[derive(Clone, Debug, Default)]
    pub struct StackProps {
        /// The CloudFormation stack name. Default: the stack's construct id.
        pub stack_name: Option<String>,
        /// The template's description. Default: none.
        pub description: Option<String>,
        /// Tags of the stack and of every taggable resource in it (as
        /// `Tags::of(stack).add`). Default: none.
        pub tags: IndexMap<String, String>,
        /// Account and region. Default: environment-agnostic (resolved at deploy).
        pub env: Environment,
        /// Whether the stack refuses to be deleted. Default: false.
        pub termination_protection: bool,
    }
}

/// A CloudFormation stack: the unit of deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stack {
    node: NodeId,
}

impl Scope for Stack {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Stack {
    /// Adds a stack to the app.
    pub fn new(app: &mut App, id: &str, props: StackProps) -> Result<Stack> {
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_owned());
        if let Err(msg) = berth_synth::synthesize::check_stack_name(&name) {
            return Err(ConstructError::invalid(id, "stack_name", msg));
        }
        let node = app.add_node(
            ROOT,
            id,
            NodeKind::Stack(Box::new(StackData {
                name,
                description: props.description,
                env: props.env,
                termination_protection: props.termination_protection,
                assets: Vec::new(),
                elements: 0,
            })),
        )?;
        for (k, v) in &props.tags {
            Tags::of(node).add(app, k, v);
        }
        Ok(Stack { node })
    }

    /// The stack that `scope` belongs to.
    pub fn of(app: &App, scope: impl Scope) -> Option<Stack> {
        let mut cur = Some(scope.node());
        while let Some(n) = cur {
            if matches!(app.node(n).kind, NodeKind::Stack(_)) {
                return Some(Stack { node: n });
            }
            cur = app.node(n).parent;
        }
        None
    }

    /// The CloudFormation stack name.
    pub fn name<'a>(&self, app: &'a App) -> &'a str {
        match &app.node(self.node).kind {
            NodeKind::Stack(s) => &s.name,
            _ => unreachable!("Stack handles point at stacks"),
        }
    }

    /// The environment of the stack.
    pub fn env<'a>(&self, app: &'a App) -> &'a Environment {
        match &app.node(self.node).kind {
            NodeKind::Stack(s) => &s.env,
            _ => unreachable!("Stack handles point at stacks"),
        }
    }

    /// Makes this stack deploy after `other`.
    pub fn add_dependency(&self, app: &mut App, other: Stack) {
        app.node_mut(self.node)
            .extra_mut()
            .depends_on
            .push(other.node);
    }

    /// Registers a Docker image asset the stack's template refers to (by its
    /// fingerprint, `asset.hash`): it is written to the stack's asset manifest and its
    /// build context is staged into the cloud assembly, to be built and pushed before the
    /// stack is deployed. An asset with a fingerprint the stack has already is not added
    /// twice; returns whether it was added. Constructs such as
    /// [`crate::ecs::ContainerImage::from_asset`] call this.
    pub fn add_docker_image_asset(&self, app: &mut App, asset: DockerImageAssetSpec) -> bool {
        match &mut app.node_mut(self.node).kind {
            NodeKind::Stack(s) => {
                if s.assets.iter().any(|a| a.hash == asset.hash) {
                    false
                } else {
                    s.assets.push(asset);
                    true
                }
            }
            _ => unreachable!("Stack handles point at stacks"),
        }
    }

    /// The Docker image assets registered on the stack, in the order they were added.
    pub fn docker_image_assets<'a>(&self, app: &'a App) -> &'a [DockerImageAssetSpec] {
        match &app.node(self.node).kind {
            NodeKind::Stack(s) => &s.assets,
            _ => unreachable!("Stack handles point at stacks"),
        }
    }
}

props! {
    /// Options of a template parameter.
    #[derive(Clone, Debug, Default)]
    pub struct ParameterProps {
        /// The parameter type. Default: `String`.
        pub type_name: Option<String>,
        #[setter(skip)]
        /// The default value (setter: `default_value`, as `default` is
        /// `Default::default`). Default: none (a value must be passed at deploy).
        pub default: Option<Value>,
        /// A description. Default: none.
        pub description: Option<String>,
        /// The values allowed. Default: any.
        pub allowed_values: Vec<String>,
        /// Hide the value in the console and API. Default: false.
        pub no_echo: bool,
    }
}

impl ParameterProps {
    /// Sets [`ParameterProps::default`]: the value used when none is passed at deploy.
    #[must_use = "a setter returns the changed props"]
    pub fn default_value(mut self, value: impl crate::props::IntoProp<Value>) -> Self {
        self.default = Some(value.into_prop());
        self
    }
}

/// A template parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parameter {
    node: NodeId,
}

impl Scope for Parameter {
    fn node(&self) -> NodeId {
        self.node
    }
}

impl Parameter {
    /// Adds a parameter to the stack of `scope`.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        props: ParameterProps,
    ) -> Result<Parameter> {
        let mut def = IndexMap::new();
        def.insert(
            "Type".to_owned(),
            Value::String(props.type_name.unwrap_or_else(|| "String".into())),
        );
        if let Some(d) = props.default {
            def.insert("Default".into(), d);
        }
        if let Some(d) = props.description {
            def.insert("Description".into(), Value::String(d));
        }
        if !props.allowed_values.is_empty() {
            def.insert("AllowedValues".into(), props.allowed_values.into());
        }
        if props.no_echo {
            def.insert("NoEcho".into(), Value::Bool(true));
        }
        let node = app.add_element(scope, id, NodeKind::Parameter(Box::new(def)))?;
        Ok(Parameter { node })
    }

    /// The parameter's value, as a string.
    pub fn value_as_string(&self) -> berth_synth::Token<String> {
        berth_synth::Token::ref_to(self.node)
    }

    /// The parameter's value, as a number.
    pub fn value_as_number(&self) -> berth_synth::Token<i64> {
        berth_synth::Token::ref_to(self.node)
    }

    /// The parameter's value, as a list of strings (for `List<...>` and
    /// `CommaDelimitedList` types).
    pub fn value_as_list(&self) -> berth_synth::Token<Vec<String>> {
        berth_synth::Token::ref_to(self.node)
    }
}

props! {
    /// Options of an output.
    #[derive(Clone, Debug, Default)]
    pub struct OutputProps {
        /// The value.
        pub value: Value,
        /// A description. Default: none.
        pub description: Option<String>,
        /// Export it under this name. Default: not exported.
        pub export_name: Option<String>,
        /// Only output it when this condition holds. Default: always.
        pub condition: Option<Condition>,
    }
}

impl OutputProps {
    /// An output of `value` (a token such as `repo.repository_uri()`, or a literal),
    /// not exported.
    pub fn new(value: impl Into<Value>) -> Self {
        OutputProps {
            value: value.into(),
            ..Default::default()
        }
    }
}

/// A stack output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    node: NodeId,
}

impl Output {
    /// Adds an output to the stack of `scope`.
    pub fn new(app: &mut App, scope: impl Scope, id: &str, props: OutputProps) -> Result<Output> {
        let spec = OutputSpec {
            value: props.value,
            description: props.description,
            export_name: props.export_name.map(Value::String),
            condition: props.condition.map(|c| c.node),
        };
        let node = app.add_element(scope, id, NodeKind::Output(Box::new(spec)))?;
        Ok(Output { node })
    }
}

/// A template condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    node: NodeId,
}

impl Condition {
    /// Adds a condition (an `Fn::Equals`, `Fn::And`, ... expression).
    pub fn new(app: &mut App, scope: impl Scope, id: &str, expression: Value) -> Result<Condition> {
        let node = app.add_element(scope, id, NodeKind::Condition(Box::new(expression)))?;
        Ok(Condition { node })
    }

    /// `Fn::If` on this condition.
    pub fn if_else(&self, then: impl Into<Value>, otherwise: impl Into<Value>) -> Value {
        berth_synth::Intrinsic::If(
            berth_synth::Target::Element(self.node),
            then.into(),
            otherwise.into(),
        )
        .into_value()
    }

    /// The condition's node.
    pub fn node(&self) -> NodeId {
        self.node
    }
}

/// A template mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    node: NodeId,
}

impl Mapping {
    /// Adds a mapping: top level key → second level key → value.
    pub fn new(
        app: &mut App,
        scope: impl Scope,
        id: &str,
        entries: IndexMap<String, IndexMap<String, Value>>,
    ) -> Result<Mapping> {
        let v = Value::Map(Box::new(
            entries
                .into_iter()
                .map(|(k, m)| (k, Value::Map(Box::new(m))))
                .collect(),
        ));
        let node = app.add_element(scope, id, NodeKind::Mapping(Box::new(v)))?;
        Ok(Mapping { node })
    }

    /// `Fn::FindInMap` in this mapping.
    pub fn find(
        &self,
        top: impl Into<Value>,
        second: impl Into<Value>,
    ) -> berth_synth::Token<String> {
        berth_synth::Token::from_intrinsic(berth_synth::Intrinsic::FindInMap(
            berth_synth::Target::Element(self.node),
            top.into(),
            second.into(),
        ))
    }
}

impl App {
    /// An empty app.
    pub fn new() -> App {
        App {
            nodes: {
                let mut nodes = Nodes::new();
                nodes.push(Node::new(String::new(), None, NodeKind::App));
                nodes
            },
            locked: false,
            prepared: false,
            options: SynthOptions::default(),
            has_attributes: false,
        }
    }

    /// Turns schema validation at synth on or off (default: on).
    pub fn set_validate_schemas(&mut self, on: bool) {
        self.options.validate_schemas = on;
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0 as usize]
    }

    fn check_node(&self, id: NodeId) -> Result<()> {
        if (id.0 as usize) < self.nodes.len() {
            Ok(())
        } else {
            Err(ConstructError::new(
                format!("node {id}"),
                ErrorKind::WrongScope("this node does not belong to this app".into()),
            ))
        }
    }

    /// The construct path of a node (`Web/Service/Resource`; `""` for the app).
    pub fn path(&self, scope: impl Scope) -> String {
        self.path_ids(scope).join("/")
    }

    /// The ids on a node's construct path, the stack's first: [`App::path`] split at
    /// its `/`s (what a unique id is made from).
    pub fn path_ids(&self, scope: impl Scope) -> Vec<&str> {
        let mut ids = Vec::with_capacity(8);
        let mut cur = Some(scope.node());
        while let Some(n) = cur {
            let node = self.node(n);
            if node.parent.is_some() {
                ids.push(node.id.as_str());
            }
            cur = node.parent;
        }
        ids.reverse();
        ids
    }

    /// The construct id of a node.
    pub fn id(&self, scope: impl Scope) -> &str {
        &self.node(scope.node()).id
    }

    /// The parent of a node.
    pub fn parent(&self, scope: impl Scope) -> Option<NodeId> {
        self.node(scope.node()).parent
    }

    /// The children of a node, in the order they were added.
    pub fn children(&self, scope: impl Scope) -> impl Iterator<Item = (&str, NodeId)> {
        self.node(scope.node())
            .children
            .iter()
            .map(|&c| (self.node(c).id.as_str(), c))
    }

    /// The child of `scope` with this id.
    pub fn child(&self, scope: impl Scope, id: &str) -> Option<NodeId> {
        self.node(scope.node())
            .children
            .iter()
            .copied()
            .find(|&c| self.node(c).id == id)
    }

    /// Finds a node by its full path (`Web/Service/Resource`); a path that is not in
    /// the tree is an error at the deepest scope found, listing that scope's children.
    pub fn find(&self, path: &str) -> Result<NodeId> {
        let mut cur = ROOT;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            cur = match self.child(cur, part) {
                Some(c) => c,
                None => {
                    let ids: Vec<String> = self
                        .children(cur)
                        .map(|(id, _)| format!("\"{id}\""))
                        .collect();
                    let ids = if ids.is_empty() {
                        "none".to_owned()
                    } else {
                        ids.join(", ")
                    };
                    return Err(ConstructError::new(
                        self.path(cur),
                        ErrorKind::InvalidValue(format!(
                            "there is no construct \"{part}\" here (looking for {path}); children: {ids}"
                        )),
                    ));
                }
            };
        }
        Ok(cur)
    }

    /// The stacks, in the order they were added.
    pub fn stacks(&self) -> Vec<Stack> {
        self.node(ROOT)
            .children
            .iter()
            .filter(|n| matches!(self.node(**n).kind, NodeKind::Stack(_)))
            .map(|&node| Stack { node })
            .collect()
    }

    fn add_node(&mut self, scope: NodeId, id: &str, kind: NodeKind) -> Result<NodeId> {
        self.check_node(scope)?;
        // The scope's path only for errors: building it for every node costs.
        let scope_path = || self.path(scope);
        if self.locked {
            return Err(ConstructError::new(scope_path(), ErrorKind::Locked));
        }
        if id.is_empty() {
            return Err(ConstructError::new(scope_path(), ErrorKind::EmptyId));
        }
        if id.contains('/') {
            return Err(ConstructError::new(
                scope_path(),
                ErrorKind::InvalidId {
                    id: id.to_owned(),
                    reason: "'/' separates path components and cannot be part of an id".into(),
                },
            ));
        }
        if self.child(scope, id).is_some() {
            return Err(ConstructError::new(
                scope_path(),
                ErrorKind::DuplicateId(id.to_owned()),
            ));
        }
        let scope_kind = &self.node(scope).kind;
        match (&kind, scope_kind) {
            (NodeKind::Stack(_), NodeKind::App) => {}
            (NodeKind::Stack(_), _) => {
                return Err(ConstructError::new(
                    scope_path(),
                    ErrorKind::WrongScope(format!(
                        "stack \"{id}\" must be added to the app, not inside a {}",
                        scope_kind.noun()
                    )),
                ))
            }
            (_, NodeKind::App) => {
                return Err(ConstructError::new(
                    scope_path(),
                    ErrorKind::WrongScope(format!(
                        "\"{id}\" must be inside a stack: create a Stack and use it as the scope"
                    )),
                ))
            }
            (_, NodeKind::Stack(_) | NodeKind::Construct(_) | NodeKind::Resource(_)) => {}
            (_, other) => {
                return Err(ConstructError::new(
                    scope_path(),
                    ErrorKind::WrongScope(format!("a {} cannot have children", other.noun())),
                ))
            }
        }
        let is_element = !matches!(
            kind,
            NodeKind::App | NodeKind::Stack(_) | NodeKind::Construct(_)
        );
        let node = ElementId(self.nodes.len() as u32);
        self.nodes.push(Node::new(id.to_owned(), Some(scope), kind));
        self.node_mut(scope).children.push(node);
        if is_element {
            if let Some(stack) = Stack::of(self, scope) {
                if let NodeKind::Stack(data) = &mut self.node_mut(stack.node).kind {
                    data.elements += 1;
                }
            }
        }
        Ok(node)
    }

    fn add_element(&mut self, scope: impl Scope, id: &str, kind: NodeKind) -> Result<NodeId> {
        self.add_node(scope.node(), id, kind)
    }

    /// Adds an L1 resource under `scope`.
    pub fn add_resource<P: CfnProperties>(
        &mut self,
        scope: impl Scope,
        id: &str,
        props: P,
    ) -> Result<ResourceRef<P>> {
        if self.options.validate_schemas {
            berth_synth::schema::compile_in_background(props.type_name());
        }
        let node = self.add_element(
            scope,
            id,
            NodeKind::Resource(Box::new(ResourceData {
                props: Box::new(props),
                overrides: Vec::new(),
                deletion_policy: None,
                update_replace_policy: None,
                condition: None,
                metadata: IndexMap::new(),
            })),
        )?;
        Ok(ResourceRef::new(node))
    }

    fn resource_data(&self, node: NodeId) -> Result<&ResourceData> {
        match &self.node(node).kind {
            NodeKind::Resource(r) => Ok(r),
            other => Err(ConstructError::new(
                self.path(node),
                ErrorKind::WrongKind {
                    expected: "resource",
                    found: other.noun(),
                },
            )),
        }
    }

    fn resource_data_mut(&mut self, node: NodeId) -> Result<&mut ResourceData> {
        if !matches!(self.node(node).kind, NodeKind::Resource(_)) {
            // The path is only made for the error.
            return Err(ConstructError::new(
                self.path(node),
                ErrorKind::WrongKind {
                    expected: "resource",
                    found: self.node(node).kind.noun(),
                },
            ));
        }
        match &mut self.node_mut(node).kind {
            NodeKind::Resource(r) => Ok(r),
            _ => unreachable!("checked above"),
        }
    }

    /// The properties of an L1 resource.
    pub fn resource<P: CfnProperties>(&self, r: ResourceRef<P>) -> &P {
        self.resource_data(r.id())
            .ok()
            .and_then(|d| d.props.as_any().downcast_ref::<P>())
            .expect("a ResourceRef<P> points at a resource of type P in this app")
    }

    /// The properties of an L1 resource, to change them.
    pub fn resource_mut<P: CfnProperties>(&mut self, r: ResourceRef<P>) -> &mut P {
        self.resource_data_mut(r.id())
            .ok()
            .and_then(|d| d.props.as_any_mut().downcast_mut::<P>())
            .expect("a ResourceRef<P> points at a resource of type P in this app")
    }

    /// The CloudFormation type of a resource node.
    pub fn resource_type(&self, node: impl Scope) -> Option<&str> {
        self.resource_data(node.node())
            .ok()
            .map(|r| r.props.type_name())
    }

    /// Sets a property by its dotted path (`"ContainerDefinitions.0.Cpu"`), over what the
    /// construct renders: the escape hatch for properties berth does not model.
    /// Numeric components index into lists.
    pub fn add_property_override(
        &mut self,
        resource: impl Scope,
        path: &str,
        value: impl Into<Value>,
    ) -> Result<()> {
        self.resource_data_mut(resource.node())?
            .overrides
            .push(PropertyOverride::set(path, value.into()));
        Ok(())
    }

    /// Removes a property by its dotted path from what the construct renders.
    pub fn add_property_deletion_override(
        &mut self,
        resource: impl Scope,
        path: &str,
    ) -> Result<()> {
        self.resource_data_mut(resource.node())?
            .overrides
            .push(PropertyOverride::delete(path));
        Ok(())
    }

    /// Sets `DeletionPolicy` and `UpdateReplacePolicy` of a resource.
    pub fn apply_removal_policy(
        &mut self,
        resource: impl Scope,
        policy: RemovalPolicy,
    ) -> Result<()> {
        let r = self.resource_data_mut(resource.node())?;
        r.deletion_policy = Some(policy);
        r.update_replace_policy = Some(match policy {
            RemovalPolicy::RetainExceptOnCreate => RemovalPolicy::Retain,
            p => p,
        });
        Ok(())
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition(&mut self, resource: impl Scope, condition: Condition) -> Result<()> {
        self.resource_data_mut(resource.node())?.condition = Some(condition.node);
        Ok(())
    }

    /// Adds a `Metadata` entry to a resource.
    pub fn add_metadata(
        &mut self,
        resource: impl Scope,
        key: &str,
        value: impl Into<Value>,
    ) -> Result<()> {
        self.resource_data_mut(resource.node())?
            .metadata
            .insert(key.to_owned(), value.into());
        Ok(())
    }

    /// Lets `berth deploy` replace or delete the stateful resources at or below
    /// `scope` (a log group, repository, file system, queue, ...) although their data
    /// goes with them: writes `Metadata["berth:allow-replacement"] = reason` into each
    /// resource's template, which the deploy guard reads. Without it (or
    /// `--allow-replacement PATH`) a deploy that would replace or delete one is
    /// refused. Call it after the construct is made; to delete a resource, deploy it
    /// with the allowance first, or pass the flag.
    ///
    /// ```
    /// # use berth_constructs::{App, Stack, StackProps};
    /// # use berth_constructs::logs::{LogGroup, LogGroupProps};
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let logs = LogGroup::new(&mut app, stack, "Logs", LogGroupProps::default())?;
    /// app.allow_replacement(logs, "the old logs are exported nightly")?;
    /// # Ok::<(), berth_constructs::ConstructError>(())
    /// ```
    pub fn allow_replacement(&mut self, scope: impl Scope, reason: &str) -> Result<()> {
        let scope = scope.node();
        self.check_node(scope)?;
        for r in self.resources_below(scope) {
            self.add_metadata(r, "berth:allow-replacement", reason)?;
        }
        Ok(())
    }

    /// Replaces the logical ID derived from the path.
    pub fn override_logical_id(&mut self, element: impl Scope, logical_id: &str) -> Result<()> {
        let node = element.node();
        self.check_node(node)?;
        if let Err(msg) = berth_synth::logical_id::check_logical_id(logical_id) {
            return Err(ConstructError::invalid(self.path(node), "logical_id", msg));
        }
        self.node_mut(node).extra_mut().logical_id = Some(logical_id.to_owned());
        Ok(())
    }

    /// Makes `from` (a resource, or every resource below a construct) depend on `to` (a
    /// resource, every resource below a construct, or a whole stack).
    pub fn add_dependency(&mut self, from: impl Scope, to: impl Scope) {
        let (from, to) = (from.node(), to.node());
        self.node_mut(from).extra_mut().depends_on.push(to);
    }

    /// Tags every taggable resource and stack below `scope` (the app root, a stack, any
    /// construct): [`Tags::of`]`(scope).add(app, key, value)`, with CDK's precedence.
    pub fn add_tag(&mut self, scope: impl Scope, key: &str, value: &str) {
        Tags::of(scope).add(self, key, value);
    }

    /// Adds an L2 construct's state under `scope`.
    pub fn add_construct<C: Construct>(
        &mut self,
        scope: impl Scope,
        id: &str,
        state: C,
    ) -> Result<NodeId> {
        self.add_element(scope, id, NodeKind::Construct(Some(Box::new(state))))
    }

    /// Adds a plain group under `scope`, to organise children.
    pub fn add_group(&mut self, scope: impl Scope, id: &str) -> Result<NodeId> {
        self.add_construct(scope, id, Group)
    }

    /// The state of an L2 construct.
    pub fn construct<C: Construct>(&self, node: impl Scope) -> Option<&C> {
        match &self.node(node.node()).kind {
            NodeKind::Construct(Some(c)) => c.as_any().downcast_ref::<C>(),
            _ => None,
        }
    }

    /// The state of an L2 construct, to change it.
    pub fn construct_mut<C: Construct>(&mut self, node: impl Scope) -> Option<&mut C> {
        match &mut self.node_mut(node.node()).kind {
            NodeKind::Construct(Some(c)) => c.as_any_mut().downcast_mut::<C>(),
            _ => None,
        }
    }

    /// Every resource node at or below `scope`, in tree order.
    pub fn resources_below(&self, scope: impl Scope) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![scope.node()];
        while let Some(n) = stack.pop() {
            if matches!(self.node(n).kind, NodeKind::Resource(_)) {
                out.push(n);
            }
            stack.extend(self.node(n).children.iter().rev());
        }
        out
    }

    /// Whether the constructs have been prepared for synth (what the first synth does);
    /// constructs that fill in their L1s at prepare write later changes through at once.
    pub(crate) fn is_prepared(&self) -> bool {
        self.prepared
    }

    /// Runs every construct's `prepare`, once.
    fn prepare(&mut self) -> Result<()> {
        if self.prepared {
            return Ok(());
        }
        self.prepared = true;
        let mut i = 0;
        // Constructs added during prepare are prepared too.
        while i < self.nodes.len() {
            let id = ElementId(i as u32);
            let taken = match &mut self.nodes[i].kind {
                NodeKind::Construct(state) => state.take(),
                _ => None,
            };
            if let Some(mut state) = taken {
                let result = state.prepare(self, id);
                if let NodeKind::Construct(slot) = &mut self.nodes[i].kind {
                    *slot = Some(state);
                }
                result?;
            }
            i += 1;
        }
        Ok(())
    }

    /// Prepares the constructs (once: what they compute lazily goes into their L1s),
    /// locks the tree and collects the constructs' own validation problems: the app as
    /// synthesis reads it, a [`Source`]. The tree can still be read afterwards, but no
    /// longer changed.
    pub fn freeze(&mut self) -> Result<Frozen<'_>, SynthError> {
        self.prepare().map_err(|e| {
            SynthError::Invalid(vec![Diagnostic::error(
                "BERTH-E0001",
                e.path.clone(),
                e.to_string(),
            )])
        })?;
        self.locked = true;
        let mut diagnostics = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if let NodeKind::Construct(Some(c)) = &node.kind {
                diagnostics.extend(c.validate(self, ElementId(i as u32)));
            }
        }
        Ok(Frozen {
            app: self,
            diagnostics,
        })
    }

    fn stack_spec(&self, stack: Stack) -> StackSpec {
        let node = self.node(stack.node);
        let NodeKind::Stack(data) = &node.kind else {
            unreachable!("stack handle")
        };
        let mut spec = StackSpec {
            id: stack.node,
            path: node.id.clone(),
            name: data.name.clone(),
            description: data.description.clone(),
            tags: tags::resolve(
                [self.node(ROOT).tags(), node.tags()],
                tags::STACK_RESOURCE_TYPE,
            ),
            env: data.env.clone(),
            termination_protection: data.termination_protection,
            depends_on: Vec::new(),
            elements: Vec::with_capacity(data.elements),
            assets: data.assets.clone(),
        };
        // Stack-level dependencies: the stack's own, plus those of anything inside it
        // on another stack.
        let mut path = node.id.clone();
        // The tag operations of every scope above the current node, outermost first.
        let mut tags = vec![self.node(ROOT).tags(), node.tags()];
        for &child in &node.children {
            self.collect(child, stack.node, &mut path, &mut tags, &mut spec);
        }
        debug_assert_eq!(
            spec.elements.len(),
            data.elements,
            "element count of {}",
            data.name
        );
        for &d in node.depends_on() {
            spec.depends_on.push(d);
        }
        spec
    }

    fn collect<'a>(
        &'a self,
        n: NodeId,
        stack: NodeId,
        path: &mut String,
        tags: &mut Vec<&'a [TagOp]>,
        spec: &mut StackSpec,
    ) {
        let node = self.node(n);
        let parent_len = path.len();
        path.push('/');
        path.push_str(&node.id);
        let pushed_tags = !node.tags().is_empty();
        if pushed_tags {
            tags.push(node.tags());
        }
        let kind = match &node.kind {
            NodeKind::Resource(r) => Some(ElementKind::Resource(
                self.resource_spec(n, r, tags, stack, spec),
            )),
            NodeKind::Parameter(p) => Some(ElementKind::Parameter(
                p.iter()
                    .map(|(k, v)| (k.clone(), self.resolve_ref(v)))
                    .collect(),
            )),
            NodeKind::Output(o) => Some(ElementKind::Output(OutputSpec {
                value: self.resolve_ref(&o.value),
                ..(**o).clone()
            })),
            NodeKind::Condition(c) => Some(ElementKind::Condition(self.resolve_ref(c))),
            NodeKind::Mapping(m) => Some(ElementKind::Mapping(self.resolve_ref(m))),
            NodeKind::Construct(_) => {
                // A construct's own dependencies apply to every resource below it.
                None
            }
            NodeKind::App | NodeKind::Stack(_) => None,
        };
        if let Some(kind) = kind {
            spec.elements.push(ElementSpec {
                id: n,
                path: path.clone(),
                logical_id: node.logical_id().cloned(),
                kind,
            });
        }
        for &child in &node.children {
            self.collect(child, stack, path, tags, spec);
        }
        if pushed_tags {
            tags.pop();
        }
        path.truncate(parent_len);
    }

    /// A value of the tree as synth must see it (imported attributes resolved).
    fn resolve_ref(&self, v: &Value) -> Value {
        self.resolved(v).unwrap_or_else(|| v.clone())
    }

    fn resource_spec(
        &self,
        n: NodeId,
        r: &ResourceData,
        tags: &[&[TagOp]],
        stack: NodeId,
        spec: &mut StackSpec,
    ) -> ResourceSpec {
        let merged = tags::resolve(tags.iter().copied(), r.props.type_name());
        // Dependencies of this resource and of every construct above it (below the stack).
        let mut depends_on = Vec::new();
        let mut cur = Some(n);
        while let Some(c) = cur {
            if c == stack {
                break;
            }
            for &target in self.node(c).depends_on() {
                if matches!(self.node(target).kind, NodeKind::Stack(_)) {
                    if target != stack {
                        spec.depends_on.push(target);
                    }
                } else if matches!(
                    self.node(target).kind,
                    NodeKind::Parameter(_)
                        | NodeKind::Output(_)
                        | NodeKind::Condition(_)
                        | NodeKind::Mapping(_)
                ) {
                    // not something to depend on: synth reports it with both paths
                    depends_on.push(target);
                } else {
                    depends_on.extend(self.resources_below(target));
                }
            }
            cur = self.node(c).parent;
        }
        ResourceSpec {
            type_name: r.props.type_name().to_owned(),
            depends_on,
            deletion_policy: r.deletion_policy,
            update_replace_policy: r.update_replace_policy,
            condition: r.condition,
            tags: merged,
            metadata: r.metadata.clone(),
        }
    }

    /// The `constructInfo.fqn` of a node, and its CloudFormation type if a resource.
    fn tree_kind(&self, n: NodeId) -> (&str, Option<&str>) {
        match &self.node(n).kind {
            NodeKind::App => ("berth.App", None),
            NodeKind::Stack(_) => ("berth.Stack", None),
            NodeKind::Construct(Some(c)) => (c.fqn(), None),
            NodeKind::Construct(None) => ("berth.Construct", None),
            NodeKind::Resource(r) => ("berth.CfnResource", Some(r.props.type_name())),
            NodeKind::Parameter(_) => ("berth.CfnParameter", None),
            NodeKind::Output(_) => ("berth.CfnOutput", None),
            NodeKind::Condition(_) => ("berth.CfnCondition", None),
            NodeKind::Mapping(_) => ("berth.CfnMapping", None),
        }
    }

    /// Writes the node `n` (at `path`) and those below it into `tree.json`.
    fn write_tree(
        &self,
        n: NodeId,
        path: &mut String,
        tree: &mut TreeWriter<'_>,
    ) -> std::io::Result<()> {
        let node = self.node(n);
        tree.open(if n == ROOT { "App" } else { &node.id }, path);
        for &c in &node.children {
            let id = &self.node(c).id;
            tree.child(id);
            let len = path.len();
            if len > 0 {
                path.push('/');
            }
            path.push_str(id);
            self.write_tree(c, path, tree)?;
            path.truncate(len);
        }
        let (fqn, cfn_type) = self.tree_kind(n);
        tree.close(fqn, cfn_type)
    }

    /// Synthesizes every stack in memory: prepares and validates the constructs,
    /// resolves references, validates every resource against its schema, and returns
    /// the templates. Freezes the app ([`App::freeze`]).
    pub fn synth(&mut self) -> Result<SynthOutput, SynthError> {
        let options = self.options.clone();
        let frozen = self.freeze()?;
        let sink = MemorySink::new();
        let done = synthesize(&frozen, &options, &sink)?;
        SynthOutput::from_files(done, &sink.into_files())
    }

    /// Synthesizes and writes the cloud assembly to `dir` (replacing it; nothing is
    /// written if synth fails), and returns the templates as written.
    pub fn synth_to(
        &mut self,
        dir: impl AsRef<Path>,
        format: TemplateFormat,
    ) -> Result<SynthOutput, SynthError> {
        let done = self.write_assembly(dir.as_ref(), format)?;
        SynthOutput::read(done, dir.as_ref())
    }

    /// Synthesizes and writes the cloud assembly to `dir` (replacing it; nothing is
    /// written if synth fails): each template is written as soon as its stack is
    /// rendered, so a large app never holds its templates in memory. Returns the
    /// stacks and the diagnostics (what `berth::run` needs).
    pub fn write_assembly(
        &mut self,
        dir: impl AsRef<Path>,
        format: TemplateFormat,
    ) -> Result<Synthesis, SynthError> {
        let options = SynthOptions {
            format,
            ..self.options.clone()
        };
        let frozen = self.freeze()?;
        let sink = DirSink::create(dir.as_ref())?;
        let done = synthesize(&frozen, &options, &sink)?;
        sink.commit()?;
        Ok(done)
    }
}

/// An app prepared and locked for synthesis ([`App::freeze`]): what synthesis reads,
/// through [`Source`].
pub struct Frozen<'a> {
    app: &'a App,
    diagnostics: Vec<Diagnostic>,
}

impl Frozen<'_> {
    /// The app.
    pub fn app(&self) -> &App {
        self.app
    }
}

impl Source for Frozen<'_> {
    fn stacks(&self) -> Vec<StackSpec> {
        let app = self.app;
        par_map(app.stacks(), |s| app.stack_spec(s))
    }

    fn properties(&self, id: ElementId, leaf: &mut Leaf<'_>) -> Json {
        let app = self.app;
        let Some(NodeKind::Resource(r)) = app.nodes.get(id.0 as usize).map(|n| &n.kind) else {
            return Json::Object(Vec::new());
        };
        let render = |leaf: &mut Leaf<'_>| match r.overrides.is_empty() {
            true => r.props.render(leaf),
            false => render_with_overrides(&*r.props, &r.overrides, leaf),
        };
        if !app.has_attributes {
            return render(leaf);
        }
        // Imported constructs' attributes are replaced before synth sees a value.
        render(&mut |v: &Value| match app.resolved(v) {
            Some(v) => leaf(&v),
            None => leaf(v),
        })
    }

    fn tree(&self, tree: &mut TreeWriter<'_>) -> std::io::Result<()> {
        self.app
            .write_tree(ROOT, &mut String::with_capacity(256), tree)
    }

    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.clone()
    }
}

mod attributes;
mod tags;
#[cfg(test)]
mod tests;

use tags::TagOp;
pub use tags::{TagProps, Tags};
