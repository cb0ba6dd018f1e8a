use super::*;
use crate::{App, Stack, StackProps};
use serde_json::{json, Value as Json};

fn stack(app: &mut App) -> Stack {
    Stack::new(app, "Net", StackProps::default()).unwrap()
}

fn resources(app: &mut App) -> serde_json::Map<String, Json> {
    let out = app.synth().unwrap();
    out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .clone()
}

fn of_type<'a>(res: &'a serde_json::Map<String, Json>, t: &str) -> Vec<(&'a String, &'a Json)> {
    res.iter().filter(|(_, r)| r["Type"] == t).collect()
}

#[test]
fn two_az_public_private_vpc_with_one_nat_has_cdks_logical_ids() {
    let mut app = App::new();
    let s = stack(&mut app);
    Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            max_azs: Some(2),
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let res = resources(&mut app);
    let mut ids: Vec<&str> = res.keys().map(String::as_str).collect();
    ids.sort();
    let mut expected = vec![
        "Vpc8378EB38",
        "VpcIGWD7BA715C",
        "VpcVPCGWBF912B6E",
        "VpcPublicSubnet1Subnet5C2D37C4",
        "VpcPublicSubnet1RouteTable6C95E38E",
        "VpcPublicSubnet1RouteTableAssociation97140677",
        "VpcPublicSubnet1DefaultRoute3DA9E72A",
        "VpcPublicSubnet1EIPD7E02669",
        "VpcPublicSubnet1NATGateway4D7517AA",
        "VpcPublicSubnet2Subnet691E08A3",
        "VpcPublicSubnet2RouteTable94F7E489",
        "VpcPublicSubnet2RouteTableAssociationDD5762D8",
        "VpcPublicSubnet2DefaultRoute97F91067",
        "VpcPrivateSubnet1Subnet536B997A",
        "VpcPrivateSubnet1RouteTableB2C5B500",
        "VpcPrivateSubnet1RouteTableAssociation70C59FA6",
        "VpcPrivateSubnet1DefaultRouteBE02A9ED",
        "VpcPrivateSubnet2Subnet3788AAA1",
        "VpcPrivateSubnet2RouteTableA678073B",
        "VpcPrivateSubnet2RouteTableAssociationA89CAD56",
        "VpcPrivateSubnet2DefaultRoute060D2087",
    ];
    expected.sort();
    assert_eq!(ids, expected);

    // Both private subnets route through the one NAT gateway; public ones through the IGW.
    for p in [
        "VpcPrivateSubnet1DefaultRouteBE02A9ED",
        "VpcPrivateSubnet2DefaultRoute060D2087",
    ] {
        assert_eq!(
            res[p]["Properties"]["NatGatewayId"],
            json!({"Ref": "VpcPublicSubnet1NATGateway4D7517AA"})
        );
        assert_eq!(res[p]["Properties"]["DestinationCidrBlock"], "0.0.0.0/0");
    }
    let public_route = &res["VpcPublicSubnet1DefaultRoute3DA9E72A"];
    assert_eq!(
        public_route["Properties"]["GatewayId"],
        json!({"Ref": "VpcIGWD7BA715C"})
    );
    assert_eq!(public_route["DependsOn"], json!(["VpcVPCGWBF912B6E"]));
    let nat = &res["VpcPublicSubnet1NATGateway4D7517AA"];
    assert_eq!(
        nat["Properties"]["AllocationId"],
        json!({"Fn::GetAtt": ["VpcPublicSubnet1EIPD7E02669", "AllocationId"]})
    );
    assert_eq!(
        nat["DependsOn"],
        json!([
            "VpcPublicSubnet1DefaultRoute3DA9E72A",
            "VpcPublicSubnet1RouteTableAssociation97140677"
        ])
    );
    // Subnets: CDK's CIDRs, AZs from Fn::GetAZs, CDK's tags.
    let sub = &res["VpcPrivateSubnet1Subnet536B997A"]["Properties"];
    assert_eq!(sub["CidrBlock"], "10.0.128.0/18");
    assert_eq!(
        sub["AvailabilityZone"],
        json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
    );
    assert_eq!(sub["MapPublicIpOnLaunch"], false);
    assert_eq!(
        sub["Tags"],
        json!([
            {"Key": "Name", "Value": "Net/Vpc/PrivateSubnet1"},
            {"Key": "aws-cdk:subnet-name", "Value": "Private"},
            {"Key": "aws-cdk:subnet-type", "Value": "Private"}
        ])
    );
    assert_eq!(
        res["VpcPublicSubnet2Subnet691E08A3"]["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})
    );
    assert_eq!(
        res["VpcPublicSubnet1Subnet5C2D37C4"]["Properties"]["MapPublicIpOnLaunch"],
        true
    );
    assert_eq!(
        res["Vpc8378EB38"]["Properties"],
        json!({
            "CidrBlock": "10.0.0.0/16",
            "EnableDnsHostnames": true,
            "EnableDnsSupport": true,
            "InstanceTenancy": "default",
            "Tags": [{"Key": "Name", "Value": "Net/Vpc"}]
        })
    );
}

#[test]
fn max_azs_zero_is_an_error_naming_the_path() {
    let mut app = App::new();
    let s = stack(&mut app);
    let e = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            max_azs: Some(0),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc: max_azs: max_azs must be at least 1, got 0"
    );
}

