//! Attributes of imported constructs: what a construct made from existing resources
//! (`Cluster::from_attributes`, `Role::from_arn`, ...) stands for.
//!
//! An attribute getter never needs the [`App`]: it returns a token that points at its
//! construct. For a construct that owns its resource, that is a `Ref` or `Fn::GetAtt`
//! of the L1 child. For an imported one, it is `Fn::GetAtt` of the construct node
//! itself (`Token::get_att(node, "ClusterName")`), and the value given at import is
//! recorded here with [`App::set_attribute`]; lowering replaces such tokens with what
//! was recorded, before synth sees them, wherever they are used (resource
//! properties, overrides, outputs, parameters, conditions, mappings).

use super::{App, NodeKind, Scope};
use berth_synth::{ElementId, Intrinsic, ToValue, Value};

/// How deep recorded attributes may refer to other recorded attributes.
const MAX_DEPTH: usize = 32;

impl App {
    /// Records that attribute `name` of `construct` (an imported construct) is
    /// `value`: tokens `Token::get_att(construct, name)` resolve to it at synth.
    /// Setting a name again replaces its value.
    ///
    /// ```
    /// use berth_constructs::{App, Stack, StackProps};
    /// use berth_synth::{Token, Value};
    ///
    /// # fn main() -> Result<(), berth_constructs::ConstructError> {
    /// let mut app = App::new();
    /// let stack = Stack::new(&mut app, "Web", StackProps::default())?;
    /// let imported = app.add_group(stack, "Existing")?;
    /// app.set_attribute(imported, "Arn", "arn:aws:sns:us-east-1:123456789012:topic");
    /// let arn = Token::<String>::get_att(imported, "Arn");
    /// assert_eq!(app.resolve(&arn), Value::from("arn:aws:sns:us-east-1:123456789012:topic"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_attribute(&mut self, construct: impl Scope, name: &str, value: impl Into<Value>) {
        let value = value.into();
        let attributes = &mut self.node_mut(construct.node()).extra_mut().attributes;
        match attributes.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => attributes.push((name.to_owned(), value)),
        }
        self.has_attributes = true;
    }

    /// `value` as synth sees it: tokens that point at an attribute recorded with
    /// [`App::set_attribute`] are replaced by what was recorded.
    pub fn resolve(&self, value: impl ToValue) -> Value {
        let value = value.to_value();
        self.resolved(&value).unwrap_or(value)
    }

    /// The recorded attribute `name` of node `id`.
    fn attribute(&self, id: ElementId, name: &str) -> Option<&Value> {
        let node = self.nodes.get(id.0 as usize)?;
        if !matches!(node.kind, NodeKind::Construct(_)) {
            return None;
        }
        node.extra
            .as_ref()?
            .attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// `v` with recorded attributes substituted, or `None` when it has none (the
    /// common case, and every app without imports: no walk at all then).
    pub(super) fn resolved(&self, v: &Value) -> Option<Value> {
        if !self.has_attributes || !self.mentions_attribute(v) {
            return None;
        }
        Some(self.substitute(v, 0))
    }

    fn mentions_attribute(&self, v: &Value) -> bool {
        let mut found = false;
        v.for_each_intrinsic(&mut |i| {
            if let Intrinsic::GetAtt(id, name) = i {
                found |= self.attribute(*id, name).is_some();
            }
        });
        found
    }

    fn substitute(&self, v: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return v.clone();
        }
        let sub = |v: &Value| self.substitute(v, depth);
        match v {
            Value::List(items) => Value::List(items.iter().map(sub).collect()),
            Value::Map(m) => Value::Map(Box::new(
                m.iter().map(|(k, v)| (k.clone(), sub(v))).collect(),
            )),
            Value::Fn(i) => match &**i {
                Intrinsic::GetAtt(id, name) => match self.attribute(*id, name) {
                    Some(recorded) => self.substitute(recorded, depth + 1),
                    None => v.clone(),
                },
                // A join whose parts all became literals is the literal (what
                // `Fn::Join` of literals evaluates to, and what a construct built from
                // literal attributes wrote before).
                Intrinsic::Join(sep, parts) => {
                    let parts: Vec<Value> = parts.iter().map(sub).collect();
                    match parts.iter().map(Value::as_str).collect::<Option<Vec<_>>>() {
                        Some(texts) => Value::String(texts.join(sep)),
                        None => Intrinsic::Join(sep.clone(), parts).into_value(),
                    }
                }
                other => map_operands(other, sub).into_value(),
            },
            other => other.clone(),
        }
    }
}

/// The intrinsic with `f` applied to each of its value operands.
fn map_operands(i: &Intrinsic, f: impl Fn(&Value) -> Value) -> Intrinsic {
    use Intrinsic as I;
    match i {
        I::Ref(_) | I::GetAtt(..) | I::GetAttLogical(..) | I::Condition(_) => i.clone(),
        I::Sub(body, vars) => I::Sub(
            body.clone(),
            vars.iter().map(|(k, v)| (k.clone(), f(v))).collect(),
        ),
        I::Join(sep, parts) => I::Join(sep.clone(), parts.iter().map(&f).collect()),
        I::And(parts) => I::And(parts.iter().map(&f).collect()),
        I::Or(parts) => I::Or(parts.iter().map(&f).collect()),
        I::Select(a, b) => I::Select(f(a), f(b)),
        I::Equals(a, b) => I::Equals(f(a), f(b)),
        I::If(c, a, b) => I::If(c.clone(), f(a), f(b)),
        I::FindInMap(m, a, b) => I::FindInMap(m.clone(), f(a), f(b)),
        I::Split(sep, v) => I::Split(sep.clone(), f(v)),
        I::GetAzs(v) => I::GetAzs(f(v)),
        I::ImportValue(v) => I::ImportValue(f(v)),
        I::Base64(v) => I::Base64(f(v)),
        I::Not(v) => I::Not(f(v)),
        I::Cidr(a, b, c) => I::Cidr(f(a), f(b), f(c)),
    }
}
