//! Matchers: patterns that a JSON value is tested against.
//!
//! A [`Matcher`] is a tree that mixes literal JSON with special rules ([`Match::absent`],
//! [`Match::string_like_regexp`], a [`Capture`], ...). Build one with the [`Match`] functions,
//! with the [`pattern!`](crate::pattern) macro, or from any `serde::Serialize` value (usually a
//! `serde_json::json!` literal) through [`IntoMatcher`].
//!
//! # How literal JSON is matched
//!
//! Literal JSON (from `json!`, from `pattern!`, or any serializable value) takes its strictness
//! from the closest enclosing rule:
//!
//! - at the top of a `Template` query, and inside [`Match::object_like`], objects are matched as
//!   *subsets*: every key of the pattern must be present and match, other keys are ignored;
//! - inside [`Match::object_equals`] and [`Match::exact`], objects must have exactly the keys
//!   of the pattern;
//! - literal arrays always need the same length and match element by element (use
//!   [`Match::array_with`] for an ordered subset);
//! - numbers compare by value (`80` matches `80.0`).
//!
//! This differs from aws-cdk-lib in one place: CDK matches literal objects inside
//! `Match.arrayWith` exactly, berth matches them with the enclosing strictness, so
//! `Match::array_with(json!([{"Effect": "Allow"}]))` finds a statement with more keys.

use std::fmt::{self, Write as _};

use indexmap::IndexMap;
use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::capture::Capture;
use crate::path::ValuePath;

/// A pattern to test JSON values against.
///
/// Matchers are built with the functions of [`Match`], the [`pattern!`](crate::pattern) macro,
/// [`Capture::matcher`], or converted from any serializable value with [`IntoMatcher`]. They are
/// cloneable and print (with `{}`) in a Rust-like notation that failure messages also use.
///
/// ```
/// use berth_assertions::{Match, Matcher};
/// use serde_json::json;
///
/// let m: Matcher = Match::object_like(json!({"Port": 80}));
/// assert!(m.matches(&json!({"Port": 80, "Protocol": "HTTP"})));
/// assert_eq!(m.to_string(), r#"Match::object_like({"Port": 80})"#);
/// ```
#[derive(Clone)]
pub struct Matcher {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    /// Plain JSON, matched with the enclosing strictness.
    Literal(Value),
    /// An object whose values are matchers (from `pattern!` or `Match::object_like([...])`).
    Object(IndexMap<String, Matcher>),
    /// An array whose elements are matchers (from `pattern!`).
    Array(Vec<Matcher>),
    /// Sets the strictness for what is inside.
    Scope {
        name: &'static str,
        partial: bool,
        require_object: bool,
        inner: Box<Matcher>,
    },
    ArrayWith(Vec<Matcher>),
    ArrayEquals(Vec<Matcher>),
    AnyValue,
    Absent,
    Not(Box<Matcher>),
    Regex(Regex),
    SerializedJson(Box<Matcher>),
    Capture(Capture),
}

/// Conversion into a [`Matcher`].
///
/// Every `serde::Serialize` type converts into a literal matcher (so `json!` values, strings,
/// numbers, `Vec`s and typed resource structs all work), and so do [`Matcher`] and [`Capture`]
/// (by value or by reference). The `Template` queries and the [`Match`] functions take
/// `impl IntoMatcher`.
///
/// A serialized `None` becomes `null`, which then must be present as `null`: for typed structs,
/// skip `None` fields when serializing (`#[serde(skip_serializing_if = "Option::is_none")]`).
///
/// # Panics
/// If the value cannot be serialized to JSON (e.g. a map with non-string keys).
///
/// ```
/// use berth_assertions::{Capture, IntoMatcher, Match};
/// use serde_json::json;
///
/// let literal = json!({"Port": 80}).into_matcher();
/// let number = 80.into_matcher();
/// let rule = Match::absent().into_matcher();
/// let capture = Capture::new();
/// let from_capture = (&capture).into_matcher();
/// assert!(literal.matches(&json!({"Port": 80})));
/// assert!(number.matches(&json!(80)));
/// # let _ = (rule, from_capture);
/// ```
pub trait IntoMatcher {
    /// Converts `self` into a matcher.
    fn into_matcher(self) -> Matcher;
}

impl<T: Serialize> IntoMatcher for T {
    fn into_matcher(self) -> Matcher {
        match serde_json::to_value(&self) {
            Ok(value) => Matcher::literal(value),
            Err(error) => panic!("the pattern could not be converted to JSON: {error}"),
        }
    }
}

