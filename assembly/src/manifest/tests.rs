use super::*;
use crate::json::write::to_vec_pretty;
use serde_json::json;

fn stack(name: &str, deps: Vec<String>, tags: &[(&str, &str)]) -> Artifact<'static> {
    Artifact {
        kind: STACK_ARTIFACT.into(),
        environment: Some("aws://unknown-account/unknown-region".into()),
        properties: Some(ArtifactProperties::Stack(StackProperties {
            template_file: format!("{name}.template.json"),
            stack_name: Some(name.into()),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            description: Some("a \"quoted\" description".into()),
            parameters: IndexMap::new(),
            termination_protection: Some(true),
        })),
        dependencies: deps,
        metadata: Some(Metadata::Entries(
            [(
                format!("/{name}/Queue"),
                vec![MetadataEntry::logical_id("Queue".into())],
            )]
            .into(),
        )),
        display_name: Some(name.into()),
    }
}

fn manifest() -> Manifest<'static> {
    Manifest {
        version: MANIFEST_VERSION.into(),
        artifacts: [
            (
                "Tree".to_string(),
                Artifact::file(TREE_ARTIFACT, "tree.json"),
            ),
            (
                "Base".to_string(),
                stack("Base", vec![], &[("b", "2"), ("a", "1")]),
            ),
            (
                "Web.assets".to_string(),
                Artifact::file(ASSET_MANIFEST_ARTIFACT, asset_manifest_file_name("Web")),
            ),
            (
                "Web".to_string(),
                stack("Web", vec!["Base".into(), "Web.assets".into()], &[]),
            ),
        ]
        .into(),
    }
}

#[test]
fn the_manifest_written_in_parts_is_the_whole_one_and_reads_back() {
    let m = manifest();
    let whole = to_vec_pretty(&m).unwrap();
    // serde_json writes the same bytes for what they hold.
    let reparsed: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(
        format!("{}\n", serde_json::to_string_pretty(&reparsed).unwrap()).into_bytes(),
        whole
    );
    // In parts, one artifact or two at a time.
    let mut w = ManifestWriter::new(Vec::new(), MANIFEST_VERSION).unwrap();
    let all: Vec<(&str, &Artifact)> = m.artifacts.iter().map(|(k, v)| (k.as_str(), v)).collect();
    w.artifacts(&artifacts_part(all[..1].iter().copied()).unwrap())
        .unwrap();
    w.artifacts(&artifacts_part([]).unwrap()).unwrap();
    w.artifacts(&artifacts_part(all[1..].iter().copied()).unwrap())
        .unwrap();
    assert_eq!(w.finish().unwrap(), whole);
    let empty = ManifestWriter::new(Vec::new(), MANIFEST_VERSION)
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(
        empty,
        to_vec_pretty(&json!({"version": MANIFEST_VERSION, "artifacts": {}})).unwrap()
    );

    let back: Manifest = serde_json::from_slice(&whole).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.artifacts["Tree"].file_property(), Some("tree.json"));
    assert_eq!(
        back.artifacts["Web"]
            .stack_properties()
            .unwrap()
            .template_file,
        "Web.template.json"
    );
    // What berth leaves out is not written.
    assert_eq!(
        reparsed["artifacts"]["Tree"],
        json!({"type": "cdk:tree", "properties": {"file": "tree.json"}})
    );
    assert!(reparsed["artifacts"]["Base"].get("dependencies").is_none());
}

#[test]
fn logical_ids_are_written_as_their_entries() {
    let ids = [
        ("Web/Queue".to_string(), "Queue".to_string()),
        ("Web/A/B".to_string(), "AB12".to_string()),
    ];
    let borrowed = Metadata::LogicalIds(&ids);
    let entries = Metadata::Entries(borrowed.entries());
    assert_eq!(
        to_vec_pretty(&borrowed).unwrap(),
        to_vec_pretty(&entries).unwrap()
    );
    assert_eq!(borrowed, entries);
    assert_eq!(
        serde_json::to_value(&borrowed).unwrap(),
        json!({"/Web/Queue": [{"type": "aws:cdk:logicalId", "data": "Queue"}],
               "/Web/A/B": [{"type": "aws:cdk:logicalId", "data": "AB12"}]})
    );
}

#[test]
fn artifacts_of_other_kinds_keep_their_properties() {
    let text = r#"{"version": "36.0.0", "artifacts": {
        "Nested": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "n"}},
        "Bare": {"type": "aws:cloudformation:stack"}
    }}"#;
    let m: Manifest = serde_json::from_str(text).unwrap();
    assert_eq!(
        m.artifacts["Nested"].properties,
        Some(ArtifactProperties::Other(json!({"directoryName": "n"})))
    );
    assert!(m.artifacts["Bare"].stack_properties().is_none());
}

fn schema(file: &str) -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas/cloud-assembly")
        .join(file);
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn manifests_and_asset_manifests_follow_cdks_schemas() {
    let m: serde_json::Value = serde_json::to_value(manifest()).unwrap();
    let errors: Vec<String> = schema("cloud-assembly.schema.json")
        .iter_errors(&m)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let assets = AssetManifest {
        version: MANIFEST_VERSION.into(),
        docker_images: [(
            "a".repeat(64),
            DockerImage {
                display_name: Some("Web/Image".into()),
                source: DockerImageSource {
                    directory: asset_directory_name(&"a".repeat(64)),
                    docker_file: Some("Dockerfile".into()),
                    docker_build_args: [("A".into(), "1".into())].into(),
                    docker_build_target: Some("runtime".into()),
                    platform: Some("linux/arm64".into()),
                },
                destinations: [(
                    CURRENT_ACCOUNT_REGION.into(),
                    DockerImageDestination {
                        repository_name: "repo".into(),
                        image_tag: "a".repeat(64),
                    },
                )]
                .into(),
            },
        )]
        .into(),
    };
    let v = serde_json::to_value(&assets).unwrap();
    let errors: Vec<String> = schema("assets.schema.json")
        .iter_errors(&v)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let back: AssetManifest = serde_json::from_slice(&to_vec_pretty(&assets).unwrap()).unwrap();
    assert_eq!(back, assets);
}
