import Foundation
import Logging
import SPDMCore
import SPDMCrypto
import SPDMDevice
import SPDMResponder

/// What the control API changed on a device, persisted under <state>/devices/<name>/ with atomic
/// writes so it survives a restart and a kill -9:
///
///     measurements.json        {"measurements": {"<index>": "<hex>"}}
///     slot<N>.override.pem     the slot's chain (root first) and its private key, mode 0600
///
/// Generated identities (slot<N>.key, slot<N>.cert.der) belong to the config and are not touched.
struct DeviceStateStore: Sendable {
    let directory: String

    init(stateDirectory: String, device: String) {
        directory = stateDirectory + "/devices/" + device
    }

    var measurementsPath: String { directory + "/measurements.json" }
    func slotPath(_ id: UInt8) -> String { directory + "/slot\(id).override.pem" }

    private struct MeasurementsFile: Codable {
        var measurements: [String: String]
    }

    func storedMeasurements() throws -> [UInt8: [UInt8]] {
        guard let bytes = StateDirectory.read(measurementsPath) else { return [:] }
        let file = try JSONDecoder().decode(MeasurementsFile.self, from: Data(bytes))
        var result: [UInt8: [UInt8]] = [:]
        for (key, hex) in file.measurements {
            guard let index = UInt8(key), let value = ByteString.parse("hex:" + hex) else {
                throw ControlError.internalError("\(measurementsPath): bad entry '\(key)'")
            }
            result[index] = value
        }
        return result
    }

    func saveMeasurement(index: UInt8, value: [UInt8]) throws {
        var stored = (try? storedMeasurements()) ?? [:]
        stored[index] = value
        let file = MeasurementsFile(measurements: Dictionary(uniqueKeysWithValues: stored.map { (String($0.key), $0.value.spdmHex) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try StateDirectory.writeAtomically(Array(try encoder.encode(file)) + [0x0A], to: measurementsPath)
    }

    func saveSlot(id: UInt8, chainPEM: String, keyPEM: String) throws {
        let text = chainPEM.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            + keyPEM.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        try StateDirectory.writeAtomically(Array(text.utf8), to: slotPath(id), secret: true)
    }

    func storedSlotIDs() -> [UInt8] {
        (0..<8).filter { FileManager.default.fileExists(atPath: slotPath($0)) }
    }

    func reset() throws {
        for path in [measurementsPath] + (0..<8).map({ slotPath($0) }) where FileManager.default.fileExists(atPath: path) {
            guard unlink(path) == 0 else { throw ControlError.internalError("unlink \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Applies the stored state to a device just loaded from the config.
    func apply(to device: inout ResponderDevice, logger: Logger) {
        do {
            for (index, value) in try storedMeasurements().sorted(by: { $0.key < $1.key }) {
                if device.measurements.entry(index) == nil {
                    logger.warning("stored measurement \(index) is not in the config any more; ignored", metadata: ["file": "\(measurementsPath)"])
                } else {
                    _ = device.measurements.set(index: index, value: value)
                }
            }
        } catch {
            logger.warning("ignoring stored measurements: \(error)", metadata: ["file": "\(measurementsPath)"])
        }
        for id in storedSlotIDs() {
            do {
                guard let bytes = StateDirectory.read(slotPath(id)) else { continue }
                let text = String(decoding: bytes, as: UTF8.self)
                let model = device.slot(id)?.certificateModel ?? 1
                let slot = try SlotMaterial.parse(id: id, chainPEM: text, keyPEM: text, rootPEM: nil, model: model)
                guard device.asymPreference.contains(where: { slot.privateKey.matches($0) }) else {
                    logger.warning("stored slot \(id) key fits none of the device's algorithms; ignored", metadata: ["file": "\(slotPath(id))"])
                    continue
                }
                device.slots.removeAll { $0.id == id }
                device.slots.append(slot)
                device.slots.sort { $0.id < $1.id }
                device.supportedSlotMask |= 1 << id
            } catch {
                logger.warning("ignoring stored slot \(id): \(error)", metadata: ["file": "\(slotPath(id))"])
            }
        }
    }
}

/// A certificate slot from PEM text: the chain (root first or leaf first) and the leaf's key.
enum SlotMaterial {
    static func parse(id: UInt8, chainPEM: String, keyPEM: String, rootPEM: String?, model: UInt8) throws -> CertificateSlot {
        guard id < 8 else { throw ControlError.badRequest("slot must be 0-7") }
        var certificates: [Certificate]
        do {
            certificates = try Certificate.parsePEMBundle(chainPEM)
        } catch {
            throw ControlError.badRequest("chain_pem: \(error)")
        }
        if !certificates[0].isCA && certificates.last!.isCA { certificates.reverse() }
        guard let keyBlock = pemBlock(keyPEM, containing: "PRIVATE KEY") else {
            throw ControlError.badRequest("key_pem holds no PEM private key")
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: keyBlock)
        } catch {
            throw ControlError.badRequest("key_pem: \(error)")
        }
        guard key.publicKey.subjectPublicKeyInfoDER == certificates.last!.publicKey.subjectPublicKeyInfoDER else {
            throw ControlError.badRequest("the key does not belong to the chain's leaf certificate (\(certificates.last!.subject))")
        }
        var root = certificates[0]
        if let rootPEM {
            do {
                root = try Certificate.parsePEMBundle(rootPEM)[0]
            } catch {
                throw ControlError.badRequest("root_pem: \(error)")
            }
        } else if !root.isSelfSigned {
            throw ControlError.badRequest("the chain does not start with a self-signed root; give root_pem")
        }
        do {
            try ChainVerifier.verify(chain: certificates, trustedRoots: [root], options: .init(validAt: nil))
        } catch {
            throw ControlError.badRequest("the chain does not verify: \(error)")
        }
        return CertificateSlot(id: id, certificatesDER: certificates.flatMap(\.der), rootCertificateDER: root.der,
                               privateKey: key, certificateModel: model)
    }

    /// The first "-----BEGIN ...<label>-----" block of `text`.
    static func pemBlock(_ text: String, containing label: String) -> String? {
        var remaining = Substring(text)
        while let begin = remaining.range(of: "-----BEGIN ") {
            guard let headerEnd = remaining.range(of: "-----", range: begin.upperBound..<remaining.endIndex) else { return nil }
            let name = remaining[begin.upperBound..<headerEnd.lowerBound]
            guard let end = remaining.range(of: "-----END \(name)-----", range: headerEnd.upperBound..<remaining.endIndex) else { return nil }
            if name.hasSuffix(label) { return String(remaining[begin.lowerBound..<end.upperBound]) + "\n" }
            remaining = remaining[end.upperBound...]
        }
        return nil
    }
}

/// A control API failure with its HTTP status.
enum ControlError: Error, CustomStringConvertible {
    case badRequest(String)
    case notFound(String)
    case conflict(String)
    case internalError(String)

    var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .conflict: return 409
        case .internalError: return 500
        }
    }

    var description: String {
        switch self {
        case .badRequest(let message), .notFound(let message), .conflict(let message), .internalError(let message): return message
        }
    }
}
