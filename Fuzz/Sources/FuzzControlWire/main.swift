import Foundation
import ReceptorControl

/// One line from a listener's control socket, as the console's monitor decodes it; a line that decodes must
/// encode again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlWire(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    switch ControlLine.decode(data) {
    case .snapshot(let snapshot): _ = try? ControlLine.encoder().encode(snapshot)
    case .event(let event): _ = try? ControlLine.encoder().encode(event)
    case nil: break
    }
    _ = ListenerStatusReport(json: String(decoding: data, as: UTF8.self))
    return 0
}
