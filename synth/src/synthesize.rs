//! Synthesis: from a [`Source`] to the files of a cloud assembly in a [`Sink`].
//!
//! Per stack, on all cores: logical IDs, then each element rendered to JSON with its
//! tokens resolved (within the stack into `Ref`/`Fn::GetAtt`, across stacks into
//! `Fn::ImportValue` of an export the producing stack gets), each resource validated
//! against its schema, and the template written up to its `Outputs`. Then across
//! stacks: the exports, the stack graph and its order, the resource graphs, the
//! limits; the templates' `Outputs`, the asset manifests and build contexts,
//! `manifest.json` and `cdk.out`. `tree.json` is written meanwhile from the source's
//! tree. Problems are collected as [`Diagnostic`]s, all of them, and fail synthesis
//! together (the sink is then left for the caller to drop).

use crate::emit;
use crate::error::{pointer_to_property, Diagnostic, Result, SynthError};
use crate::logical_id::{check_logical_id, make_unique_id, split_path};
use crate::model::{DockerImageAssetSpec, ElementKind, Environment, Source, StackSpec};
use crate::par::par_map;
use crate::FastMap;
use berth_assembly::json::write::{
    document_rest, write_document_start, write_node, write_str, Member, Nested, Section, Style,
};
use berth_assembly::json::{Key, Node};
use berth_assembly::template::{self, MinifiedCounter, TemplateFormat};
use berth_assembly::tree::{TreeWriter, TREE_FILE};
use berth_assembly::Sink;
use berth_cfn::schema::{self, TagFormat};
use berth_cfn::value::{ElementId, Intrinsic, Target, Value};
use indexmap::{IndexMap, IndexSet};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeSet;

pub use crate::output::{SynthOutput, SynthesizedStack};

/// Stack-to-stack edges with their reasons, in the order found.
type StackEdges = IndexMap<(usize, usize), Vec<Why>, foldhash::fast::FixedState>;

/// Most resources CloudFormation accepts in one stack.
pub const MAX_RESOURCES: usize = 500;
/// Most outputs CloudFormation accepts in one stack.
pub const MAX_OUTPUTS: usize = 200;
/// Most parameters CloudFormation accepts in one stack.
pub const MAX_PARAMETERS: usize = 200;
pub use berth_assembly::template::{
    inline_limit_notice, minified_len, MAX_INLINE_TEMPLATE_BYTES, MAX_TEMPLATE_BYTES,
};

/// Synthesis options.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Validate resource properties against the vendored schemas. Default: true.
    pub validate_schemas: bool,
    /// The format of the templates. Default: JSON.
    pub format: TemplateFormat,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            validate_schemas: true,
            format: TemplateFormat::Json,
        }
    }
}

/// What synthesis wrote: one artifact per stack, in deployment order, and the
/// warnings and notes (errors make synthesis fail instead). With each stack's template
/// read back, it is a [`SynthOutput`].
#[derive(Clone, Debug)]
pub struct Synthesis<S = StackArtifact> {
    /// The stacks, dependencies first (ties in definition order).
    pub stacks: Vec<S>,
    /// Warnings and notes, sorted by path.
    pub diagnostics: Vec<Diagnostic>,
}

impl<S: AsRef<StackArtifact>> Synthesis<S> {
    /// The stack with this name.
    pub fn stack(&self, name: &str) -> Option<&S> {
        self.stacks.iter().find(|s| s.as_ref().name == name)
    }
}

impl AsRef<StackArtifact> for StackArtifact {
    fn as_ref(&self) -> &StackArtifact {
        self
    }
}

/// One synthesized stack, as the manifest describes it (its template is a file of
/// the assembly).
#[derive(Clone, Debug)]
pub struct StackArtifact {
    /// The stack name.
    pub name: String,
    /// The stack's construct path.
    pub path: String,
    /// Where it deploys.
    pub env: Environment,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// Template description.
    pub description: Option<String>,
    /// Termination protection.
    pub termination_protection: bool,
    /// Names of the stacks that must be deployed first.
    pub dependencies: Vec<String>,
    /// The template's file in the assembly.
    pub template_file: String,
    /// Construct path → logical ID of every element.
    pub logical_ids: Vec<(String, String)>,
    /// The Docker image assets of the stack, one per fingerprint.
    pub assets: Vec<DockerImageAssetSpec>,
}

/// A stack's elements' paths and logical IDs, in order.
type LogicalIds = Vec<(String, String)>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Resource,
    Parameter,
    Output,
    Condition,
    Mapping,
}

impl Kind {
    fn of(k: &ElementKind) -> Kind {
        match k {
            ElementKind::Resource(_) => Kind::Resource,
            ElementKind::Parameter(_) => Kind::Parameter,
            ElementKind::Output(_) => Kind::Output,
            ElementKind::Condition(_) => Kind::Condition,
            ElementKind::Mapping(_) => Kind::Mapping,
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::Parameter => "parameter",
            Kind::Output => "output",
            Kind::Condition => "condition",
            Kind::Mapping => "mapping",
        }
    }
}

struct Info<'a> {
    stack: usize,
    logical_id: String,
    path: &'a str,
    kind: Kind,
    type_name: Option<&'a str>,
}

/// A value exported by a stack for another one.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Export {
    producer: usize,
    element: ElementId,
    attribute: Option<String>,
}

struct Table<'a> {
    infos: Vec<Option<Info<'a>>>,
    stack_index: FastMap<ElementId, usize>,
    names: Vec<&'a str>,
    envs: Vec<&'a Environment>,
}

impl<'a> Table<'a> {
    fn get(&self, id: ElementId) -> Option<&Info<'a>> {
        self.infos.get(id.0 as usize).and_then(Option::as_ref)
    }
}

/// Renders values of one element of one stack.
struct Renderer<'t, 'a> {
    table: &'t Table<'a>,
    stack: usize,
    /// The construct path of the element being rendered (for errors).
    path: &'t str,
    /// Same-stack resources referenced by the value.
    refs: Vec<ElementId>,
    /// Cross-stack imports the value needs.
    imports: Vec<Export>,
    diags: Vec<Diagnostic>,
    /// Export names already made in this stack (an element of another stack is
    /// usually imported many times).
    export_names: &'t mut FastMap<Export, String>,
}

