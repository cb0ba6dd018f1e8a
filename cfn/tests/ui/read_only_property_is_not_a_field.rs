use berth_cfn::ecs::CfnCluster;

fn main() {
    // `Arn` is a read-only property of AWS::ECS::Cluster: an attribute, not an input.
    let _ = CfnCluster {
        arn: Some("arn:aws:ecs:eu-west-1:123456789012:cluster/x".into()),
        ..Default::default()
    };
}
