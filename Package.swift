// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "spdm-fleet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spdm-fleetd", targets: ["spdm-fleetd"]),
        .executable(name: "spdmctl", targets: ["spdmctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // ML-DSA and ML-KEM (FIPS 204 / 203) from its vendored BoringSSL; OpenSSL 3.0 has neither.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // C libraries, reached through pkg-config.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),

        // Protocol layers: no I/O anywhere below the daemon.
        .target(name: "SPDMWire"),
        // OpenSSL for every classical algorithm and X.509; swift-crypto only for ML-DSA and ML-KEM.
        .target(name: "SPDMCrypto", dependencies: ["COpenSSL", .product(name: "Crypto", package: "swift-crypto")]),
        // Protocol rules both roles share: algorithm mapping, signing context, summary hashes, transcripts.
        .target(name: "SPDMCore", dependencies: ["SPDMWire", "SPDMCrypto"]),
        // Key schedule and DSP0277 secured-message records, shared by both roles.
        .target(name: "SPDMSession", dependencies: ["SPDMWire", "SPDMCrypto", "SPDMCore"]),
        .target(name: "SPDMResponder", dependencies: ["SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMSession"]),
        .target(name: "SPDMRequester", dependencies: ["SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMSession"]),
        .target(name: "SPDMTransport", dependencies: [
            "SPDMWire",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "SPDMDevice", dependencies: [
            "SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMResponder", "SPDMTransport",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ], resources: [.embedInCode("Embedded/default.toml")]),
        // The control API's route table and JSON documents, shared by the daemon and spdmctl.
        .target(name: "SPDMControlModel"),
        .target(name: "SPDMDaemon", dependencies: [
            "SPDMControlModel", "SPDMWire", "SPDMResponder", "SPDMTransport", "SPDMDevice", "CSystemd", "SPDMCrypto", "SPDMCore", "SPDMSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Thin executables.
        .executableTarget(name: "spdm-fleetd", dependencies: [
            "SPDMDaemon", "SPDMDevice",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The ML-DSA half of certs/generate.sh (OpenSSL 3.0's CLI cannot make ML-DSA certificates).
        .executableTarget(name: "spdm-certs", dependencies: ["SPDMCrypto"], path: "certs/Generator"),
        .executableTarget(name: "spdmctl", dependencies: [
            "SPDMControlModel", "SPDMRequester", "SPDMTransport", "SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),

        .testTarget(name: "SPDMWireTests", dependencies: ["SPDMWire"]),
        .testTarget(name: "SPDMControlModelTests", dependencies: ["SPDMControlModel"]),
        // Vectors/: ML-DSA / ML-KEM known answers made by Python `cryptography` (read by path, see PQCVectors).
        .testTarget(name: "SPDMCryptoTests", dependencies: ["SPDMCrypto"], exclude: ["Vectors"]),
        .testTarget(name: "SPDMSessionTests", dependencies: ["SPDMSession", "SPDMCrypto", "SPDMWire"]),
        // Deterministic randomness and test certificate chains, shared by the responder tests and the fuzz targets.
        .target(name: "SPDMTestFixtures", dependencies: ["SPDMResponder", "SPDMRequester", "SPDMCrypto"], path: "Tests/SPDMTestFixtures"),
        .testTarget(name: "SPDMResponderTests", dependencies: ["SPDMResponder", "SPDMRequester", "SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMSession",
                                                               "SPDMTestFixtures"]),
        .testTarget(name: "SPDMTransportTests", dependencies: ["SPDMTransport", "SPDMWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio")]),
        // Pure logic of the daemon (connection budget and admission, the fault layer), no sockets.
        .testTarget(name: "SPDMDaemonTests", dependencies: ["SPDMDaemon", "SPDMDevice", "SPDMResponder", "SPDMWire", "SPDMCrypto", "SPDMTestFixtures", "SPDMTransport",
                                                            .product(name: "NIOCore", package: "swift-nio"),
                                                            .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SPDMDeviceTests", dependencies: ["SPDMDevice", "SPDMResponder", "SPDMWire", "SPDMCrypto", "SPDMTransport",
                                                            "SPDMTestFixtures"]),
        // What the tests that drive the real binary share: the platform-socket client.
        .target(name: "SPDMTestSupport", dependencies: ["SPDMTransport", "SPDMRequester"], path: "Tests/SPDMTestSupport"),
        .testTarget(name: "IntegrationTests", dependencies: ["SPDMTestSupport", "SPDMWire", "SPDMTransport", "SPDMRequester", "SPDMCore", "SPDMCrypto",
                                                             "SPDMDevice", "SPDMResponder"]),
        // systemd integration against the real binary: notify, socket activation, journald, units.
        .testTarget(name: "ServiceTests", dependencies: ["SPDMTestSupport", "SPDMWire", "SPDMTransport", "SPDMDaemon"]),
        // The control API, reload and metrics against the real binary (spdmctl and curl).
        .testTarget(name: "ControlTests", dependencies: ["SPDMTestSupport", "SPDMWire", "SPDMTransport", "SPDMCrypto", "SPDMRequester"]),
    ]
)

// Fuzz targets (`make fuzz`, Tests/Fuzz): libFuzzer executables built only when SPDM_FUZZ=1, with
// `-sanitize=fuzzer,address -parse-as-library`, into their own scratch path (.build-fuzz). Each
// defines LLVMFuzzerTestOneInput and hands its entry point to libFuzzer's driver (SPDMFuzzMain).
// The normal build never sees them.
if Context.environment["SPDM_FUZZ"] == "1" {
    let protocolModules: [Target.Dependency] = ["SPDMWire", "SPDMCrypto", "SPDMCore", "SPDMSession", "SPDMResponder", "SPDMRequester"]
    package.targets += [
        .target(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
        .target(name: "SPDMFuzzMain", dependencies: ["CLibFuzzer"], path: "Tests/Fuzz/Main"),
        .target(name: "SPDMFuzzSupport", dependencies: protocolModules + ["SPDMTestFixtures"], path: "Tests/Fuzz/Support"),
        .executableTarget(name: "FuzzPlatformFrame", dependencies: [
            "SPDMTransport", .product(name: "NIOCore", package: "swift-nio"), "SPDMFuzzSupport", "SPDMFuzzMain",
        ], path: "Tests/Fuzz/FuzzPlatformFrame"),
        .executableTarget(name: "FuzzTransportBinding", dependencies: ["SPDMTransport", "SPDMFuzzSupport", "SPDMFuzzMain"],
                          path: "Tests/Fuzz/FuzzTransportBinding"),
        .executableTarget(name: "FuzzWirePDU", dependencies: ["SPDMWire", "SPDMFuzzSupport", "SPDMFuzzMain"], path: "Tests/Fuzz/FuzzWirePDU"),
        .executableTarget(name: "FuzzSecuredRecord", dependencies: ["SPDMSession", "SPDMCrypto", "SPDMWire", "SPDMFuzzSupport", "SPDMFuzzMain"],
                          path: "Tests/Fuzz/FuzzSecuredRecord"),
        .executableTarget(name: "FuzzResponder", dependencies: protocolModules + ["SPDMFuzzSupport", "SPDMFuzzMain"], path: "Tests/Fuzz/FuzzResponder"),
        .executableTarget(name: "FuzzFaultRule", dependencies: ["SPDMDevice", "SPDMFuzzSupport", "SPDMFuzzMain"],
                          path: "Tests/Fuzz/FuzzFaultRule"),
        .executableTarget(name: "FuzzStateFile", dependencies: ["SPDMDevice", "SPDMResponder", "SPDMFuzzSupport", "SPDMFuzzMain"],
                          path: "Tests/Fuzz/FuzzStateFile"),
        .executableTarget(name: "FuzzFleetTemplate", dependencies: ["SPDMDevice", "SPDMFuzzSupport", "SPDMFuzzMain"],
                          path: "Tests/Fuzz/FuzzFleetTemplate"),
        .executableTarget(name: "FuzzPQCKeys", dependencies: ["SPDMCrypto", "SPDMFuzzSupport", "SPDMFuzzMain"], path: "Tests/Fuzz/FuzzPQCKeys"),
        .executableTarget(name: "FuzzRequester", dependencies: protocolModules + ["SPDMFuzzSupport", "SPDMFuzzMain"], path: "Tests/Fuzz/FuzzRequester"),
        // Writes the seed corpora from a back-to-back run (`make fuzz-seeds`); not run by CI.
        .executableTarget(name: "FuzzSeedGenerator", dependencies: protocolModules + ["SPDMTransport", "SPDMFuzzSupport"],
                          path: "Tests/Fuzz/SeedGenerator"),
    ]
}

