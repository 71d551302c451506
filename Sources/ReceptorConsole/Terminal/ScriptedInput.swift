/// A `TerminalInput` for tests: a queue of events, handed out in order; nil once it is empty (the app loop
/// treats nil as "no key within the timeout", so a test's loop ends when its script is used up).
public final class ScriptedInput: TerminalInput {
    private var queue: [KeyEvent]
    private var next = 0
    /// How many times `nextEvent` found the queue empty: the "idle" signal a test can wait for.
    public private(set) var emptyPolls = 0

    public init(_ events: [KeyEvent] = []) {
        self.queue = events
    }

    /// Events not yet handed out.
    public var remaining: [KeyEvent] { Array(queue[next...]) }
    public var isEmpty: Bool { next == queue.count }

    public func append(_ event: KeyEvent) {
        queue.append(event)
    }

    public func append(contentsOf events: [KeyEvent]) {
        queue.append(contentsOf: events)
    }

    /// Appends one `.character` event per character of `text`.
    public func type(_ text: String) {
        queue.append(contentsOf: text.map { KeyEvent.character($0) })
    }

    public func nextEvent(timeoutMilliseconds: Int) -> KeyEvent? {
        guard next < queue.count else {
            emptyPolls += 1
            return nil
        }
        defer { next += 1 }
        return queue[next]
    }
}
