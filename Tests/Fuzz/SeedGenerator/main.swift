import Foundation
import SPDMCrypto
import SPDMFuzzSupport
import SPDMRequester
import SPDMResponder
import SPDMSession
import SPDMTestFixtures
import SPDMTransport
import SPDMWire

// Writes the fuzz targets' seed corpora (Tests/Fuzz/Corpus/<Target>/) from a back-to-back run of
// our requester and responder at every version: `make fuzz-seeds`. Not run by CI; its output is
// committed. Usage: FuzzSeedGenerator <corpus directory>

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: FuzzSeedGenerator <corpus directory>\n".utf8))
    exit(64)
}
let corpus = URL(fileURLWithPath: CommandLine.arguments[1])

func write(_ target: String, _ name: String, _ bytes: [UInt8]) {
    let directory = corpus.appendingPathComponent(target)
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try! Data(bytes).write(to: directory.appendingPathComponent(name))
}

func route(_ route: UInt8, _ message: [UInt8]) -> [UInt8] { [route] + FuzzRecord.lengthPrefixed(message) }

let recordings = SPDMVersion.all.map(BackToBackRecording.init)

// FuzzResponder: each state, then the requests the real requester sends from there.
for recording in recordings {
    let v = recording.version
    for (stage, skip) in [(ConnectionStage.fresh, 0), (.afterVCA, recording.afterVCA), (.afterCertificate, recording.afterCertificate)] {
        let requests = recording.plain.dropFirst(skip).map { route(0, $0.request) }
        write("FuzzResponder", "\(stage)-\(v)", [ConnectionStates.index(of: stage, v)] + requests.joined())
    }
    guard v >= .v11 else { continue }
    let inSession = SessionRequests.all(v).map { route(1, $0) }.joined() + route(2, SessionRequests.pldmGetTID)
    for stage: ConnectionStage in [.keyExchangeSession, .pskSession] {
        write("FuzzResponder", "\(stage)-\(v)", [ConnectionStates.index(of: stage, v)] + inSession)
    }
    if let record = recording.secured.first?.request {
        write("FuzzResponder", "raw-record-\(v)", [ConnectionStates.index(of: .pskSession, v)] + route(3, record))
    }
    for stage: ConnectionStage in [.keyExchangeHandshake, .pskHandshake] {
        let state = ConnectionStates.prepare(stage, version: v)
        var session = state.session!
        let finish = stage == .pskHandshake ? state.requester.pskFinishRequest(session: &session)
                                            : try! state.requester.finishRequest(session: &session)
        write("FuzzResponder", "\(stage)-\(v)", [ConnectionStates.index(of: stage, v)] + route(1, finish) + inSession)
    }
}
write("FuzzResponder", "keyExchangeSession-pci-doe", [ConnectionStates.index(of: .keyExchangeSession, .v12, .pciDOE)]
      + SessionRequests.all(.v12).map { route(1, $0) }.joined())

// FuzzRequester: each state with every response passed, and with each of the first responses
// of a fresh connection cut short, flipped, or replaced by ResponseNotReady.
for index in ConnectionStates.catalog.indices {
    write("FuzzRequester", "state-\(index)", [UInt8(index), 0])
}
for recording in recordings {
    let fresh = ConnectionStates.index(of: .fresh, recording.version)
    for position in 0..<min(recording.plain.count, 9) {
        let passes = [UInt8](repeating: 0, count: 3 * position)  // mode pass, empty operand
        write("FuzzRequester", "truncate-\(recording.version)-\(position)", [fresh, 0] + passes + [3, 2, 0, 6, 0])
        write("FuzzRequester", "xor-\(recording.version)-\(position)", [fresh, 0] + passes + [2, 3, 0, 1, 0, 0x80])
        let notReady = ErrorResponse.responseNotReady(version: recording.version, rdExponent: 1,
                                                      requestCode: RequestCode(rawValue: recording.plain[position].request[1]),
                                                      token: 1, rdtm: 1).encoded(context: .unnegotiated(recording.version))
        write("FuzzRequester", "not-ready-\(recording.version)-\(position)", [fresh, 0] + passes + [1] + FuzzRecord.lengthPrefixed(notReady))
    }
}