impl IntoMatcher for Matcher {
    fn into_matcher(self) -> Matcher {
        self
    }
}

impl IntoMatcher for &Matcher {
    fn into_matcher(self) -> Matcher {
        self.clone()
    }
}

impl IntoMatcher for Capture {
    fn into_matcher(self) -> Matcher {
        Matcher::from_kind(Kind::Capture(self))
    }
}

impl IntoMatcher for &Capture {
    fn into_matcher(self) -> Matcher {
        Matcher::from_kind(Kind::Capture(self.clone()))
    }
}

/// Constructors for the built-in matchers, named like aws-cdk-lib's `Match` class.
///
/// ```
/// use berth_assertions::Match;
/// use serde_json::json;
///
/// let m = Match::object_like(json!({"Essential": true}));
/// assert!(m.matches(&json!({"Essential": true, "Name": "web"})));
/// ```
pub struct Match;

impl Match {
    /// Matches an object that has (at least) the keys of `pattern`, recursively: nested literal
    /// objects are also matched as subsets. This is what `Template` queries do with a plain
    /// pattern.
    ///
    /// `pattern` is a JSON object (`json!({...})`, `pattern!({...})`) or an array or `Vec` of
    /// `(key, matcher)` pairs (see [`IntoObjectPattern`]).
    ///
    /// # Panics
    /// If `pattern` is not an object.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::object_like(json!({"HealthCheck": {"Path": "/health"}}));
    /// assert!(m.matches(&json!({"HealthCheck": {"Path": "/health", "Interval": 30}, "Port": 80})));
    /// assert!(!m.matches(&json!({"HealthCheck": {"Path": "/"}})));
    ///
    /// // Keys with matchers as values, without a macro:
    /// let m = Match::object_like([("Port", Match::exact(80)), ("Name", Match::absent())]);
    /// assert!(m.matches(&json!({"Port": 80})));
    /// ```
    #[track_caller]
    pub fn object_like(pattern: impl IntoObjectPattern) -> Matcher {
        Self::scope(
            "object_like",
            true,
            true,
            pattern.into_object_pattern("Match::object_like"),
        )
    }

    /// Matches an object that has exactly the keys of `pattern` (no more, no fewer), with nested
    /// literal objects also matched exactly. Nested matchers such as [`Match::object_like`] relax
    /// it again where you need.
    ///
    /// # Panics
    /// If `pattern` is not an object.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::object_equals(json!({"Ref": "WebTargetGroup"}));
    /// assert!(m.matches(&json!({"Ref": "WebTargetGroup"})));
    /// assert!(!m.matches(&json!({"Ref": "WebTargetGroup", "Extra": 1})));
    /// ```
    #[track_caller]
    pub fn object_equals(pattern: impl IntoObjectPattern) -> Matcher {
        Self::scope(
            "object_equals",
            false,
            true,
            pattern.into_object_pattern("Match::object_equals"),
        )
    }

    /// Matches an array that contains the elements of `pattern` in the same order, possibly
    /// with other elements before, between and after them.
    ///
    /// # Panics
    /// If `pattern` is not an array.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::array_with(json!(["ecr:GetAuthorizationToken", "logs:PutLogEvents"]));
    /// assert!(m.matches(&json!(["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"])));
    /// assert!(!m.matches(&json!(["logs:PutLogEvents", "ecr:GetAuthorizationToken"])));
    /// ```
    #[track_caller]
    pub fn array_with(pattern: impl IntoMatcher) -> Matcher {
        Matcher::from_kind(Kind::ArrayWith(array_items(
            pattern.into_matcher(),
            "Match::array_with",
        )))
    }

    /// Matches an array with exactly the elements of `pattern`, in order. Element objects are
    /// matched with the enclosing strictness (subsets unless inside `object_equals`/`exact`).
    ///
    /// # Panics
    /// If `pattern` is not an array.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::array_equals(json!([80, 443]));
    /// assert!(m.matches(&json!([80, 443])));
    /// assert!(!m.matches(&json!([80, 443, 8080])));
    /// ```
    #[track_caller]
    pub fn array_equals(pattern: impl IntoMatcher) -> Matcher {
        Matcher::from_kind(Kind::ArrayEquals(array_items(
            pattern.into_matcher(),
            "Match::array_equals",
        )))
    }

