//! [`Template`]: a synthesized CloudFormation template and the assertions on it.

use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::error::{count, AssertionError, Error};
use crate::matcher::{render_value_pretty, IntoMatcher, Matcher, Mismatch};
use crate::path::ValuePath;
use crate::style::color_enabled;
use berth_assembly::read::Assembly;
use berth_assembly::template::{self, TemplateFormat};

/// How many of the closest candidates a failure message shows.
const CLOSEST: usize = 3;

static EMPTY_OBJECT: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));

/// A synthesized CloudFormation template to assert on.
///
/// Load it with [`Template::from_json`], [`Template::from_str`] or [`Template::from_file`] (the
/// `berth` facade adds `Template::from_stack`). The assertion methods panic with a message that
/// names the closest candidates and the paths that differ; each has a `try_` twin that returns
/// the [`AssertionError`] instead.
///
/// Patterns are anything [`IntoMatcher`]: `json!` literals (matched as subsets, like
/// [`Match::object_like`](crate::Match::object_like)), [`pattern!`](crate::pattern) literals mixing
/// JSON and matchers, or [`Match`](crate::Match) matchers.
///
/// ```
/// use berth_assertions::{Match, Template};
/// use serde_json::json;
///
/// let template = Template::from_json(json!({
///     "Resources": {
///         "Cluster": {"Type": "AWS::ECS::Cluster"},
///         "Service": {
///             "Type": "AWS::ECS::Service",
///             "Properties": {"Cluster": {"Ref": "Cluster"}, "DesiredCount": 2, "LaunchType": "FARGATE"}
///         }
///     }
/// }))?;
/// template.resource_count_is("AWS::ECS::Service", 1);
/// template.has_resource_properties("AWS::ECS::Service", json!({"DesiredCount": 2}));
/// template.has_resource_properties("AWS::ECS::Service", Match::object_like(json!({"Cluster": {"Ref": "Cluster"}})));
/// # Ok::<(), berth_assertions::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    json: Value,
}

/// The entries of one section that a query looks at, and how to talk about them.
struct Query<'a> {
    /// `resource`, `output`, ...
    noun: &'static str,
    /// ` of type AWS::X`, ` named Url`, or empty.
    scope: String,
    /// Whether the query is for one logical id (then "no output named X", singular).
    named: bool,
    /// `(logical id, whole entry, value the matcher sees)`.
    entries: Vec<(&'a str, &'a Value, &'a Value)>,
    /// The path of the matched value inside the entry (`/Properties` or `/`).
    base: ValuePath,
    /// What to say when there are no entries.
    hint: Option<String>,
    /// `properties` or the noun: what the pattern describes.
    subject: &'static str,
}

struct Evaluation<'a> {
    matches: Vec<(&'a str, &'a Value)>,
    /// Non-matching entries with their mismatches, closest first.
    misses: Vec<Miss<'a>>,
}

/// An entry that did not match.
struct Miss<'a> {
    id: &'a str,
    /// What the matcher saw (the resource, or its properties).
    seen: &'a Value,
    mismatches: Vec<Mismatch>,
}

impl Template {
    /// Wraps a template's JSON, checking that it looks like a CloudFormation template: an
    /// object with only known sections, each an object, and every resource with a `Type`.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// assert!(Template::from_json(json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})).is_ok());
    /// let err = Template::from_json(json!({"Type": "AWS::S3::Bucket"})).unwrap_err();
    /// assert!(err.to_string().starts_with("not a CloudFormation template: unknown top-level section \"Type\""));
    /// ```
    pub fn from_json(json: Value) -> Result<Self, Error> {
        template::check(&json)?;
        Ok(Self { json })
    }