impl<'t, 'a> Renderer<'t, 'a> {
    fn new(
        table: &'t Table<'a>,
        stack: usize,
        path: &'t str,
        export_names: &'t mut FastMap<Export, String>,
    ) -> Self {
        Renderer {
            export_names,
            table,
            stack,
            path,
            refs: Vec::new(),
            imports: Vec::new(),
            diags: Vec::new(),
        }
    }

    fn err(&mut self, code: &'static str, message: String) {
        self.diags
            .push(Diagnostic::error(code, self.path.to_owned(), message));
    }

    /// `v` as JSON, its tokens resolved.
    fn node(&mut self, v: &Value) -> Node {
        v.to_node(&mut |i: &Intrinsic| self.intrinsic(i))
    }

    fn list(&mut self, items: &[Value]) -> Node {
        Node::Array(items.iter().map(|i| self.node(i)).collect())
    }

    /// `[a, b]`, rendered.
    fn pair(&mut self, a: &Value, b: &Value) -> Node {
        Node::Array(vec![self.node(a), self.node(b)])
    }

    fn intrinsic(&mut self, i: &Intrinsic) -> Node {
        let f = Node::member;
        let s = |t: &str| Node::String(t.to_owned());
        match i {
            Intrinsic::Ref(Target::Pseudo(p)) => f("Ref", s(p.name())),
            Intrinsic::Ref(Target::Logical(l)) => f("Ref", s(l)),
            Intrinsic::Ref(Target::Element(id)) => self.reference(*id, None),
            Intrinsic::GetAtt(id, attr) => self.reference(*id, Some(attr)),
            Intrinsic::GetAttLogical(l, a) => f("Fn::GetAtt", Node::Array(vec![s(l), s(a)])),
            Intrinsic::Sub(body, vars) => {
                if vars.is_empty() {
                    f("Fn::Sub", s(body))
                } else {
                    let m = vars
                        .iter()
                        .map(|(k, v)| (Key::Owned(k.clone()), self.node(v)))
                        .collect();
                    f("Fn::Sub", Node::Array(vec![s(body), Node::Object(m)]))
                }
            }
            Intrinsic::Join(sep, parts) => {
                f("Fn::Join", Node::Array(vec![s(sep), self.list(parts)]))
            }
            Intrinsic::Select(i, l) => f("Fn::Select", self.pair(i, l)),
            Intrinsic::Split(sep, v) => f("Fn::Split", Node::Array(vec![s(sep), self.node(v)])),
            Intrinsic::GetAzs(v) => f("Fn::GetAZs", self.node(v)),
            Intrinsic::ImportValue(v) => f("Fn::ImportValue", self.node(v)),
            Intrinsic::If(c, a, b) => {
                let c = self.named(c, Kind::Condition, "Fn::If");
                f("Fn::If", Node::Array(vec![c, self.node(a), self.node(b)]))
            }
            Intrinsic::FindInMap(m, a, b) => {
                let m = self.named(m, Kind::Mapping, "Fn::FindInMap");
                f(
                    "Fn::FindInMap",
                    Node::Array(vec![m, self.node(a), self.node(b)]),
                )
            }
            Intrinsic::Base64(v) => f("Fn::Base64", self.node(v)),
            Intrinsic::Cidr(a, b, c) => f(
                "Fn::Cidr",
                Node::Array(vec![self.node(a), self.node(b), self.node(c)]),
            ),
            Intrinsic::Equals(a, b) => f("Fn::Equals", self.pair(a, b)),
            Intrinsic::And(v) => f("Fn::And", self.list(v)),
            Intrinsic::Or(v) => f("Fn::Or", self.list(v)),
            Intrinsic::Not(v) => f("Fn::Not", Node::Array(vec![self.node(v)])),
            Intrinsic::Condition(c) => f("Condition", self.named(c, Kind::Condition, "Condition")),
        }
    }

    /// A condition or mapping name: must be in the same stack.
    fn named(&mut self, target: &Target, kind: Kind, function: &str) -> Node {
        match target {
            Target::Logical(l) => Node::String(l.clone()),
            Target::Pseudo(p) => {
                self.err(
                    "BERTH-E0103",
                    format!(
                        "{function} needs a {}, not the pseudo parameter {}",
                        kind.noun(),
                        p.name()
                    ),
                );
                invalid()
            }
            Target::Element(id) => match self.table.get(*id) {
                Some(info) if info.kind == kind && info.stack == self.stack => {
                    Node::String(info.logical_id.clone())
                }
                Some(info) if info.kind == kind => {
                    let (path, other) = (info.path, self.table.names[info.stack]);
                    self.err(
                        "BERTH-E0104",
                        format!(
                            "{function} refers to the {} {path} of stack {other}: {}s cannot be shared between stacks",
                            kind.noun(),
                            kind.noun()
                        ),
                    );
                    invalid()
                }
                Some(info) => {
                    let (path, noun) = (info.path, info.kind.noun());
                    self.err(
                        "BERTH-E0103",
                        format!(
                            "{function} needs a {}, but {path} is {}",
                            kind.noun(),
                            with_article(noun)
                        ),
                    );
                    invalid()
                }
                None => {
                    self.err(
                        "BERTH-E0102",
                        format!("{function} refers to element {id}, which is not in any stack"),
                    );
                    invalid()
                }
            },
        }
    }