    /// Matches any present, non-null value.
    ///
    /// ```
    /// use berth_assertions::{pattern, Match};
    /// use serde_json::json;
    ///
    /// let m = pattern!({"LoadBalancerArn": (Match::any_value())});
    /// assert!(m.matches(&json!({"LoadBalancerArn": {"Ref": "Lb"}})));
    /// assert!(!m.matches(&json!({})));
    /// ```
    pub fn any_value() -> Matcher {
        Matcher::from_kind(Kind::AnyValue)
    }

    /// Matches when the key is missing. Only meaningful as the value of an object key.
    ///
    /// ```
    /// use berth_assertions::{pattern, Match};
    /// use serde_json::json;
    ///
    /// let m = pattern!({"AssignPublicIp": (Match::absent())});
    /// assert!(m.matches(&json!({"Subnets": []})));
    /// assert!(!m.matches(&json!({"AssignPublicIp": "ENABLED"})));
    /// ```
    pub fn absent() -> Matcher {
        Matcher::from_kind(Kind::Absent)
    }

    /// Matches when `pattern` does not match (including when the key is missing).
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::not("HTTP");
    /// assert!(m.matches(&json!("HTTPS")));
    /// assert!(!m.matches(&json!("HTTP")));
    /// ```
    pub fn not(pattern: impl IntoMatcher) -> Matcher {
        Matcher::from_kind(Kind::Not(Box::new(pattern.into_matcher())))
    }

    /// Matches a string against a regular expression (`regex` crate syntax; unanchored unless
    /// you write `^`/`$`).
    ///
    /// # Panics
    /// If `regex` is not a valid regular expression.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::string_like_regexp(r"^\d{12}\.dkr\.ecr\.");
    /// assert!(m.matches(&json!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1")));
    /// assert!(!m.matches(&json!("nginx:latest")));
    /// ```
    #[track_caller]
    pub fn string_like_regexp(regex: &str) -> Matcher {
        match Regex::new(regex) {
            Ok(regex) => Matcher::from_kind(Kind::Regex(regex)),
            Err(error) => {
                panic!("Match::string_like_regexp: invalid regular expression {regex:?}: {error}")
            }
        }
    }

    /// Matches a string holding JSON (an IAM policy document, a container command, ...) by
    /// parsing it and matching the parsed value against `pattern`.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::serialized_json(json!({"Version": "2012-10-17"}));
    /// assert!(m.matches(&json!(r#"{"Version": "2012-10-17", "Statement": []}"#)));
    /// assert!(!m.matches(&json!("not json")));
    /// ```
    pub fn serialized_json(pattern: impl IntoMatcher) -> Matcher {
        Matcher::from_kind(Kind::SerializedJson(Box::new(pattern.into_matcher())))
    }

    /// Matches exactly: literal objects inside `pattern` must have exactly the same keys, at
    /// every depth (nested matchers still apply).
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let m = Match::exact(json!({"Fn::GetAtt": ["Lb", "DNSName"]}));
    /// assert!(m.matches(&json!({"Fn::GetAtt": ["Lb", "DNSName"]})));
    /// assert!(!m.matches(&json!({"Fn::GetAtt": ["Lb", "DNSName"], "x": 1})));
    /// ```
    pub fn exact(pattern: impl IntoMatcher) -> Matcher {
        Match::scope("exact", false, false, pattern.into_matcher())
    }

    fn scope(name: &'static str, partial: bool, require_object: bool, inner: Matcher) -> Matcher {
        Matcher::from_kind(Kind::Scope {
            name,
            partial,
            require_object,
            inner: Box::new(inner),
        })
    }
}

/// The pattern of [`Match::object_like`] and [`Match::object_equals`]: a JSON object
/// (`serde_json::Value`, `serde_json::Map`, or a [`Matcher`] built by
/// [`pattern!`](crate::pattern)) or an array or `Vec` of `(key, matcher)` pairs.
///
/// ```
/// use berth_assertions::{IntoObjectPattern, Match};
/// use serde_json::json;
///
/// let from_json = json!({"Port": 80}).into_object_pattern("example");
/// let from_pairs = [("Port", Match::exact(80))].into_object_pattern("example");
/// assert!(from_json.matches(&json!({"Port": 80})));
/// assert!(from_pairs.matches(&json!({"Port": 80})));
/// ```
pub trait IntoObjectPattern {
    /// Converts `self` into an object matcher; `context` names the caller in the panic message.
    ///
    /// # Panics
    /// If `self` is not an object.
    fn into_object_pattern(self, context: &str) -> Matcher;
}

