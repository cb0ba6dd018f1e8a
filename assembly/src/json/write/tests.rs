use super::*;
use serde_json::json;

/// The oracle: what serde_json writes for the JSON `bytes` hold, pretty.
fn reparsed_pretty(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
    serde_json::to_string_pretty(&v).unwrap()
}

fn samples() -> Vec<serde_json::Value> {
    vec![
        json!(null),
        json!(true),
        json!([]),
        json!({}),
        json!(-3),
        json!(18446744073709551615u64),
        json!(0.1),
        json!(1e300),
        json!("plain"),
        json!("é \u{1} \"quoted\" back\\slash\n\t"),
        json!({"a": [1, [], {}, [[2]], {"b": {"c": "d"}}], "é": false, "": null}),
        json!([{"Ref": "X"}, {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}]),
    ]
}

#[test]
fn needs_escape_finds_every_escaped_byte_anywhere() {
    for len in [0, 1, 15, 16, 17, 40] {
        let plain = "a".repeat(len);
        assert!(!needs_escape(plain.as_bytes()));
        for at in 0..len {
            for b in [0u8, 0x1f, b'"', b'\\', b'\n'] {
                let mut bytes = plain.clone().into_bytes();
                bytes[at] = b;
                assert!(needs_escape(&bytes), "{b:#x} at {at} of {len}");
            }
        }
    }
    assert!(!needs_escape("é ü ∑ 𝄞 ~ / 0x20 ' `".as_bytes()));
}

#[test]
fn nodes_and_serialized_values_write_what_serde_json_writes() {
    for v in samples() {
        let node = Node::from(&v);
        for style in [Style::Pretty, Style::Compact] {
            let mut direct = Vec::new();
            write_node(&mut direct, 0, style, &node);
            let mut serialized = Vec::new();
            write_value(&mut serialized, 0, style, &v).unwrap();
            let mut through_node = Vec::new();
            write_value(&mut through_node, 0, style, &node).unwrap();
            let expected = match style {
                Style::Pretty => reparsed_pretty(&direct),
                Style::Compact => serde_json::to_string(&v).unwrap(),
            };
            assert_eq!(String::from_utf8(direct).unwrap(), expected, "{v}");
            assert_eq!(String::from_utf8(serialized).unwrap(), expected, "{v}");
            assert_eq!(String::from_utf8(through_node).unwrap(), expected, "{v}");
        }
        assert_eq!(
            to_vec_pretty(&v).unwrap(),
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap()).into_bytes()
        );
    }
}

#[test]
fn nested_values_are_indented_for_their_depth() {
    // At depth 2, as a section entry: the lines of the value as it stands inside
    // `{"A": {"B": value}}`.
    for v in samples() {
        let mut out = Vec::new();
        write_node(&mut out, 2, Style::Pretty, &Node::from(&v));
        let whole = serde_json::to_string_pretty(&json!({"A": {"B": v}})).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            whole.contains(&format!("\"B\": {text}\n")),
            "{text} in {whole}"
        );
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Typed {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<u8>,
    flag: bool,
    ratio: f64,
    unit: (),
    list: Vec<Kind>,
    tuple: (u8, &'static str),
    map: std::collections::BTreeMap<u32, i8>,
}

#[derive(serde::Serialize)]
enum Kind {
    Plain,
    Wrapped(u8),
    Pair(u8, u8),
    Fields { a: u8 },
}

#[test]
fn every_serde_shape_writes_what_serde_json_writes() {
    let t = Typed {
        name: "x",
        missing: None,
        flag: true,
        ratio: 2.5,
        unit: (),
        list: vec![
            Kind::Plain,
            Kind::Wrapped(1),
            Kind::Pair(1, 2),
            Kind::Fields { a: 3 },
        ],
        tuple: (7, "seven"),
        map: [(1, -1), (20, 2)].into(),
    };
    for style in [Style::Pretty, Style::Compact] {
        let mut out = Vec::new();
        write_value(&mut out, 0, style, &t).unwrap();
        let expected = match style {
            Style::Pretty => serde_json::to_string_pretty(&t).unwrap(),
            Style::Compact => serde_json::to_string(&t).unwrap(),
        };
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
    let bad: std::collections::BTreeMap<bool, u8> = [(true, 1)].into();
    assert!(write_value(&mut Vec::new(), 0, Style::Pretty, &bad).is_err());
}

#[test]
fn sections_write_what_serde_json_writes() {
    let resources = json!({
        "A": {"Type": "T", "Properties": {"L": [1, {"x": "é\n\"q\""}, []], "E": {}}},
        "B": {"Type": "U", "Metadata": {"berth:path": "S/B"}}
    });
    let outputs = json!({"O": {"Value": {"Ref": "A"}, "Export": {"Name": "S:O"}}});
    let section = |v: &serde_json::Value| {
        let mut s = Section::default();
        for (k, v) in v.as_object().unwrap() {
            s.entry(k, &Node::from(v));
        }
        s
    };
    let (r, o, empty) = (section(&resources), section(&outputs), Section::default());
    let document = |members: &[(&str, Member<'_>)], rest: &[(&str, Member<'_>)]| {
        let mut out = Vec::new();
        let n = write_document_start(&mut out, members).unwrap();
        assert_eq!(n, out.len());
        out.extend(document_rest(rest, !members.is_empty()));
        String::from_utf8(out).unwrap()
    };
    let whole = json!({
        "Description": "a \"stack\"",
        "Parameters": {},
        "Resources": resources,
        "Outputs": outputs,
    });
    let head = [
        ("Description", Member::Str("a \"stack\"")),
        ("Parameters", Member::Section(&empty)),
        ("Resources", Member::Section(&r)),
    ];
    // Written in two steps, the outputs after the rest.
    let text = document(&head, &[("Outputs", Member::Section(&o))]);
    assert_eq!(text, serde_json::to_string_pretty(&whole).unwrap());
    assert_eq!(reparsed_pretty(text.as_bytes()), text);
    assert_eq!(
        document(&[("Resources", Member::Section(&r))], &[]),
        serde_json::to_string_pretty(&json!({"Resources": resources})).unwrap()
    );
    assert_eq!(document(&[], &[]), "{}");
    assert_eq!(r.len(), 2);

    // A section of many blocks.
    let many: serde_json::Map<String, serde_json::Value> = (0..3000)
        .map(|i| {
            (
                format!("R{i}"),
                json!({"Type": "T", "Properties": {"N": "x".repeat(i % 97)}}),
            )
        })
        .collect();
    let many = serde_json::Value::Object(many);
    let mut big = section(&many);
    assert!(big.blocks.len() > 3);
    assert_eq!(
        document(&[("Resources", Member::Section(&big))], &[]),
        serde_json::to_string_pretty(&json!({"Resources": many})).unwrap()
    );
    big.release();
    assert_eq!(big.len(), 3000);

    // Entries serialized through serde land the same.
    let mut typed = Section::default();
    for (k, v) in resources.as_object().unwrap() {
        typed.entry_value(k, v).unwrap();
    }
    assert_eq!(
        document(&[("Resources", Member::Section(&typed))], &[]),
        serde_json::to_string_pretty(&json!({"Resources": resources})).unwrap()
    );
}
