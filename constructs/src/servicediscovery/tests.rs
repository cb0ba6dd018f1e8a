use super::*;
use crate::ec2::VpcProps;
use crate::{Stack, StackProps};

fn setup() -> (App, PrivateDnsNamespace) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Net", StackProps::default()).unwrap();
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    let ns = PrivateDnsNamespace::new(
        &mut app,
        s,
        "Namespace",
        &vpc,
        PrivateDnsNamespaceProps::new("svc.local"),
    )
    .unwrap();
    (app, ns)
}

#[test]
fn srv_registries_need_a_container_and_a_records_refuse_one() {
    let (mut app, ns) = setup();
    let srv = ns
        .create_service(
            &mut app,
            "Srv",
            ServiceProps {
                dns_record_type: DnsRecordType::Srv,
                ..ServiceProps::new("srv")
            },
        )
        .unwrap();
    assert_eq!(
        srv.registry(&app, None).unwrap_err().to_string(),
        "Net/Namespace/Srv: container: SRV records carry a port: give the container name and port to register"
    );
    let a = ns
        .create_service(&mut app, "A", ServiceProps::new("a"))
        .unwrap();
    assert_eq!(
        a.registry(&app, Some(("web", 80))).unwrap_err().to_string(),
        "Net/Namespace/A: container: A and AAAA records carry no port, so container web:80 cannot be given; use SRV records, or leave the container out"
    );
    let r = a.registry(&app, None).unwrap();
    assert_eq!(r.registry_arn, a.service_arn().into());
}

#[test]
fn a_and_aaaa_makes_two_records() {
    let (mut app, ns) = setup();
    let svc = ns
        .create_service(
            &mut app,
            "Both",
            ServiceProps {
                dns_record_type: DnsRecordType::AAndAaaa,
                routing_policy: RoutingPolicy::Weighted,
                ..ServiceProps::new("both")
            },
        )
        .unwrap();
    let p = app.resource(svc.cfn());
    let Some(Expr::Lit(dns)) = &p.dns_config else {
        panic!("no DnsConfig")
    };
    let Some(Expr::Lit(records)) = &dns.dns_records else {
        panic!("no records")
    };
    assert_eq!(records.len(), 2);
    assert_eq!(
        dns.routing_policy,
        Some(Expr::Lit(service::RoutingPolicy::Weighted))
    );
}

#[test]
fn names_are_checked() {
    let (mut app, ns) = setup();
    let err = ns
        .create_service(&mut app, "Bad", ServiceProps::new("has space"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Net/Namespace/Bad: name: invalid name \"has space\": give 1 to 253 characters without spaces, e.g. svc.local"
    );
    let err = ns
        .create_service(
            &mut app,
            "Threshold",
            ServiceProps {
                custom_health_check_failure_threshold: Some(0),
                ..ServiceProps::new("ok")
            },
        )
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("failure threshold 0 is out of range"));
}
