//! Props that read like CDK's: plain data with consuming setters.
//!
//! Every props type of berth is a plain struct: public fields, [`Default`] where a
//! default makes sense, required inputs as constructor arguments (`FooProps::new(..)`).
//! Declared inside [`props!`](crate::props!), each public field also gets a consuming
//! setter of the same name, so both of these build the same value:
//!
//! ```
//! use berth_constructs::ec2::VpcProps;
//!
//! let a = VpcProps::default().max_azs(2).nat_gateways(1);
//! let b = VpcProps { max_azs: Some(2), nat_gateways: Some(1), ..Default::default() };
//! assert_eq!(a, b);
//! ```
//!
//! A setter takes anything that is [`IntoProp`] of the field's type: the type itself,
//! the value inside an `Option` (or `None`), `&str` for strings and string
//! expressions, numbers, booleans and tokens for a [`Value`], an array for a list
//! (`["sh", "-c", "..."]`) and an array of pairs for a map
//! (`[("APP_ENV", "bench"), ("PORT", "8080")]`). A setter sets the field: calling it
//! twice keeps the second value.

use berth_synth::{Expr, Intrinsic, Token, Value};
use indexmap::IndexMap;
use std::collections::BTreeMap;

/// What a props setter accepts for a field of type `T` (see the [module](self) docs).
///
/// Implemented for `T` itself, for the `T` of an `Option<T>`, and for the literals
/// users write: `&str` for `String`, [`Expr<String>`] and [`Value`]; numbers,
/// booleans and [`Token`]s for [`Value`]; `i32` for `f64`; arrays for `Vec` and arrays
/// of pairs for maps.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot set a property of type `{T}`",
    label = "a `{T}` is needed here",
    note = "a setter takes the property's type, the value inside an `Option`, `&str` for strings, an array for a list and an array of pairs for a map"
)]
pub trait IntoProp<T> {
    /// The value of the field.
    fn into_prop(self) -> T;
}

impl<T> IntoProp<T> for T {
    fn into_prop(self) -> T {
        self
    }
}

impl<T> IntoProp<Option<T>> for T {
    fn into_prop(self) -> Option<T> {
        Some(self)
    }
}

/// `impl IntoProp<X> for Y` and `impl IntoProp<Option<X>> for Y`, by `From`.
macro_rules! into_prop_by_from {
    ($target:ty: $($source:ty),* $(,)?) => {$(
        impl IntoProp<$target> for $source {
            fn into_prop(self) -> $target {
                <$target>::from(self)
            }
        }
        impl IntoProp<Option<$target>> for $source {
            fn into_prop(self) -> Option<$target> {
                Some(<$target>::from(self))
            }
        }
    )*};
}

into_prop_by_from!(String: &str, &String);
into_prop_by_from!(f64: i32, u32);
into_prop_by_from!(Expr<String>: &str, String, &String);
into_prop_by_from!(Value: &str, String, bool, i64, i32, u32, u16, u8, usize, f64, Intrinsic);

