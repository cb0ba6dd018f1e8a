//! [`write_value`]: anything `Serialize` through the writer of [`super::write`], in
//! either [`Style`]. Manifests, asset manifests and the pieces of templates that are
//! typed go through it; [`Node`](super::Node)s are written directly.

use super::write::{write_str, Nested, Style};
use serde::ser::{self, Serialize};
use std::fmt;

/// A value that could not be written as JSON: a map key that is not a string or a
/// number, or an error raised by a `Serialize` implementation.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Writes `value` into `out` as it stands at nesting `depth` of a document.
///
/// ```
/// use berth_assembly::json::write::{write_value, Style};
/// let mut out = Vec::new();
/// write_value(&mut out, 0, Style::Compact, &serde_json::json!({"a": [1, "b"]})).unwrap();
/// assert_eq!(out, br#"{"a":[1,"b"]}"#);
/// ```
pub fn write_value<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    depth: usize,
    style: Style,
    value: &T,
) -> Result<(), Error> {
    value.serialize(Serializer { out, depth, style })
}

/// `value` as pretty JSON with a final newline: the bytes of
/// `serde_json::to_vec_pretty` and a `\n` (berth's JSON files end in one).
pub fn to_vec_pretty<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    write_value(&mut out, 0, Style::Pretty, value)?;
    out.push(b'\n');
    Ok(out)
}

/// Writes one value at `depth` into `out`.
struct Serializer<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    style: Style,
}

/// An array or object being written; for an enum variant with fields, inside the
/// object `{"Variant": ...}` (`outer`), which is closed after it.
struct Compound<'o> {
    out: &'o mut Vec<u8>,
    nested: Nested,
    depth: usize,
    style: Style,
    outer: Option<Nested>,
}

impl<'o> Serializer<'o> {
    #[inline]
    fn compound(self, object: bool, variant: Option<&str>) -> Compound<'o> {
        let (out, style) = (self.out, self.style);
        let mut depth = self.depth;
        let outer = variant.map(|name| {
            let mut outer = Nested::object(out, depth, style);
            outer.key(out, name);
            depth += 1;
            outer
        });
        let nested = if object {
            Nested::object(out, depth, style)
        } else {
            Nested::array(out, depth, style)
        };
        Compound {
            out,
            nested,
            depth,
            style,
            outer,
        }
    }
}

impl Compound<'_> {
    #[inline]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.nested.item(self.out);
        write_value(self.out, self.depth + 1, self.style, value)
    }

    #[inline]
    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.nested.key(self.out, key);
        write_value(self.out, self.depth + 1, self.style, value)
    }

    #[inline]
    fn finish(self) -> Result<(), Error> {
        self.nested.end(self.out);
        if let Some(outer) = self.outer {
            outer.end(self.out);
        }
        Ok(())
    }
}

fn number(out: &mut Vec<u8>, n: impl Serialize) -> Result<(), Error> {
    serde_json::to_writer(out, &n).map_err(ser::Error::custom)
}

/// What both serializers do alike: a unit variant is its name, a newtype struct what
/// it wraps.
macro_rules! variant_names_and_wrappers {
    () => {
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), Error> {
            self.serialize_str(variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<(), Error> {
            value.serialize(self)
        }
    };
}

impl<'o> ser::Serializer for Serializer<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'o>;
    type SerializeTuple = Compound<'o>;
    type SerializeTupleStruct = Compound<'o>;
    type SerializeTupleVariant = Compound<'o>;
    type SerializeMap = Compound<'o>;
    type SerializeStruct = Compound<'o>;
    type SerializeStructVariant = Compound<'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        number(self.out, v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.compound(false, None);
        for b in v {
            seq.element(b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    variant_names_and_wrappers!();
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut outer = Nested::object(self.out, self.depth, self.style);
        outer.key(self.out, variant);
        write_value(self.out, self.depth + 1, self.style, value)?;
        outer.end(self.out);
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'o>, Error> {
        Ok(self.compound(false, None))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'o>, Error> {
        Ok(self.compound(false, None))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, Error> {
        Ok(self.compound(false, None))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, Error> {
        Ok(self.compound(false, Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'o>, Error> {
        Ok(self.compound(true, None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'o>, Error> {
        Ok(self.compound(true, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'o>, Error> {
        Ok(self.compound(true, Some(variant)))
    }
}

/// The element-wise compounds: arrays, tuples, tuple structs and variants.
macro_rules! elements {
    ($($compound:ident::$method:ident),*) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.nested.item(self.out);
        key.serialize(KeySerializer { out: self.out })?;
        self.out.extend_from_slice(match self.style {
            Style::Pretty => b": ",
            Style::Compact => b":",
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        write_value(self.out, self.depth + 1, self.style, value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// The member-wise compounds: structs and struct variants.
macro_rules! members {
    ($($compound:ident),*) => {$(
        impl ser::$compound for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.member(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

members!(SerializeStruct, SerializeStructVariant);

/// A map key: a string, or a number written as one (as serde_json does).
struct KeySerializer<'o> {
    out: &'o mut Vec<u8>,
}

fn key_error() -> Error {
    Error("a JSON object's key must be a string".into())
}

macro_rules! refused_keys {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, _v: $t) -> Result<(), Error> {
            Err(key_error())
        }
    )*};
}

macro_rules! number_keys {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            write_str(self.out, &v.to_string());
            Ok(())
        }
    )*};
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    variant_names_and_wrappers!();
    number_keys!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128);
    refused_keys!(serialize_bool: bool, serialize_f32: f32, serialize_f64: f64,
        serialize_bytes: &[u8], serialize_unit_struct: &'static str);
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}
