//! A small parallel map for per-stack work.

/// Maps `f` over `items` on the machine's cores, keeping the order: the calling
/// thread and one scoped thread per further core, each taking the next item when it
/// is done with one (items differ in size). The only shared state is the index of the
/// next item; each item's slot is locked once, when a worker takes it. With one core,
/// or one item, `f` runs on the calling thread.
///
/// Synthesis uses it per stack: lowering the construct tree, logical IDs, rendering,
/// serializing.
///
/// ```
/// let squares = berth_synth::par::par_map(vec![1, 2, 3], |n| n * n);
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn par_map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    // Each worker takes the next item when it is done with one: stacks differ in
    // size, and another thread (tree.json) may share a core.
    let n = items.len();
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let (f, slots, next) = (&f, &slots, &next);
    let work = move || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break done;
            }
            let item = slots[i]
                .lock()
                .expect("no worker panicked holding it")
                .take()
                .expect("each item is taken once");
            done.push((i, f(item)));
        }
    };
    // The calling thread is one of the workers: one thread fewer to start, and what
    // it allocates comes from (and goes back to) its own allocator cache.
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut results = work();
        for h in helpers {
            results.extend(h.join().expect("synthesis worker panicked"));
        }
        results
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
