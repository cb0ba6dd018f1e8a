use super::*;
use crate::ec2::{Vpc, VpcProps};
use crate::iam::{Role, RoleProps};
use crate::kms::KeyProps;
use crate::{Stack, StackProps};

fn setup() -> (App, Stack, Vpc) {
    let mut app = App::new();
    let s = Stack::new(&mut app, "Storage", StackProps::default()).unwrap();
    let vpc = Vpc::new(&mut app, s, "Vpc", VpcProps::default()).unwrap();
    (app, s, vpc)
}

#[test]
fn mount_targets_are_named_after_their_subnets_and_the_name_tag_lands_in_file_system_tags() {
    let (mut app, s, vpc) = setup();
    let fs = FileSystem::new(&mut app, s, "Shared", FileSystemProps::new(vpc)).unwrap();
    let targets = fs.mount_targets(&app);
    let paths: Vec<String> = targets.iter().map(|t| app.path(t.id())).collect();
    assert_eq!(
        paths,
        [
            "Storage/Shared/EfsMountTarget-PrivateSubnet1",
            "Storage/Shared/EfsMountTarget-PrivateSubnet2"
        ]
    );
    let out = app.synth().unwrap();
    let res = &out.stacks[0].template["Resources"];
    let props = &res["SharedDACC02AA"]["Properties"];
    assert_eq!(
        props["FileSystemTags"],
        serde_json::json!([{"Key": "Name", "Value": "Storage/Shared"}])
    );
    assert!(props.get("Tags").is_none());
    // Anonymous access is denied: only IAM-authenticated clients through a mount target.
    let st = &props["FileSystemPolicy"]["Statement"][0];
    assert_eq!(
        st["Action"],
        serde_json::json!([
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess"
        ])
    );
    assert_eq!(
        st["Condition"]["Bool"]["elasticfilesystem:AccessedViaMountTarget"],
        "true"
    );
    assert_eq!(res["SharedDACC02AA"]["UpdateReplacePolicy"], "Retain");
}

