// 300 CPU units is not a Fargate task size: the error lists the cpu values.
use berth_constructs::fargate_size;

fn main() {
    let _size = fargate_size!(300, 512);
}