    fn reference(&mut self, id: ElementId, attribute: Option<&String>) -> Node {
        let function = if attribute.is_some() {
            "Fn::GetAtt"
        } else {
            "Ref"
        };
        let Some(info) = self.table.get(id) else {
            self.err(
                "BERTH-E0102",
                format!("{function} refers to element {id}, which is not in any stack"),
            );
            return invalid();
        };
        match (info.kind, attribute) {
            (Kind::Resource, _) | (Kind::Parameter, None) => {}
            (kind, _) => {
                let (path, noun) = (info.path, kind.noun());
                self.err(
                    "BERTH-E0103",
                    format!(
                        "{function} cannot refer to {path}: it is {}",
                        with_article(noun)
                    ),
                );
                return invalid();
            }
        }
        if let (Some(attr), Some(type_name)) = (attribute, info.type_name) {
            if let Some(schema) = schema::schema(type_name) {
                if !schema.attributes.iter().any(|a| a == attr) {
                    let path = info.path;
                    let allowed = if schema.attributes.is_empty() {
                        "it has none".to_owned()
                    } else {
                        format!("it has {}", schema.attributes.join(", "))
                    };
                    self.err(
                        "BERTH-E0105",
                        format!(
                            "Fn::GetAtt of unknown attribute \"{attr}\" of {path} ({type_name}): {allowed}"
                        ),
                    );
                    return invalid();
                }
            }
        }
        if info.stack == self.stack {
            if info.kind == Kind::Resource {
                self.refs.push(id);
            }
            let lid = Node::String(info.logical_id.clone());
            return match attribute {
                None => Node::member("Ref", lid),
                Some(a) => Node::member(
                    "Fn::GetAtt",
                    Node::Array(vec![lid, Node::String(a.clone())]),
                ),
            };
        }
        let (mine, theirs) = (self.table.envs[self.stack], self.table.envs[info.stack]);
        let differs =
            |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x != y);
        if differs(&mine.account, &theirs.account) || differs(&mine.region, &theirs.region) {
            let path = info.path;
            self.err(
                "BERTH-E0108",
                format!(
                    "{function} refers to {path} in another environment ({} here, {} there): exports only work within one account and region; pass the value as a parameter or a literal instead",
                    mine.uri(),
                    theirs.uri()
                ),
            );
            return invalid();
        }
        let export = Export {
            producer: info.stack,
            element: id,
            attribute: attribute.cloned(),
        };
        let name = match self.export_names.get(&export) {
            Some(name) => name.clone(),
            None => {
                let name = export_name(self.table, &export);
                self.export_names.insert(export.clone(), name.clone());
                name
            }
        };
        self.imports.push(export);
        Node::member("Fn::ImportValue", Node::String(name))
    }
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// What a reference that could not be resolved renders as: synth fails anyway, and
/// schema validation skips intrinsics, so one mistake gives one error.
fn invalid() -> Node {
    Node::member("Fn::Invalid", Node::String("see the error above".into()))
}

fn export_output_id(table: &Table<'_>, e: &Export) -> String {
    let info = table.get(e.element).expect("exported elements are known");
    let component = match &e.attribute {
        None => format!("OutputRef{}", info.logical_id),
        Some(a) => format!("OutputFnGetAtt{}{}", info.logical_id, a),
    };
    make_unique_id(&["Exports", component.as_str()]).expect("two components")
}

fn export_name(table: &Table<'_>, e: &Export) -> String {
    format!("{}:{}", table.names[e.producer], export_output_id(table, e))
}

/// Why one stack depends on another; put in words only for an error about a cycle.
#[derive(Clone, Copy, Debug)]
enum Why {
    /// An element of the stack refers to an element of the other (an import).
    References(ElementId, ElementId),
    /// A resource of the stack depends on an element of the other.
    DependsOn(ElementId, ElementId),
    /// The stack was made to depend on the other (stack indexes).
    StackDependsOn(usize, usize),
}

impl Why {
    fn text(self, stacks: &[StackSpec], table: &Table<'_>) -> String {
        let path = |id: ElementId| table.get(id).map_or("?", |i| i.path);
        match self {
            Why::References(a, b) => format!("{} references {}", path(a), path(b)),
            Why::DependsOn(a, b) => format!("{} depends on {}", path(a), path(b)),
            Why::StackDependsOn(a, b) => {
                format!("{} depends on {}", stacks[a].path, stacks[b].path)
            }
        }
    }
}

/// Rendered pieces of one stack, before exports are added. Every section but the
/// outputs (which get the exports) is written as text as its entries are rendered, so
/// an entry's JSON value lives only while it is validated and written.
#[derive(Default)]
struct Rendered {
    parameters: Section,
    mappings: Section,
    conditions: Section,
    resources: Section,
    outputs: IndexMap<String, Node>,
    /// resource logical id → referenced same-stack resources (by id), for the graph
    edges: Vec<(ElementId, ElementId)>,
    imports: Vec<Export>,
    stack_deps: Vec<(usize, Why)>,
    /// The template's start, up to `Outputs`: its length minified (what
    /// CloudFormation counts) once it went to the sink (JSON: the sections' text is
    /// released then, their entry counts stay), or its text, kept to convert the whole
    /// template (YAML).
    head: Head,
}

#[derive(Default)]
enum Head {
    #[default]
    Pending,
    Written {
        minified_len: usize,
    },
    Kept(Vec<u8>),
}

impl Rendered {
    fn release_sections(&mut self) {
        for s in [
            &mut self.parameters,
            &mut self.mappings,
            &mut self.conditions,
            &mut self.resources,
        ] {
            s.release();
        }
    }
}

