//! [`Capture`]: read back the values a pattern matched.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::matcher::{IntoMatcher, Matcher};

/// Records the values it matches, so a test can read them back: for example the logical id in
/// `{"Ref": ...}`, to look that resource up in a second query.
///
/// Put the capture in a pattern (with [`pattern!`](crate::pattern), [`Capture::matcher`] or
/// by value/reference anywhere an [`IntoMatcher`] is taken), run a query, then read it with
/// [`as_string`](Capture::as_string), [`as_number`](Capture::as_number),
/// [`as_object`](Capture::as_object), [`as_array`](Capture::as_array) or
/// [`as_value`](Capture::as_value).
///
/// A capture matches any present, non-null value (or only values matching its pattern, see
/// [`Capture::with_pattern`]). Values are recorded only from values that matched the whole
/// query, one per matching resource, in template order; [`next`](Capture::next) moves to the
/// next one, like aws-cdk-lib's `Capture`. Clones share the recorded values.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use berth_assertions::{pattern, Capture, Template};
/// use serde_json::json;
///
/// let template = Template::from_json(json!({"Resources": {
///     "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
///         "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "WebTg"}}]}},
///     "WebTg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 8080}}
/// }}))?;
///
/// let target_group = Capture::new();
/// template.has_resource_properties(
///     "AWS::ElasticLoadBalancingV2::Listener",
///     pattern!({"DefaultActions": [{"TargetGroupArn": {"Ref": target_group}}]}),
/// );
/// let id = target_group.as_string();
/// assert_eq!(id, "WebTg");
/// assert_eq!(template.find_resources("AWS::ElasticLoadBalancingV2::TargetGroup", json!({}))[&id]["Properties"]["Port"], 8080);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Capture {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    pattern: Option<Matcher>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    values: Vec<Value>,
    cursor: usize,
}

impl Capture {
    /// A capture that matches (and records) any present, non-null value.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// assert!(c.matcher().matches(&json!(42)));
    /// assert_eq!(c.as_number(), 42.0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A capture that only matches (and records) values matching `pattern`.
    ///
    /// ```
    /// use berth_assertions::{Capture, Match};
    /// use serde_json::json;
    ///
    /// let c = Capture::with_pattern(Match::string_like_regexp("^arn:"));
    /// assert!(!c.matcher().matches(&json!("nope")));
    /// assert!(c.matcher().matches(&json!("arn:aws:iam::aws:policy/x")));
    /// assert_eq!(c.as_string(), "arn:aws:iam::aws:policy/x");
    /// ```
    pub fn with_pattern(pattern: impl IntoMatcher) -> Self {
        Self {
            inner: Arc::new(Inner {
                pattern: Some(pattern.into_matcher()),
                state: Mutex::default(),
            }),
        }
    }

    /// This capture as a matcher, to place in a pattern.
    ///
    /// ```
    /// use berth_assertions::{Capture, Match};
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// let m = Match::object_like([("Ref", c.matcher())]);
    /// assert!(m.matches(&json!({"Ref": "Cluster"})));
    /// assert_eq!(c.as_string(), "Cluster");
    /// ```
    pub fn matcher(&self) -> Matcher {
        self.into_matcher()
    }

    pub(crate) fn pattern(&self) -> Option<&Matcher> {
        self.inner.pattern.as_ref()
    }

    pub(crate) fn record(&self, value: Value) {
        self.state().values.push(value);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another test thread panicked; the data is still fine.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves to the next recorded value; returns `false` (and stays) if there is none.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!("a"));
    /// c.matcher().matches(&json!("b"));
    /// assert_eq!(c.as_string(), "a");
    /// assert!(c.next());
    /// assert_eq!(c.as_string(), "b");
    /// assert!(!c.next());
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&self) -> bool {
        let mut state = self.state();
        if state.cursor + 1 < state.values.len() {
            state.cursor += 1;
            true
        } else {
            false
        }
    }

    /// All recorded values, in the order they were matched.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!(1));
    /// assert_eq!(c.values(), vec![json!(1)]);
    /// ```
    pub fn values(&self) -> Vec<Value> {
        self.state().values.clone()
    }

    /// The current recorded value, or `None` if nothing was captured.
    ///
    /// ```
    /// use berth_assertions::Capture;
    ///
    /// assert_eq!(Capture::new().try_as_value(), None);
    /// ```
    pub fn try_as_value(&self) -> Option<Value> {
        let state = self.state();
        state.values.get(state.cursor).cloned()
    }

    /// The current recorded value.
    ///
    /// # Panics
    /// If nothing was captured (the pattern holding the capture matched nothing).
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!({"a": 1}));
    /// assert_eq!(c.as_value(), json!({"a": 1}));
    /// ```
    #[track_caller]
    pub fn as_value(&self) -> Value {
        match self.try_as_value() {
            Some(value) => value,
            None => panic!(
                "Capture has no value: no value matched the pattern holding it \
                 (check that the query using the capture passed)"
            ),
        }
    }

    /// The current recorded value as a string.
    ///
    /// # Panics
    /// If nothing was captured or the value is not a string.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!("web"));
    /// assert_eq!(c.as_string(), "web");
    /// ```
    #[track_caller]
    pub fn as_string(&self) -> String {
        match self.as_value() {
            Value::String(s) => s,
            other => panic!("Capture holds {other}, not a string"),
        }
    }

    /// The current recorded value as a number.
    ///
    /// # Panics
    /// If nothing was captured or the value is not a number.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!(8080));
    /// assert_eq!(c.as_number(), 8080.0);
    /// ```
    #[track_caller]
    pub fn as_number(&self) -> f64 {
        match self.as_value() {
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => panic!("Capture holds {other}, not a number"),
        }
    }

    /// The current recorded value as a boolean.
    ///
    /// # Panics
    /// If nothing was captured or the value is not a boolean.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!(true));
    /// assert!(c.as_bool());
    /// ```
    #[track_caller]
    pub fn as_bool(&self) -> bool {
        match self.as_value() {
            Value::Bool(b) => b,
            other => panic!("Capture holds {other}, not a boolean"),
        }
    }

    /// The current recorded value as an array.
    ///
    /// # Panics
    /// If nothing was captured or the value is not an array.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!(["Lb", "DNSName"]));
    /// assert_eq!(c.as_array(), vec![json!("Lb"), json!("DNSName")]);
    /// ```
    #[track_caller]
    pub fn as_array(&self) -> Vec<Value> {
        match self.as_value() {
            Value::Array(items) => items,
            other => panic!("Capture holds {other}, not an array"),
        }
    }

    /// The current recorded value as an object.
    ///
    /// # Panics
    /// If nothing was captured or the value is not an object.
    ///
    /// ```
    /// use berth_assertions::Capture;
    /// use serde_json::json;
    ///
    /// let c = Capture::new();
    /// c.matcher().matches(&json!({"Ref": "Vpc"}));
    /// assert_eq!(c.as_object()["Ref"], "Vpc");
    /// ```
    #[track_caller]
    pub fn as_object(&self) -> Map<String, Value> {
        match self.as_value() {
            Value::Object(map) => map,
            other => panic!("Capture holds {other}, not an object"),
        }
    }
}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Capture")
            .field("pattern", &self.inner.pattern)
            .field("values", &state.values)
            .field("cursor", &state.cursor)
            .finish()
    }
}
