import CLinuxFiles

/// The allocator's settings for a command that runs and exits (`shell`, `status`, `init`, `store`).
///
/// Their work runs on a thread of Swift's concurrency pool, which glibc gives an arena of its own; such an arena
/// grows by an `mprotect` call for each few pages, and a command over 10,000 connectors makes thousands of them
/// (with the page faults behind them, ~15% of a `Test-ReceiveConnector`). One arena, grown 32 MB at a time,
/// takes 4–5 ms off such a command (bench/shell-startup.sh). The listener and the console keep glibc's
/// defaults: they live long, and their threads allocate at once.
enum AllocatorTuning {
    static let shortLivedCommands: Set<String> = ["shell", "status", "init", "store"]

    /// Call first thing, before any thread starts.
    static func apply(arguments: [String]) {
        guard arguments.count > 1, shortLivedCommands.contains(arguments[1]) else { return }
        receptor_one_malloc_arena(32 << 20)
    }
}
