use super::*;
use crate::{Stack, StackProps};

fn zone() -> HostedZone {
    HostedZone::from_attributes("Z0123456789ABCDEFGHIJ", "example.com.")
}

#[test]
fn names_are_qualified_as_cdk_does() {
    let z = zone();
    assert_eq!(z.zone_name(), "example.com");
    for (given, fqdn) in [
        ("www", "www.example.com."),
        ("api.example.com", "api.example.com."),
        ("example.com", "example.com."),
        ("other.org.", "other.org."),
        ("www.notexample.com", "www.notexample.com.example.com."),
        ("a.b", "a.b.example.com."),
    ] {
        assert_eq!(z.fully_qualified_name(given), fqdn, "{given}");
    }
}

#[test]
fn a_record_with_addresses_has_a_ttl() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Dns", StackProps::default()).unwrap();
    let r = ARecord::new(
        &mut app,
        s,
        "Apex",
        ARecordProps::new(&zone(), RecordTarget::from_ip_addresses(["192.0.2.10"])),
    )
    .unwrap();
    assert_eq!(r.fully_qualified_name(&app), "example.com.");
    assert_eq!(app.path(r.cfn()), "Dns/Apex/Resource");
    let p = app.resource(r.cfn());
    assert_eq!(p.ttl, Some("1800".into()));
    assert_eq!(p.type_, Some("A".into()));
    assert!(p.alias_target.is_none());
}

#[test]
fn an_alias_has_no_ttl_and_an_empty_address_list_is_an_error() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Dns", StackProps::default()).unwrap();
    let alias = RecordTarget::Alias(AliasRecordTarget {
        dns_name: "d111111abcdef8.cloudfront.net".into(),
        hosted_zone_id: "Z2FDTNDATAQYW2".into(),
        evaluate_target_health: Some(false),
    });
    let err = ARecord::new(
        &mut app,
        s,
        "Cdn",
        ARecordProps {
            ttl_seconds: Some(60),
            ..ARecordProps::new(&zone(), alias)
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dns/Cdn: ttl_seconds: an alias record has no TTL of its own (Route 53 uses the target's), so ttl_seconds (60) cannot be given"
    );
    let err = ARecord::new(
        &mut app,
        s,
        "Empty",
        ARecordProps::new(
            &zone(),
            RecordTarget::from_ip_addresses(Vec::<String>::new()),
        ),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dns/Empty: target: an A record needs at least one IPv4 address"
    );
    let err = ARecord::new(
        &mut app,
        s,
        "Spaces",
        ARecordProps::new(&zone(), RecordTarget::from_ip_addresses(["192.0.2.1"]))
            .with_record_name("my host"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("invalid record name \"my host\""),
        "{err}"
    );
}
