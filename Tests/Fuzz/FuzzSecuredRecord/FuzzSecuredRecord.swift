import SPDMCrypto
import SPDMFuzzMain
import SPDMFuzzSupport
import SPDMSession
import SPDMWire

/// The DSP0277 secured-record codec (SecuredMessage through SessionSecrets) in the MCTP and
/// PCI-DOE formats, and the secured-message opaque data of KEY_EXCHANGE / PSK_EXCHANGE.
///
/// Input: byte 0 picks a session (hash x AEAD x encrypt-or-MAC x format x phase, both roles keyed
/// alike), byte 1 the mode:
///   0  the rest is a record the responder opens: it must throw or open, never trap;
///   1  bytes 2-4 are a tamper position and mask, bytes 5-6 a size, the rest application data
///      (repeated up to that size, so records up to and past the u16 Length limit occur): the requester seals
///      it, the responder must open exactly it, and the record with one byte changed must not open;
///   2  the rest is opaque data: requested/selected versions parse or throw, and a selection built
///      from what parsed reads back as the chosen version (DSP0274 Table "Secured message version").
@_cdecl("FuzzSecuredRecord_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzSecuredRecord)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSecuredRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    var pair = input.pick(RecordSessions.all)
    switch input.u8() % 3 {
    case 0:
        // The keys are fixed, so a record sealed by an earlier run may open: it only must not trap.
        _ = try? pair.responder.open(input.rest(), format: pair.format)
    case 1:
        let position = Int(input.u16()), mask = input.u8() | 0x01, size = Int(input.u16())
        let application = RecordSessions.applicationData(input.rest(), size: size)
        let record: [UInt8]
        do {
            record = try pair.requester.seal(sessionID: 0xFFFF_FFFF, application, format: pair.format,
                                             padding: [UInt8](repeating: 0x5A, count: application.count % 33))
        } catch SecuredMessageError.recordTooLarge {
            fuzzCheck(application.count > 0xFFFF - 16 - 2 - 32, "\(application.count) bytes refused as too large (\(pair.name))")
            return 0
        } catch {
            fuzzCheck(false, "sealing \(application.count) bytes failed: \(error) (\(pair.name))")
            return 0
        }
        var tampered = record
        tampered[position % record.count] ^= mask
        var other = pair.responder
        fuzzCheck(((try? other.open(tampered, format: pair.format)) ?? nil) == nil,
                  "a record changed at \(position % record.count) still opened (\(pair.name))")
        let opened = try? pair.responder.open(record, format: pair.format)
        fuzzCheck(opened == application, "sealed \(application.count) bytes, opened \(String(describing: opened?.count)) (\(pair.name))")
    default:
        checkOpaqueData(input.rest(), version: pair.version)
    }
    return 0
}

private func checkOpaqueData(_ opaque: [UInt8], version: SPDMVersion) {
    _ = try? SecuredMessageOpaqueData.selectedVersion(opaque, spdmVersion: version)
    guard let requested = try? SecuredMessageOpaqueData.requestedVersions(opaque, spdmVersion: version),
          let chosen = SecuredMessageOpaqueData.choose(requested: requested) else { return }
    let selection = SecuredMessageOpaqueData.versionSelection(chosen, spdmVersion: version)
    let readBack = try? SecuredMessageOpaqueData.selectedVersion(selection, spdmVersion: version)
    fuzzCheck(readBack == chosen, "selection of 0x\(String(chosen, radix: 16)) reads back as \(String(describing: readBack))")
    let list = SecuredMessageOpaqueData.supportedVersionList(requested, spdmVersion: version)
    let listBack = try? SecuredMessageOpaqueData.requestedVersions(list, spdmVersion: version)
    fuzzCheck(listBack == requested, "version list \(requested) reads back as \(String(describing: listBack))")
}

/// The two roles of one session, keyed from one PSK and TH1 (as a PSK session would be).
struct RecordSession: Sendable {
    var name: String
    var version: SPDMVersion
    var format: SecuredMessageFormat
    var requester: SessionSecrets
    var responder: SessionSecrets
}

enum RecordSessions {
    /// `bytes` repeated until `size` bytes (at least `bytes` itself).
    static func applicationData(_ bytes: [UInt8], size: Int) -> [UInt8] {
        guard !bytes.isEmpty, size > bytes.count else { return bytes }
        return (0..<size).map { bytes[$0 % bytes.count] }
    }

    static let all: [RecordSession] = {
        var sessions: [RecordSession] = []
        for hash: HashAlgorithm in [.sha256, .sha384, .sha512] {
            for aead in AEADAlgorithm.allCases {
                for encrypt in [true, false] {
                    for (formatName, format) in [("mctp", SecuredMessageFormat.mctp), ("pci-doe", .pciDOE)] {
                        for established in [false, true] {
                            let version: SPDMVersion = established ? .v13 : .v11
                            let schedule = KeySchedule(hash: hash, aead: aead, version: version)
                            let th1 = Digest.hash(hash, Array("fuzz TH1".utf8))
                            var requester = SessionSecrets(schedule: schedule, role: .requester, encrypt: encrypt,
                                                           psk: Array("TestPskData".utf8), th1Hash: th1)
                            var responder = SessionSecrets(schedule: schedule, role: .responder, encrypt: encrypt,
                                                           psk: Array("TestPskData".utf8), th1Hash: th1)
                            if established {
                                let th2 = Digest.hash(hash, Array("fuzz TH2".utf8))
                                requester.establish(th2Hash: th2)
                                responder.establish(th2Hash: th2)
                            }
                            sessions.append(RecordSession(
                                name: "\(hash) \(aead) \(encrypt ? "encrypt" : "mac-only") \(formatName) \(established ? "data" : "handshake")",
                                version: version, format: format, requester: requester, responder: responder))
                        }
                    }
                }
            }
        }
        return sessions
    }()
}
