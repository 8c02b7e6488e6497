import SPDMCrypto
import SPDMWire

/// One session's secrets and record protection, for either role (DSP0274 §"Session", DSP0277).
/// `Role` decides which direction is received and which is sent.
public struct SessionSecrets: Sendable {
    public enum Role: Sendable { case requester, responder }
    public enum Phase: Sendable, Equatable { case handshake, established }

    public let schedule: KeySchedule
    public let role: Role
    /// Encrypt-and-MAC (true) or MAC-only (false).
    public let encrypt: Bool
    public private(set) var phase: Phase = .handshake

    var handshakeSecret: [UInt8]
    public private(set) var requestFinishedKey: [UInt8] = []
    public private(set) var responseFinishedKey: [UInt8] = []
    public private(set) var exportMasterSecret: [UInt8] = []
    var requestHandshake: TrafficKeys
    var responseHandshake: TrafficKeys
    var requestData: TrafficKeys?
    var responseData: TrafficKeys?
    /// Records that failed to authenticate (dropped, never handed to the state machine).
    public private(set) var droppedRecords = 0

    /// Derives the handshake secrets from the DHE secret or PSK and the TH1 transcript hash.
    public init(schedule: KeySchedule, role: Role, encrypt: Bool, dheSecret: [UInt8]? = nil, psk: [UInt8]? = nil,
                th1Hash: [UInt8]) {
        self.schedule = schedule
        self.role = role
        self.encrypt = encrypt
        if let psk {
            handshakeSecret = schedule.handshakeSecret(psk: psk)
        } else {
            handshakeSecret = schedule.handshakeSecret(dheSecret: dheSecret ?? [])
        }
        let requestSecret = schedule.requestHandshakeSecret(handshakeSecret, th1: th1Hash)
        let responseSecret = schedule.responseHandshakeSecret(handshakeSecret, th1: th1Hash)
        requestFinishedKey = schedule.finishedKey(requestSecret)
        responseFinishedKey = schedule.finishedKey(responseSecret)
        requestHandshake = schedule.trafficKeys(requestSecret)
        responseHandshake = schedule.trafficKeys(responseSecret)
    }

    /// Derives the data secrets from TH2 and switches both directions to them.
    public mutating func establish(th2Hash: [UInt8]) {
        let master = schedule.masterSecret(handshakeSecret)
        requestData = schedule.trafficKeys(schedule.requestDataSecret(master, th2: th2Hash))
        responseData = schedule.trafficKeys(schedule.responseDataSecret(master, th2: th2Hash))
        exportMasterSecret = schedule.exportMasterSecret(master, th2: th2Hash)
        secureZero(&handshakeSecret)
        phase = .established
    }

    /// KEY_UPDATE: replaces the major secret of the request and/or response direction; the
    /// sequence number of an updated direction starts again at 0.
    public mutating func updateKeys(request: Bool, response: Bool) {
        if request, let current = requestData { requestData = schedule.trafficKeys(schedule.updatedSecret(current.secret)) }
        if response, let current = responseData { responseData = schedule.trafficKeys(schedule.updatedSecret(current.secret)) }
    }

    public func verifyData(requestDirection: Bool, transcriptHash: [UInt8]) -> [UInt8] {
        schedule.verifyData(finishedKey: requestDirection ? requestFinishedKey : responseFinishedKey, transcriptHash: transcriptHash)
    }

    private var receiveIsRequest: Bool { role == .responder }

    /// Opens a received record with the current receive keys. A record that does not authenticate
    /// is counted and reported; nothing about the session changes.
    public mutating func open(_ record: [UInt8], format: SecuredMessageFormat) throws -> [UInt8] {
        do {
            switch (phase, receiveIsRequest) {
            case (.handshake, true): return try SecuredMessage.decode(record, keys: &requestHandshake, aead: schedule.aead, encrypt: encrypt, format: format)
            case (.handshake, false): return try SecuredMessage.decode(record, keys: &responseHandshake, aead: schedule.aead, encrypt: encrypt, format: format)
            case (.established, true): return try SecuredMessage.decode(record, keys: &requestData!, aead: schedule.aead, encrypt: encrypt, format: format)
            case (.established, false): return try SecuredMessage.decode(record, keys: &responseData!, aead: schedule.aead, encrypt: encrypt, format: format)
            }
        } catch {
            droppedRecords += 1
            throw error
        }
    }

    /// Seals application data with the current send keys.
    public mutating func seal(sessionID: UInt32, _ applicationData: [UInt8], format: SecuredMessageFormat,
                              padding: [UInt8] = []) throws -> [UInt8] {
        switch (phase, receiveIsRequest) {
        case (.handshake, true): return try SecuredMessage.encode(sessionID: sessionID, applicationData: applicationData, keys: &responseHandshake, aead: schedule.aead, encrypt: encrypt, format: format, padding: padding)
        case (.handshake, false): return try SecuredMessage.encode(sessionID: sessionID, applicationData: applicationData, keys: &requestHandshake, aead: schedule.aead, encrypt: encrypt, format: format, padding: padding)
        case (.established, true): return try SecuredMessage.encode(sessionID: sessionID, applicationData: applicationData, keys: &responseData!, aead: schedule.aead, encrypt: encrypt, format: format, padding: padding)
        case (.established, false): return try SecuredMessage.encode(sessionID: sessionID, applicationData: applicationData, keys: &requestData!, aead: schedule.aead, encrypt: encrypt, format: format, padding: padding)
        }
    }
}

extension AEADAlgorithm {
    /// The crypto algorithm of a single-bit ALGORITHMS AEAD selection.
    public init?(_ suite: AEADSuites) {
        switch suite {
        case .aes128GCM: self = .aes128GCM
        case .aes256GCM: self = .aes256GCM
        case .chacha20Poly1305: self = .chacha20Poly1305
        default: return nil
        }
    }
}

extension DHEGroup {
    /// The crypto group of a single-bit ALGORITHMS DHE selection.
    public init?(_ group: DHEGroups) {
        switch group {
        case .ffdhe2048: self = .ffdhe2048
        case .ffdhe3072: self = .ffdhe3072
        case .ffdhe4096: self = .ffdhe4096
        case .secp256r1: self = .secp256r1
        case .secp384r1: self = .secp384r1
        case .secp521r1: self = .secp521r1
        default: return nil
        }
    }
}
