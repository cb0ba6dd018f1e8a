//! Each matcher: what it accepts, what it rejects, and the mismatch text (snapshot).

use berth_assertions::{pattern, Capture, IntoMatcher, Match, Matcher};

use crate::assert_message;
use serde_json::json;

use crate::mismatches;

#[test]
fn literal_json_is_a_recursive_subset() {
    let m = json!({"HealthCheck": {"Path": "/health"}, "Ports": [80]}).into_matcher();
    assert!(m.matches(
        &json!({"HealthCheck": {"Path": "/health", "Interval": 5}, "Ports": [80], "X": 1})
    ));
    // Arrays need the same length.
    assert!(!m.matches(&json!({"HealthCheck": {"Path": "/health"}, "Ports": [80, 443]})));
    // Numbers compare by value.
    assert!(json!(80).into_matcher().matches(&json!(80.0)));
    assert!(!json!(80).into_matcher().matches(&json!("80")));
}

#[test]
fn literal_mismatches() {
    let m = json!({"Port": 8080, "Protocol": "HTTPS", "Tags": [1, 2], "HealthCheck": {"Path": "/health"}}).into_matcher();
    let actual = json!({"Port": "8080", "Tags": [1], "HealthCheck": {"Path": "/"}});
    assert_message!("literal_mismatches", mismatches(&m, &actual));
}

#[test]
fn object_like() {
    let m = Match::object_like(json!({"Essential": true, "PortMappings": [{"ContainerPort": 80}]}));
    assert!(m.matches(&json!({"Essential": true, "Name": "web", "PortMappings": [{"ContainerPort": 80, "Protocol": "tcp"}]})));
    assert!(!m.matches(&json!({"Essential": false, "PortMappings": [{"ContainerPort": 80}]})));
    assert!(!m.matches(&json!("not an object")));
    // Pairs instead of JSON.
    let pairs = Match::object_like([("Port", Match::exact(80)), ("Name", Match::absent())]);
    assert!(pairs.matches(&json!({"Port": 80, "Other": 1})));
    assert!(!pairs.matches(&json!({"Port": 80, "Name": "x"})));
    assert_message!(
        "object_like",
        mismatches(
            &m,
            &json!({"Essential": true, "PortMappings": [{"HostPort": 80}]})
        )
    );
    assert_message!("object_like_not_object", mismatches(&m, &json!([1])));
}

#[test]
#[should_panic(expected = "Match::object_like expects an object pattern, got [1]")]
fn object_like_rejects_non_object_patterns() {
    Match::object_like(json!([1]));
}

#[test]
fn object_equals() {
    let m = Match::object_equals(json!({"Ref": "WebTargetGroup"}));
    assert!(m.matches(&json!({"Ref": "WebTargetGroup"})));
    assert!(!m.matches(&json!({"Ref": "WebTargetGroup", "Extra": true})));
    // Nested literal objects are exact too, but a nested object_like relaxes them.
    let nested =
        Match::object_equals(pattern!({"A": {"B": 1}, "C": (Match::object_like(json!({"D": 1})))}));
    assert!(nested.matches(&json!({"A": {"B": 1}, "C": {"D": 1, "E": 2}})));
    assert!(!nested.matches(&json!({"A": {"B": 1, "X": 0}, "C": {"D": 1}})));
    assert_message!(
        "object_equals",
        mismatches(
            &nested,
            &json!({"A": {"B": 1, "X": 0}, "C": {"D": 1}, "Z": null})
        )
    );
}

#[test]
fn array_with() {
    let m = Match::array_with(json!([{"Name": "STAGE"}, {"Name": "PORT"}]));
    let env = json!([{"Name": "A", "Value": "1"}, {"Name": "STAGE", "Value": "prod"}, {"Name": "B"}, {"Name": "PORT", "Value": "80"}]);
    assert!(m.matches(&env));
    // Order matters.
    assert!(!m.matches(&json!([{"Name": "PORT"}, {"Name": "STAGE"}])));
    assert!(Match::array_with(json!([])).matches(&json!([1])));
    assert!(!m.matches(&json!({"Name": "STAGE"})));
    assert_message!(
        "array_with",
        mismatches(
            &m,
            &json!([{"Name": "STAGE", "Value": "prod"}, {"Name": "PORTS"}, {"Value": "x"}])
        )
    );
}

