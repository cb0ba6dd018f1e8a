use super::*;
use crate::{Stack, StackProps};

#[test]
fn empty_domain_name_is_an_error() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let err = Certificate::new(&mut app, s, "Cert", CertificateProps::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Web/Cert: domain_name: invalid domain name \"\": give a name of 1 to 253 characters, e.g. www.example.com"
    );
}

#[test]
fn without_a_zone_there_are_no_validation_options() {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let c = Certificate::new(&mut app, s, "Cert", CertificateProps::new("example.com")).unwrap();
    let p = app.resource(c.cfn());
    assert!(p.domain_validation_options.is_none());
    assert!(p.subject_alternative_names.is_none());
    assert_eq!(app.path(c.cfn()), "Web/Cert/Resource");
}
