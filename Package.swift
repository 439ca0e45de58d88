// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "carevault",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "carevault", targets: ["carevault"]),
        .library(name: "CareVaultServer", targets: ["CareVaultServer"]),
        // For the fuzz targets (Fuzz/), which build these with sanitizers but not the server.
        .library(name: "CareVaultCore", targets: ["CareVaultCore"]),
        .library(name: "CareVaultMultipart", targets: ["CareVaultMultipart"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        /// Pure domain: types, validation, authorization policy, security primitives. No HTTP, no SQL.
        .target(
            name: "CareVaultCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            resources: [.copy("Resources/common-passwords.txt"), .copy("Resources/Fonts"), .copy("Resources/fhir-r4-elements.json")],
            swiftSettings: swiftSettings
        ),
        /// The streaming multipart/form-data reader: apart from the server so it can be fuzzed without building it.
        .target(
            name: "CareVaultMultipart",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        /// All SQL: connections, migrations, repositories.
        .target(
            name: "CareVaultStore",
            dependencies: [
                "CareVaultCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The Hummingbird application: contexts, middleware, controllers, views.
        .target(
            name: "CareVaultServer",
            dependencies: [
                "CareVaultCore",
                "CareVaultStore",
                "CareVaultMultipart",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Templates"), .copy("Public")],
            swiftSettings: swiftSettings
        ),
        /// The crypto ceiling for the upload benchmark (scripts/bench --suite uploads); not shipped.
        .executableTarget(
            name: "carevault-crypto-bench",
            dependencies: ["CareVaultCore", "CareVaultStore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        /// The command-line entry point.
        .executableTarget(
            name: "carevault",
            dependencies: [
                "CareVaultServer",
                "CareVaultCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CareVaultCoreTests",
            // CareVaultMultipart and NIOCore: FuzzRegressionTests replays inputs for every fuzz target.
            dependencies: ["CareVaultCore", "CareVaultMultipart", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CareVaultServerTests",
            dependencies: [
                "CareVaultServer",
                "CareVaultMultipart",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The reference writer our multipart reader is tested against.
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            exclude: ["Snapshots", "Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