impl IntoProp<Value> for &String {
    fn into_prop(self) -> Value {
        Value::String(self.clone())
    }
}
impl IntoProp<Option<Value>> for &String {
    fn into_prop(self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl<T> IntoProp<Value> for Token<T> {
    fn into_prop(self) -> Value {
        self.into()
    }
}
impl<T> IntoProp<Option<Value>> for Token<T> {
    fn into_prop(self) -> Option<Value> {
        Some(self.into())
    }
}
impl<T> IntoProp<Value> for &Token<T> {
    fn into_prop(self) -> Value {
        self.clone().into()
    }
}
impl<T> IntoProp<Option<Value>> for &Token<T> {
    fn into_prop(self) -> Option<Value> {
        Some(self.clone().into())
    }
}
impl IntoProp<Expr<String>> for Token<String> {
    fn into_prop(self) -> Expr<String> {
        self.into()
    }
}
impl IntoProp<Option<Expr<String>>> for Token<String> {
    fn into_prop(self) -> Option<Expr<String>> {
        Some(self.into())
    }
}
impl IntoProp<Expr<String>> for &Token<String> {
    fn into_prop(self) -> Expr<String> {
        self.into()
    }
}
impl IntoProp<Option<Expr<String>>> for &Token<String> {
    fn into_prop(self) -> Option<Expr<String>> {
        Some(self.into())
    }
}

impl<T, U: IntoProp<T>, const N: usize> IntoProp<Vec<T>> for [U; N] {
    fn into_prop(self) -> Vec<T> {
        self.into_iter().map(IntoProp::into_prop).collect()
    }
}

impl<T, U: IntoProp<T> + Clone> IntoProp<Vec<T>> for &[U] {
    fn into_prop(self) -> Vec<T> {
        self.iter().cloned().map(IntoProp::into_prop).collect()
    }
}

impl<K: Into<String>, V, W: IntoProp<V>, const N: usize> IntoProp<IndexMap<String, V>>
    for [(K, W); N]
{
    fn into_prop(self) -> IndexMap<String, V> {
        self.into_iter()
            .map(|(k, w)| (k.into(), w.into_prop()))
            .collect()
    }
}

impl<K: Into<String>, V, W: IntoProp<V>, const N: usize> IntoProp<BTreeMap<String, V>>
    for [(K, W); N]
{
    fn into_prop(self) -> BTreeMap<String, V> {
        self.into_iter()
            .map(|(k, w)| (k.into(), w.into_prop()))
            .collect()
    }
}

/// Declares a props struct and a consuming setter for each of its public fields.
///
/// The struct is written as usual (attributes, doc comments on the struct and its
/// fields; every field `pub`); for each field the macro adds `pub fn field(self,
/// value: impl IntoProp<FieldType>) -> Self`, documented with the field's own docs.
/// Required inputs belong in a `new` constructor. A field whose name a hand-written
/// constructor takes (`HealthCheck::path("/health")`) starts with `#[setter(skip)]`,
/// before its doc comment, and gets no setter.
///
/// ```
/// use berth_constructs::props;
///
/// props! {
///     /// Options of a queue.
///     #[derive(Clone, Debug, Default, PartialEq)]
///     pub struct QueueProps {
///         /// The queue's name. Default: generated.
///         pub queue_name: Option<String>,
///         /// Seconds a message stays invisible after a read. Default: 30.
///         pub visibility_timeout_secs: Option<u32>,
///         #[setter(skip)]
///         /// Tags (see `QueueProps::tags`, written by hand). Default: none.
///         pub tags: Vec<(String, String)>,
///     }
/// }
///
/// impl QueueProps {
///     /// One tag.
///     pub fn tags(key: &str, value: &str) -> Self {
///         QueueProps { tags: vec![(key.into(), value.into())], ..Default::default() }
///     }
/// }
///
/// let props = QueueProps::tags("team", "shop").queue_name("jobs").visibility_timeout_secs(60);
/// assert_eq!(props.queue_name.as_deref(), Some("jobs"));
/// assert_eq!(props.visibility_timeout_secs, Some(60));
/// ```
#[macro_export]
macro_rules! props {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(<$lt:lifetime>)? { $($fields:tt)* }
    ) => {
        $crate::props!(@munch
            [$(#[$meta])* $vis struct $name $(<$lt>)?]
            [$name $(<$lt>)?]
            [] []
            $($fields)*
        );
    };
    // A field without a setter.
    (@munch [$($head:tt)*] [$($ty_head:tt)*] [$($fields:tt)*] [$($setters:tt)*]
        #[setter(skip)]
        $(#[$fmeta:meta])*
        pub $field:ident : $ty:ty
        $(, $($rest:tt)*)?
    ) => {
        $crate::props!(@munch [$($head)*] [$($ty_head)*]
            [$($fields)* $(#[$fmeta])* pub $field: $ty,]
            [$($setters)*]
            $($($rest)*)?
        );
    };
    // A field and its setter.
    (@munch [$($head:tt)*] [$($ty_head:tt)*] [$($fields:tt)*] [$($setters:tt)*]
        $(#[$fmeta:meta])*
        pub $field:ident : $ty:ty
        $(, $($rest:tt)*)?
    ) => {
        $crate::props!(@munch [$($head)*] [$($ty_head)*]
            [$($fields)* $(#[$fmeta])* pub $field: $ty,]
            [$($setters)*
                $(#[$fmeta])*
                #[must_use = "a setter returns the changed props"]
                pub fn $field(mut self, value: impl $crate::props::IntoProp<$ty>) -> Self {
                    self.$field = $crate::props::IntoProp::into_prop(value);
                    self
                }
            ]
            $($($rest)*)?
        );
    };
    // Every field done.
    (@munch [$($head:tt)*] [$name:ident $(<$lt:lifetime>)?] [$($fields:tt)*] [$($setters:tt)*]) => {
        $($head)* { $($fields)* }

        impl $(<$lt>)? $name $(<$lt>)? {
            $($setters)*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::props! {
        /// Every kind of field.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Every {
            /// An optional number.
            pub count: Option<u32>,
            /// A number.
            pub port: u16,
            /// A float.
            pub percent: f64,
            /// An optional string.
            pub name: Option<String>,
            /// A string.
            pub family: String,
            /// A string expression.
            pub arn: Option<Expr<String>>,
            /// A list of strings.
            pub command: Vec<String>,
            /// A list of numbers.
            pub ports: Vec<u16>,
            /// A map of values.
            pub env: IndexMap<String, Value>,
            /// A flag.
            pub flag: bool,
            /// A value.
            pub value: Value,
        }
    }

    #[test]
    fn setters_take_what_users_write() {
        let token = Token::<String>::get_att(berth_synth::ElementId(3), "Arn");
        let p = Every::default()
            .count(2)
            .port(8080)
            .percent(60)
            .name("web")
            .family("svc")
            .arn(&token)
            .command(["sh", "-c", "sleep 1"])
            .ports([80, 443])
            .env([("APP_ENV", "bench")])
            .flag(true)
            .value(&token);
        assert_eq!(p.count, Some(2));
        assert_eq!(p.port, 8080);
        assert_eq!(p.percent, 60.0);
        assert_eq!(p.name.as_deref(), Some("web"));
        assert_eq!(p.family, "svc");
        assert_eq!(p.arn, Some(Expr::from(&token)));
        assert_eq!(p.command, ["sh", "-c", "sleep 1"]);
        assert_eq!(p.ports, [80, 443]);
        assert_eq!(p.env["APP_ENV"], Value::from("bench"));
        assert!(p.flag);
        assert_eq!(p.value, token.clone().into_value());
        // Numbers in a map; a second call replaces; `None` clears.
        let p = p.env([("PORT", 8080)]).count(None).percent(12.5);
        assert_eq!(p.env.len(), 1);
        assert_eq!(p.env["PORT"], Value::Int(8080));
        assert_eq!(p.count, None);
        assert_eq!(p.percent, 12.5);
    }
}
