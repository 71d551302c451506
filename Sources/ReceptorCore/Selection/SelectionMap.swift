import Foundation

/// The whole address space of one endpoint divided by the connector that takes each part: what
/// `ConnectorSelector` would answer for every remote address, computed at once by a sweep over the ranges
/// (sorted range starts and a heap of the ranges in force, best first) instead of asking address by address.
/// O(n log n) in the number of ranges, so the impact preview, the range split and the reachability warning
/// stay fast on a server with thousands of connectors.
public struct SelectionMap<Connector: ConnectorRouting>: Sendable {
    public struct Part: Sendable {
        public let first: UInt128
        public let last: UInt128
        /// Nil: no connector takes these addresses.
        public let connector: Connector?
    }

    public let family: IPAddressFamily
    /// The connectors the map was built from; its spans name them by index (no copies of whole connectors:
    /// with thousands of single-address ranges a map has twice as many parts).
    let connectors: [Connector]
    /// Consecutive, covering the family's whole space, adjacent spans with different connectors.
    let spans: [Span]

    // The sweep's values don't depend on the connector type: they live outside the generic map, so the map's
    // code doesn't look up their generic metadata at run time when it isn't specialized.
    typealias Span = SelectionSpan
    typealias Entry = SelectionEntry
    typealias Heap = SelectionHeap

    /// Consecutive, covering the family's whole space, adjacent parts with different connectors.
    public var parts: [Part] { spans.map(part) }

    func part(_ span: Span) -> Part { Part(first: span.first, last: span.last, connector: span.index.map { connectors[$0] }) }

    /// The connector that takes a span's addresses, if any.
    func connector(_ span: Span) -> Connector? { span.index.map { connectors[$0] } }

    /// The GUID of the connector that takes a span's addresses, if any.
    func guid(_ span: Span) -> UUID? { span.index.map { connectors[$0].guid } }

    /// The map of `localAddress:localPort` (wildcard addresses: the endpoint no connector binds specifically)
    /// for remote addresses of `family`.
    @_specialize(where Connector == ConnectorRoute)
    @_specialize(where Connector == ReceiveConnector)
    public init(connectors: [Connector], localAddress: IPAddress, localPort: Int, family: IPAddressFamily) {
        self.init(connectors: connectors, considering: connectors.indices, localAddress: localAddress, localPort: localPort, family: family)
    }

    /// The same over the connectors at `considered` alone (those bound to the port, say), still naming them by
    /// their index in `connectors`.
    init<S: Sequence<Int>>(
        connectors: [Connector], considering considered: S, localAddress: IPAddress, localPort: Int,
        family: IPAddressFamily
    ) {
        self.family = family
        self.connectors = connectors
        let local = localAddress.unmappedIPv4 ?? localAddress
        // One entry per range of every enabled connector bound to the endpoint, ranked as the selector ranks.
        // Entries name their connector by its index, so the sweep moves small plain values, not connectors.
        var entries: [Entry] = []
        for index in considered {
            let c = connectors[index]
            guard c.enabled, let binding = c.binding(takingLocalAddress: local, port: localPort) else { continue }
            for r in c.remoteIPRanges where r.family == family {
                entries.append(Entry(first: r.first.value, last: r.last.value, span: r.span, wildcard: binding.isWildcard, index: index))
            }
        }
        entries.sort { $0.first < $1.first }
        // Where the winner may change: every range's start and the address after its end.
        var cuts: [UInt128] = [0]
        cuts.reserveCapacity(2 * entries.count + 1)
        for e in entries {
            cuts.append(e.first)
            if e.last < family.maxValue { cuts.append(e.last + 1) }
        }
        cuts.sort()
        var distinct: [UInt128] = []
        distinct.reserveCapacity(cuts.count)
        for cut in cuts where distinct.last != cut { distinct.append(cut) }

        // Names decide only between ranges of one size and binding kind that are in force together — rare — so
        // they are lowered only when such a tie is met (with thousands of connectors, lowering and sorting
        // every name was much of the map's cost).
        var heap = Heap(names: NameOrder(connectors.count) { connectors[$0].name })
        var next = 0
        var spans: [Span] = []
        for (i, start) in distinct.enumerated() {
            while next < entries.count && entries[next].first <= start { heap.push(entries[next]); next += 1 }
            while let top = heap.top, top.last < start { heap.popTop() }
            let end = i + 1 < distinct.count ? distinct[i + 1] - 1 : family.maxValue
            let winner = heap.top?.index
            if let last = spans.last, Self.same(last.index, winner, in: connectors) {
                spans[spans.count - 1].last = end
            } else {
                spans.append(Span(first: start, last: end, index: winner))
            }
        }
        self.spans = spans
    }

    /// The same connector (by GUID), or no connector on both sides.
    private static func same(_ a: Int?, _ b: Int?, in connectors: [Connector]) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): connectors[a].guid == connectors[b].guid
        default: false
        }
    }

    /// The parts that overlap `first...last`, clipped to it.
    public func parts(from first: UInt128, through last: UInt128) -> [Part] {
        spans.compactMap { p in
            guard p.last >= first, p.first <= last else { return nil }
            return Part(first: max(p.first, first), last: min(p.last, last), connector: connector(p))
        }
    }

    public func address(_ value: UInt128) -> IPAddress {
        family == .v4 ? IPAddress(v4: UInt32(value)) : IPAddress(v6: value)
    }
}

/// A stretch of addresses and the index of the connector that takes them (nil: none does).
struct SelectionSpan: Sendable {
    let first: UInt128
    var last: UInt128
    let index: Int?
}

// MARK: The sweep's entries and heap

struct SelectionEntry: Sendable {
    let first: UInt128
    let last: UInt128
    let span: UInt128
    let wildcard: Bool
    /// The connector's index in the list the map was built from.
    let index: Int

    /// The selector's order: the smaller range, then a specific binding, then the name that sorts first
    /// (equal names: neither beats the other).
    func beats(_ other: SelectionEntry, names: NameOrder) -> Bool {
        if span != other.span { return span < other.span }
        if wildcard != other.wildcard { return !wildcard }
        return names.sortsFirst(index, other.index)
    }
}

/// The connectors' names lowered, each the first time a tie needs it.
final class NameOrder {
    private var lowered: [String?]
    private let name: (Int) -> String

    private let count: Int

    init(_ count: Int, name: @escaping (Int) -> String) {
        lowered = []
        self.name = name
        self.count = count
    }

    func sortsFirst(_ a: Int, _ b: Int) -> Bool { self[a] < self[b] }

    private subscript(i: Int) -> String {
        if lowered.isEmpty { lowered = [String?](repeating: nil, count: count) }
        if let known = lowered[i] { return known }
        let text = name(i).lowercased()
        lowered[i] = text
        return text
    }
}

/// A binary min-heap by `beats`; ranges that ended are dropped lazily when they reach the top.
struct SelectionHeap {
    let names: NameOrder
    private var items: [SelectionEntry] = []

    init(names: NameOrder) { self.names = names }
    var top: SelectionEntry? { items.first }

    mutating func push(_ e: SelectionEntry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].beats(items[parent], names: names) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popTop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < items.count, items[l].beats(items[best], names: names) { best = l }
            if r < items.count, items[r].beats(items[best], names: names) { best = r }
            if best == i { break }
            items.swapAt(i, best)
            i = best
        }
    }
}
