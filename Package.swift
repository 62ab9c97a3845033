// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "crucible",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crucible", targets: ["crucible"]),
        .library(name: "CrucibleCore", targets: ["CrucibleCore"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "LLM", targets: ["LLM"]),
        .library(name: "Constitution", targets: ["Constitution"]),
        .library(name: "Evolution", targets: ["Evolution"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .target(
            name: "CrucibleCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Ledger",
            dependencies: ["CrucibleCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(name: "CSandbox"),
        .target(
            name: "Sandbox",
            dependencies: ["CrucibleCore", "CSandbox"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LLM",
            dependencies: [
                "CrucibleCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CScan"),
        .target(
            name: "Constitution",
            dependencies: ["CrucibleCore", "CScan", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Evolution",
            dependencies: ["CrucibleCore", "Ledger", "Sandbox", "LLM", "Constitution", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "crucible",
            dependencies: ["Evolution", "Sandbox", "Constitution", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings,
            // A release binary starts faster (Benchmarks/sandbox_run.py measures it):
            // - `--static-swift-stdlib` exports every symbol of the executable (forty thousand); the runtime's start-up then
            //   spends a millisecond and more searching them (`dladdr`) and the loader binding against them. Nothing looks
            //   a symbol of ours up by name, so it exports none.
            // - Linked by the toolchain's lld with packed relative relocations: the loader reads 45 KB of relocation
            //   records at every start instead of 3 MB (gold cannot pack them).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                                          .when(configuration: .release))]
        ),
        .testTarget(name: "CrucibleCoreTests", dependencies: ["CrucibleCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LLMTesting",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LLMTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LLMTests", dependencies: ["LLM", "LLMTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "ConstitutionTests", dependencies: ["Constitution"], swiftSettings: swiftSettings),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EvolutionTests",
            dependencies: ["Evolution", "Sandbox", "Constitution", "LLMTesting"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["crucible", "Evolution", "Constitution", "LLMTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)