#[test]
fn a_selection_that_matches_nothing_names_the_vpc_and_what_was_asked() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    let e = vpc
        .select_subnets(&app, &SubnetSelection::of_type(SubnetType::PrivateIsolated))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc: subnet_selection: there are no PrivateIsolated subnets in this VPC; available types: Public, PrivateWithEgress"
    );
    let e = vpc
        .select_subnets(&app, &SubnetSelection::group("Db"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc: subnet_selection: there is no subnet group named \"Db\" in this VPC; available names: Public, Private"
    );
}

#[test]
fn default_selection_prefers_private_then_isolated_then_public() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    let sel = vpc
        .select_subnets(&app, &SubnetSelection::default())
        .unwrap();
    assert!(!sel.has_public);
    assert_eq!(sel.subnet_ids.len(), 2);
    assert_eq!(sel.internet_dependencies.len(), 2);
    let iso = Vpc::new(
        &mut app,
        s,
        "Iso",
        VpcProps {
            subnet_configuration: vec![
                SubnetConfiguration::new("Ingress", SubnetType::Public),
                SubnetConfiguration::new("Data", SubnetType::PrivateIsolated),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let sel = iso
        .select_subnets(&app, &SubnetSelection::default())
        .unwrap();
    assert!(!sel.has_public);
    assert!(sel.internet_dependencies.is_empty());
    let res = resources(&mut app);
    // No NAT gateways without private-with-egress subnets; isolated subnets have no route.
    let nat_count = of_type(&res, "AWS::EC2::NatGateway").len();
    assert_eq!(nat_count, 2, "only the default VPC has NAT gateways");
    assert!(!res
        .keys()
        .any(|k| k.starts_with("IsoDataSubnet1DefaultRoute")));
}

#[test]
fn zero_nat_gateways_with_private_subnets_is_an_error() {
    let mut app = App::new();
    let s = stack(&mut app);
    let e = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(0),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc: nat_gateways: with nat_gateways = 0 there is no route out for private-with-egress subnets; make them PrivateIsolated or Public in subnet_configuration, or add NAT gateways"
    );
    let e = Vpc::new(
        &mut app,
        s,
        "Vpc2",
        VpcProps {
            subnet_configuration: vec![SubnetConfiguration::new(
                "App",
                SubnetType::PrivateWithEgress,
            )],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc2: nat_gateways: 2 NAT gateway(s) need a public subnet group to live in; add a Public group to subnet_configuration or set nat_gateways to 0"
    );
    // 0 NAT gateways with public and isolated subnets is fine, and has no EIP.
    Vpc::new(
        &mut app,
        s,
        "Vpc3",
        VpcProps {
            nat_gateways: Some(0),
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetType::Public),
                SubnetConfiguration::new("Isolated", SubnetType::PrivateIsolated),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let res = resources(&mut app);
    assert!(of_type(&res, "AWS::EC2::EIP").is_empty());
    assert_eq!(of_type(&res, "AWS::EC2::InternetGateway").len(), 1);
}

#[test]
fn isolated_only_vpc_has_no_internet_gateway() {
    let mut app = App::new();
    let s = stack(&mut app);
    Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            subnet_configuration: vec![SubnetConfiguration::new(
                "Data",
                SubnetType::PrivateIsolated,
            )],
            ..Default::default()
        },
    )
    .unwrap();
    let res = resources(&mut app);
    assert!(of_type(&res, "AWS::EC2::InternetGateway").is_empty());
    assert!(of_type(&res, "AWS::EC2::Route").is_empty());
    assert_eq!(of_type(&res, "AWS::EC2::Subnet").len(), 2);
}

#[test]
fn cidr_allocation_follows_cdk() {
    let mut app = App::new();
    let s = stack(&mut app);
    Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            cidr: Some("10.20.0.0/16".into()),
            max_azs: Some(3),
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetType::Public).with_cidr_mask(24),
                SubnetConfiguration::new("App", SubnetType::PrivateWithEgress),
                SubnetConfiguration::new("Db", SubnetType::PrivateIsolated).with_cidr_mask(28),
            ],
            nat_gateways: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    let res = resources(&mut app);
    let cidr = |prefix: &str| -> String {
        let (_, r) = res
            .iter()
            .find(|(k, r)| k.starts_with(prefix) && r["Type"] == "AWS::EC2::Subnet")
            .unwrap();
        r["Properties"]["CidrBlock"].as_str().unwrap().to_owned()
    };
    // Masked groups first, in order; then the rest evenly in what is left.
    assert_eq!(cidr("VpcPublicSubnet1"), "10.20.0.0/24");
    assert_eq!(cidr("VpcPublicSubnet3"), "10.20.2.0/24");
    assert_eq!(cidr("VpcDbSubnet1"), "10.20.3.0/28");
    assert_eq!(cidr("VpcDbSubnet3"), "10.20.3.32/28");
    // 65536 - 3*256 - 48 addresses left over 3 subnets: /18 each, aligned.
    assert_eq!(cidr("VpcAppSubnet1"), "10.20.64.0/18");
    assert_eq!(cidr("VpcAppSubnet2"), "10.20.128.0/18");
    assert_eq!(cidr("VpcAppSubnet3"), "10.20.192.0/18");
    // Two NAT gateways for three AZs: AZ 3 uses the first one, round robin like CDK.
    assert_eq!(of_type(&res, "AWS::EC2::NatGateway").len(), 2);
    let (_, route3) = res
        .iter()
        .find(|(k, _)| k.starts_with("VpcAppSubnet3DefaultRoute"))
        .unwrap();
    let (nat1, _) = res
        .iter()
        .find(|(k, _)| k.starts_with("VpcPublicSubnet1NATGateway"))
        .unwrap();
    assert_eq!(route3["Properties"]["NatGatewayId"], json!({"Ref": nat1}));
}

