use berth_cfn::ecs::CfnCluster;
use berth_cfn::resource::ResourceRef;
use berth_cfn::value::ElementId;

fn main() {
    let cluster = ResourceRef::<CfnCluster>::new(ElementId(1));
    // AWS::ECS::Cluster has the attribute `Arn`, not `ClusterArn`.
    let _ = cluster.attr_cluster_arn();
}