/// Synthesizes the app of `source` into `sink`: `tree.json`, every stack's template
/// and asset manifest and the build contexts of its image assets, `manifest.json` and
/// `cdk.out`. Fails with every problem found, construct and synthesis ones
/// ([`Source::diagnostics`]) together; what it wrote to `sink` before is then left
/// for the caller to drop (a [`berth_assembly::DirSink`] is only put in place by its
/// commit).
///
/// ```
/// use berth_assembly::MemorySink;
/// use berth_synth::model::*;
/// use berth_synth::synthesize::{synthesize, SynthOptions};
/// use berth_synth::value::{ElementId, Value};
///
/// let bucket = ElementId(1);
/// let mut app = AppSpec::default();
/// app.stacks.push(StackSpec {
///     id: ElementId(0),
///     path: "Storage".into(),
///     name: "Storage".into(),
///     elements: vec![
///         ElementSpec::resource(bucket, "Storage/Bucket", ResourceSpec::of_type("AWS::S3::Bucket")),
///         ElementSpec {
///             id: ElementId(2),
///             path: "Storage/BucketArn".into(),
///             logical_id: None,
///             kind: ElementKind::Output(OutputSpec {
///                 value: Value::get_att(bucket, "Arn"),
///                 ..Default::default()
///             }),
///         },
///     ],
///     ..Default::default()
/// });
/// app.properties.insert(bucket, Value::map([("BucketName", Value::from("assets"))]));
/// let sink = MemorySink::new();
/// let done = synthesize(&app, &SynthOptions::default(), &sink).unwrap();
/// assert_eq!(done.stacks[0].template_file, "Storage.template.json");
/// let files = sink.into_files();
/// let t: serde_json::Value = serde_json::from_slice(&files["Storage.template.json"]).unwrap();
/// assert_eq!(t["Outputs"]["BucketArn"]["Value"], serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
/// assert!(files.contains_key("manifest.json") && files.contains_key("tree.json"));
/// ```
pub fn synthesize(
    source: &dyn Source,
    options: &SynthOptions,
    sink: &dyn Sink,
) -> Result<Synthesis> {
    let mut diags = source.diagnostics();
    let stacks = source.stacks();
    let (tree, result) = std::thread::scope(|scope| {
        // tree.json is written from the source's tree while the stacks render.
        let tree = scope.spawn(|| {
            sink.write(TREE_FILE, &mut |w| {
                let mut tree = TreeWriter::new(w);
                source.tree(&mut tree)?;
                tree.finish()
            })
        });
        let result = render_stacks(&stacks, source, options, sink, &mut diags);
        (tree.join().expect("the tree.json writer panicked"), result)
    });
    // Freeing the specs of a large app takes milliseconds: not on the caller's time.
    let _ = std::thread::Builder::new()
        .name("berth-free-specs".into())
        .spawn(move || drop(stacks));
    let artifacts = result?;
    tree?;
    emit::stage_assets(sink, &artifacts)?;
    emit::write_manifest(sink, &artifacts)?;
    emit::write_cdk_out(sink)?;
    Ok(Synthesis {
        stacks: artifacts,
        diagnostics: sorted(diags),
    })
}

/// Renders, checks and writes the templates of `stacks`; the artifacts in deployment
/// order, or every problem found (with those already in `diags`).
fn render_stacks(
    stacks: &[StackSpec],
    source: &dyn Source,
    options: &SynthOptions,
    sink: &dyn Sink,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<StackArtifact>> {
    let format = options.format;
    let mut table = build_table(stacks, diags);

    let mut rendered: Vec<Rendered> = Vec::with_capacity(stacks.len());
    for (r, mut d, started) in par_map(stacks.iter().enumerate().collect(), |(si, stack)| {
        let mut d = Vec::new();
        let mut r = render_stack(&table, si, stack, options, source, &mut d);
        // JSON templates are written in two steps: everything before `Outputs` as
        // soon as the stack is rendered (so that no rendered stack waits in memory for
        // the others), the rest, exports included, at the end.
        let started = match format {
            TemplateFormat::Json => {
                let file = format.file_name(&stack.name);
                // What CloudFormation counts is the body berth sends: minified.
                let mut minified = MinifiedCounter::default();
                let started = sink.write(&file, &mut |w| {
                    let mut both = Tee(w, &mut minified);
                    template_head(stack, &r).write_to(&mut both).map(drop)
                });
                r.head = Head::Written {
                    minified_len: minified.n,
                };
                r.release_sections();
                started
            }
            TemplateFormat::Yaml => {
                let mut text = Vec::new();
                template_head(stack, &r)
                    .write_to(&mut text)
                    .expect("writing into a Vec");
                r.head = Head::Kept(text);
                Ok(())
            }
        };
        (r, d, started)
    }) {
        started?;
        rendered.push(r);
        diags.append(&mut d);
    }

    // Cross-stack exports: outputs in the producers, dependencies for the consumers.
    let mut exports: Vec<IndexSet<Export, foldhash::fast::FixedState>> =
        vec![IndexSet::default(); stacks.len()];
    let mut stack_edges = StackEdges::default();
    for (ci, r) in rendered.iter_mut().enumerate() {
        for e in std::mem::take(&mut r.imports) {
            exports[e.producer].insert(e);
        }
        for (pi, reason) in std::mem::take(&mut r.stack_deps) {
            stack_edges.entry((ci, pi)).or_default().push(reason);
        }
    }
    for (si, stack) in stacks.iter().enumerate() {
        for dep in &stack.depends_on {
            match table.stack_index.get(dep) {
                Some(&pi) if pi != si => stack_edges
                    .entry((si, pi))
                    .or_default()
                    .push(Why::StackDependsOn(si, pi)),
                Some(_) => {}
                None => diags.push(Diagnostic::error(
                    "BERTH-E0106",
                    stack.path.clone(),
                    format!("stack dependency on element {dep}, which is not a stack"),
                )),
            }
        }
    }
    for (pi, set) in exports.iter().enumerate() {
        for e in set {
            let id = export_output_id(&table, e);
            let info = table.get(e.element).expect("known");
            let lid = Node::String(info.logical_id.clone());
            let value = match &e.attribute {
                None => Node::member("Ref", lid),
                Some(a) => Node::member(
                    "Fn::GetAtt",
                    Node::Array(vec![lid, Node::String(a.clone())]),
                ),
            };
            let name = Node::String(export_name(&table, e));
            rendered[pi].outputs.insert(
                id,
                Node::Object(vec![
                    (Key::Borrowed("Value"), value),
                    (Key::Borrowed("Export"), Node::member("Name", name)),
                ]),
            );
        }
    }

    let order = stack_order(stacks, &table, &stack_edges, diags);

    // Per-stack graph checks and limits, stacks on parallel workers.
    let checks = par_map(stacks.iter().zip(&rendered).collect(), |(stack, r)| {
        let mut d = Vec::new();
        check_resource_cycles(&table, stack, r, &mut d);
        check_limits(stack, r, &mut d);
        d
    });
    diags.extend(checks.into_iter().flatten());

    if diags.iter().any(Diagnostic::is_error) {
        return Err(SynthError::Invalid(sorted(std::mem::take(diags))));
    }

    // The table is done with: each stack's paths and logical IDs move to its artifact.
    let logical_ids: Vec<LogicalIds> = stacks
        .iter()
        .map(|stack| {
            stack
                .elements
                .iter()
                .filter_map(|e| table.infos.get_mut(e.id.0 as usize)?.take())
                .map(|i| (i.path.to_owned(), i.logical_id))
                .collect()
        })
        .collect();
    // What is left of the table is not needed any more: its memory serves what follows.
    drop(table);
    type Work<'s> = (usize, ((&'s StackSpec, Rendered), LogicalIds));
    let work: Vec<Work> = stacks
        .iter()
        .zip(rendered)
        .zip(logical_ids)
        .enumerate()
        .collect();
    let results = par_map(work, |(si, ((stack, mut r), logical_ids))| {
        let mut deps: Vec<usize> = stack_edges
            .keys()
            .filter(|(c, _)| *c == si)
            .map(|(_, p)| *p)
            .collect();
        deps.sort_unstable();
        deps.dedup();
        let mut tail = template_tail(&r);
        // A final newline, as every JSON file of the assembly has.
        tail.push(b'\n');
        let head = std::mem::take(&mut r.head);
        let mut d = Vec::new();
        let head_len = match &head {
            Head::Written { minified_len } => *minified_len,
            Head::Kept(text) => minified_len(text),
            Head::Pending => unreachable!("every head is written or kept"),
        };
        let len = head_len + minified_len(&tail);
        check_size(stack, len, &mut d);
        let artifact = StackArtifact {
            name: stack.name.clone(),
            path: stack.path.clone(),
            env: stack.env.clone(),
            tags: stack.tags.clone(),
            description: stack.description.clone(),
            termination_protection: stack.termination_protection,
            dependencies: deps.iter().map(|&d| stacks[d].name.clone()).collect(),
            template_file: format.file_name(&stack.name),
            logical_ids,
            assets: stack.assets.clone(),
        };
        if !d.iter().any(Diagnostic::is_error) {
            finish_template(sink, &artifact, head, &tail, format)?;
            emit::write_asset_manifest(sink, &artifact)?;
        }
        Ok::<_, SynthError>((artifact, d, len))
    });
    let mut artifacts_by_index: Vec<Option<StackArtifact>> = Vec::with_capacity(stacks.len());
    let mut uploaded: Vec<(&StackSpec, usize)> = Vec::new();
    for (si, result) in results.into_iter().enumerate() {
        let (artifact, mut d, len) = result?;
        diags.append(&mut d);
        artifacts_by_index.push(Some(artifact));
        if (MAX_INLINE_TEMPLATE_BYTES + 1..=MAX_TEMPLATE_BYTES).contains(&len) {
            uploaded.push((&stacks[si], len));
        }
    }
    // One notice for the app, however many stacks it names.
    if let Some(d) = upload_notice(&uploaded) {
        diags.push(d);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(SynthError::Invalid(sorted(std::mem::take(diags))));
    }
    Ok(order
        .into_iter()
        .filter_map(|i| artifacts_by_index[i].take())
        .collect())
}

