import Foundation
import SPDMRequester
import SPDMTestSupport
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion: exit status, stdout and stderr.
func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try runSeparately(path, arguments)
}

func spdmctl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try run(Products.path("spdmctl"), arguments)
}

/// curl, when installed (the Makefile's deps target installs it); nil when it is not.
let curlPath: String? = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `curl --unix-socket`; returns the HTTP status and the body.
func curl(_ socket: String, _ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: String) {
    guard let curlPath else { throw TestError("curl is not installed") }
    var arguments = ["-s", "-S", "--unix-socket", socket, "-X", method, "-w", "\n%{http_code}", "http://localhost" + path]
    if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
    let result = try run(curlPath, arguments)
    guard result.status == 0 else { throw TestError("curl failed: \(result.stderr)") }
    var lines = result.stdout.components(separatedBy: "\n")
    let status = Int(lines.removeLast()) ?? 0
    return (status, lines.joined(separator: "\n"))
}

func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

