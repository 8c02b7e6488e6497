import ArgumentParser
import Foundation
import SPDMCore
import SPDMCrypto
import SPDMRequester
import SPDMWire

/// `spdmctl vendor`: VCA, then one VENDOR_DEFINED_REQUEST (DSP0274 §10.20) in the clear; prints the
/// VENDOR_DEFINED_RESPONSE payload in hex. Exit status 0 when a response of the same StandardID and
/// VendorID came back, 2 for an ERROR (a device without a handler answers UnsupportedRequest).
struct Vendor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one VENDOR_DEFINED_REQUEST and print the response payload.",
        discussion: FailedCheck.exitStatusHelp)

    @OptionGroup var endpoint: EndpointOptions

    @Option(name: .long, help: ArgumentHelp("Registry: DMTF, TCG, USB, PCISIG, IANA, HDBASET, MIPI, CXL, JEDEC, VESA, IANA_CBOR, DMTF_DSP or its number.",
                                            valueName: "name"))
    var standard: String = "DMTF"

    @Option(name: .customLong("vendor-id"), help: ArgumentHelp("VendorID bytes as sent ('hex:0100'); default none.", valueName: "bytes"))
    var vendorID: String = ""

    @Option(name: .long, help: ArgumentHelp("Request payload ('hex:...', 'cstr:...' or text).", valueName: "bytes"))
    var payload: String = ""

    @Flag(name: .long, help: "Use the SPDM 1.4 large form (LargeReq; needs LARGE_RESP_CAP on both sides).")
    var large = false

    @Option(name: .customLong("version"), help: ArgumentHelp("Use exactly this SPDM version (1.0-1.4); default: highest common.", valueName: "1.x"))
    var spdmVersion: String?

    @Option(name: .long, help: "Seconds to wait for each response.")
    var timeout: Int = 30

    static let standards: [(String, UInt16)] = [
        ("DMTF", 0x0), ("TCG", 0x1), ("USB", 0x2), ("PCISIG", 0x3), ("IANA", 0x4), ("HDBASET", 0x5),
        ("MIPI", 0x6), ("CXL", 0x7), ("JEDEC", 0x8), ("VESA", 0x9), ("IANA_CBOR", 0xA), ("DMTF_DSP", 0xB),
    ]

    func fields() throws -> VendorDefinedFields {
        guard let id = UInt16(standard) ?? Self.standards.first(where: { $0.0.caseInsensitiveCompare(standard) == .orderedSame })?.1 else {
            throw ValidationError("--standard: unknown registry '\(standard)'")
        }
        guard let vendor = ByteString.parse(vendorID), let bytes = ByteString.parse(payload) else {
            throw ValidationError("--vendor-id / --payload: not valid hex after 'hex:'")
        }
        guard VendorDefinedFields.vendorIDLengthIsValid(standardID: id, length: vendor.count) else {
            throw ValidationError("--vendor-id: \(vendor.count) bytes is not a VendorID length of standard \(id)")
        }
        return VendorDefinedFields(standardID: id, vendorID: vendor, payload: bytes, large: large)
    }

    func validate() throws {
        _ = try fields()
        if let spdmVersion, SPDMVersion(string: spdmVersion) == nil { throw ValidationError("--version must be 1.0 to 1.4") }
    }

    func run() throws {
        let request = try fields()
        var capabilities: CapabilityFlags = []
        if large { capabilities.insert(.largeResponse) }
        var requester = RequesterConnection(configuration: RequesterConfiguration(
            forcedVersion: spdmVersion.flatMap(SPDMVersion.init(string:)), capabilities: capabilities, trustedRoots: []))
        do {
            let client = try endpoint.open(timeoutSeconds: timeout)
            try client.hello()
            for operation: RequesterOperation in [.getVersion, .getCapabilities, .negotiateAlgorithms] {
                _ = try requester.perform(operation) { try client.exchangeSPDM($0) }
            }
            guard case .vendorDefined(let answer) = try requester.perform(.vendorDefined(request), exchange: { try client.exchangeSPDM($0) }) else {
                throw RequesterError.invalidState("no VENDOR_DEFINED_RESPONSE")
            }
            print(answer.payload.spdmHex)
        } catch let error as RequesterError {
            FileHandle.standardError.write(Data("spdmctl vendor: \(error.description)\n".utf8))
            throw ExitCode(error.failedCheck.exitStatus)
        } catch {
            FileHandle.standardError.write(Data("spdmctl vendor: transport: \(error)\n".utf8))
            throw ExitCode(FailedCheck.transport.exitStatus)
        }
    }
}