/// Writes the rest of a stack's template: the tail after the start written before
/// (JSON), or the whole template converted (YAML).
fn finish_template(
    sink: &dyn Sink,
    artifact: &StackArtifact,
    head: Head,
    tail: &[u8],
    format: TemplateFormat,
) -> Result<()> {
    let file = &artifact.template_file;
    match head {
        Head::Kept(mut text) => {
            text.extend_from_slice(tail);
            let yaml = match format {
                TemplateFormat::Yaml => {
                    template::json_to_yaml(&text).map_err(|e| SynthError::Render {
                        stack: artifact.name.clone(),
                        message: e.to_string(),
                    })?
                }
                TemplateFormat::Json => text,
            };
            sink.write_bytes(file, &yaml)?;
        }
        Head::Written { .. } | Head::Pending => sink.append(file, &mut |w| w.write_all(tail))?,
    }
    Ok(())
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Stable: problems at one path keep the order they were found in.
    diags.sort_by(|a, b| (a.severity, &a.path).cmp(&(b.severity, &b.path)));
    diags.dedup();
    diags
}

fn build_table<'a>(stacks: &'a [StackSpec], diags: &mut Vec<Diagnostic>) -> Table<'a> {
    let max = stacks
        .iter()
        .flat_map(|s| s.elements.iter().map(|e| e.id.0))
        .max()
        .map_or(0, |m| m as usize + 1);
    let mut infos: Vec<Option<Info<'a>>> = Vec::with_capacity(max);
    infos.resize_with(max, || None);
    let mut stack_index = FastMap::default();
    let mut names: Vec<&str> = Vec::new();
    let mut envs: Vec<&Environment> = Vec::new();
    let mut seen_names: FastMap<&str, &str> = FastMap::default();
    for (si, stack) in stacks.iter().enumerate() {
        stack_index.insert(stack.id, si);
        names.push(&stack.name);
        envs.push(&stack.env);
        if let Err(msg) = check_stack_name(&stack.name) {
            diags.push(Diagnostic::error("BERTH-E0003", stack.path.clone(), msg));
        }
        if let Some(other) = seen_names.insert(&stack.name, &stack.path) {
            diags.push(Diagnostic::error(
                "BERTH-E0004",
                stack.path.clone(),
                format!(
                    "stack name \"{}\" is already used by the stack {other}",
                    stack.name
                ),
            ));
        }
        for asset in &stack.assets {
            // The id names a directory of the assembly and an image tag.
            if asset.hash.len() != 64
                || !asset
                    .hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                diags.push(Diagnostic::error(
                    "BERTH-E0005",
                    asset.display_name.clone(),
                    format!(
                        "image asset id \"{}\" is not a fingerprint: expected 64 lower-case hex digits, from berth_synth::asset::fingerprint",
                        asset.hash
                    ),
                ));
            }
        }
    }
    // Paths and logical IDs (an MD5 each), stacks on parallel workers.
    let per_stack = par_map(stacks.iter().enumerate().collect(), |(si, stack)| {
        let mut diags = Vec::new();
        let mut by_lid: FastMap<&str, &str> =
            FastMap::with_capacity_and_hasher(stack.elements.len(), Default::default());
        // The ids below the stack, for each element in turn.
        let mut below: Vec<&str> = Vec::new();
        let infos: Vec<(ElementId, Info<'a>)> = stack
            .elements
            .iter()
            .map(|e| {
                let path = e.path.as_str();
                let lid = match &e.logical_id {
                    Some(l) => l.clone(),
                    None => {
                        below.clear();
                        split_path(path, &mut below);
                        make_unique_id(&below[1..]).unwrap_or_default()
                    }
                };
                if let Err(msg) = check_logical_id(&lid) {
                    diags.push(Diagnostic::error("BERTH-E0101", path, msg));
                }
                let type_name = match &e.kind {
                    ElementKind::Resource(r) => Some(r.type_name.as_str()),
                    _ => None,
                };
                let info = Info {
                    stack: si,
                    logical_id: lid,
                    path,
                    kind: Kind::of(&e.kind),
                    type_name,
                };
                (e.id, info)
            })
            .collect();
        for (_, info) in &infos {
            if let Some(other) = by_lid.insert(&info.logical_id, info.path) {
                diags.push(Diagnostic::error(
                    "BERTH-E0100",
                    info.path,
                    format!(
                        "duplicate logical ID \"{}\": {other} has it already",
                        info.logical_id
                    ),
                ));
            }
        }
        (infos, diags)
    });
    for (stack_infos, mut d) in per_stack {
        diags.append(&mut d);
        for (id, info) in stack_infos {
            infos[id.0 as usize] = Some(info);
        }
    }
    Table {
        infos,
        stack_index,
        names,
        envs,
    }
}