#[track_caller]
fn object_pattern(matcher: Matcher, context: &str) -> Matcher {
    match &matcher.kind {
        Kind::Literal(Value::Object(_)) | Kind::Object(_) => matcher,
        _ => panic!("{context} expects an object pattern, got {matcher}"),
    }
}

impl IntoObjectPattern for Value {
    #[track_caller]
    fn into_object_pattern(self, context: &str) -> Matcher {
        object_pattern(Matcher::literal(self), context)
    }
}

impl IntoObjectPattern for serde_json::Map<String, Value> {
    fn into_object_pattern(self, _context: &str) -> Matcher {
        Matcher::literal(Value::Object(self))
    }
}

impl IntoObjectPattern for Matcher {
    #[track_caller]
    fn into_object_pattern(self, context: &str) -> Matcher {
        object_pattern(self, context)
    }
}

impl IntoObjectPattern for &Matcher {
    #[track_caller]
    fn into_object_pattern(self, context: &str) -> Matcher {
        object_pattern(self.clone(), context)
    }
}

impl<K: Into<String>, V: IntoMatcher, const N: usize> IntoObjectPattern for [(K, V); N] {
    fn into_object_pattern(self, _context: &str) -> Matcher {
        Matcher::object(self)
    }
}

impl<K: Into<String>, V: IntoMatcher> IntoObjectPattern for Vec<(K, V)> {
    fn into_object_pattern(self, _context: &str) -> Matcher {
        Matcher::object(self)
    }
}

#[track_caller]
fn array_items(matcher: Matcher, context: &str) -> Vec<Matcher> {
    match matcher.kind {
        Kind::Literal(Value::Array(items)) => items.into_iter().map(Matcher::literal).collect(),
        Kind::Array(items) => items,
        _ => panic!("{context} expects an array pattern, got {matcher}"),
    }
}

impl Matcher {
    fn from_kind(kind: Kind) -> Self {
        Self { kind }
    }

    /// A literal matcher for a JSON value (what [`IntoMatcher`] does for serializable values).
    ///
    /// ```
    /// use berth_assertions::Matcher;
    /// use serde_json::json;
    ///
    /// assert!(Matcher::literal(json!("web")).matches(&json!("web")));
    /// ```
    pub fn literal(value: Value) -> Self {
        Self::from_kind(Kind::Literal(value))
    }

    /// An object pattern whose values are matchers, matched with the enclosing strictness
    /// (this is what [`pattern!`](crate::pattern) builds for `{...}`).
    ///
    /// ```
    /// use berth_assertions::{IntoMatcher, Match, Matcher};
    /// use serde_json::json;
    ///
    /// let m = Matcher::object([("Image", Match::string_like_regexp("^nginx")), ("Essential", true.into_matcher())]);
    /// assert!(m.matches(&json!({"Image": "nginx:1.27", "Essential": true, "Name": "web"})));
    /// ```
    pub fn object<K: Into<String>, V: IntoMatcher>(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::from_kind(Kind::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into_matcher()))
                .collect(),
        ))
    }

    /// An array pattern whose elements are matchers: same length, element by element (this is
    /// what [`pattern!`](crate::pattern) builds for `[...]`).
    ///
    /// ```
    /// use berth_assertions::{IntoMatcher, Match, Matcher};
    /// use serde_json::json;
    ///
    /// let m = Matcher::array([Match::any_value(), "DNSName".into_matcher()]);
    /// assert!(m.matches(&json!(["Lb", "DNSName"])));
    /// ```
    pub fn array<V: IntoMatcher>(items: impl IntoIterator<Item = V>) -> Self {
        Self::from_kind(Kind::Array(
            items.into_iter().map(IntoMatcher::into_matcher).collect(),
        ))
    }

    /// Tests `actual` against this matcher and returns every mismatch (empty when it matches).
    /// On a match, the values of the [`Capture`]s inside are recorded.
    ///
    /// Literal objects at the top are matched as subsets, as in `Template` queries.
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// let mismatches = Match::object_like(json!({"Port": 8080})).test(&json!({"Port": 80}));
    /// assert_eq!(mismatches.len(), 1);
    /// assert_eq!(mismatches[0].to_string(), "/Port: expected 8080, found 80");
    /// ```
    pub fn test(&self, actual: &Value) -> Vec<Mismatch> {
        let outcome = self.test_at(Some(actual), &ValuePath::root());
        let mismatches = outcome.mismatches.clone();
        outcome.finish();
        mismatches
    }

    /// Whether `actual` matches (recording captures like [`Matcher::test`]).
    ///
    /// ```
    /// use berth_assertions::Match;
    /// use serde_json::json;
    ///
    /// assert!(Match::any_value().matches(&json!(1)));
    /// ```
    pub fn matches(&self, actual: &Value) -> bool {
        self.test(actual).is_empty()
    }

    /// Tests without recording captures yet; the caller decides with [`Outcome::finish`].
    pub(crate) fn test_at(&self, actual: Option<&Value>, path: &ValuePath) -> Outcome {
        let mut outcome = Outcome::default();
        Pat::M(self).test(actual, path, true, &mut outcome);
        outcome
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        Pat::M(self).render(&mut out, None);
        f.write_str(&out)
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matcher({self})")
    }
}

