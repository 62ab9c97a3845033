// swift-tools-version: 6.1
// Benchmarks that need the engine in process. A package of their own, so CI never builds them:
//     swift run -c release --package-path Benchmarks sandbox-start
import PackageDescription

let package = Package(
    name: "crucible-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "sandbox-start",
            dependencies: [.product(name: "Sandbox", package: "main")],
            path: "Sources/SandboxStart"
        ),
    ]
)