/// Checks a CloudFormation stack name.
pub fn check_stack_name(name: &str) -> std::result::Result<(), String> {
    let valid_start = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_start || !valid_chars || name.len() > 128 {
        return Err(format!(
            "invalid stack name \"{name}\": it must start with a letter and contain only letters, digits and '-', at most 128 characters"
        ));
    }
    Ok(())
}

fn render_stack(
    table: &Table<'_>,
    si: usize,
    stack: &StackSpec,
    options: &SynthOptions,
    source: &dyn Source,
    diags: &mut Vec<Diagnostic>,
) -> Rendered {
    let mut out = Rendered::default();
    let mut export_names = FastMap::default();
    for e in &stack.elements {
        let info = table.get(e.id).expect("in table");
        let mut r = Renderer::new(table, si, info.path, &mut export_names);
        let lid = info.logical_id.clone();
        match &e.kind {
            ElementKind::Parameter(def) => {
                let m = def
                    .iter()
                    .map(|(k, v)| (Key::Owned(k.clone()), r.node(v)))
                    .collect();
                out.parameters.entry(&lid, &Node::Object(m));
            }
            ElementKind::Mapping(v) => {
                let v = r.node(v);
                out.mappings.entry(&lid, &v);
            }
            ElementKind::Condition(v) => {
                let v = r.node(v);
                out.conditions.entry(&lid, &v);
            }
            ElementKind::Output(o) => {
                let mut m = Vec::with_capacity(4);
                if let Some(d) = &o.description {
                    m.push((Key::Borrowed("Description"), Node::String(d.clone())));
                }
                m.push((Key::Borrowed("Value"), r.node(&o.value)));
                if let Some(n) = &o.export_name {
                    m.push((Key::Borrowed("Export"), Node::member("Name", r.node(n))));
                }
                if let Some(c) = o.condition {
                    let c = r.named(&Target::Element(c), Kind::Condition, "Condition");
                    m.push((Key::Borrowed("Condition"), c));
                }
                out.outputs.insert(lid, Node::Object(m));
            }
            ElementKind::Resource(res) => {
                let mut props = source.properties(e.id, &mut |v: &Value| r.node(v));
                let direct_refs: BTreeSet<ElementId> = r.refs.iter().copied().collect();
                if !res.tags.is_empty() {
                    apply_tags(&res.type_name, &mut props, &res.tags);
                }
                let mut depends_on = BTreeSet::new();
                for dep in &res.depends_on {
                    match table.get(*dep) {
                        Some(d) if d.kind != Kind::Resource => r.err(
                            "BERTH-E0107",
                            format!(
                                "depends on {}, which is {}, not a resource",
                                d.path,
                                with_article(d.kind.noun())
                            ),
                        ),
                        Some(d) if d.stack == si => {
                            r.refs.push(*dep);
                            if !direct_refs.contains(dep) {
                                depends_on.insert(d.logical_id.clone());
                            }
                        }
                        Some(d) => out.stack_deps.push((d.stack, Why::DependsOn(e.id, *dep))),
                        None => r.err(
                            "BERTH-E0102",
                            format!("depends on element {dep}, which is not in any stack"),
                        ),
                    }
                }
                let condition = res
                    .condition
                    .map(|c| r.named(&Target::Element(c), Kind::Condition, "Condition"));
                let metadata: Vec<(&str, Node)> = res
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.as_str(), r.node(v)))
                    .collect();
                let has_props = props.as_object().is_some_and(|o| !o.is_empty());
                if options.validate_schemas {
                    let empty = Node::Object(Vec::new());
                    let p = if has_props { &props } else { &empty };
                    for v in schema::validate_node(&res.type_name, p) {
                        r.diags.push(
                            Diagnostic::error("BERTH-E0200", info.path, v.message)
                                .with_property(pointer_to_property(&v.pointer))
                                .with_resource(&lid, Some(&res.type_name)),
                        );
                    }
                }
                for target in r.refs.drain(..) {
                    out.edges.push((e.id, target));
                }
                let entry = ResourceEntry {
                    type_name: &res.type_name,
                    properties: has_props.then_some(&props),
                    depends_on: &depends_on,
                    condition: condition.as_ref(),
                    update_replace_policy: res.update_replace_policy.map(|p| p.as_str()),
                    deletion_policy: res.deletion_policy.map(|p| p.as_str()),
                    metadata: &metadata,
                    path: info.path,
                };
                out.resources
                    .entry_with(&lid, |buf, depth| entry.write(buf, depth));
            }
        }
        for export in r.imports.drain(..) {
            out.stack_deps
                .push((export.producer, Why::References(e.id, export.element)));
            out.imports.push(export);
        }
        diags.append(&mut r.diags);
    }
    out
}