#[test]
fn throughput_and_encryption_settings_are_checked() {
    let (mut app, s, vpc) = setup();
    let cases = [
        (
            FileSystemProps::new(vpc).throughput_mode(ThroughputMode::Provisioned),
            "Storage/F: provisioned_throughput_mibps: provisioned throughput mode needs provisioned_throughput_mibps",
        ),
        (
            FileSystemProps::new(vpc).provisioned_throughput_mibps(10.0),
            "Storage/F: provisioned_throughput_mibps: a provisioned throughput needs throughput_mode Provisioned",
        ),
        (
            FileSystemProps::new(vpc)
                .throughput_mode(ThroughputMode::Elastic)
                .performance_mode(PerformanceMode::MaxIo),
            "Storage/F: throughput_mode: elastic throughput does not work with the max I/O performance mode; use general purpose",
        ),
    ];
    for (props, message) in cases {
        let err = FileSystem::new(&mut app, s, "F", props).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let key = Key::new(&mut app, s, "Key", KeyProps::default()).unwrap();
    let err = FileSystem::new(
        &mut app,
        s,
        "F",
        FileSystemProps::new(vpc).encrypted(false).kms_key(key),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Storage/F: kms_key: a KMS key needs encrypted = true"
    );
    FileSystem::new(
        &mut app,
        s,
        "F",
        FileSystemProps::new(vpc)
            .kms_key(key)
            .throughput_mode(ThroughputMode::Elastic)
            .transition_to_archive_policy(LifecyclePolicy::After90Days)
            .out_of_infrequent_access_policy(OutOfInfrequentAccessPolicy::After1Access)
            .enable_automatic_backups(true),
    )
    .unwrap();
    let out = app.synth().unwrap();
    let props = out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EFS::FileSystem")
        .unwrap()["Properties"]
        .clone();
    assert_eq!(props["ThroughputMode"], "elastic");
    assert_eq!(props["BackupPolicy"]["Status"], "ENABLED");
    assert_eq!(
        props["LifecyclePolicies"],
        serde_json::json!([{"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}, {"TransitionToArchive": "AFTER_90_DAYS"}])
    );
}

#[test]
fn grants_give_client_actions_through_a_mount_target() {
    let (mut app, s, vpc) = setup();
    let fs = FileSystem::new(&mut app, s, "Shared", FileSystemProps::new(vpc)).unwrap();
    let role = Role::new(
        &mut app,
        s,
        "Role",
        RoleProps::new(Principal::service("ecs-tasks.amazonaws.com")),
    )
    .unwrap();
    assert_eq!(
        fs.grant_read(&mut app, &role).unwrap().actions(),
        ["elasticfilesystem:ClientMount"]
    );
    assert_eq!(
        fs.grant_root_access(&mut app, &role).unwrap().actions(),
        [CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT_ACCESS]
    );
    let out = app.synth().unwrap();
    let st = &out.stacks[0].template["Resources"]["RoleDefaultPolicy5FFB7DAB"]["Properties"]
        ["PolicyDocument"]["Statement"][0];
    assert_eq!(
        st["Condition"]["Bool"]["elasticfilesystem:AccessedViaMountTarget"],
        "true"
    );
    assert_eq!(
        st["Resource"]["Fn::GetAtt"],
        serde_json::json!(["SharedDACC02AA", "Arn"])
    );
}

#[test]
fn access_points_check_their_path_and_permissions() {
    let (mut app, s, vpc) = setup();
    let fs = FileSystem::new(&mut app, s, "Shared", FileSystemProps::new(vpc)).unwrap();
    let err = fs
        .add_access_point(&mut app, "A", AccessPointOptions::default().path("data"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Storage/Shared/A: path: the root directory must be an absolute path of at most 4 directories and 100 characters, none starting with a dot, got \"data\""
    );
    let err = fs
        .add_access_point(
            &mut app,
            "A",
            AccessPointOptions::default().path("/a/b/c/d/e"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("at most 4 directories"), "{err}");
    let err = fs
        .add_access_point(
            &mut app,
            "A",
            AccessPointOptions::default().create_acl(Acl::new(1000, 1000, "rwx")),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Storage/Shared/A: create_acl.permissions: permissions are an octal mode of 3 or 4 digits (e.g. 755), got \"rwx\""
    );
    let ap = fs
        .add_access_point(
            &mut app,
            "Uploads",
            AccessPointOptions::default()
                .path("/uploads")
                .create_acl(Acl::new(1000, 1000, "0750"))
                .posix_user(PosixUser::new(1000, 1000).secondary_gids([2000])),
        )
        .unwrap();
    assert_eq!(ap.file_system(), fs);
    let out = app.synth().unwrap();
    let r = &out.stacks[0].template["Resources"]["SharedUploads9DAE6BE0"]["Properties"];
    assert_eq!(r["RootDirectory"]["Path"], "/uploads");
    assert_eq!(r["RootDirectory"]["CreationInfo"]["Permissions"], "0750");
    assert_eq!(r["PosixUser"]["SecondaryGids"], serde_json::json!(["2000"]));
    assert_eq!(
        r["AccessPointTags"],
        serde_json::json!([{"Key": "Name", "Value": "Storage/Shared/Uploads"}])
    );
}

#[test]
fn imported_file_systems_are_never_changed() {
    let (mut app, s, vpc) = setup();
    let sg = SecurityGroup::new(&mut app, s, "Sg", &vpc, SecurityGroupProps::default()).unwrap();
    let fs = FileSystem::from_attributes(
        &mut app,
        s,
        "Legacy",
        FileSystemAttributes {
            file_system_id: "fs-0123456789abcdef0".into(),
            security_group: sg,
            file_system_arn: None,
        },
    )
    .unwrap();
    assert!(!fs.denies_anonymous_access(&app));
    assert!(fs.mount_targets(&app).is_empty());
    assert!(!fs
        .add_to_resource_policy(&mut app, PolicyStatement::allow().action(CLIENT_MOUNT))
        .unwrap());
    assert_eq!(
        app.resolve(fs.file_system_id()),
        Value::from("fs-0123456789abcdef0")
    );
}
