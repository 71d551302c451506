/// Where the last frame drew clickable things (rows, buttons, tabs), so a `.mouse` event can act on them.
final class HitMap {
    struct Hit {
        let row: Int
        let columns: Range<Int>
        let perform: () -> [ConsoleEffect]
    }
    private(set) var hits: [Hit] = []

    func reset() { hits.removeAll() }

    func add(row: Int, column: Int, width: Int, _ perform: @escaping () -> [ConsoleEffect]) {
        guard width > 0 else { return }
        hits.append(Hit(row: row, columns: column..<(column + width), perform: perform))
    }

    /// The last-drawn target under the point (dialogs are drawn after what they cover, so they win).
    func target(row: Int, column: Int) -> Hit? {
        hits.last { $0.row == row && $0.columns.contains(column) }
    }
}
