import SPDMCrypto

/// Where the requester's nonces and RequesterContext values come from. Injected so tests are
/// deterministic (the requester's own protocol: SPDMRequester does not depend on SPDMResponder).
public protocol RequesterRandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's CSPRNG through OpenSSL.
public struct SystemRequesterRandom: RequesterRandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] { SecureRandom.bytes(count) }
}
