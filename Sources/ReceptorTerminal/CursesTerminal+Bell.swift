import CNCursesShim

extension CursesTerminal {
    /// An unavailable action rings the terminal bell (the console also says why on its status line).
    public func bell() { _ = beep() }
}