// FuzzWirePDU: every message of the run, with the context the negotiated algorithms fix.
let codecIndex = Dictionary(uniqueKeysWithValues: PDUCodecs.all.enumerated().map { ($1.name, UInt8($0)) })
func pduSeed(_ codec: String, _ message: [UInt8], version: SPDMVersion, flag: Bool = false) -> [UInt8] {
    let hash = UInt8(PDUSizes.hashSizes.firstIndex(of: 48)!)
    let signature = UInt8(PDUSizes.signatureSizes.firstIndex(of: 96)!)
    let exchange = UInt8(PDUSizes.exchangeDataSizes.firstIndex(of: 96)!)
    return [codecIndex[codec]!, hash, UInt8(SPDMVersion.all.firstIndex(of: version)!), signature, exchange | (flag ? 0x80 : 0)] + message
}
let codecByCode: [UInt8: String] = [
    0x84: "GetVersionRequest", 0xE1: "GetCapabilitiesRequest", 0xE3: "NegotiateAlgorithmsRequest", 0x81: "GetDigestsRequest",
    0x82: "GetCertificateRequest", 0x83: "ChallengeRequest", 0xE0: "GetMeasurementsRequest", 0xE4: "KeyExchangeRequest",
    0xE6: "PSKExchangeRequest", 0x04: "VersionResponse", 0x61: "CapabilitiesResponse", 0x63: "AlgorithmsResponse",
    0x01: "DigestsResponse", 0x02: "CertificateResponse", 0x03: "ChallengeAuthResponse", 0x60: "MeasurementsResponse",
    0x7F: "ErrorResponse", 0x64: "KeyExchangeResponse",
]
for recording in recordings {
    for (n, exchange) in recording.plain.enumerated() {
        for (kind, message) in [("request", exchange.request), ("response", exchange.response)] {
            guard let codec = codecByCode[message[1]] else { continue }
            let flag = message[1] == 0x60 ? exchange.request[2] & 0x01 != 0 : [0x03, 0x64].contains(message[1])
            write("FuzzWirePDU", "\(codec)-\(recording.version)-\(n)-\(kind)", pduSeed(codec, message, version: recording.version, flag: flag))
        }
    }
}
let v13 = SPDMVersion.v13
write("FuzzWirePDU", "RespondIfReadyRequest", pduSeed("RespondIfReadyRequest", [0x13, 0xFF, 0x82, 0x01], version: v13))
write("FuzzWirePDU", "FinishRequest-1.4", pduSeed("FinishRequest", { var out: [UInt8] = []
    FinishRequest(version: .v14, signatureIncluded: true, opaqueData: [1, 2], signature: [UInt8](repeating: 7, count: 96),
                  verifyData: [UInt8](repeating: 9, count: 48)).encode(into: &out); return out }(), version: .v14))
write("FuzzWirePDU", "PSKFinishRequest-1.4", pduSeed("PSKFinishRequest", { var out: [UInt8] = []
    PSKFinishRequest(version: .v14, opaqueData: [1], verifyData: [UInt8](repeating: 9, count: 48)).encode(into: &out); return out }(), version: .v14))
write("FuzzWirePDU", "PSKFinishResponse-1.4", pduSeed("PSKFinishResponse", { var out: [UInt8] = []
    PSKFinishResponse(version: .v14, opaqueData: [1, 2, 3]).encode(into: &out); return out }(), version: .v14))
write("FuzzWirePDU", "EncapsulatedRequestResponse", pduSeed("EncapsulatedRequestResponse",
    EncapsulatedRequestResponse(version: v13, requestID: 1, encapsulatedRequest: [0x13, 0x81, 0, 0]).encoded, version: v13))
write("FuzzWirePDU", "DeliverEncapsulatedResponse", pduSeed("DeliverEncapsulatedResponse",
    DeliverEncapsulatedResponse(version: v13, requestID: 1, encapsulatedResponse: [0x13, 0x01, 0, 1] + [UInt8](repeating: 3, count: 48)).encoded, version: v13))
write("FuzzWirePDU", "EncapsulatedResponseAck", pduSeed("EncapsulatedResponseAck",
    EncapsulatedResponseAck(version: v13, requestID: 2, payloadType: .present, ackRequestID: 1, payload: [0x13, 0x82, 0, 0, 0, 0, 0, 4]).encoded, version: v13))