impl Matcher {
    /// The pattern over several lines (two-space indentation), as shown in failure messages.
    pub(crate) fn render_pretty(&self) -> String {
        let mut out = String::new();
        Pat::M(self).render(&mut out, Some(0));
        out
    }
}

/// One reason why a value did not match: where, and what was expected and found.
///
/// ```
/// use berth_assertions::Match;
/// use serde_json::json;
///
/// let m = &Match::object_like(json!({"Port": 8080})).test(&json!({}))[0];
/// assert_eq!(m.path().to_string(), "/Port");
/// assert_eq!(m.note(), Some("missing key"));
/// assert_eq!(m.expected(), Some("8080"));
/// assert_eq!(m.found(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    path: ValuePath,
    note: Option<String>,
    expected: Option<String>,
    found: Option<String>,
    detail: Option<String>,
}

impl Mismatch {
    fn new(path: &ValuePath) -> Self {
        Self {
            path: path.clone(),
            note: None,
            expected: None,
            found: None,
            detail: None,
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn with_expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    fn with_found(mut self, found: &Value) -> Self {
        self.found = Some(render_value(found));
        self
    }

    /// Where the mismatch is (a JSON pointer from the matched value, e.g. from the resource).
    pub fn path(&self) -> &ValuePath {
        &self.path
    }

    /// More about the difference, shown in parentheses after it (e.g. `a string, not a number`).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// What went wrong, when it is more than "expected X, found Y" (e.g. `missing key`).
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The expected value or rule, as text.
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
    }

    /// The actual value (compact JSON, shortened if long), if there was one.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::style::Palette::plain().mismatch(self))
    }
}

/// The result of testing one value: the mismatches, and the captures to record if it matched.
#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) mismatches: Vec<Mismatch>,
    captures: Vec<(Capture, Value)>,
}

