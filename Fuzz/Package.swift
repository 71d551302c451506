// swift-tools-version:5.4
// Receptor's libFuzzer targets, a package of their own so that the product's builds never see the fuzzer
// flags. Build and run them with bench/fuzz.sh (or scripts/fuzz, which scripts/test calls):
//
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   .build/debug/FuzzSMTP Corpus/FuzzSMTP
//
// Each target's source is one `LLVMFuzzerTestOneInput`; Corpus/<target>/ holds its committed seeds.
import PackageDescription

let package = Package(
    name: "ReceptorFuzz",
    platforms: [.macOS(.v10_15)],
    dependencies: [.package(name: "Receptor", path: "..")],
    targets: [
        // The SMTP engine as a client drives it: one byte stream through the framer, the parser and the session.
        .executableTarget(
            name: "FuzzSMTP",
            dependencies: [
                .product(name: "ReceptorSMTP", package: "Receptor"), .product(name: "ReceptorCore", package: "Receptor"),
            ]),
        // The EMS language: lexer, parser and interpreter, with a host that has one cmdlet.
        .executableTarget(name: "FuzzEMS", dependencies: [.product(name: "EMSLanguage", package: "Receptor")]),
        // The address, range and binding parsers, and the value parsers of the parameter table.
        .executableTarget(name: "FuzzAddresses", dependencies: [.product(name: "ReceptorCore", package: "Receptor")]),
        // The control socket's line decoder (what the console's monitor reads from a listener).
        .executableTarget(name: "FuzzControlWire", dependencies: [.product(name: "ReceptorControl", package: "Receptor")]),
    ]
)