#[test]
fn array_equals() {
    let m = Match::array_equals(json!([80, 443]));
    assert!(m.matches(&json!([80, 443])));
    assert!(!m.matches(&json!([443, 80])));
    assert!(!m.matches(&json!([80])));
    assert_message!(
        "array_equals_length",
        mismatches(&m, &json!([80, 443, 8080]))
    );
    assert_message!("array_equals_element", mismatches(&m, &json!([80, 8443])));
}

#[test]
fn any_value() {
    let m = pattern!({"LoadBalancerArn": (Match::any_value())});
    assert!(m.matches(&json!({"LoadBalancerArn": {"Ref": "Lb"}})));
    assert!(m.matches(&json!({"LoadBalancerArn": false})));
    assert!(!m.matches(&json!({})));
    assert!(!m.matches(&json!({"LoadBalancerArn": null})));
    assert_message!("any_value_missing", mismatches(&m, &json!({})));
    assert_message!(
        "any_value_null",
        mismatches(&m, &json!({"LoadBalancerArn": null}))
    );
}

#[test]
fn absent() {
    let m = pattern!({"AssignPublicIp": (Match::absent())});
    assert!(m.matches(&json!({"Subnets": []})));
    assert!(!m.matches(&json!({"AssignPublicIp": "DISABLED"})));
    assert_message!(
        "absent",
        mismatches(&m, &json!({"AssignPublicIp": "ENABLED"}))
    );
}

#[test]
fn not() {
    let m = pattern!({"Protocol": (Match::not("HTTP"))});
    assert!(m.matches(&json!({"Protocol": "HTTPS"})));
    assert!(
        m.matches(&json!({})),
        "a missing key does not match \"HTTP\""
    );
    assert!(!m.matches(&json!({"Protocol": "HTTP"})));
    // not(absent) means "present".
    let present = pattern!({"Protocol": (Match::not(Match::absent()))});
    assert!(present.matches(&json!({"Protocol": "HTTP"})));
    assert!(!present.matches(&json!({})));
    assert_message!("not", mismatches(&m, &json!({"Protocol": "HTTP"})));
    assert_message!("not_absent", mismatches(&present, &json!({})));
}

#[test]
fn string_like_regexp() {
    let m = pattern!({"Image": (Match::string_like_regexp(r"^\d{12}\.dkr\.ecr\..+:v\d+$"))});
    assert!(m.matches(&json!({"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v3"})));
    assert!(!m.matches(&json!({"Image": "nginx:latest"})));
    assert!(!m.matches(&json!({"Image": {"Fn::Join": []}})));
    assert_message!(
        "string_like_regexp",
        mismatches(&m, &json!({"Image": "nginx:latest"}))
    );
}

#[test]
#[should_panic(expected = "Match::string_like_regexp: invalid regular expression \"(\"")]
fn string_like_regexp_rejects_bad_regex() {
    Match::string_like_regexp("(");
}

#[test]
fn serialized_json() {
    let m = pattern!({"DashboardBody": (Match::serialized_json(pattern!({
        "widgets": (Match::array_with(json!([{"type": "metric"}])))
    })))});
    let good = json!({"DashboardBody": "{\"widgets\":[{\"type\":\"text\"},{\"type\":\"metric\",\"width\":12}]}"});
    assert!(m.matches(&good));
    assert!(!m.matches(&json!({"DashboardBody": "{\"widgets\":[]}"})));
    assert!(!m.matches(&json!({"DashboardBody": {"widgets": []}})));
    let inner = Match::serialized_json(json!({"Statement": [{"Effect": "Allow"}]}));
    assert_message!(
        "serialized_json_inner",
        mismatches(&inner, &json!("{\"Statement\": [{\"Effect\": \"Deny\"}]}"))
    );
    assert_message!(
        "serialized_json_invalid",
        mismatches(&inner, &json!("{oops"))
    );
    assert_message!(
        "serialized_json_not_string",
        mismatches(&inner, &json!({"Statement": []}))
    );
}

