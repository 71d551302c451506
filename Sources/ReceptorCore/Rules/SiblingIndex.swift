/// A server's connectors indexed once, for validating many of them against the others (`receptor store copy`,
/// the listener's snapshot): by name, by binding, and by remote range on each binding. It only narrows the
/// siblings the validator looks at to those that could break a rule with the connector (the same name, an
/// overlapping binding of another transport role, an overlapping range on a shared binding); the validator
/// still applies the same rule to each of them, in the siblings' order, so what it reports is what the plain
/// path reports. Each connector then meets a handful of siblings instead of all of them.
struct SiblingIndex: Sendable {
    /// Positions in the siblings of each all-ASCII name, lower-cased: `ConnectorIdentity.sameName` compares two
    /// such names ASCII case-insensitively.
    private var byASCIIName: [String: [Int]] = [:]
    /// Positions of the names with other characters: compared with case folding, every one is a candidate.
    private var otherNames: [Int] = []
    /// The transport roles present (nil: Edge).
    private var roles: [TransportRole?] = []
    /// Positions of the siblings with a binding on a port (of a role and address family), with a wildcard
    /// binding there, and with a binding exactly.
    private var onPort: [PortKey: [Int]] = [:]
    private var wildcardOnPort: [PortKey: [Int]] = [:]
    /// Each binding's remote ranges, per family, with the positions of the siblings they belong to.
    private var rangesOnBinding: [BindingKey: [IPAddressFamily: RangeIntervals]] = [:]
    private var exactlyOn: [BindingKey: [Int]] = [:]
    let count: Int

    private struct PortKey: Hashable {
        let role: TransportRole?
        let family: IPAddressFamily
        let port: Int
    }

    private struct BindingKey: Hashable {
        let role: TransportRole?
        let binding: IPBinding
    }

    init(_ siblings: [ConnectorRoute]) {
        count = siblings.count
        var ranges: [BindingKey: [IPAddressFamily: [RangeIntervals.Entry]]] = [:]
        for (i, s) in siblings.enumerated() {
            if let key = Self.asciiKey(s.name) { byASCIIName[key, default: []].append(i) } else { otherNames.append(i) }
            if !roles.contains(s.transportRole) { roles.append(s.transportRole) }
            var seen = Set<IPBinding>()
            for b in s.bindings where seen.insert(b).inserted {
                let port = PortKey(role: s.transportRole, family: b.family, port: b.port)
                let key = BindingKey(role: s.transportRole, binding: b)
                onPort[port, default: []].append(i)
                if b.isWildcard { wildcardOnPort[port, default: []].append(i) }
                exactlyOn[key, default: []].append(i)
                for r in s.remoteIPRanges {
                    ranges[key, default: [:]][r.family, default: []].append(RangeIntervals.Entry(first: r.first.value, last: r.last.value, owner: i))
                }
            }
        }
        rangesOnBinding = ranges.mapValues { $0.mapValues(RangeIntervals.init) }
    }

    /// The lower-cased name when it is all ASCII, else nil.
    private static func asciiKey(_ name: String) -> String? { name.utf8.allSatisfy { $0 < 0x80 } ? name.lowercased() : nil }

    /// In ascending order: every sibling whose name `ConnectorIdentity.sameName` could match.
    func nameCandidates(for name: String) -> [Int] {
        guard let key = Self.asciiKey(name) else { return Array(0..<count) }
        guard let same = byASCIIName[key] else { return otherNames }
        return otherNames.isEmpty ? same : (same + otherNames).sorted()
    }

    /// In ascending order, each once: every sibling that could conflict with `c` (§6b) — another transport
    /// role with a binding that overlaps one of `c`'s, or the same role with one of `c`'s bindings and a
    /// remote range that overlaps one of `c`'s. Whoever else is left out can't conflict with it.
    func conflictCandidates(for c: some ConnectorRouting) -> [Int] {
        var found: [Int] = []
        var seen = Set<IPBinding>()
        for b in c.bindings where seen.insert(b).inserted {
            for role in roles where role != c.transportRole {
                let port = PortKey(role: role, family: b.family, port: b.port)
                if b.isWildcard {
                    found += onPort[port] ?? []
                } else {
                    found += exactlyOn[BindingKey(role: role, binding: b)] ?? []
                    found += wildcardOnPort[port] ?? []
                }
            }
            guard let byFamily = rangesOnBinding[BindingKey(role: c.transportRole, binding: b)] else { continue }
            for r in c.remoteIPRanges { byFamily[r.family]?.overlapping(first: r.first.value, last: r.last.value, into: &found) }
        }
        found.sort()
        var unique: [Int] = []
        unique.reserveCapacity(found.count)
        for i in found where unique.last != i { unique.append(i) }
        return unique
    }
}

/// Ranges of one address family sorted by their first address, with the greatest last address of each
/// subtree of an implicit binary tree over them: the ranges that overlap a query are found in O(log n) each.
struct RangeIntervals: Sendable {
    struct Entry: Sendable {
        let first: UInt128
        let last: UInt128
        let owner: Int
    }

    private let entries: [Entry]
    /// Node 1 covers the positions [0, leaves); node n's children are 2n and 2n + 1; leaf i is node leaves + i.
    private let maxLast: [UInt128]
    private let leaves: Int

    init(_ unsorted: [Entry]) {
        entries = unsorted.sorted { $0.first < $1.first }
        var leaves = 1
        while leaves < entries.count { leaves *= 2 }
        var tree = [UInt128](repeating: 0, count: 2 * leaves)
        for (i, e) in entries.enumerated() { tree[leaves + i] = e.last }
        for node in stride(from: leaves - 1, through: 1, by: -1) { tree[node] = max(tree[2 * node], tree[2 * node + 1]) }
        self.leaves = leaves
        maxLast = tree
    }

    /// Appends the owner of every range that shares an address with first...last.
    func overlapping(first: UInt128, last: UInt128, into found: inout [Int]) {
        // The ranges that start at or before `last`; of those, the ones that end at or after `first`.
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].first <= last { low = mid + 1 } else { high = mid }
        }
        collect(node: 1, from: 0, to: leaves, end: low, atLeast: first, into: &found)
    }

    private func collect(node: Int, from: Int, to: Int, end: Int, atLeast first: UInt128, into found: inout [Int]) {
        guard from < end, maxLast[node] >= first else { return }
        if to - from == 1 {
            found.append(entries[from].owner)
            return
        }
        let mid = (from + to) / 2
        collect(node: 2 * node, from: from, to: mid, end: end, atLeast: first, into: &found)
        collect(node: 2 * node + 1, from: mid, to: to, end: end, atLeast: first, into: &found)
    }
}
