import CLinuxFiles
import Foundation
import NIOCore
import ReceptorControl
#if canImport(Glibc)
    import Glibc
#endif

/// A message's files, written under sealed scratch names (see `ScratchSeal`) but not yet durable nor
/// visible, and the final names that make it visible.
struct StagedMessage {
    /// Open descriptors of the files written (the per-file mode fsyncs them), closed after the first sync.
    var files: [(fd: Int32, what: String)] = []
    /// In order, once the scratch files are durable: the final name of each. A relayed message's envelope
    /// comes last: a queue runner reads it as the message's commit record.
    var links: [(scratch: String, final: String)] = []
    /// Folders that hold the scratch names (made durable with the contents) and the final names (made
    /// durable by the next round's sync, after the `250`).
    var scratchFolders: Set<String> = []
    var finalFolders: Set<String> = []
    /// The scratch names: removed once the final names are durable, or as soon as the message fails.
    var scratch: [String] = []

    /// Gives every copy its final name; if one can't be given, takes back those already given.
    func publish() throws {
        var given: [String] = []
        do {
            for link in links {
                try DurableFile.link(link.scratch, as: link.final)
                given.append(link.final)
            }
        } catch {
            for path in given { unlink(path) }
            throw error
        }
    }

    func close() { for file in files { Glibc.close(file.fd) } }

    /// The same message once its descriptors are closed.
    var withoutFiles: StagedMessage { var copy = self; copy.files = []; return copy }
    func discardScratch() { for path in scratch { unlink(path) } }
}

