import SPDMRequester

extension FailedCheck {
    /// The exit-status table of `spdmctl attest` and `spdmctl session --help`.
    static var exitStatusHelp: String {
        let what: [FailedCheck: String] = [
            .protocol: "malformed or unexpected response, failed negotiation, missing capability",
            .errorResponse: "the responder answered ERROR (or stayed ResponseNotReady)",
            .transport: "unreachable, timed out, or the socket protocol broken",
            .certificateChain: "certificate chain format, RootHash, validation, untrusted or unanchored root",
            .digest: "a DIGESTS digest or CertChainHash does not match the chain",
            .signature: "a CHALLENGE_AUTH, MEASUREMENTS or KEY_EXCHANGE_RSP signature does not verify",
            .measurement: "a measurement block or measurement summary hash is wrong",
            .verifyData: "a ResponderVerifyData does not verify",
        ]
        let rows = FailedCheck.allCases.map { "  \($0.exitStatus)  \($0.rawValue): \(what[$0] ?? "")" }
        return "Exit status: 0 when every check passed; otherwise the kind of the failed check (also printed on stderr "
            + "and in the JSON \"failedCheck\" field):\n" + rows.joined(separator: "\n")
    }
}