write("FuzzWirePDU", "MeasurementBlock", pduSeed("MeasurementBlock",
    MeasurementBlock(index: 1, valueType: .mutableFirmware, isRawBitStream: true, value: Array("firmware".utf8)).encoded, version: v13))
write("FuzzWirePDU", "CertificateChainFormat", pduSeed("CertificateChainFormat",
    CertificateChainFormat.build(rootHash: Digest.hash(.sha384, FuzzDevice.chain.root.der), certificatesDER: FuzzDevice.chain.certificatesDER), version: v13))
write("FuzzWirePDU", "MessageHeader", pduSeed("MessageHeader", [0x12, 0xE8, 0, 0], version: .v12))

// FuzzTransportBinding and FuzzPlatformFrame: real messages in every binding.
let getVersion = recordings[0].plain[0].request, version = recordings[0].plain[0].response
let securedRecord = recordings[2].secured.first!.request
for (index, type) in TransportType.allCases.enumerated() {
    let binding = TransportBindings.binding(for: type)
    let payloads: [(String, [UInt8])] = [("get-version", binding.encode(.spdm(getVersion))), ("version", binding.encode(.spdm(version))),
                                         ("secured", binding.encode(.securedSPDM(securedRecord)))]
        + (type == .pciDOE ? [("discovery", binding.encode(.bindingControl(request: [0, 0, 0, 0])))] : [])
    for (name, payload) in payloads {
        write("FuzzTransportBinding", "\(type)-\(name)", [UInt8(index)] + payload)
    }
    let frames = PlatformFrame(command: .test, transport: type, payload: PlatformCommand.clientHello).bytes
        + PlatformFrame(command: .normal, transport: type, payload: binding.encode(.spdm(getVersion))).bytes
        + PlatformFrame(command: .normal, transport: type, payload: binding.encode(.securedSPDM(securedRecord))).bytes
        + PlatformFrame(command: .shutdown, transport: type).bytes
    write("FuzzPlatformFrame", "\(type)-listener", [4, UInt8(index + 1), 5] + frames)
    write("FuzzPlatformFrame", "\(type)-any-listener", [4, 0, 12] + frames)
}

// FuzzSecuredRecord: a GET_VERSION sealed and tampered with in each session, and opaque data.
for index in 0..<72 where index % 7 == 0 {
    write("FuzzSecuredRecord", "seal-\(index)", [UInt8(index), 1, 5, 0, 0x01, 0, 0, 0x05] + getVersion)
    write("FuzzSecuredRecord", "open-\(index)", [UInt8(index), 0] + securedRecord)
}
for version in [SPDMVersion.v11, .v12] {
    let index: UInt8 = version == .v11 ? 0 : 1  // handshake sessions are 1.1, data sessions 1.3
    write("FuzzSecuredRecord", "opaque-list-\(version)", [index, 2] + SecuredMessageOpaqueData.supportedVersionList(spdmVersion: version))
    write("FuzzSecuredRecord", "opaque-selection-\(version)", [index, 2] + SecuredMessageOpaqueData.versionSelection(0x1100, spdmVersion: version))
}

// Provisioning: the requests on a provisioning device, in the clear and in sessions; the PDUs.
for (index, recipe) in ConnectionStates.catalog.enumerated() where recipe.provisioning != .none {
    let v = recipe.version
    let name = "provisioning-\(recipe.provisioning)-\(recipe.stage)-\(v)"
    if recipe.stage == .afterCertificate {
        write("FuzzResponder", name, [UInt8(index)] + ProvisioningRequests.plain(v, multiKey: v >= .v13).map { route(0, $0) }.joined())
    } else {
        write("FuzzResponder", name, [UInt8(index)] + ProvisioningRequests.inSession(v).map { route(1, $0) }.joined())
    }
}
let provisioningCodecs: [UInt8: String] = [0xED: "GetCSRRequest", 0xEE: "SetCertificateRequest", 0xFC: "GetKeyPairInfoRequest",
                                           0xFD: "SetKeyPairInfoRequest", 0x81: "GetDigestsRequest"]