impl Outcome {
    pub(crate) fn is_match(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// Records the captured values if the value matched.
    pub(crate) fn finish(self) {
        if self.is_match() {
            for (capture, value) in self.captures {
                capture.record(value);
            }
        }
    }

    fn absorb(&mut self, other: Outcome) {
        self.mismatches.extend(other.mismatches);
        self.captures.extend(other.captures);
    }
}

/// A pattern node: a matcher, or a value inside a literal.
#[derive(Clone, Copy)]
enum Pat<'a> {
    M(&'a Matcher),
    V(&'a Value),
}

impl<'a> Pat<'a> {
    /// Resolves literals to plain values.
    fn resolve(self) -> Pat<'a> {
        match self {
            Pat::M(Matcher {
                kind: Kind::Literal(value),
            }) => Pat::V(value),
            other => other,
        }
    }

    fn test(self, actual: Option<&Value>, path: &ValuePath, partial: bool, out: &mut Outcome) {
        match self.resolve() {
            Pat::V(expected) => test_literal(expected, actual, path, partial, out),
            Pat::M(matcher) => match &matcher.kind {
                Kind::Literal(_) => unreachable!("resolved above"),
                Kind::Object(entries) => {
                    let entries = entries.iter().map(|(k, m)| (k.as_str(), Pat::M(m)));
                    test_object(self, entries, actual, path, partial, out)
                }
                Kind::Array(items) => {
                    test_array(self, items.iter().map(Pat::M), actual, path, partial, out)
                }
                Kind::ArrayEquals(items) => {
                    test_array(self, items.iter().map(Pat::M), actual, path, partial, out)
                }
                Kind::Scope {
                    name: _,
                    partial: inner_partial,
                    require_object,
                    inner,
                } => {
                    if *require_object {
                        match actual {
                            Some(Value::Object(_)) => {}
                            Some(other) => {
                                out.mismatches.push(
                                    Mismatch::new(path)
                                        .with_expected(self.compact())
                                        .with_found(other)
                                        .with_detail(format!("{}, not an object", a_kind(other))),
                                );
                                return;
                            }
                            None => return missing(self, path, out),
                        }
                    }
                    Pat::M(inner).test(actual, path, *inner_partial, out)
                }
                Kind::ArrayWith(items) => test_array_with(self, items, actual, path, partial, out),
                Kind::AnyValue => match actual {
                    None => missing(self, path, out),
                    Some(Value::Null) => out.mismatches.push(
                        Mismatch::new(path)
                            .with_expected("any value")
                            .with_found(&Value::Null),
                    ),
                    Some(_) => {}
                },
                Kind::Absent => {
                    if let Some(value) = actual {
                        out.mismatches.push(
                            Mismatch::new(path)
                                .with_note("key should be absent")
                                .with_found(value),
                        );
                    }
                }
                Kind::Not(inner) => {
                    let mut trial = Outcome::default();
                    Pat::M(inner).test(actual, path, partial, &mut trial);
                    if trial.is_match() {
                        match actual {
                            Some(value) => out.mismatches.push(
                                Mismatch::new(path)
                                    .with_expected(self.compact())
                                    .with_found(value),
                            ),
                            None => missing(self, path, out),
                        }
                    }
                }
                Kind::Regex(regex) => match actual {
                    Some(Value::String(s)) if regex.is_match(s) => {}
                    Some(other) => out.mismatches.push(
                        Mismatch::new(path)
                            .with_expected(format!("a string matching /{}/", regex.as_str()))
                            .with_found(other),
                    ),
                    None => missing(self, path, out),
                },
                Kind::SerializedJson(inner) => match actual {
                    Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                        Ok(parsed) => Pat::M(inner).test(Some(&parsed), &path.json(), partial, out),
                        Err(error) => out.mismatches.push(
                            Mismatch::new(path)
                                .with_expected(self.compact())
                                .with_found(actual.expect("matched Some"))
                                .with_detail(format!("not valid JSON: {error}")),
                        ),
                    },
                    Some(other) => out.mismatches.push(
                        Mismatch::new(path)
                            .with_expected(self.compact())
                            .with_found(other)
                            .with_detail(format!("{}, not a string holding JSON", a_kind(other))),
                    ),
                    None => missing(self, path, out),
                },
                Kind::Capture(capture) => match actual {
                    None => missing(self, path, out),
                    Some(value) => {
                        let mut trial = Outcome::default();
                        if let Some(inner) = capture.pattern() {
                            Pat::M(inner).test(Some(value), path, partial, &mut trial);
                        }
                        if trial.is_match() {
                            trial.captures.push((capture.clone(), value.clone()));
                        }
                        out.absorb(trial);
                    }
                },
            },
        }
    }

    /// The pattern on one line, shortened if long.
    fn compact(self) -> String {
        let mut out = String::new();
        self.render(&mut out, None);
        shorten(out)
    }

    fn render(self, out: &mut String, indent: Option<usize>) {
        match self.resolve() {
            Pat::V(value) => render_json(out, value, indent),
            Pat::M(matcher) => match &matcher.kind {
                Kind::Literal(_) => unreachable!("resolved above"),
                Kind::Object(entries) => render_object(
                    out,
                    entries.iter().map(|(k, m)| (k.as_str(), Pat::M(m))),
                    entries.len(),
                    indent,
                ),
                Kind::Array(items) => {
                    render_array(out, items.iter().map(Pat::M), items.len(), indent)
                }
                Kind::Scope { name, inner, .. } => {
                    let _ = write!(out, "Match::{name}(");
                    Pat::M(inner).render(out, indent);
                    out.push(')');
                }
                Kind::ArrayWith(items) => {
                    out.push_str("Match::array_with(");
                    render_array(out, items.iter().map(Pat::M), items.len(), indent);
                    out.push(')');
                }
                Kind::ArrayEquals(items) => {
                    out.push_str("Match::array_equals(");
                    render_array(out, items.iter().map(Pat::M), items.len(), indent);
                    out.push(')');
                }
                Kind::AnyValue => out.push_str("Match::any_value()"),
                Kind::Absent => out.push_str("Match::absent()"),
                Kind::Not(inner) => {
                    out.push_str("Match::not(");
                    Pat::M(inner).render(out, indent);
                    out.push(')');
                }
                Kind::Regex(regex) => {
                    let _ = write!(out, "Match::string_like_regexp({:?})", regex.as_str());
                }
                Kind::SerializedJson(inner) => {
                    out.push_str("Match::serialized_json(");
                    Pat::M(inner).render(out, indent);
                    out.push(')');
                }
                Kind::Capture(capture) => match capture.pattern() {
                    None => out.push_str("Capture"),
                    Some(inner) => {
                        out.push_str("Capture(");
                        Pat::M(inner).render(out, indent);
                        out.push(')');
                    }
                },
            },
        }
    }
}

