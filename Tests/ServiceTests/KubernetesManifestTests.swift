import Foundation
import SPDMTestSupport
import Testing

/// config/kubernetes/ and config/container/: the manifests validate against the Kubernetes schema
/// (kubernetes-validate from PyPI, which `make test` installs), and the fleet config they carry
/// loads and shards as the StatefulSet runs it.
@Suite("Kubernetes manifests and container")
struct KubernetesManifestTests {
    static let directory = Products.packageRoot.appendingPathComponent("config/kubernetes").path

    @Test("kubernetes-validate --strict passes every manifest")
    func validate() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["configmap.yaml", "service.yaml", "statefulset.yaml"])
        let result = try runProcess("/usr/bin/env", ["python3", "-m", "kubernetes_validate", "--strict"] + files.map { Self.directory + "/" + $0 })
        #expect(result.status == 0, "kubernetes-validate failed (make test-deps installs it): \(result.output)")
        for file in files { #expect(result.output.contains("\(file) passed"), "\(result.output)") }
    }

    @Test("the ConfigMap's fleet config loads, and --shard 2/4 (what pod spdm-fleetd-2 runs) serves a quarter of it")
    func configMapFleet() throws {
        let yaml = try String(contentsOfFile: Self.directory + "/configmap.yaml", encoding: .utf8)
        // The block scalar under `spdm-fleetd.toml: |`, indented four spaces.
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.contains("spdm-fleetd.toml: |") })
        let toml = lines[(start + 1)...].prefix { $0.isEmpty || $0.hasPrefix("    ") }.map { $0.dropFirst(min(4, $0.count)) }.joined(separator: "\n")
        let scratch = try ScratchDirectory("k8s-config")
        let file = try scratch.write(toml, to: "spdm-fleetd.toml")
        let check = try runProcess(Products.path("spdm-fleetd"), ["--config", file, "--state-dir", scratch.path + "/state", "--check", "--shard", "2/4"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("1000 devices (shard 2/4 of 4000) OK"), "\(check.output)")
        #expect(check.output.contains("node2: mctp tcp:0.0.0.0:2402") && check.output.contains("node3998: mctp tcp:0.0.0.0:6398"))
        #expect(!check.output.contains("node3: "))
        let statefulSet = try String(contentsOfFile: Self.directory + "/statefulset.yaml", encoding: .utf8)
        #expect(statefulSet.contains("replicas: 4") && statefulSet.contains("\"auto/4\""), "replicas and auto/N agree")
    }

    @Test("the Containerfile builds both executables, runs as a non-root user and probes with spdmctl health")
    func containerfile() throws {
        let text = try String(contentsOf: Products.packageRoot.appendingPathComponent("config/container/Containerfile"), encoding: .utf8)
        for expected in ["--product spdm-fleetd", "--product spdmctl", "USER 10001:10001", "CMD [\"spdmctl\", \"health\"]",
                         "VOLUME [\"/var/lib/spdm-fleetd\"]", "FROM ${RUNTIME_IMAGE}"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(text.contains("ARG RUNTIME_IMAGE=debian:"), "a Debian base")
    }
}