    /// Parses a template from JSON text.
    ///
    /// ```
    /// use berth_assertions::Template;
    ///
    /// let t = Template::from_str(r#"{"Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}}}"#)?;
    /// t.resource_count_is("AWS::Logs::LogGroup", 1);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Self, Error> {
        Self::from_json(serde_json::from_str(text)?)
    }

    /// Reads a template file: JSON, or YAML when the name ends in `.yaml`/`.yml` (long-form
    /// intrinsics only: `Ref: X`, not `!Ref X`).
    ///
    /// ```
    /// use berth_assertions::Template;
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ecs_service.json");
    /// let t = Template::from_file(path)?;
    /// t.resource_count_is("AWS::ECS::Service", 1);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        match TemplateFormat::of_file(path) {
            TemplateFormat::Yaml => Self::from_json(serde_yaml_ng::from_str(&text)?),
            TemplateFormat::Json => Self::from_str(&text),
        }
    }

    /// Reads the template of stack `stack` (its artifact id or stack name) from the
    /// cloud assembly in `dir`, as `berth deploy` reads it.
    ///
    /// ```
    /// use berth_assertions::Template;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("manifest.json"), r#"{"version": "55.0.0", "artifacts": {
    ///     "Web": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Web.template.json"}}
    /// }}"#).unwrap();
    /// std::fs::write(dir.path().join("Web.template.json"), r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#).unwrap();
    /// Template::from_assembly(dir.path(), "Web")?.resource_count_is("AWS::SQS::Queue", 1);
    /// assert!(Template::from_assembly(dir.path(), "Nope").is_err());
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn from_assembly(dir: impl AsRef<Path>, stack: &str) -> Result<Self, Error> {
        let assembly = Assembly::read(dir.as_ref())?;
        let Some(artifact) = assembly.stack(stack) else {
            return Err(Error::NoSuchStack {
                stack: stack.to_owned(),
                available: assembly.stacks.iter().map(|s| s.id.clone()).collect(),
            });
        };
        Self::from_str(&artifact.template_body)
    }

    /// The template as JSON (a copy).
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let json = json!({"Resources": {}});
    /// assert_eq!(Template::from_json(json.clone())?.to_json(), json);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }

    /// The template as JSON, borrowed.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Description": "web"}))?;
    /// assert_eq!(t.as_json()["Description"], "web");
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn as_json(&self) -> &Value {
        &self.json
    }

    /// The resource with this logical id, if any.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"Log": {"Type": "AWS::Logs::LogGroup"}}}))?;
    /// assert_eq!(t.resource("Log").map(|r| &r["Type"]), Some(&json!("AWS::Logs::LogGroup")));
    /// assert!(t.resource("Nope").is_none());
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.section("Resources")?.get(logical_id)
    }

    fn section(&self, name: &str) -> Option<&Map<String, Value>> {
        self.json.get(name).and_then(Value::as_object)
    }

    fn resources_of_type(&self, type_name: &str) -> Vec<(&str, &Value)> {
        self.section("Resources")
            .into_iter()
            .flatten()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(type_name))
            .map(|(id, r)| (id.as_str(), r))
            .collect()
    }

    /// `resource_types_hint`: the types present, and a guess if `type_name` looks like a typo.
    fn type_hint(&self, type_name: &str) -> String {
        let mut types: IndexMap<&str, usize> = IndexMap::new();
        for resource in self
            .section("Resources")
            .into_iter()
            .flat_map(|s| s.values())
        {
            if let Some(t) = resource.get("Type").and_then(Value::as_str) {
                *types.entry(t).or_default() += 1;
            }
        }
        if types.is_empty() {
            return "the template has no resources at all".to_owned();
        }
        let mut hint = String::new();
        let wanted = type_name.to_ascii_lowercase();
        if let Some((best, _)) = types
            .keys()
            .map(|t| (*t, edit_distance(&t.to_ascii_lowercase(), &wanted)))
            .filter(|(_, d)| *d <= 3)
            .min_by_key(|(_, d)| *d)
        {
            hint.push_str(&format!("did you mean {best}?\n"));
        }
        let list: Vec<String> = types.iter().map(|(t, n)| format!("  {t} ({n})")).collect();
        hint.push_str("resource types in the template:\n");
        hint.push_str(&list.join("\n"));
        hint
    }

    fn resource_query(&self, type_name: &str, properties: bool) -> Query<'_> {
        let entries = self
            .resources_of_type(type_name)
            .into_iter()
            .map(|(id, r)| {
                let seen = if properties {
                    r.get("Properties").unwrap_or(&EMPTY_OBJECT)
                } else {
                    r
                };
                (id, r, seen)
            })
            .collect::<Vec<_>>();
        Query {
            noun: "resource",
            scope: format!(" of type {type_name}"),
            named: false,
            hint: entries.is_empty().then(|| self.type_hint(type_name)),
            entries,
            base: if properties {
                ValuePath::root().key("Properties")
            } else {
                ValuePath::root()
            },
            subject: if properties { "properties" } else { "resource" },
        }
    }

    /// Queries a section other than Resources, by logical id or `"*"` for all.
    fn section_query(&self, section: &str, noun: &'static str, logical_id: &str) -> Query<'_> {
        let all: Vec<(&str, &Value)> = self
            .section(section)
            .into_iter()
            .flatten()
            .map(|(id, v)| (id.as_str(), v))
            .collect();
        let (entries, scope, hint) = if logical_id == "*" {
            (all, String::new(), None)
        } else {
            let one: Vec<_> = all
                .iter()
                .copied()
                .filter(|(id, _)| *id == logical_id)
                .collect();
            let hint = one.is_empty().then(|| {
                if all.is_empty() {
                    format!("the template has no {noun}s")
                } else {
                    let names: Vec<&str> = all.iter().map(|(id, _)| *id).collect();
                    format!("{noun}s in the template: {}", names.join(", "))
                }
            });
            (one, format!(" named {logical_id}"), hint)
        };
        Query {
            noun,
            named: logical_id != "*",
            scope,
            entries: entries.into_iter().map(|(id, v)| (id, v, v)).collect(),
            base: ValuePath::root(),
            hint,
            subject: noun,
        }
    }

    fn evaluate<'a>(query: &Query<'a>, matcher: &Matcher) -> Evaluation<'a> {
        let mut matches = Vec::new();
        let mut misses = Vec::new();
        for (id, entry, seen) in &query.entries {
            let outcome = matcher.test_at(Some(seen), &query.base);
            if outcome.is_match() {
                matches.push((*id, *entry));
            } else {
                misses.push(Miss {
                    id,
                    seen,
                    mismatches: outcome.mismatches.clone(),
                });
            }
            outcome.finish();
        }
        misses.sort_by_key(|miss| miss.mismatches.len());
        Evaluation { matches, misses }
    }

    /// The error when nothing matched.
    fn no_match(query: &Query<'_>, eval: &Evaluation<'_>, matcher: &Matcher) -> AssertionError {
        if query.entries.is_empty() {
            let plural = if query.named { "" } else { "s" };
            let err = AssertionError::new(format!(
                "template has no {}{plural}{}",
                query.noun, query.scope
            ));
            return match &query.hint {
                Some(hint) => err.text(hint.clone()),
                None => err,
            };
        }
        let headline = format!(
            "template has {}{}, but none match the expected {}",
            count(query.entries.len(), query.noun),
            query.scope,
            query.subject
        );
        let err = closest(AssertionError::new(headline), &eval.misses, query.subject);
        err.pattern(
            format!("expected {}", query.subject),
            matcher.render_pretty(),
        )
    }

    fn find(query: &Query<'_>, matcher: &Matcher) -> IndexMap<String, Value> {
        Self::evaluate(query, matcher)
            .matches
            .into_iter()
            .map(|(id, v)| (id.to_owned(), v.clone()))
            .collect()
    }

    fn has(query: &Query<'_>, matcher: &Matcher) -> Result<(), AssertionError> {
        let eval = Self::evaluate(query, matcher);
        if eval.matches.is_empty() {
            Err(Self::no_match(query, &eval, matcher))
        } else {
            Ok(())
        }
    }

    fn all(query: &Query<'_>, matcher: &Matcher) -> Result<(), AssertionError> {
        if query.entries.is_empty() {
            let err = AssertionError::new(format!(
                "template has no {}s{}, so none can match (all_resources needs at least one)",
                query.noun, query.scope
            ));
            return Err(match &query.hint {
                Some(hint) => err.text(hint.clone()),
                None => err,
            });
        }
        let eval = Self::evaluate(query, matcher);
        if eval.misses.is_empty() {
            return Ok(());
        }
        let mut err = AssertionError::new(format!(
            "{} of {}{} do not match the expected {}",
            eval.misses.len(),
            count(query.entries.len(), query.noun),
            query.scope,
            query.subject
        ));
        // Show them in template order.
        let order = |id: &str| query.entries.iter().position(|(e, _, _)| *e == id);
        let mut misses: Vec<_> = eval.misses.iter().collect();
        misses.sort_by_key(|miss| order(miss.id));
        for miss in misses.iter().take(5) {
            err = err.candidate("does not match", miss.id, miss.mismatches.clone(), None);
        }
        if misses.len() > 5 {
            err = err.text(format!("… and {} more", misses.len() - 5));
        }
        Err(err.pattern(
            format!("expected {}", query.subject),
            matcher.render_pretty(),
        ))
    }

    // ----- resources -----------------------------------------------------------------------

    /// Asserts that the template has exactly `count` resources of type `type_name`.
    ///
    /// # Panics
    /// With a message listing the resources of that type, or the types present.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"C": {"Type": "AWS::ECS::Cluster"}}}))?;
    /// t.resource_count_is("AWS::ECS::Cluster", 1);
    /// t.resource_count_is("AWS::ECS::Service", 0);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn resource_count_is(&self, type_name: &str, count: usize) {
        or_panic(self.try_resource_count_is(type_name, count));
    }

    /// [`resource_count_is`](Self::resource_count_is), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"C": {"Type": "AWS::ECS::Cluster"}}}))?;
    /// let err = t.try_resource_count_is("AWS::ECS::Cluster", 2).unwrap_err();
    /// assert_eq!(err.headline(), "expected 2 resources of type AWS::ECS::Cluster, found 1");
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_resource_count_is(
        &self,
        type_name: &str,
        expected: usize,
    ) -> Result<(), AssertionError> {
        let found = self.resources_of_type(type_name);
        if found.len() == expected {
            return Ok(());
        }
        let err = AssertionError::new(format!(
            "expected {} of type {type_name}, found {}",
            count(expected, "resource"),
            found.len()
        ));
        Err(if found.is_empty() {
            err.text(self.type_hint(type_name))
        } else {
            let ids: Vec<&str> = found.iter().map(|(id, _)| *id).collect();
            err.text(format!("resources of that type: {}", ids.join(", ")))
        })
    }

    /// Asserts that exactly `count` resources of type `type_name` have properties matching
    /// `props` (a subset match for literal JSON).
    ///
    /// # Panics
    /// With the matching resources and, if too few match, the closest others.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "A": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
    ///     "B": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}
    /// }}))?;
    /// t.resource_properties_count_is("AWS::Logs::LogGroup", json!({"RetentionInDays": 7}), 1);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn resource_properties_count_is(
        &self,
        type_name: &str,
        props: impl IntoMatcher,
        count: usize,
    ) {
        or_panic(self.try_resource_properties_count_is(type_name, props, count));
    }

    /// [`resource_properties_count_is`](Self::resource_properties_count_is), returning the failure.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "A": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
    /// }}))?;
    /// let err = t.try_resource_properties_count_is("AWS::Logs::LogGroup", json!({"RetentionInDays": 30}), 1).unwrap_err();
    /// assert!(err.to_string().contains("/Properties/RetentionInDays: expected 30, found 7"));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_resource_properties_count_is(
        &self,
        type_name: &str,
        props: impl IntoMatcher,
        expected: usize,
    ) -> Result<(), AssertionError> {
        let matcher = props.into_matcher();
        let query = self.resource_query(type_name, true);
        let eval = Self::evaluate(&query, &matcher);
        if eval.matches.len() == expected {
            return Ok(());
        }
        let mut err = AssertionError::new(format!(
            "expected {} of type {type_name} with matching properties, found {} (of {} of that type)",
            count(expected, "resource"),
            eval.matches.len(),
            query.entries.len()
        ));
        if !eval.matches.is_empty() {
            let ids: Vec<&str> = eval.matches.iter().map(|(id, _)| *id).collect();
            err = err.text(format!("matching: {}", ids.join(", ")));
        }
        if query.entries.is_empty() {
            err = err.text(self.type_hint(type_name));
        } else if eval.matches.len() < expected {
            err = closest(err, &eval.misses, query.subject);
        }
        Err(err.pattern("expected properties", matcher.render_pretty()))
    }

    /// Asserts that some resource of type `type_name` matches `resource` as a whole (its
    /// `Properties`, `DependsOn`, `DeletionPolicy`, `Condition`, `Metadata`, ...).
    ///
    /// # Panics
    /// With the closest resources of that type and their mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "Repo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    /// }}))?;
    /// t.has_resource("AWS::ECR::Repository", json!({"DeletionPolicy": "Retain"}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_resource(&self, type_name: &str, resource: impl IntoMatcher) {
        or_panic(self.try_has_resource(type_name, resource));
    }

    /// [`has_resource`](Self::has_resource), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}}}))?;
    /// let err = t.try_has_resource("AWS::ECR::Repository", json!({"DeletionPolicy": "Retain"})).unwrap_err();
    /// assert!(err.to_string().contains("/DeletionPolicy: missing key, expected \"Retain\""));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_resource(
        &self,
        type_name: &str,
        resource: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(
            &self.resource_query(type_name, false),
            &resource.into_matcher(),
        )
    }

    /// Asserts that some resource of type `type_name` has `Properties` matching `props`
    /// (literal JSON matches as a subset; a resource without `Properties` is seen as `{}`).
    ///
    /// # Panics
    /// With the closest resources of that type, the path of every mismatch, and the pattern.
    ///
    /// ```
    /// use berth_assertions::{pattern, Match, Template};
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"Tg": {
    ///     "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
    ///     "Properties": {"Port": 8080, "Protocol": "HTTP", "TargetType": "ip"}
    /// }}}))?;
    /// t.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", json!({"Port": 8080}));
    /// t.has_resource_properties(
    ///     "AWS::ElasticLoadBalancingV2::TargetGroup",
    ///     pattern!({"TargetType": "ip", "HealthCheckPath": (Match::absent())}),
    /// );
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_resource_properties(&self, type_name: &str, props: impl IntoMatcher) {
        or_panic(self.try_has_resource_properties(type_name, props));
    }

    /// [`has_resource_properties`](Self::has_resource_properties), returning the failure.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {}}))?;
    /// let err = t.try_has_resource_properties("AWS::ECS::Service", json!({})).unwrap_err();
    /// assert_eq!(err.headline(), "template has no resources of type AWS::ECS::Service");
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_resource_properties(
        &self,
        type_name: &str,
        props: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(&self.resource_query(type_name, true), &props.into_matcher())
    }

    /// The resources of type `type_name` that match `resource` as a whole, by logical id (in
    /// template order). Pass `json!({})` to get all of them.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "Web": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 2}},
    ///     "Worker": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}}
    /// }}))?;
    /// let found = t.find_resources("AWS::ECS::Service", json!({"Properties": {"DesiredCount": 2}}));
    /// assert_eq!(found.keys().collect::<Vec<_>>(), ["Web"]);
    /// assert_eq!(t.find_resources("AWS::ECS::Service", json!({})).len(), 2);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn find_resources(
        &self,
        type_name: &str,
        resource: impl IntoMatcher,
    ) -> IndexMap<String, Value> {
        Self::find(
            &self.resource_query(type_name, false),
            &resource.into_matcher(),
        )
    }

    /// Asserts that every resource of type `type_name` matches `resource` as a whole. Fails if
    /// there is no resource of that type (an empty "all" is almost always a mistake).
    ///
    /// # Panics
    /// With every resource that does not match and its mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "A": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
    ///     "B": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"}
    /// }}))?;
    /// t.all_resources("AWS::Logs::LogGroup", json!({"DeletionPolicy": "Retain"}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn all_resources(&self, type_name: &str, resource: impl IntoMatcher) {
        or_panic(self.try_all_resources(type_name, resource));
    }

    /// [`all_resources`](Self::all_resources), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {"A": {"Type": "AWS::Logs::LogGroup"}}}))?;
    /// let err = t.try_all_resources("AWS::Logs::LogGroup", json!({"DeletionPolicy": "Retain"})).unwrap_err();
    /// assert!(err.headline().starts_with("1 of 1 resource of type AWS::Logs::LogGroup do not match"));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_all_resources(
        &self,
        type_name: &str,
        resource: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::all(
            &self.resource_query(type_name, false),
            &resource.into_matcher(),
        )
    }

    /// Asserts that every resource of type `type_name` has `Properties` matching `props`. Fails
    /// if there is no resource of that type.
    ///
    /// # Panics
    /// With every resource that does not match and its mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "A": {"Type": "AWS::ECR::Repository", "Properties": {"ImageScanningConfiguration": {"ScanOnPush": true}}}
    /// }}))?;
    /// t.all_resources_properties("AWS::ECR::Repository", json!({"ImageScanningConfiguration": {"ScanOnPush": true}}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn all_resources_properties(&self, type_name: &str, props: impl IntoMatcher) {
        or_panic(self.try_all_resources_properties(type_name, props));
    }

    /// [`all_resources_properties`](Self::all_resources_properties), returning the failure.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {}}))?;
    /// assert!(t.try_all_resources_properties("AWS::ECR::Repository", json!({})).is_err());
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_all_resources_properties(
        &self,
        type_name: &str,
        props: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::all(&self.resource_query(type_name, true), &props.into_matcher())
    }

    // ----- other sections ------------------------------------------------------------------

    /// Asserts that the output `logical_id` (or, with `"*"`, some output) matches `output`
    /// (e.g. `{"Value": ..., "Export": {"Name": ...}}`).
    ///
    /// # Panics
    /// With the outputs present or the closest ones and their mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Outputs": {
    ///     "Url": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}, "Export": {"Name": "web-url"}}
    /// }}))?;
    /// t.has_output("Url", json!({"Export": {"Name": "web-url"}}));
    /// t.has_output("*", json!({"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_output(&self, logical_id: &str, output: impl IntoMatcher) {
        or_panic(self.try_has_output(logical_id, output));
    }

    /// [`has_output`](Self::has_output), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Outputs": {"Url": {"Value": "x"}}}))?;
    /// let err = t.try_has_output("Arn", json!({})).unwrap_err();
    /// assert_eq!(err.to_string(), "template has no output named Arn\n\noutputs in the template: Url");
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_output(
        &self,
        logical_id: &str,
        output: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(
            &self.section_query("Outputs", "output", logical_id),
            &output.into_matcher(),
        )
    }

    /// The outputs matching `output`, by logical id (`logical_id` may be `"*"`).
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Outputs": {"A": {"Value": 1}, "B": {"Value": 2}}}))?;
    /// assert_eq!(t.find_outputs("*", json!({"Value": 2})).keys().collect::<Vec<_>>(), ["B"]);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn find_outputs(
        &self,
        logical_id: &str,
        output: impl IntoMatcher,
    ) -> IndexMap<String, Value> {
        Self::find(
            &self.section_query("Outputs", "output", logical_id),
            &output.into_matcher(),
        )
    }

    /// Asserts that the parameter `logical_id` (or, with `"*"`, some parameter) matches
    /// `parameter` (e.g. `{"Type": "String", "Default": ...}`).
    ///
    /// # Panics
    /// With the parameters present or the closest ones and their mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Parameters": {"ImageTag": {"Type": "String", "Default": "latest"}}}))?;
    /// t.has_parameter("ImageTag", json!({"Type": "String"}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_parameter(&self, logical_id: &str, parameter: impl IntoMatcher) {
        or_panic(self.try_has_parameter(logical_id, parameter));
    }

    /// [`has_parameter`](Self::has_parameter), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Parameters": {"ImageTag": {"Type": "String"}}}))?;
    /// assert!(t.try_has_parameter("*", json!({"Type": "Number"})).is_err());
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_parameter(
        &self,
        logical_id: &str,
        parameter: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(
            &self.section_query("Parameters", "parameter", logical_id),
            &parameter.into_matcher(),
        )
    }

    /// The parameters matching `parameter`, by logical id (`logical_id` may be `"*"`).
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Parameters": {"ImageTag": {"Type": "String"}}}))?;
    /// assert_eq!(t.find_parameters("*", json!({"Type": "String"})).len(), 1);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn find_parameters(
        &self,
        logical_id: &str,
        parameter: impl IntoMatcher,
    ) -> IndexMap<String, Value> {
        Self::find(
            &self.section_query("Parameters", "parameter", logical_id),
            &parameter.into_matcher(),
        )
    }

    /// Asserts that the mapping `logical_id` (or, with `"*"`, some mapping) matches `mapping`.
    ///
    /// # Panics
    /// With the mappings present or the closest ones and their mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Mappings": {"Sizes": {"prod": {"Cpu": "1024"}}}}))?;
    /// t.has_mapping("Sizes", json!({"prod": {"Cpu": "1024"}}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_mapping(&self, logical_id: &str, mapping: impl IntoMatcher) {
        or_panic(self.try_has_mapping(logical_id, mapping));
    }

    /// [`has_mapping`](Self::has_mapping), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({}))?;
    /// assert_eq!(t.try_has_mapping("*", json!({})).unwrap_err().headline(), "template has no mappings");
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_mapping(
        &self,
        logical_id: &str,
        mapping: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(
            &self.section_query("Mappings", "mapping", logical_id),
            &mapping.into_matcher(),
        )
    }

    /// The mappings matching `mapping`, by logical id (`logical_id` may be `"*"`).
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Mappings": {"Sizes": {"prod": {"Cpu": "1024"}}}}))?;
    /// assert!(t.find_mappings("Sizes", json!({})).contains_key("Sizes"));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn find_mappings(
        &self,
        logical_id: &str,
        mapping: impl IntoMatcher,
    ) -> IndexMap<String, Value> {
        Self::find(
            &self.section_query("Mappings", "mapping", logical_id),
            &mapping.into_matcher(),
        )
    }

    /// Asserts that the condition `logical_id` (or, with `"*"`, some condition) matches
    /// `condition` (e.g. `{"Fn::Equals": [{"Ref": "Env"}, "prod"]}`).
    ///
    /// # Panics
    /// With the conditions present or the closest ones and their mismatches.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}}))?;
    /// t.has_condition("IsProd", json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn has_condition(&self, logical_id: &str, condition: impl IntoMatcher) {
        or_panic(self.try_has_condition(logical_id, condition));
    }

    /// [`has_condition`](Self::has_condition), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}))?;
    /// assert!(t.try_has_condition("IsProd", json!({"Fn::Not": []})).is_err());
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_has_condition(
        &self,
        logical_id: &str,
        condition: impl IntoMatcher,
    ) -> Result<(), AssertionError> {
        Self::has(
            &self.section_query("Conditions", "condition", logical_id),
            &condition.into_matcher(),
        )
    }

    /// The conditions matching `condition`, by logical id (`logical_id` may be `"*"`).
    ///
    /// ```
    /// use berth_assertions::{Match, Template};
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}}))?;
    /// assert_eq!(t.find_conditions("*", Match::any_value()).len(), 1);
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn find_conditions(
        &self,
        logical_id: &str,
        condition: impl IntoMatcher,
    ) -> IndexMap<String, Value> {
        Self::find(
            &self.section_query("Conditions", "condition", logical_id),
            &condition.into_matcher(),
        )
    }

    // ----- whole template ------------------------------------------------------------------

    /// Asserts that the whole template matches `pattern` (a subset match for literal JSON).
    ///
    /// # Panics
    /// With every mismatch and its path.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Description": "web service", "Resources": {}}))?;
    /// t.template_matches(json!({"Description": "web service"}));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    #[track_caller]
    pub fn template_matches(&self, pattern: impl IntoMatcher) {
        or_panic(self.try_template_matches(pattern));
    }

    /// [`template_matches`](Self::template_matches), returning the failure instead of panicking.
    ///
    /// ```
    /// use berth_assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Description": "web"}))?;
    /// let err = t.try_template_matches(json!({"Description": "api"})).unwrap_err();
    /// assert!(err.to_string().contains("/Description: expected \"api\", found \"web\""));
    /// # Ok::<(), berth_assertions::Error>(())
    /// ```
    pub fn try_template_matches(&self, pattern: impl IntoMatcher) -> Result<(), AssertionError> {
        let matcher = pattern.into_matcher();
        let outcome = matcher.test_at(Some(&self.json), &ValuePath::root());
        if outcome.is_match() {
            outcome.finish();
            return Ok(());
        }
        let n = outcome.mismatches.len();
        Err(AssertionError::new(format!(
            "the template does not match the pattern ({n} mismatch{})",
            if n == 1 { "" } else { "es" }
        ))
        .mismatches(outcome.mismatches)
        .pattern("expected template", matcher.render_pretty()))
    }
}

impl FromStr for Template {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Template::from_str(text)
    }
}

impl TryFrom<Value> for Template {
    type Error = Error;

    fn try_from(json: Value) -> Result<Self, Error> {
        Template::from_json(json)
    }
}

/// Adds the closest candidates (already sorted) to `err`, with the actual value of the closest.
fn closest(mut err: AssertionError, misses: &[Miss<'_>], subject: &str) -> AssertionError {
    for (i, miss) in misses.iter().take(CLOSEST).enumerate() {
        let label = if i == 0 {
            "closest match"
        } else {
            "next closest"
        };
        let actual = (i == 0).then(|| {
            let text = render_value_pretty(miss.seen);
            (format!("actual {subject} of {}", miss.id), text)
        });
        err = err.candidate(label, miss.id, miss.mismatches.clone(), actual);
    }
    if misses.len() > CLOSEST {
        err = err.text(format!("({} more not shown)", misses.len() - CLOSEST));
    }
    err
}

#[track_caller]
fn or_panic(result: Result<(), AssertionError>) {
    if let Err(err) = result {
        panic!("{}", err.render(color_enabled()));
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}