/// A resource as the template has it: `Type`, `Properties` (when there are any),
/// `DependsOn`, `Condition`, the policies, and `Metadata` (its own entries, then
/// `berth:path`, which replaces one set by hand, in its place). Written straight into
/// its section, without a JSON tree of its own around the properties.
struct ResourceEntry<'r> {
    type_name: &'r str,
    properties: Option<&'r Node>,
    depends_on: &'r BTreeSet<String>,
    condition: Option<&'r Node>,
    update_replace_policy: Option<&'static str>,
    deletion_policy: Option<&'static str>,
    metadata: &'r [(&'r str, Node)],
    path: &'r str,
}

impl ResourceEntry<'_> {
    /// Writes the entry (pretty) at `depth`.
    fn write(&self, out: &mut Vec<u8>, depth: usize) {
        const PATH: &str = "berth:path";
        let (inner, pretty) = (depth + 1, Style::Pretty);
        let string = |out: &mut Vec<u8>, nested: &mut Nested, key: &str, value: &str| {
            nested.key(out, key);
            write_str(out, value);
        };
        let mut m = Nested::object(out, depth, pretty);
        string(out, &mut m, "Type", self.type_name);
        if let Some(p) = self.properties {
            m.key(out, "Properties");
            write_node(out, inner, pretty, p);
        }
        if !self.depends_on.is_empty() {
            m.key(out, "DependsOn");
            let mut list = Nested::array(out, inner, pretty);
            for d in self.depends_on {
                list.item(out);
                write_str(out, d);
            }
            list.end(out);
        }
        if let Some(c) = self.condition {
            m.key(out, "Condition");
            write_node(out, inner, pretty, c);
        }
        if let Some(p) = self.update_replace_policy {
            string(out, &mut m, "UpdateReplacePolicy", p);
        }
        if let Some(p) = self.deletion_policy {
            string(out, &mut m, "DeletionPolicy", p);
        }
        m.key(out, "Metadata");
        let mut meta = Nested::object(out, inner, pretty);
        for (k, v) in self.metadata {
            if *k == PATH {
                string(out, &mut meta, PATH, self.path);
            } else {
                meta.key(out, k);
                write_node(out, inner + 1, pretty, v);
            }
        }
        if !self.metadata.iter().any(|(k, _)| *k == PATH) {
            string(out, &mut meta, PATH, self.path);
        }
        meta.end(out);
        m.end(out);
    }
}

/// Merges stack/scope tags into a resource's `Tags`, if its type is taggable.
/// Tags set on the resource itself win.
fn apply_tags(type_name: &str, props: &mut Node, tags: &IndexMap<String, String>) {
    let Some(format) = schema::schema(type_name).and_then(|s| s.tags) else {
        return;
    };
    let Node::Object(obj) = props else {
        return;
    };
    let asg = type_name == "AWS::AutoScaling::AutoScalingGroup";
    let existing = match obj.iter().position(|(k, _)| k == "Tags") {
        Some(i) => &mut obj[i].1,
        None => {
            let empty = match format {
                TagFormat::List => Node::Array(Vec::new()),
                TagFormat::Map => Node::Object(Vec::new()),
            };
            obj.push((Key::Borrowed("Tags"), empty));
            &mut obj.last_mut().expect("just pushed").1
        }
    };
    if existing.is_intrinsic() {
        return; // a token: leave it alone
    }
    let text = |s: &str| Node::String(s.to_owned());
    match format {
        TagFormat::List => {
            let Node::Array(list) = existing else {
                return;
            };
            let present: BTreeSet<String> = list
                .iter()
                .filter_map(|t| t.get("Key").and_then(Node::as_str).map(str::to_owned))
                .collect();
            for (k, v) in tags {
                if !present.contains(k) {
                    let mut tag = vec![
                        (Key::Borrowed("Key"), text(k)),
                        (Key::Borrowed("Value"), text(v)),
                    ];
                    if asg {
                        tag.push((Key::Borrowed("PropagateAtLaunch"), Node::Bool(true)));
                    }
                    list.push(Node::Object(tag));
                }
            }
            list.sort_by(|a, b| {
                let key = |t: &Node| t.get("Key").and_then(Node::as_str).unwrap_or("").to_owned();
                key(a).cmp(&key(b))
            });
        }
        TagFormat::Map => {
            let Node::Object(map) = existing else {
                return;
            };
            for (k, v) in tags {
                if !map.iter().any(|(name, _)| name == k) {
                    map.push((Key::Owned(k.clone()), text(v)));
                }
            }
        }
    }
}

/// The start of a stack's template text: its members up to `Resources` (always
/// there), written from the rendered sections' text without joining it first.
struct TemplateHead<'r> {
    members: Vec<(&'static str, Member<'r>)>,
}

impl TemplateHead<'_> {
    /// Writes the text to `w`; returns how many bytes that is.
    fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<usize> {
        write_document_start(w, &self.members)
    }
}

