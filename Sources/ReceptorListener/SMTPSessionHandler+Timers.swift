import Foundation
import NIOCore
import ReceptorSMTP

/// Time in a session: the tarpit (TarpitInterval and AuthTarpitInterval hold back the replies that follow a
/// `.delay`) and the deadline timer for ConnectionTimeout and ConnectionInactivityTimeout.
extension SMTPSessionHandler {
    /// Holds back `rest` (the actions after a `.delay`) for `seconds`; input that arrives meanwhile waits too,
    /// unless a STARTTLS the engine accepted is among the held-back actions: then it is discarded at once.
    /// The session's deadlines still run: a tarpit never outlasts ConnectionTimeout or
    /// ConnectionInactivityTimeout.
    func beginDelay(seconds: Int, deferring rest: ArraySlice<SessionAction>, context: ChannelHandlerContext) {
        services.events.count(configuration.connectorID) { $0.tarpitted += 1 }
        delaying = true
        delayedActions = Array(rest)
        if delayedActions.contains(.startTLS) { discardInputUntilHandshake() }
        context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [weak self] in self?.endDelay() }
    }

    /// The tarpit delay is over: the held-back actions run, then the input that arrived meanwhile.
    func endDelay() {
        delaying = false
        // The session ended meanwhile (a timeout, a drained connector): what it held back goes nowhere.
        guard !closing else {
            delayedActions = []
            delayedInput = []
            return
        }
        let pending = delayedActions
        delayedActions = []
        run(pending)
        if !delaying, !delayedInput.isEmpty {
            let input = delayedInput
            delayedInput = []
            run(connection.receive(input, at: Date()))
        }
    }

    /// Timeouts (ConnectionTimeout, ConnectionInactivityTimeout) come from the engine's next deadline.
    /// Keeps one timer for the session's next deadline. A pending timer due no later than the deadline is
    /// kept: the inactivity deadline moves later with every command, and a timer that fires early finds
    /// nothing due in the engine and schedules the next one, so most commands schedule nothing.
    func scheduleDeadline() {
        guard let context, !closed else {
            deadlineTimer?.cancel()
            deadlineTimer = nil
            return
        }
        if connection.isClosed {
            // The engine ended the session; the connection closes once the last reply is written, which a
            // client that never reads holds off for good. The pending timer stays (`finish()` cancels it) and
            // closes the connection should it fire first; without one, it gets ConnectionInactivityTimeout.
            if deadlineTimer == nil { armTimer(in: TimeInterval(configuration.connector.connectionInactivityTimeout.seconds), context: context) }
            return
        }
        // No deadline while a delivery waits for its sync: a pending timer stays rather than being cancelled
        // and scheduled again around every message; should it fire meanwhile, the session ignores it and the
        // next burst of work arms the next one.
        guard let deadline = connection.nextDeadline else { return }
        if deadlineTimer != nil, let pending = timerDue, pending <= deadline { return }
        deadlineTimer?.cancel()
        timerDue = deadline
        armTimer(in: max(0, deadline.timeIntervalSinceNow), context: context)
    }

    private func armTimer(in delay: TimeInterval, context: ChannelHandlerContext) {
        deadlineTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000) + 5)) { [weak self] in
            guard let self else { return }
            self.deadlineTimer = nil
            guard !self.closed else { return }
            guard !self.connection.isClosed else {
                // Ended, and its last reply still not written: the client does not read. Close regardless.
                self.context?.close(promise: nil)
                return
            }
            self.run(self.connection.handle(.timer, at: Date()))
        }
    }
}
