import EMSLanguage

/// A host with one cmdlet, `Get-Thing`, that emits three objects (so pipelines have something to filter,
/// sort, select and format) and takes any parameters.
private final class FuzzHost: PSCommandHost {
    func resolve(commandName: String) -> PSCommandInfo? {
        commandName.lowercased() == "get-thing" ? PSCommandInfo(name: "Get-Thing", parameters: ["Identity", "Filter"], switches: ["Force"]) : nil
    }

    func invoke(_ invocation: PSInvocation, input: [PSValue]) throws -> [PSValue] {
        (1...3).map { n in
            .object(
                PSObject(
                    typeName: "Thing",
                    properties: [
                        PSProperty("Name", .string("Thing \(n)")), PSProperty("Count", .int(n)),
                        PSProperty("Tags", .array([.string("a\(n)"), .string("b")])), PSProperty("Enabled", .bool(n != 2)),
                    ]))
        }
    }

    var commandNames: [String] { ["Get-Thing"] }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEMS(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    // Command lines are short; longer inputs only slow the search down.
    guard count <= 4096 else { return 0 }
    let line = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let session = PSSession(host: FuzzHost(), width: 80)
    _ = try? session.run(line)
    return 0
}