/// The start of the template text: its members up to `Resources` (always there).
fn template_head<'r>(stack: &'r StackSpec, r: &'r Rendered) -> TemplateHead<'r> {
    let mut members: Vec<(&'static str, Member<'r>)> = Vec::with_capacity(5);
    if let Some(d) = &stack.description {
        members.push(("Description", Member::Str(d)));
    }
    for (key, section) in [
        ("Parameters", &r.parameters),
        ("Mappings", &r.mappings),
        ("Conditions", &r.conditions),
        ("Resources", &r.resources),
    ] {
        if !section.is_empty() || key == "Resources" {
            members.push((key, Member::Section(section)));
        }
    }
    TemplateHead { members }
}

/// The rest of the template text after [`template_head`]: `Outputs` if there are
/// any (the stack's own and its exports), then the closing brace.
fn template_tail(r: &Rendered) -> Vec<u8> {
    let mut outputs = Section::default();
    for (k, v) in &r.outputs {
        outputs.entry(k, v);
    }
    let more = if outputs.is_empty() {
        vec![]
    } else {
        vec![("Outputs", Member::Section(&outputs))]
    };
    document_rest(&more, true)
}

/// Orders stacks so that dependencies come first, and reports cycles between stacks.
fn stack_order(
    stacks: &[StackSpec],
    table: &Table<'_>,
    edges: &StackEdges,
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let n = stacks.len();
    let mut g = DiGraph::<usize, ()>::with_capacity(n, edges.len());
    let nodes: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
    for &(c, p) in edges.keys() {
        g.add_edge(nodes[c], nodes[p], ());
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        if scc.len() < 2 {
            continue;
        }
        let mut members: Vec<usize> = scc.iter().map(|n| g[*n]).collect();
        members.sort_unstable();
        let names: Vec<&str> = members.iter().map(|&i| stacks[i].name.as_str()).collect();
        let mut reasons = Vec::new();
        for (&(c, p), why) in edges {
            if members.contains(&c) && members.contains(&p) {
                reasons.extend(why.iter().map(|w| w.text(stacks, table)));
            }
        }
        diags.push(Diagnostic::error(
            "BERTH-E0110",
            stacks[members[0]].path.clone(),
            format!(
                "cycle between stacks {}: {}",
                names.join(", "),
                reasons.join("; ")
            ),
        ));
    }
    // Kahn's algorithm, ties by definition order.
    let mut remaining: Vec<usize> = (0..n).collect();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .position(|&s| edges.keys().all(|&(c, p)| c != s || done[p] || p == s));
        // On a cycle (already reported) take the first remaining stack.
        let pick = remaining.remove(ready.unwrap_or(0));
        done[pick] = true;
        order.push(pick);
    }
    order
}

fn check_resource_cycles(
    table: &Table<'_>,
    stack: &StackSpec,
    r: &Rendered,
    diags: &mut Vec<Diagnostic>,
) {
    if r.edges.is_empty() {
        return;
    }
    let mut g = DiGraph::<ElementId, ()>::new();
    let mut index: FastMap<ElementId, NodeIndex> =
        FastMap::with_capacity_and_hasher(stack.elements.len(), Default::default());
    for e in &stack.elements {
        if matches!(e.kind, ElementKind::Resource(_)) {
            index.insert(e.id, g.add_node(e.id));
        }
    }
    let mut self_loops = Vec::new();
    for (from, to) in &r.edges {
        if from == to {
            self_loops.push(*from);
        }
        if let (Some(&a), Some(&b)) = (index.get(from), index.get(to)) {
            g.add_edge(a, b, ());
        }
    }
    let path_of = |id: ElementId| table.get(id).map_or(String::new(), |i| i.path.to_owned());
    for id in self_loops {
        let p = path_of(id);
        diags.push(Diagnostic::error(
            "BERTH-E0111",
            p.clone(),
            format!("dependency cycle: {p} refers to itself"),
        ));
    }
    for scc in petgraph::algo::tarjan_scc(&g) {
        if scc.len() < 2 {
            continue;
        }
        let mut paths: Vec<String> = scc.iter().map(|n| path_of(g[*n])).collect();
        paths.sort();
        diags.push(Diagnostic::error(
            "BERTH-E0111",
            paths[0].clone(),
            format!(
                "dependency cycle between {} resources: {}",
                paths.len(),
                paths.join(" -> ")
            ),
        ));
    }
}

fn check_limits(stack: &StackSpec, r: &Rendered, diags: &mut Vec<Diagnostic>) {
    for (count, max, what) in [
        (r.resources.len(), MAX_RESOURCES, "resources"),
        (r.outputs.len(), MAX_OUTPUTS, "outputs"),
        (r.parameters.len(), MAX_PARAMETERS, "parameters"),
    ] {
        if count > max {
            diags.push(Diagnostic::error(
                "BERTH-E0120",
                stack.path.clone(),
                format!(
                    "stack {} has {count} {what}: CloudFormation allows at most {max}; split it into more stacks",
                    stack.name
                ),
            ));
        }
    }
}

fn check_size(stack: &StackSpec, bytes: usize, diags: &mut Vec<Diagnostic>) {
    if bytes > MAX_TEMPLATE_BYTES {
        diags.push(Diagnostic::error(
            "BERTH-E0121",
            stack.path.clone(),
            format!(
                "the template of stack {} is {bytes} bytes: CloudFormation allows at most {MAX_TEMPLATE_BYTES}; split it into more stacks",
                stack.name
            ),
        ));
    }
}

/// The notice that templates over CloudFormation's inline limit go through the
/// bootstrap bucket: one for all the stacks it concerns (sizes minified, as sent).
fn upload_notice(stacks: &[(&StackSpec, usize)]) -> Option<Diagnostic> {
    let (first, _) = stacks.first()?;
    let named: Vec<(&str, usize)> = stacks.iter().map(|(s, n)| (s.name.as_str(), *n)).collect();
    Some(Diagnostic::info(
        "BERTH-I0122",
        first.path.clone(),
        inline_limit_notice(&named)?,
    ))
}

/// A writer that hands what it is given to a writer and to a counter of minified
/// bytes.
struct Tee<'a, W: ?Sized>(&'a mut W, &'a mut MinifiedCounter);

impl<W: std::io::Write + ?Sized> std::io::Write for Tee<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.count(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