for version in [SPDMVersion.v12, .v13, .v14] {
    for (n, request) in ProvisioningRequests.plain(version, multiKey: version >= .v13).enumerated() {
        guard let codec = provisioningCodecs[request[1]], codec != "GetDigestsRequest" else { continue }
        write("FuzzWirePDU", "provisioning-\(codec)-\(version)-\(n)", pduSeed(codec, request, version: version))
    }
    for (codec, response) in ProvisioningRequests.responses(version) {
        write("FuzzWirePDU", "provisioning-\(codec)-\(version)", pduSeed(codec, response, version: version))
    }
}
var multiKeyDigests = pduSeed("DigestsResponse", DigestsResponse(
    version: .v13, supportedSlotMask: 0x03, provisionedSlotMask: 0x01, digests: [[UInt8](repeating: 0x5A, count: 48)],
    keyPairIDs: [2], certificateInfos: [1], keyUsageMasks: [.spdm]).encoded(context: WireContext(version: .v13, hashSize: 48, multiKeyConnection: true)),
    version: .v13)
multiKeyDigests[4] |= 0x40
write("FuzzWirePDU", "provisioning-DigestsResponse-multi-key-1.3", multiKeyDigests)
writeVendorDefinedSeeds()
print("seeds written under \(corpus.path)")

// Mutual authentication: the requester runs from CERTIFICATE on (KEY_EXCHANGE with the
// encapsulated flow); the responder gets the encapsulated requests in the handshake.
for (index, recipe) in ConnectionStates.catalog.enumerated() where recipe.mutualAuth != .none && !recipe.postQuantum {
    write("FuzzRequester", "mutual-\(recipe.mutualAuth)-\(recipe.stage)-\(recipe.version)", [UInt8(index), 0])
    guard recipe.stage == .keyExchangeHandshake else { continue }
    let v = recipe.version
    let encapsulated = [SessionRequests.header(v, .getEncapsulatedRequest),
                        DeliverEncapsulatedResponse(version: v, requestID: 1, encapsulatedResponse:
                            [v.rawValue, ResponseCode.digests.rawValue, 0x01, 0x01] + Digest.hash(.sha384, FuzzDevice.requesterChain.certificatesDER)).encoded,
                        SessionRequests.header(v, .getEncapsulatedRequest)]
    write("FuzzResponder", "mutual-\(recipe.mutualAuth)-\(v)", [UInt8(index)] + encapsulated.map { route(1, $0) }.joined())
}

// Large messages: from each chunking state, the real requester's traffic (CHUNK_SEND / CHUNK_GET in
// the clear and in sessions) for FuzzResponder; each state for FuzzRequester; the chunk PDUs, and
// GET_CERTIFICATE / CERTIFICATE in the 1.4 LargeCertChain form, for FuzzWirePDU.
for (index, recipe) in ConnectionStates.catalog.enumerated() where recipe.chunking {
    let name = "chunking-\(recipe.stage)-\(recipe.version)"
    write("FuzzRequester", name, [UInt8(index), 0])
    let requests = StateTrafficRecording.requests(from: recipe)
    write("FuzzResponder", name, [UInt8(index)] + requests.map { route($0.route, $0.message) }.joined())
}
for version: SPDMVersion in [.v12, .v14] {
    let chunk = [UInt8](repeating: 0xA5, count: 26)
    write("FuzzWirePDU", "ChunkSendRequest-\(version)", pduSeed("ChunkSendRequest",
        ChunkSendRequest(version: version, handle: 1, sequenceNumber: 0, largeMessageSize: 48, chunk: chunk).encoded(context: .unnegotiated(version)),
        version: version))
    write("FuzzWirePDU", "ChunkSendAckResponse-\(version)", pduSeed("ChunkSendAckResponse",
        ChunkSendAckResponse(version: version, handle: 1, sequenceNumber: 1, responseToLargeRequest: [version.rawValue, 0x7F, 0x0F, 0x00, 0x02])
            .encoded(context: .unnegotiated(version)), version: version))
    write("FuzzWirePDU", "ChunkGetRequest-\(version)", pduSeed("ChunkGetRequest",
        ChunkGetRequest(version: version, handle: 2, sequenceNumber: 1).encoded(context: .unnegotiated(version)), version: version))
    write("FuzzWirePDU", "ChunkResponse-\(version)", pduSeed("ChunkResponse",
        ChunkResponse(version: version, handle: 2, lastChunk: true, sequenceNumber: 1, chunk: Array(chunk.prefix(9))).encoded(context: .unnegotiated(version)),
        version: version))
}
write("FuzzWirePDU", "GetCertificateRequest-large-1.4", pduSeed("GetCertificateRequest",
    GetCertificateRequest(version: .v14, slotID: 0, large: .init(offset: 0x0001_0000, length: 0x400)).encoded(context: .unnegotiated(.v14)), version: .v14))
