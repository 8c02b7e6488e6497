import Foundation
import SPDMTestSupport
import Testing

/// A malformed endpoint is a usage error of the subcommand that got it: exit 64 (EX_USAGE), one
/// message naming the option, and that subcommand's usage line, before anything is dialled.
@Suite("spdmctl usage errors")
struct SpdmctlUsageTests {
    @Test("bad --connect values", arguments: [
        (["attest"], "nonsense"), (["session"], "127.0.0.1:"), (["session"], "127.0.0.1:0"), (["load"], "127.0.0.1:65535x"),
    ])
    func badConnect(_ command: [String], _ value: String) throws {
        let result = try runSeparately(Products.path("spdmctl"), command + ["--connect", value])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--connect must be host:port"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: spdmctl \(command[0])"), "\(result.stderr)")
    }

    @Test("--connect and --unix together")
    func both() throws {
        let result = try runSeparately(Products.path("spdmctl"), ["session", "--connect", "127.0.0.1:2323", "--unix", "/tmp/x.sock"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("exactly one of --connect"), "\(result.stderr)")
    }
}
