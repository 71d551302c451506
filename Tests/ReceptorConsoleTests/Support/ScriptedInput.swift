import ReceptorConsole

/// A `TerminalInput` for tests: a queue of events, handed out in order; nil once it is empty, which the
/// console's run loop takes as "no key within the timeout" (its turn then only polls the store).
final class ScriptedInput: TerminalInput {
    private var queue: [KeyEvent]
    private var next = 0
    /// How many times `nextEvent` found the queue empty: the "idle" signal a test can wait for.
    private(set) var emptyPolls = 0

    init(_ events: [KeyEvent] = []) {
        self.queue = events
    }

    /// Events not yet handed out.
    var remaining: [KeyEvent] { Array(queue[next...]) }
    var isEmpty: Bool { next == queue.count }

    func append(_ event: KeyEvent) {
        queue.append(event)
    }

    func append(contentsOf events: [KeyEvent]) {
        queue.append(contentsOf: events)
    }

    /// Appends one `.character` event per character of `text`.
    func type(_ text: String) {
        queue.append(contentsOf: text.map { KeyEvent.character($0) })
    }

    func nextEvent(timeoutMilliseconds: Int) -> KeyEvent? {
        guard next < queue.count else {
            emptyPolls += 1
            return nil
        }
        defer { next += 1 }
        return queue[next]
    }
}