fn missing(pattern: Pat<'_>, path: &ValuePath, out: &mut Outcome) {
    out.mismatches.push(
        Mismatch::new(path)
            .with_note("missing key")
            .with_expected(pattern.compact()),
    );
}

fn test_literal(
    expected: &Value,
    actual: Option<&Value>,
    path: &ValuePath,
    partial: bool,
    out: &mut Outcome,
) {
    let Some(actual) = actual else {
        return missing(Pat::V(expected), path, out);
    };
    match (expected, actual) {
        (Value::Object(entries), _) => test_object(
            Pat::V(expected),
            entries.iter().map(|(k, v)| (k.as_str(), Pat::V(v))),
            Some(actual),
            path,
            partial,
            out,
        ),
        (Value::Array(items), _) => test_array(
            Pat::V(expected),
            items.iter().map(Pat::V),
            Some(actual),
            path,
            partial,
            out,
        ),
        (Value::Number(a), Value::Number(b)) => {
            let same = match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            };
            if !same {
                out.mismatches.push(
                    Mismatch::new(path)
                        .with_expected(render_value(expected))
                        .with_found(actual),
                );
            }
        }
        _ if expected == actual => {}
        _ => {
            let mut mismatch = Mismatch::new(path)
                .with_expected(render_value(expected))
                .with_found(actual);
            if a_kind(expected) != a_kind(actual) {
                mismatch =
                    mismatch.with_detail(format!("{}, not {}", a_kind(actual), a_kind(expected)));
            }
            out.mismatches.push(mismatch);
        }
    }
}

fn test_object<'a>(
    pattern: Pat<'a>,
    entries: impl Iterator<Item = (&'a str, Pat<'a>)>,
    actual: Option<&Value>,
    path: &ValuePath,
    partial: bool,
    out: &mut Outcome,
) {
    let object = match actual {
        Some(Value::Object(object)) => object,
        Some(other) => {
            out.mismatches.push(
                Mismatch::new(path)
                    .with_expected(pattern.compact())
                    .with_found(other)
                    .with_detail(format!("{}, not an object", a_kind(other))),
            );
            return;
        }
        None => return missing(pattern, path, out),
    };
    let mut seen = Vec::new();
    for (key, child) in entries {
        seen.push(key);
        child.test(object.get(key), &path.key(key), partial, out);
    }
    if !partial {
        for (key, value) in object {
            if !seen.contains(&key.as_str()) {
                out.mismatches.push(
                    Mismatch::new(&path.key(key))
                        .with_note("unexpected key")
                        .with_found(value),
                );
            }
        }
    }
}

fn test_array<'a>(
    pattern: Pat<'a>,
    items: impl ExactSizeIterator<Item = Pat<'a>>,
    actual: Option<&Value>,
    path: &ValuePath,
    partial: bool,
    out: &mut Outcome,
) {
    let array = match actual {
        Some(Value::Array(array)) => array,
        Some(other) => {
            out.mismatches.push(
                Mismatch::new(path)
                    .with_expected(pattern.compact())
                    .with_found(other)
                    .with_detail(format!("{}, not an array", a_kind(other))),
            );
            return;
        }
        None => return missing(pattern, path, out),
    };
    if items.len() != array.len() {
        out.mismatches.push(
            Mismatch::new(path)
                .with_expected(pattern.compact())
                .with_found(actual.expect("matched Some"))
                .with_detail(format!(
                    "{} element{} instead of {}",
                    array.len(),
                    plural(array.len()),
                    items.len()
                )),
        );
        return;
    }
    for (index, (item, value)) in items.zip(array).enumerate() {
        item.test(Some(value), &path.index(index), partial, out);
    }
}

