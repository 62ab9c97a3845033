// swift-tools-version: 6.1
// Benchmarks that need the engine in process. A package of their own, so CI never builds them:
//     swift run -c release --package-path Benchmarks sandbox-start
//     swift run -c release --package-path Benchmarks constitution-decide
import Foundation
import PackageDescription

// A path dependency is named after its folder, so name the engine's package after the checkout's.
let engine = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "crucible-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "sandbox-start",
            dependencies: [.product(name: "Sandbox", package: engine)],
            path: "Sources/SandboxStart"
        ),
        .executableTarget(
            name: "constitution-decide",
            dependencies: [.product(name: "Constitution", package: engine), .product(name: "CrucibleCore", package: engine)],
            path: "Sources/ConstitutionDecide"
        ),
    ]
)
