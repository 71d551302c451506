// swift-tools-version:6.0
// Receptor: Exchange-style SMTP receive connectors on Linux.
//
// Layers (dependencies point one way, downwards):
//   receptor (executable)  →  ReceptorShell     →  ReceptorStore  →  ReceptorCore
//                          ↘  ReceptorListener  ↗       (SwiftNIO)
//   ReceptorListener, ReceptorConsole and ReceptorShell share ReceptorControl (the control socket's wire format, usage);
//   ReceptorListener, ReceptorConsole and the executable share ReceptorControlLink (the TCP endpoint's authentication, the client).
//   ReceptorShell also uses EMSLanguage (PowerShell-subset parser, pipeline, formatting).
// ReceptorCore and EMSLanguage are pure: the standard library and Foundation value types only.
import PackageDescription

let package = Package(
    name: "Receptor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "receptor", targets: ["receptor"]),
        // For the fuzz targets' package (Fuzz/): the pure layers they feed.
        .library(name: "ReceptorCore", targets: ["ReceptorCore"]),
        .library(name: "ReceptorSMTP", targets: ["ReceptorSMTP"]),
        .library(name: "EMSLanguage", targets: ["EMSLanguage"]),
        .library(name: "ReceptorControl", targets: ["ReceptorControl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The domain: connectors, parameters, addresses, rules, permissions, selection. No I/O.
        .target(name: "ReceptorCore"),
        // The Exchange Management Shell language subset: tokens, pipelines, script blocks, formatting. No I/O.
        .target(name: "EMSLanguage"),
        // The config store: SQLite (GRDB) behind a store interface.
        .target(
            name: "ReceptorStore",
            dependencies: [
                "ReceptorCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        // The config store on PostgreSQL (postgres-nio), behind the same interface; only the executable and
        // the tests see it, so the pure layers never get the dependency.
        .target(
            name: "ReceptorStorePostgres",
            dependencies: [
                "ReceptorCore", "ReceptorStore", "EMSLanguage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The SMTP protocol: framing, commands, the session state machine. No I/O.
        .target(name: "ReceptorSMTP", dependencies: ["ReceptorCore"]),
        // Linux calls glibc declares only under _GNU_SOURCE (syncfs, for the listener's group commit).
        .target(name: "CLinuxFiles"),
        // CRC-32C (SSE 4.2 where the CPU has it): the seal on a message's scratch file (see MessageStore).
        .target(name: "CChecksum"),
        // The control socket's wire format and the listener's usage files (Foundation and the domain): the
        // listener writes them, the console and the shell read them; the impact preview's usage evidence.
        .target(name: "ReceptorControl", dependencies: ["ReceptorCore"]),
        // The control protocol between hosts: the TCP endpoint's challenge-response (the organization's secret), and
        // the one client of a listener's control protocol (Unix socket here, TLS to the registered certificate
        // elsewhere) that the console and `receptor status` use.
        .target(
            name: "ReceptorControlLink",
            dependencies: [
                "ReceptorControl", "ReceptorStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The SMTP listener: sockets, TLS, delivery, protocol logs, hot reload, control socket (SwiftNIO).
        .target(
            name: "ReceptorListener",
            dependencies: [
                "ReceptorCore", "ReceptorStore", "ReceptorSMTP", "CLinuxFiles", "CChecksum", "ReceptorControl", "ReceptorControlLink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The console: screens, wizard, edit dialog, key table, drawn on an abstract Screen. No curses here.
        .target(name: "ReceptorConsole", dependencies: ["ReceptorCore", "ReceptorStore", "ReceptorControl", "ReceptorControlLink"]),
        // ncursesw through a header-only shim (wide-character API, macros and globals Swift can't import). Debian's
        // libncurses-dev (scripts/install-deps) puts it on the default paths; the module map links it. No
        // pkg-config: its only flags are the two SwiftPM refuses (with a warning on every build), which the shim
        // defines itself.
        .systemLibrary(name: "CNCursesShim", path: "Sources/CNCursesShim"),
        // libedit (BSD editline) for the shell's prompt, through a header-only shim (its el_set/history calls are
        // variadic). Debian's libedit-dev (scripts/install-deps) puts it on the default paths; no pkg-config.
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine"),
        // The curses driver behind Screen and TerminalInput: the only code that imports curses.
        .target(name: "ReceptorTerminal", dependencies: ["ReceptorConsole", "CNCursesShim"]),
        // A small demo of the terminal layer; the tmux tests of ReceptorTerminal drive it.
        .executableTarget(name: "termdemo", dependencies: ["ReceptorConsole", "ReceptorTerminal"]),
        // The SMTP engine alone, timed without sockets or files (bench/engine.sh).
        .target(name: "BenchSupport", dependencies: ["ReceptorSMTP", "ReceptorCore"]),
        .executableTarget(name: "enginebench", dependencies: ["BenchSupport", "ReceptorSMTP", "ReceptorCore"]),
        // The console's keystroke-to-screen timings on the in-memory screen (bench/console-keys.sh, bench/monitor-keys.sh).
        .executableTarget(name: "consolebench", dependencies: ["ReceptorConsole", "ReceptorCore", "ReceptorStore", "ReceptorStorePostgres"]),
        .executableTarget(
            name: "niosink",
            dependencies: [
                "BenchSupport", "ReceptorCore", "ReceptorSMTP", "ReceptorListener", "CLinuxFiles",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // The EMS cmdlets over the store.
        .target(name: "ReceptorShell", dependencies: ["ReceptorCore", "EMSLanguage", "ReceptorStore", "ReceptorSMTP", "ReceptorControl"]),
        .executableTarget(
            name: "receptor",
            dependencies: [
                "ReceptorCore", "ReceptorStore", "ReceptorStorePostgres", "ReceptorShell", "ReceptorListener", "ReceptorConsole", "ReceptorTerminal",
                "ReceptorControl", "ReceptorControlLink", "EMSLanguage", "CEditLine", "CNCursesShim", "CLinuxFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "ReceptorCoreTests", dependencies: ["ReceptorCore"]),
        .testTarget(name: "ReceptorControlLinkTests", dependencies: ["ReceptorControlLink", "ReceptorStore", "ReceptorControl"]),
        .testTarget(name: "EMSLanguageTests", dependencies: ["EMSLanguage"]),
        .testTarget(
            name: "ReceptorStoreTests",
            dependencies: ["ReceptorStore", "ReceptorStorePostgres", "ReceptorCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ReceptorSMTPTests", dependencies: ["ReceptorSMTP", "ReceptorCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ReceptorListenerTests",
            dependencies: [
                "ReceptorListener", "ReceptorStore", "ReceptorCore", "ReceptorSMTP", "ReceptorConsole", "ReceptorControl", "ReceptorControlLink",
                "CChecksum",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ReceptorConsoleTests",
            dependencies: [
                "ReceptorConsole", "ReceptorCore", "ReceptorStore", "ReceptorControl", "ReceptorControlLink", "ReceptorShell", "EMSLanguage",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "ReceptorTerminalTests", dependencies: ["ReceptorTerminal", "ReceptorConsole", "CNCursesShim"]),
        .testTarget(name: "ReceptorShellTests", dependencies: ["ReceptorShell", "ReceptorStore", "ReceptorCore", "EMSLanguage", "ReceptorControl"]),
    ]
)