#[test]
fn exact() {
    let m = Match::exact(json!({"Fn::GetAtt": ["Lb", "DNSName"]}));
    assert!(m.matches(&json!({"Fn::GetAtt": ["Lb", "DNSName"]})));
    assert!(!m.matches(&json!({"Fn::GetAtt": ["Lb", "DNSName"], "Extra": 1})));
    // Inside a subset match, exact() pins one value.
    let outer = pattern!({"Value": (Match::exact(json!({"Ref": "Lb"})))});
    assert!(outer.matches(&json!({"Value": {"Ref": "Lb"}, "Export": {}})));
    assert!(!outer.matches(&json!({"Value": {"Ref": "Lb", "x": 1}})));
    assert_message!(
        "exact",
        mismatches(&m, &json!({"Fn::GetAtt": ["Lb", "Arn"], "Extra": 1}))
    );
}

#[test]
fn capture_with_pattern_only_matches_its_pattern() {
    let c = Capture::with_pattern(Match::string_like_regexp("^arn:"));
    let m = pattern!({"Arn": c});
    assert!(!m.matches(&json!({"Arn": "nope"})));
    assert!(m.matches(&json!({"Arn": "arn:aws:sns:eu-west-1:1:t"})));
    assert_eq!(c.values(), vec![json!("arn:aws:sns:eu-west-1:1:t")]);
    assert_message!("capture_pattern", mismatches(&m, &json!({"Arn": "nope"})));
    assert_message!(
        "capture_missing",
        mismatches(&pattern!({"Arn": (Capture::new())}), &json!({}))
    );
}

#[test]
fn type_mismatch_is_named() {
    let m = json!({"DesiredCount": 2, "Enabled": true}).into_matcher();
    assert_message!(
        "type_mismatch",
        mismatches(&m, &json!({"DesiredCount": "2", "Enabled": "true"}))
    );
}

#[test]
fn pattern_macro_mixes_json_and_matchers() {
    let port = 8080;
    let tg = Capture::new();
    let existing: Matcher = Match::any_value();
    let key = "FromVariable";
    let m = pattern!({
        key: true,
        "Port": port,
        "Negative": -1,
        "Null": null,
        "Empty": {},
        "EmptyList": [],
        "Nested": [{"Ref": tg}, [1, 2,], "x"],
        ("Computed".to_owned() + "Key"): existing,
        "Absent": (Match::absent()),
        "Expr": (vec![1, 2]),
        "NoParens": Match::string_like_regexp("^a"),
    });
    assert!(m.matches(&json!({
        "FromVariable": true,
        "Port": 8080,
        "Negative": -1,
        "Null": null,
        "Empty": {"anything": 1},
        "EmptyList": [],
        "Nested": [{"Ref": "WebTg"}, [1, 2], "x"],
        "ComputedKey": "v",
        "Expr": [1, 2],
        "NoParens": "abc",
    })));
    assert_eq!(tg.as_string(), "WebTg");
    assert_eq!(
        m.to_string(),
        r#"{"FromVariable": true, "Port": 8080, "Negative": -1, "Null": null, "Empty": {}, "EmptyList": [], "Nested": [{"Ref": Capture}, [1, 2], "x"], "ComputedKey": Match::any_value(), "Absent": Match::absent(), "Expr": [1, 2], "NoParens": Match::string_like_regexp("^a")}"#
    );
}

#[test]
fn matchers_display_like_rust() {
    let m = Match::object_like(pattern!({
        "A": (Match::array_with(json!([1]))),
        "B": (Match::array_equals(json!([]))),
        "C": (Match::not(Match::string_like_regexp("^x"))),
        "D": (Match::serialized_json(json!({}))),
        "E": (Capture::with_pattern(Match::exact(1))),
        "F": (Match::object_equals(json!({"G": true}))),
    }));
    assert_eq!(
        m.to_string(),
        r#"Match::object_like({"A": Match::array_with([1]), "B": Match::array_equals([]), "C": Match::not(Match::string_like_regexp("^x")), "D": Match::serialized_json({}), "E": Capture(Match::exact(1)), "F": Match::object_equals({"G": true})})"#
    );
}