write("FuzzWirePDU", "CertificateResponse-large-1.4", pduSeed("CertificateResponse",
    CertificateResponse(version: .v14, slotID: 0, largeRemainderLength: 0x0001_0000, portion: [UInt8](repeating: 0x30, count: 40))
        .encoded(context: .unnegotiated(.v14)), version: .v14))
print("chunking seeds written")

// Post-quantum (SPDM 1.4 ML-DSA-65 / ML-KEM-768): each state for FuzzRequester; for FuzzResponder the
// real requester's traffic from each state without mutual authentication, and in the mutual
// handshake the encapsulated flow's first requests with our DIGESTS of the ML-DSA requester chain.
for (index, recipe) in ConnectionStates.catalog.enumerated() where recipe.postQuantum {
    let mutual = recipe.mutualAuth != .none ? "mutual-\(recipe.mutualAuth)-" : ""
    let name = "pqc-\(mutual)\(recipe.stage)-\(recipe.version)"
    write("FuzzRequester", name, [UInt8(index), 0])
    let v = recipe.version
    if recipe.mutualAuth == .none, recipe.stage != .fresh {
        let requests = StateTrafficRecording.requests(from: recipe)
        write("FuzzResponder", name, [UInt8(index)] + requests.map { route($0.route, $0.message) }.joined())
    } else if recipe.stage == .keyExchangeHandshake {
        let requesterChain = FuzzDevice.postQuantumRequesterChain
        let spdmChain = CertificateChainFormat.build(rootHash: Digest.hash(.sha384, requesterChain.root.der),
                                                     certificatesDER: requesterChain.certificatesDER)
        let encapsulated = [SessionRequests.header(v, .getEncapsulatedRequest),
                            DeliverEncapsulatedResponse(version: v, requestID: 1, encapsulatedResponse:
                                [v.rawValue, ResponseCode.digests.rawValue, 0x01, 0x01] + Digest.hash(.sha384, spdmChain)).encoded,
                            SessionRequests.header(v, .getEncapsulatedRequest)]
        write("FuzzResponder", name, [UInt8(index)] + encapsulated.map { route(1, $0) }.joined())
    }
}
// FuzzWirePDU: the 1.4 post-quantum fields and sizes: PqcAsymAlgo / PqcAsymSel with AlgTypes 6 and 7,
// KEY_EXCHANGE with an ML-KEM-768 encapsulation key, KEY_EXCHANGE_RSP with its ciphertext and an
// ML-DSA-65 signature.
func postQuantumPDUSeed(_ codec: String, _ message: [UInt8], exchange: Int, signature: Int = 96, flag: Bool = false) -> [UInt8] {
    var seed = pduSeed(codec, message, version: .v14, flag: flag)
    seed[3] = UInt8(PDUSizes.signatureSizes.firstIndex(of: signature)!)
    seed[4] = UInt8(PDUSizes.exchangeDataSizes.firstIndex(of: exchange)!) | (flag ? 0x80 : 0)
    return seed
}
let pqcStructures = [AlgorithmStructure(type: .dhe, supported: DHEGroups.secp384r1.rawValue),
                     AlgorithmStructure(type: .aead, supported: AEADSuites.aes256GCM.rawValue),
                     AlgorithmStructure(type: .keySchedule, supported: KeySchedules.spdm.rawValue),
                     AlgorithmStructure(type: .requesterPQCAsym, supported: PQCAsymAlgorithms.mlDsa65.requesterStructureBits),
                     AlgorithmStructure(type: .kem, supported: KEMAlgorithms([.mlKem768, .mlKem1024]).rawValue)]
