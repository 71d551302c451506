import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Every session holds a socket, so the number of open files bounds the sessions a listener can hold. Linux
/// starts processes with a soft limit of 1,024 whatever the hard limit allows; servers raise the soft limit
/// to the hard one at start (Go's runtime and nginx's worker_rlimit_nofile do the same), or the 1,025th
/// connection fails with EMFILE.
public enum OpenFileLimit {
    public struct Change: Equatable, Sendable {
        public var before: UInt64
        public var after: UInt64
        /// The hard limit, which only root (or the service manager: `LimitNOFILE=` in systemd) can raise.
        public var hard: UInt64
    }

    /// Below this many descriptors the listener warns: connections and Maildir files share them.
    public static let comfortable: UInt64 = 16_384

    /// Raises the soft limit to the hard limit; returns what it was and is, or nil if the limit can't be read.
    public static func raiseToHardLimit() -> Change? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Change(before: before, after: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// What the listener logs about the change: a notice when it raised the limit, a warning when even the
    /// hard limit leaves little room.
    public static func report(_ change: Change) -> (warning: Bool, text: String)? {
        if change.after < comfortable {
            return (
                true,
                "open files are limited to \(change.after) (hard limit \(change.hard)): that bounds the concurrent sessions; raise it with `ulimit -Hn` as root or LimitNOFILE= in the service unit"
            )
        }
        if change.after != change.before {
            return (false, "open-file limit raised from \(change.before) to \(change.after) (one per session)")
        }
        return nil
    }
}
