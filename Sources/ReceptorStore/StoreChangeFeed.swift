import Foundation

/// What tells a running listener that its store may have changed: inotify on an SQLite store's files, or
/// LISTEN/NOTIFY on a PostgreSQL store. A wake-up is only a hint: the listener then reads the generation and
/// reloads the snapshot when it moved, so a lost, late or merged wake-up costs nothing but time, and a feed
/// wakes the listener after every (re)connection so that a change missed meanwhile is caught up.
public protocol StoreChangeFeed: AnyObject, Sendable {
    /// Starts following the store; `wake` may run on any thread. False when the feed can't run here (the
    /// listener then follows the store by polling alone).
    func start(wake: @escaping @Sendable () -> Void) -> Bool
    /// Stops following (a wake-up already under way may still arrive; it is only a hint).
    func stop()
    /// Since when the store has been unreachable (nil while it is reached). The listener reads nothing from the
    /// store meanwhile, keeps its last good configuration, and says so in its status.
    var unreachableSince: Date? { get }
    /// How often the listener also polls the generation while the feed runs (nil: the listener's own interval).
    var pollInterval: Duration? { get }
}
