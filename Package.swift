// swift-tools-version:6.0
// Receptor: Exchange-style SMTP receive connectors on Linux.
//
// Layers (dependencies point one way, downwards):
//   receptor (executable)  →  ReceptorShell  →  ReceptorStore  →  ReceptorCore
//                                  ↘ EMSLanguage (PowerShell-subset parser, pipeline, formatting)
// ReceptorCore and EMSLanguage are pure: the standard library and Foundation value types only.
import PackageDescription

let package = Package(
    name: "Receptor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "receptor", targets: ["receptor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // The domain: connectors, parameters, addresses, rules, permissions, selection. No I/O.
        .target(name: "ReceptorCore"),
        // The Exchange Management Shell language subset: tokens, pipelines, script blocks, formatting. No I/O.
        .target(name: "EMSLanguage"),
        // The config store: SQLite (GRDB) behind a store interface.
        .target(name: "ReceptorStore", dependencies: [
            "ReceptorCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // The EMS cmdlets over the store.
        .target(name: "ReceptorShell", dependencies: ["ReceptorCore", "EMSLanguage", "ReceptorStore"]),
        .executableTarget(name: "receptor", dependencies: [
            "ReceptorCore", "ReceptorStore", "ReceptorShell",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ReceptorCoreTests", dependencies: ["ReceptorCore"]),
        .testTarget(name: "EMSLanguageTests", dependencies: ["EMSLanguage"]),
        .testTarget(name: "ReceptorStoreTests", dependencies: ["ReceptorStore", "ReceptorCore"]),
        .testTarget(name: "ReceptorShellTests", dependencies: ["ReceptorShell", "ReceptorStore", "ReceptorCore", "EMSLanguage"]),
    ]
)
