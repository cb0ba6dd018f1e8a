// 4096 MiB is not a memory size Fargate offers with 256 CPU units: the error lists
// the ones it does.
use berth_constructs::fargate_size;

fn main() {
    let _size = fargate_size!(256, 4096);
}