/// Group commit for accepted messages. The `250` after DATA waits for its message to be durable; instead of
/// fsyncs per message (file, then folder) from many threads, a writer thread writes messages as they come and
/// a syncer thread syncs once per round, overlapping the writer. A round's sync makes durable everything
/// written since the last round (contents and sealed scratch names); then those messages get their final
/// names and are reported durable, one sync per message, shared by every session waiting meanwhile. The next
/// round's sync also covers those final names; only then are the scratch names removed.
///
/// Ordering is what keeps a crash safe. A final name is given only once its contents are durable, so a final
/// name that survives a crash always refers to a whole message. A crash that takes a final name with it
/// (given, `250` sent, not yet synced) leaves the durable scratch file, whose seal proves it whole; recovery
/// at the next start gives it its final name (`MessageStore.recoverInterruptedDeliveries`). A scratch file a
/// crash cut short fails its seal and is removed: its `250` was never sent, and the client retries
/// (at-least-once, like every MTA).
///
/// `Mode.fileSystem` (the default) syncs with `syncfs(2)`, which also writes back whatever else is dirty on
/// that file system: give the data directory a file system of its own where other programs write a lot, or
/// use `Mode.perFile` (`receptor listen --sync file`), which fsyncs each file and folder of the round.
public final class GroupCommit: @unchecked Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case fileSystem = "filesystem"
        case perFile = "file"
    }

    public typealias Completion = @Sendable (Result<Void, Error>) -> Void
    private struct Job {
        let stage: () throws -> StagedMessage
        let done: Completion
        /// Where `done` runs: on this event loop, or on the syncer's thread when nil.
        let loop: EventLoop?
        /// When it was submitted (monotonic nanoseconds), for the wait before the `250`.
        let submitted = DispatchTime.now().uptimeNanoseconds

        /// Reports an outcome on its own (failures, and jobs without an event loop).
        func report(_ result: Result<Void, Error>) {
            let done = self.done
            if let loop { loop.execute { done(result) } } else { done(result) }
        }
    }

    /// A batch's bound, and how many written messages may wait for a sync: each holds a descriptor until
    /// the sync.
    static let maximumBatch = 256
    /// The threads end after this long without work and start again with the next message.
    private static let idleExit: TimeInterval = 10
    /// How long final names wait for the next round's sync before they get one of their own (and their
    /// scratch names can go). Tests lengthen it before the first message.
    var namesDelay: TimeInterval = 0.05

    public let mode: Mode
    /// Guards the state below; the writer waits on `.first`, the syncer on `.second`.
    private let monitor = WaitPair()
    /// Submitted, not yet written.
    private var waiting: [Job] = []
    /// Written, contents not yet durable.
    private var written: [(job: Job, message: StagedMessage)] = []
    private var writerRunning = false
    private var syncerRunning = false

    /// Durable delivery so far: messages, syncs, how long they took (`receptor status`, the control socket).
    public var statistics: DeliveryStatistics { monitor.lock(); defer { monitor.unlock() }; return delivered }
    private var delivered: DeliveryStatistics

    /// Batches and messages taken so far (for tests and the curious).
    var counts: (batches: Int, messages: Int) { monitor.lock(); defer { monitor.unlock() }; return (batches, messages) }
    private var batches = 0
    private var messages = 0

    /// Testing hook, called on the syncer thread before each sync with the number of messages whose contents
    /// and whose final names it is about to make durable.
    var beforeSync: ((_ contents: Int, _ names: Int) -> Void)?

    // The syncer thread's own state (no lock: only that thread touches it).
    private var deviceOfFolder: [String: UInt64] = [:]
    private static let folderMemory = 10_000
    private var syncTargetOfDevice: [UInt64: Int32] = [:]

    public init(mode: Mode = .fileSystem) {
        self.mode = mode
        delivered = DeliveryStatistics(syncMode: mode.rawValue)
    }

    deinit {
        for fd in syncTargetOfDevice.values { Glibc.close(fd) }
    }

    /// Queues a message: `stage` writes its files (on the writer thread), `done` hears when it is durable
    /// and visible, or why not.
    /// With `loop`, `done` runs on that event loop, and a round's outcomes for one loop go there together: one
    /// hop (one wake-up of the loop) per loop and round rather than one per message.
    func submit(stage: @escaping () throws -> StagedMessage, on loop: EventLoop? = nil, done: @escaping Completion) {
        monitor.lock()
        waiting.append(Job(stage: stage, done: done, loop: loop))
        let start = ensureRunning(&writerRunning)
        monitor.unlock()
        if start { Thread { [self] in runWriter() }.start() } else { monitor.signal(Self.writer) }
    }

    private static let writer = WaitPair.Party.first
    private static let syncer = WaitPair.Party.second

    /// With the lock held: whether the thread must be started (it ends when idle); marks it running.
    private func ensureRunning(_ running: inout Bool) -> Bool {
        if running { return false }
        running = true
        return true
    }

    /// `submit`, waiting for the outcome.
    func commit(stage: @escaping () throws -> StagedMessage) throws {
        final class Outcome: @unchecked Sendable {
            var result: Result<Void, Error>?
            let done = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        submit(stage: stage) { result in
            outcome.result = result; outcome.done.signal()
        }
        outcome.done.wait()
        try outcome.result!.get()
    }

    /// Writes messages as they come, while the syncer's sync runs: the two overlap.
    private func runWriter() {
        // Foundation does not name the system thread on Linux; `top -H` and perf should show what it is.
        _ = receptor_name_this_thread("receptor-write")
        while true {
            monitor.lock()
            // Waits for work, and for room: the syncer bounds how many written messages may wait. (A fresh
            // deadline for each wait: a stale one would make a writer that waits for room spin.)
            while waiting.isEmpty || written.count >= Self.maximumBatch {
                if !monitor.wait(Self.writer, until: .after(Self.idleExit)) && waiting.isEmpty {
                    writerRunning = false
                    monitor.unlock()
                    return
                }
            }
            let batch = Array(waiting.prefix(Self.maximumBatch - written.count))
            waiting.removeFirst(batch.count)
            batches += 1
            messages += batch.count
            monitor.unlock()

            var staged: [(job: Job, message: StagedMessage)] = []
            var failed: [(job: Job, error: Error)] = []
            for job in batch {
                do { staged.append((job, try job.stage())) } catch { failed.append((job, error)) }
            }
            if !failed.isEmpty {
                // Counted before they are reported: whoever hears of a failure finds it in the statistics.
                monitor.lock()
                delivered.failures += Int64(failed.count)
                monitor.unlock()
                for f in failed { f.job.report(.failure(f.error)) }
            }
            guard !staged.isEmpty else { continue }
            monitor.lock()
            written.append(contentsOf: staged)
            let start = ensureRunning(&syncerRunning)
            monitor.unlock()
            if start { Thread { [self] in runSyncer() }.start() } else { monitor.signal(Self.syncer) }
        }
    }

    /// One sync per round: it makes durable the contents and scratch names of everything written since the
    /// last round, and the final names given in the last round. Then the last round's scratch names go, and the
    /// new messages get their final names and are reported durable.
    private func runSyncer() {
        _ = receptor_name_this_thread("receptor-sync")
        // Reported durable; their final names wait for this round's sync before the scratch names go.
        var named: [StagedMessage] = []
        while true {
            monitor.lock()
            // The last round's final names ride on the next round's sync: they need not be durable before the
            // 250 (their scratch files are), so waiting a little for new contents saves a sync of their own.
            let namesDeadline = WaitPair.Deadline.after(namesDelay)
            while written.isEmpty {
                if named.isEmpty {
                    if !monitor.wait(Self.syncer, until: .after(Self.idleExit)) && written.isEmpty {
                        syncerRunning = false
                        monitor.unlock()
                        return
                    }
                } else if !monitor.wait(Self.syncer, until: namesDeadline) && written.isEmpty {
                    break  // no new message came: the names get a sync of their own
                }
            }
            let staged = written
            written = []
            monitor.unlock()
            // Room for the writer, if it waited for some (only then: a writer waiting for work would wake for
            // nothing, a futex call and two context switches per round).
            if staged.count >= Self.maximumBatch { monitor.signal(Self.writer) }

            let syncStart = DispatchTime.now().uptimeNanoseconds
            do {
                try sync(contentsOf: staged.map(\.message), namesOf: named)
            } catch {
                record(sync: syncStart, durable: [], failures: staged.count)
                for s in staged { s.message.close(); s.message.discardScratch(); s.job.report(.failure(error)) }
                // Already acknowledged: their scratch names stay, so that recovery at the next start can give
                // the final names again should they be lost (trying again here could spin on a failing disk).
                for n in named { n.close() }
                named = []
                continue
            }
            // The new messages first: their sessions wait for the 250, the scratch names of the last round can wait.
            let synced = named
            named = []
            let syncEnd = DispatchTime.now().uptimeNanoseconds
            var durable = LoopOutcomes()
            var submitted: [UInt64] = []
            submitted.reserveCapacity(staged.count)
            var unnamed: [(job: Job, error: Error)] = []
            for s in staged {
                do {
                    try s.message.publish()
                    durable.add(s.job)
                    submitted.append(s.job.submitted)
                    // Only the per-file mode needs the descriptors again: naming changed each file's link count.
                    if mode == .fileSystem { s.message.close() }
                    named.append(mode == .fileSystem ? s.message.withoutFiles : s.message)
                } catch {
                    s.message.close()
                    s.message.discardScratch()
                    unnamed.append((s.job, error))
                }
            }
            // Counted before they are reported: whoever hears of an outcome finds it in the statistics.
            record(sync: syncStart, ended: syncEnd, durable: submitted, failures: unnamed.count)
            durable.report()
            for u in unnamed { u.job.report(.failure(u.error)) }
            for n in synced { n.close(); n.discardScratch() }
        }
    }

    /// Adds a round to the statistics: its sync (started at `start`, ended at `end` or now), the submission
    /// times of the messages it made durable, and how many failed.
    private func record(sync start: UInt64, ended end: UInt64? = nil, durable submitted: [UInt64], failures: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        let sync = Double((end ?? now) - start) / 1e9
        var waited = 0.0, longest = 0.0
        for time in submitted {
            let wait = Double(now - min(time, now)) / 1e9
            waited += wait
            longest = max(longest, wait)
        }
        monitor.lock()
        delivered.syncs += 1
        delivered.syncSeconds += sync
        delivered.longestSync = max(delivered.longestSync, sync)
        delivered.messages += Int64(submitted.count)
        delivered.failures += Int64(failures)
        delivered.waitSeconds += waited
        delivered.longestWait = max(delivered.longestWait, longest)
        monitor.unlock()
    }

    /// A round's successful outcomes, gathered per event loop so that each loop is woken once for them all.
    /// Jobs without a loop are held too, not told at once: like the others, they hear only once the round is in
    /// the statistics (`commit` returned before its message was counted, and a test that read the statistics
    /// right after found one message missing).
    private struct LoopOutcomes {
        private var groups: [(loop: EventLoop, done: [Completion])] = []
        private var direct: [Completion] = []

        mutating func add(_ job: Job) {
            guard let loop = job.loop else { return direct.append(job.done) }
            // A handful of loops (one per core): a linear search beats hashing.
            if let i = groups.firstIndex(where: { $0.loop === loop }) {
                groups[i].done.append(job.done)
            } else {
                groups.append((loop, [job.done]))
            }
        }

        func report() {
            for done in direct { done(.success(())) }
            for group in groups {
                let done = group.done
                group.loop.execute { for d in done { d(.success(())) } }
            }
        }
    }

    /// Makes the new messages' contents and scratch names, and the named messages' final names, durable, with
    /// one sync where it can.
    private func sync(contentsOf staged: [StagedMessage], namesOf named: [StagedMessage]) throws {
        beforeSync?(staged.count, named.count)
        switch mode {
        case .fileSystem:
            try syncFileSystems(of: Set(staged.flatMap(\.scratchFolders)).union(named.flatMap(\.finalFolders)))
        case .perFile:
            // Each new file's contents, and each named file's inode again (its link count changed); then the
            // folders that hold the new scratch names and the new final names.
            for message in staged + named { for file in message.files { try DurableFile.sync(file.fd, what: file.what) } }
            for folder in Set(staged.flatMap(\.scratchFolders)).union(named.flatMap(\.finalFolders)) {
                let fd = try DurableFile.openFolder(folder)
                defer { Glibc.close(fd) }
                try DurableFile.sync(fd, what: folder)
            }
        }
    }

    /// One syncfs per file system the batch's folders lie on (usually one: the data directory's).
    private func syncFileSystems(of folders: Set<String>) throws {
        var devices: [UInt64: String] = [:]
        for folder in folders {
            devices[try device(of: folder)] = folder
        }
        for (device, folder) in devices {
            let fd: Int32
            if let known = syncTargetOfDevice[device] {
                fd = known
            } else {
                fd = try DurableFile.openFolder(folder)
                syncTargetOfDevice[device] = fd
            }
            try DurableFile.syncFileSystem(fd, what: folder)
        }
    }

    private func device(of folder: String) throws -> UInt64 {
        if let known = deviceOfFolder[folder] { return known }
        // A cache, not a record: one entry per mailbox folder ever synced would grow with every new mailbox.
        if deviceOfFolder.count >= Self.folderMemory { deviceOfFolder.removeAll(keepingCapacity: true) }
        var info = stat()
        guard stat(folder, &info) == 0 else { throw DurableFile.failure("can't stat \(folder)") }
        let device = UInt64(info.st_dev)
        deviceOfFolder[folder] = device
        return device
    }
}
