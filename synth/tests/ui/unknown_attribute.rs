use berth_synth::cfn::ecs::CfnCluster;
use berth_synth::resource::ResourceRef;
use berth_synth::value::ElementId;

fn main() {
    let cluster = ResourceRef::<CfnCluster>::new(ElementId(1));
    // AWS::ECS::Cluster has the attribute `Arn`, not `ClusterArn`.
    let _ = cluster.attr_cluster_arn();
}