#[test]
fn bad_cidrs_and_subnets_that_do_not_fit_are_errors() {
    let mut app = App::new();
    let s = stack(&mut app);
    let e = Vpc::new(
        &mut app,
        s,
        "A",
        VpcProps {
            cidr: Some("10.0.0.0/8".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/A: cidr: invalid VPC CIDR \"10.0.0.0/8\": expected a.b.c.d/n with n between 16 and 28"
    );
    let e = Vpc::new(
        &mut app,
        s,
        "B",
        VpcProps {
            cidr: Some("10.0.0.0/24".into()),
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetType::Public).with_cidr_mask(24)
            ],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/B: subnet_configuration[0].cidr_mask: a /24 subnet does not fit in the space left in 10.0.0.0/24; use a larger VPC CIDR, smaller subnets or fewer AZs"
    );
    let e = Vpc::new(
        &mut app,
        s,
        "C",
        VpcProps {
            subnet_configuration: vec![
                SubnetConfiguration::new("Public", SubnetType::Public),
                SubnetConfiguration::new("Public", SubnetType::PrivateIsolated),
            ],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "Net/C: subnet_configuration[1].name: duplicate subnet group name \"Public\": subnet_configuration[0] has it already");
}

#[test]
fn explicit_azs_and_one_per_az() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            availability_zones: vec![
                "eu-west-1a".into(),
                "eu-west-1b".into(),
                "eu-west-1c".into(),
            ],
            subnet_configuration: vec![
                SubnetConfiguration::new("Web", SubnetType::Public).with_cidr_mask(24),
                SubnetConfiguration::new("Edge", SubnetType::Public).with_cidr_mask(24),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let all = vpc
        .select_subnets(&app, &SubnetSelection::of_type(SubnetType::Public))
        .unwrap();
    assert_eq!(all.subnet_ids.len(), 6);
    let one = vpc
        .select_subnets(
            &app,
            &SubnetSelection {
                subnet_type: Some(SubnetType::Public),
                one_per_az: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(one.subnet_ids.len(), 3);
    assert_eq!(
        one.availability_zones,
        vec![
            berth_synth::Value::from("eu-west-1a"),
            berth_synth::Value::from("eu-west-1b"),
            berth_synth::Value::from("eu-west-1c"),
        ]
    );
    let res = resources(&mut app);
    let (_, subnet) = res
        .iter()
        .find(|(k, r)| k.starts_with("VpcWebSubnet2Subnet") && r["Type"] == "AWS::EC2::Subnet")
        .unwrap();
    assert_eq!(subnet["Properties"]["AvailabilityZone"], "eu-west-1b");
}

#[test]
fn imported_vpc_selects_the_ids_given() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::from_attributes(
        &mut app,
        s,
        "Vpc",
        VpcAttributes {
            vpc_id: "vpc-123".into(),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            private_subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        app.resolve(vpc.vpc_id()),
        berth_synth::Value::from("vpc-123")
    );
    let sel = vpc
        .select_subnets(&app, &SubnetSelection::default())
        .unwrap();
    assert_eq!(
        sel.subnet_ids,
        vec![
            berth_synth::Value::from("subnet-a"),
            berth_synth::Value::from("subnet-b")
        ]
    );
    let e = vpc
        .select_subnets(&app, &SubnetSelection::of_type(SubnetType::Public))
        .unwrap_err();
    assert_eq!(e.to_string(), "Net/Vpc: subnet_selection: there are no Public subnets in this VPC; available types: PrivateWithEgress");
    let e = Vpc::from_attributes(
        &mut app,
        s,
        "Bad",
        VpcAttributes {
            vpc_id: "vpc-123".into(),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            public_subnet_ids: vec!["subnet-a".into()],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "Net/Bad: public_subnet_ids: 1 subnet ids are not a multiple of the 2 availability zones given; give one subnet per AZ per group, in AZ order");
    // An imported VPC adds nothing to the template.
    SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let res = resources(&mut app);
    assert_eq!(res.len(), 1);
    assert_eq!(
        res.values().next().unwrap()["Properties"]["VpcId"],
        "vpc-123"
    );
}

fn sg_app() -> (App, Stack, Vpc) {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    (app, s, vpc)
}

#[test]
fn cidr_rules_are_inline_and_open_only_the_ports_asked_for() {
    let (mut app, s, vpc) = sg_app();
    let sg = SecurityGroup::new(&mut app, s, "Lb", &vpc, SecurityGroupProps::default()).unwrap();
    let c = sg.connections(&app);
    c.allow_from_any_ipv4(&mut app, Port::tcp(443), "https")
        .unwrap();
    c.allow_from(
        &mut app,
        &Peer::ipv4("10.1.0.0/16"),
        Port::udp_range(5000, 5010),
        "",
    )
    .unwrap();
    // Asking twice adds nothing.
    c.allow_from_any_ipv4(&mut app, Port::tcp(443), "https")
        .unwrap();
    let res = resources(&mut app);
    let (_, r) = of_type(&res, "AWS::EC2::SecurityGroup")[0];
    assert_eq!(
        r["Properties"],
        json!({
            "GroupDescription": "Net/Lb",
            "SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "Description": "Allow all outbound traffic by default", "IpProtocol": "-1"}],
            "SecurityGroupIngress": [
                {"CidrIp": "0.0.0.0/0", "Description": "https", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443},
                {"CidrIp": "10.1.0.0/16", "Description": "from 10.1.0.0/16:UDP 5000-5010", "FromPort": 5000, "IpProtocol": "udp", "ToPort": 5010}
            ],
            "VpcId": {"Ref": "Vpc8378EB38"}
        })
    );
    assert!(of_type(&res, "AWS::EC2::SecurityGroupIngress").is_empty());
}

#[test]
fn rules_between_groups_are_separate_resources() {
    let (mut app, s, vpc) = sg_app();
    let lb = SecurityGroup::new(
        &mut app,
        s,
        "LbSg",
        &vpc,
        SecurityGroupProps {
            allow_all_outbound: false,
            ..Default::default()
        },
    )
    .unwrap();
    let web =
        SecurityGroup::new(&mut app, s, "WebSg", &vpc, SecurityGroupProps::default()).unwrap();
    web.connections(&app)
        .allow_from(&mut app, &lb, Port::tcp(8080), "from the load balancer")
        .unwrap();
    let res = resources(&mut app);
    let ingress = of_type(&res, "AWS::EC2::SecurityGroupIngress");
    let egress = of_type(&res, "AWS::EC2::SecurityGroupEgress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(egress.len(), 1);
    let lb_id = berth_synth::logical_id::make_unique_id(&["LbSg", "Resource"]).unwrap();
    let web_id = berth_synth::logical_id::make_unique_id(&["WebSg", "Resource"]).unwrap();
    assert!(
        ingress[0].0.starts_with("WebSgfromNetLbSg"),
        "{}",
        ingress[0].0
    );
    assert_eq!(
        ingress[0].1["Properties"],
        json!({
            "Description": "from the load balancer",
            "FromPort": 8080,
            "GroupId": {"Fn::GetAtt": [web_id, "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": [lb_id, "GroupId"]},
            "ToPort": 8080
        })
    );
    assert!(egress[0].0.starts_with("LbSgtoNetWebSg"), "{}", egress[0].0);
    assert_eq!(
        egress[0].1["Properties"],
        json!({
            "Description": "from the load balancer",
            "DestinationSecurityGroupId": {"Fn::GetAtt": [web_id, "GroupId"]},
            "FromPort": 8080,
            "GroupId": {"Fn::GetAtt": [lb_id, "GroupId"]},
            "IpProtocol": "tcp",
            "ToPort": 8080
        })
    );
    // No inline rules on either group: the web group opens nothing else, the lb group
    // keeps CDK's placeholder that disallows all other egress.
    assert!(res[&web_id]["Properties"]
        .get("SecurityGroupIngress")
        .is_none());
    assert_eq!(
        res[&lb_id]["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "FromPort": 252, "IpProtocol": "icmp", "ToPort": 86}])
    );
}

#[test]
fn groups_in_two_stacks_allow_each_other_without_a_cycle() {
    let mut app = App::new();
    let net = stack(&mut app);
    let web = Stack::new(&mut app, "Web", StackProps::default()).unwrap();
    let vpc = Vpc::new(
        &mut app,
        net,
        "Vpc",
        VpcProps {
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let a = SecurityGroup::new(
        &mut app,
        net,
        "A",
        &vpc,
        SecurityGroupProps {
            allow_all_outbound: false,
            ..Default::default()
        },
    )
    .unwrap();
    let b = SecurityGroup::new(
        &mut app,
        web,
        "B",
        &vpc,
        SecurityGroupProps {
            allow_all_outbound: false,
            ..Default::default()
        },
    )
    .unwrap();
    b.connections(&app)
        .allow_from(&mut app, &a, Port::tcp(80), "a to b")
        .unwrap();
    let out = app.synth().unwrap();
    let web_res = out.stack("Web").unwrap().template["Resources"]
        .as_object()
        .unwrap();
    // Both rules live in B's stack: the ingress on B and A's egress (the remote rule).
    assert_eq!(
        web_res
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
            .count(),
        1
    );
    assert_eq!(
        web_res
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupEgress")
            .count(),
        1
    );
    assert_eq!(
        out.stack("Web").unwrap().dependencies,
        vec!["Net".to_string()]
    );
}

#[test]
fn egress_rules_replace_the_placeholder_and_are_dropped_when_all_outbound_is_allowed() {
    let (mut app, s, vpc) = sg_app();
    let closed = SecurityGroup::new(
        &mut app,
        s,
        "Closed",
        &vpc,
        SecurityGroupProps {
            allow_all_outbound: false,
            ..Default::default()
        },
    )
    .unwrap();
    let open =
        SecurityGroup::new(&mut app, s, "Open", &vpc, SecurityGroupProps::default()).unwrap();
    closed
        .connections(&app)
        .allow_to_any_ipv4(&mut app, Port::tcp(443), "https out")
        .unwrap();
    open.connections(&app)
        .allow_to_any_ipv4(&mut app, Port::tcp(443), "https out")
        .unwrap();
    let res = resources(&mut app);
    let closed_id = berth_synth::logical_id::make_unique_id(&["Closed", "Resource"]).unwrap();
    let open_id = berth_synth::logical_id::make_unique_id(&["Open", "Resource"]).unwrap();
    assert_eq!(
        res[&closed_id]["Properties"]["SecurityGroupEgress"],
        json!([{"CidrIp": "0.0.0.0/0", "Description": "https out", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}])
    );
    assert_eq!(
        res[&open_id]["Properties"]["SecurityGroupEgress"][0]["IpProtocol"],
        "-1"
    );
    assert_eq!(
        res[&open_id]["Properties"]["SecurityGroupEgress"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn bad_ports_and_peers_are_errors() {
    let (mut app, s, vpc) = sg_app();
    let sg = SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let e = sg
        .add_ingress_rule(&mut app, &Peer::any_ipv4(), Port::tcp_range(90, 80), "")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Sg: port: invalid port range 90-80: the first port must not be greater than the last"
    );
    let e = sg
        .add_ingress_rule(&mut app, &Peer::ipv4("10.0.0/16"), Port::tcp(80), "")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Sg: peer: invalid IPv4 CIDR \"10.0.0/16\": expected a.b.c.d/n, e.g. 10.0.0.0/16"
    );
}

#[test]
fn imported_groups_get_separate_rule_resources() {
    let (mut app, s, _vpc) = sg_app();
    let sg =
        SecurityGroup::from_security_group_id(&mut app, s, "Existing", "sg-123", true).unwrap();
    sg.connections(&app)
        .allow_from_any_ipv4(&mut app, Port::all_tcp(), "all tcp")
        .unwrap();
    let res = resources(&mut app);
    let ingress = of_type(&res, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        ingress[0].1["Properties"],
        json!({"CidrIp": "0.0.0.0/0", "Description": "all tcp", "FromPort": 0, "GroupId": "sg-123", "IpProtocol": "tcp", "ToPort": 65535})
    );
}

#[test]
fn a_selection_with_both_type_and_group_name_is_an_error() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    let e = vpc
        .select_subnets(
            &app,
            &SubnetSelection {
                subnet_type: Some(SubnetType::Public),
                subnet_group_name: Some("Public".into()),
                one_per_az: false,
            },
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Net/Vpc: subnet_selection: give only one of subnet_type and subnet_group_name"
    );
}

#[test]
fn explicit_max_azs_uses_that_many_get_azs_selections() {
    let mut app = App::new();
    let s = stack(&mut app);
    let vpc = Vpc::new(
        &mut app,
        s,
        "Vpc",
        VpcProps {
            max_azs: Some(3),
            nat_gateways: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let azs = vpc.availability_zones(&app);
    assert_eq!(azs.len(), 3);
    let res = resources(&mut app);
    assert_eq!(of_type(&res, "AWS::EC2::Subnet").len(), 6);
    // Six /19 subnets in a /16: 65536 / 6 rounds down to a /19 each.
    let (_, last) = res
        .iter()
        .find(|(k, r)| k.starts_with("VpcPrivateSubnet3Subnet") && r["Type"] == "AWS::EC2::Subnet")
        .unwrap();
    assert_eq!(last["Properties"]["CidrBlock"], "10.0.160.0/19");
    assert_eq!(
        last["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [2, {"Fn::GetAZs": ""}]})
    );
}

#[test]
fn imported_groups_that_allow_all_outbound_get_no_egress_rules() {
    let (mut app, s, vpc) = sg_app();
    let existing =
        SecurityGroup::from_security_group_id(&mut app, s, "Existing", "sg-123", true).unwrap();
    let closed =
        SecurityGroup::from_security_group_id(&mut app, s, "Closed", "sg-456", false).unwrap();
    let web = SecurityGroup::new(&mut app, s, "Web", &vpc, SecurityGroupProps::default()).unwrap();
    web.connections(&app)
        .allow_from(&mut app, &existing, Port::tcp(80), "from existing")
        .unwrap();
    web.connections(&app)
        .allow_from(&mut app, &closed, Port::tcp(81), "from closed")
        .unwrap();
    let res = resources(&mut app);
    let egress = of_type(&res, "AWS::EC2::SecurityGroupEgress");
    assert_eq!(egress.len(), 1);
    assert_eq!(egress[0].1["Properties"]["GroupId"], "sg-456");
    assert_eq!(egress[0].1["Properties"]["FromPort"], 81);
    let ingress = of_type(&res, "AWS::EC2::SecurityGroupIngress");
    let mut sources: Vec<&str> = ingress
        .iter()
        .map(|(_, r)| r["Properties"]["SourceSecurityGroupId"].as_str().unwrap())
        .collect();
    sources.sort();
    assert_eq!(sources, ["sg-123", "sg-456"]);
}