fn test_array_with(
    pattern: Pat<'_>,
    items: &[Matcher],
    actual: Option<&Value>,
    path: &ValuePath,
    partial: bool,
    out: &mut Outcome,
) {
    let array = match actual {
        Some(Value::Array(array)) => array,
        Some(other) => {
            out.mismatches.push(
                Mismatch::new(path)
                    .with_expected(pattern.compact())
                    .with_found(other)
                    .with_detail(format!("{}, not an array", a_kind(other))),
            );
            return;
        }
        None => return missing(pattern, path, out),
    };
    let mut next = 0;
    for (number, item) in items.iter().enumerate() {
        let mut closest: Option<(usize, Outcome)> = None;
        let mut found = None;
        for (index, value) in array.iter().enumerate().skip(next) {
            let mut trial = Outcome::default();
            Pat::M(item).test(Some(value), &path.index(index), partial, &mut trial);
            if trial.is_match() {
                found = Some((index, trial));
                break;
            }
            if closest
                .as_ref()
                .is_none_or(|(_, best)| trial.mismatches.len() < best.mismatches.len())
            {
                closest = Some((index, trial));
            }
        }
        match found {
            Some((index, trial)) => {
                out.absorb(trial);
                next = index + 1;
            }
            None => {
                let place = if next == 0 {
                    String::new()
                } else {
                    format!(" after index {}", next - 1)
                };
                let mut mismatch = Mismatch::new(path)
                    .with_note(format!(
                        "no element{place} matches array_with item {number}"
                    ))
                    .with_expected(Pat::M(item).compact());
                if let Some((index, trial)) = closest {
                    if let Some(first) = trial.mismatches.first() {
                        mismatch =
                            mismatch.with_detail(format!("closest is element {index}: {first}"));
                    }
                }
                out.mismatches.push(mismatch);
                return;
            }
        }
    }
}

/// `a string`, `an object`, ...
fn a_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

const MAX_INLINE: usize = 160;

/// In multi-line renderings, objects and arrays this short stay on one line.
const SHORT: usize = 60;

fn shorten(text: String) -> String {
    if text.chars().count() <= MAX_INLINE {
        return text;
    }
    let mut short: String = text.chars().take(MAX_INLINE - 1).collect();
    short.push('…');
    short
}

/// A value over several lines (short objects and arrays stay on one line).
pub(crate) fn render_value_pretty(value: &Value) -> String {
    let mut out = String::new();
    render_json(&mut out, value, Some(0));
    out
}

/// A value on one line (`{"Port": 80}`), shortened if long.
pub(crate) fn render_value(value: &Value) -> String {
    let mut out = String::new();
    render_json(&mut out, value, None);
    shorten(out)
}

fn render_json(out: &mut String, value: &Value, indent: Option<usize>) {
    match value {
        Value::Object(entries) => render_object(
            out,
            entries.iter().map(|(k, v)| (k.as_str(), Pat::V(v))),
            entries.len(),
            indent,
        ),
        Value::Array(items) => render_array(out, items.iter().map(Pat::V), items.len(), indent),
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

fn render_object<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, Pat<'a>)>,
    len: usize,
    indent: Option<usize>,
) {
    if len == 0 {
        out.push_str("{}");
        return;
    }
    let entries: Vec<_> = entries.collect();
    if indent.is_some() {
        let mut compact = String::new();
        render_object(&mut compact, entries.iter().copied(), len, None);
        if compact.chars().count() <= SHORT {
            out.push_str(&compact);
            return;
        }
    }
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
            if indent.is_none() {
                out.push(' ');
            }
        }
        if let Some(n) = indent {
            newline(out, n + 2);
        }
        out.push_str(&Value::String(key.to_owned()).to_string());
        out.push_str(": ");
        value.render(out, indent.map(|n| n + 2));
    }
    if let Some(n) = indent {
        newline(out, n);
    }
    out.push('}');
}

fn render_array<'a>(
    out: &mut String,
    items: impl Iterator<Item = Pat<'a>>,
    len: usize,
    indent: Option<usize>,
) {
    if len == 0 {
        out.push_str("[]");
        return;
    }
    let items: Vec<_> = items.collect();
    if indent.is_some() {
        let mut compact = String::new();
        render_array(&mut compact, items.iter().copied(), len, None);
        if compact.chars().count() <= SHORT {
            out.push_str(&compact);
            return;
        }
    }
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
            if indent.is_none() {
                out.push(' ');
            }
        }
        if let Some(n) = indent {
            newline(out, n + 2);
        }
        item.render(out, indent.map(|n| n + 2));
    }
    if let Some(n) = indent {
        newline(out, n);
    }
    out.push(']');
}
