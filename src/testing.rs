//! Testing helpers that join the construct tree and [`berth_assertions`]: a
//! [`Template`] from a stack, and snapshot macros for stacks and whole apps.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use berth::prelude::*;
//! use berth::assertions::Template;
//! use serde_json::json;
//!
//! let mut app = App::new();
//! let stack = Stack::new(&mut app, "Jobs", StackProps::default())?;
//! app.add_resource(stack, "Queue", RawProperties::new("AWS::SQS::Queue",
//!     Value::map([("VisibilityTimeout", Value::Int(60))])))?;
//!
//! let template = Template::from_stack(&mut app, stack);
//! template.resource_count_is("AWS::SQS::Queue", 1);
//! template.has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 60}));
//! # Ok(())
//! # }
//! ```

use berth_assertions::Template;
use berth_constructs::{App, Stack};

/// Builds a [`Template`] from a stack of an app.
pub trait TemplateExt {
    /// Synthesizes `app` (which locks its tree) and returns the template of `stack`.
    ///
    /// # Panics
    /// When synthesis fails (the message lists every problem): this is for tests.
    fn from_stack(app: &mut App, stack: Stack) -> Template;
}

impl TemplateExt for Template {
    fn from_stack(app: &mut App, stack: Stack) -> Template {
        let json = stack_template(app, stack);
        Template::from_json(json).unwrap_or_else(|e| panic!("not a template: {e}"))
    }
}

/// Synthesizes `app` and returns the template of `stack` as JSON.
///
/// # Panics
/// When synthesis fails (the message lists every problem): this is for tests.
pub fn stack_template(app: &mut App, stack: Stack) -> serde_json::Value {
    let name = stack.name(app).to_owned();
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    out.stacks
        .into_iter()
        .find(|s| s.name == name)
        .map(|s| s.template)
        .unwrap_or_else(|| panic!("stack {name} is not in the synthesized app"))
}

/// Synthesizes `app` and returns every stack's name and template, in deploy order.
///
/// # Panics
/// When synthesis fails (the message lists every problem): this is for tests.
pub fn app_templates(app: &mut App) -> Vec<(String, serde_json::Value)> {
    let out = app.synth().unwrap_or_else(|e| panic!("{e}"));
    out.stacks
        .into_iter()
        .map(|s| (s.artifact.name, s.template))
        .collect()
}

/// Snapshots one stack's template with insta (stable key order), named after the
/// stack: `assert_stack_snapshot!(app, stack)`, or `assert_stack_snapshot!(yaml, app,
/// stack)` for YAML. Review changes with `cargo insta review`.
///
/// ```
/// use berth::prelude::*;
/// let mut app = App::new();
/// let stack = Stack::new(&mut app, "SnapDoc", StackProps::default())?;
/// app.add_resource(stack, "Queue", RawProperties::new("AWS::SQS::Queue", Value::map::<&str>([])))?;
/// berth::assert_stack_snapshot!(app, stack);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! assert_stack_snapshot {
    (yaml, $app:expr, $stack:expr) => {{
        let stack = $stack;
        let name = stack.name(&$app).to_owned();
        let template = $crate::testing::stack_template(&mut $app, stack);
        $crate::assertions::assert_templates_snapshot!(yaml, ::std::vec![(name, template)]);
    }};
    ($app:expr, $stack:expr) => {{
        let stack = $stack;
        let name = stack.name(&$app).to_owned();
        let template = $crate::testing::stack_template(&mut $app, stack);
        $crate::assertions::assert_templates_snapshot!(::std::vec![(name, template)]);
    }};
}

/// Snapshots every stack of an app, one snapshot per stack named after it:
/// `assert_app_snapshot!(app)` or `assert_app_snapshot!(yaml, app)`.
#[macro_export]
macro_rules! assert_app_snapshot {
    (yaml, $app:expr) => {{
        $crate::assertions::assert_templates_snapshot!(
            yaml,
            $crate::testing::app_templates(&mut $app)
        );
    }};
    ($app:expr) => {{
        $crate::assertions::assert_templates_snapshot!($crate::testing::app_templates(&mut $app));
    }};
}
