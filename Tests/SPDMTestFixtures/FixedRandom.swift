import SPDMRequester
import SPDMResponder

/// Deterministic randomness for both roles: every call returns `count` copies of `byte`.
public struct FixedRandom: RandomSource, RequesterRandomSource {
    public var byte: UInt8

    public init(byte: UInt8 = 0xA5) { self.byte = byte }

    public func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }
}