write("FuzzWirePDU", "NegotiateAlgorithmsRequest-pqc-1.4", postQuantumPDUSeed("NegotiateAlgorithmsRequest",
    NegotiateAlgorithmsRequest(version: .v14, baseAsym: .ecdsaP384, baseHash: .sha384, pqcAsym: [.mlDsa65, .mlDsa87],
                               structures: pqcStructures).encoded(context: .unnegotiated(.v14)), exchange: 0))
write("FuzzWirePDU", "AlgorithmsResponse-pqc-1.4", postQuantumPDUSeed("AlgorithmsResponse",
    AlgorithmsResponse(version: .v14, measurementSpecification: .dmtf, otherParams: .opaqueDataFormat1,
                       measurementHash: MeasurementHashAlgorithms(baseHash: .sha384), baseAsym: [], baseHash: .sha384, pqcAsym: .mlDsa65,
                       structures: [AlgorithmStructure(type: .dhe, supported: 0),
                                    AlgorithmStructure(type: .aead, supported: AEADSuites.aes256GCM.rawValue),
                                    AlgorithmStructure(type: .keySchedule, supported: KeySchedules.spdm.rawValue),
                                    AlgorithmStructure(type: .requesterPQCAsym, supported: PQCAsymAlgorithms.mlDsa65.requesterStructureBits),
                                    AlgorithmStructure(type: .kem, supported: KEMAlgorithms.mlKem768.rawValue)])
        .encoded(context: .unnegotiated(.v14)), exchange: 0))
write("FuzzWirePDU", "KeyExchangeRequest-mlkem768-1.4", postQuantumPDUSeed("KeyExchangeRequest", { var out: [UInt8] = []
    KeyExchangeRequest(version: .v14, summaryHashType: .all, slotID: 0, requesterSessionID: 0xFFFF, randomData: [UInt8](repeating: 0x11, count: 32),
                       exchangeData: [UInt8](repeating: 0x5A, count: 1184), opaqueData: [1, 2, 3, 4]).encode(into: &out); return out }(), exchange: 1184))
write("FuzzWirePDU", "KeyExchangeResponse-mlkem768-mldsa65-1.4", postQuantumPDUSeed("KeyExchangeResponse", { var out: [UInt8] = []
    var response = KeyExchangeResponse(version: .v14, heartbeatPeriod: 5, responderSessionID: 0xFFFE, randomData: [UInt8](repeating: 0x22, count: 32),
                                       exchangeData: [UInt8](repeating: 0xA5, count: 1088), measurementSummaryHash: [UInt8](repeating: 0x33, count: 48),
                                       opaqueData: [1, 2, 3, 4])
    response.signature = [UInt8](repeating: 0x44, count: 3309)
    response.verifyData = [UInt8](repeating: 0x55, count: 48)
    response.encode(into: &out); return out }(), exchange: 1088, signature: 3309, flag: true))
write("FuzzWirePDU", "CapabilitiesResponse-supported-algorithms-1.4", postQuantumPDUSeed("CapabilitiesResponse",
    CapabilitiesResponse(version: .v14, ctExponent: 14, flags: [.cert, .chal, .keyEx, .chunk], dataTransferSize: 4608, maxSPDMMessageSize: 65536,
                         supportedAlgorithms: SupportedAlgorithms(measurementSpecification: .dmtf, otherParams: .opaqueDataFormat1,
                                                                  baseAsym: .ecdsaP384, baseHash: .sha384, pqcAsym: .mlDsa65,
                                                                  structures: pqcStructures))
        .encoded(context: .unnegotiated(.v14)), exchange: 0))
print("post-quantum seeds written")
EndpointInfoLogSeeds.writeAll()
print("endpoint info and measurement extension log seeds written")


// Events (1.3+): the PDUs, and the event requests inside key-exchange and PSK sessions.
for version: SPDMVersion in [.v13, .v14] {
    for (codec, message) in EventSeeds.pdus(version) {
        write("FuzzWirePDU", "\(codec)-\(version)", pduSeed(codec, message, version: version))
    }
    for stage: ConnectionStage in [.keyExchangeSession, .pskSession] {
        write("FuzzResponder", "events-\(stage)-\(version)",
              [ConnectionStates.index(of: stage, version)] + EventSeeds.sessionRequests(version).map { route(1, $0) }.joined())
    }
}
print("event seeds written")
