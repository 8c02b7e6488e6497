import Testing
@testable import SPDMWire

@Suite("PDU round trips")
struct RoundTripTests {
    @Test("encode -> decode gives the same value", arguments: Samples.all)
    func roundTrip(_ sample: PDUSample) throws {
        #expect(try sample.decodesEqual(sample.encoded))
    }

    @Test("a truncated PDU does not decode", arguments: Samples.all)
    func truncated(_ sample: PDUSample) {
        let lengths = sample.everyPrefixThrows ? Array(0..<sample.encoded.count) : Array(0..<MessageHeader.size)
        for length in lengths {
            #expect(throws: (any Error).self, "\(sample) cut to \(length) of \(sample.encoded.count) bytes") {
                _ = try sample.decodesEqual(Array(sample.encoded.prefix(length)))
            }
        }
    }

    @Test("every sample starts with its version and code")
    func headers() throws {
        for sample in Samples.all {
            let header = try MessageHeader(peeking: sample.encoded)
            #expect(header.version == (sample.description.hasPrefix("GET_VERSION") || sample.description.hasPrefix("VERSION") ? .v10 : sample.context.version),
                    "\(sample)")
        }
    }
}

@Suite("PDU layouts")
struct LayoutTests {
    @Test("GET_VERSION and VERSION bytes")
    func version() {
        #expect(GetVersionRequest().encoded(context: .unnegotiated(.v10)) == [0x10, 0x84, 0x00, 0x00])
        #expect(VersionResponse(versions: [.v11, .v12]).encoded(context: .unnegotiated(.v10))
                == [0x10, 0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x11, 0x00, 0x12])
    }

    @Test("GET_CAPABILITIES sizes per version")
    func capabilitiesSizes() {
        for (version, size) in [(SPDMVersion.v10, 4), (.v11, 12), (.v12, 20), (.v13, 20), (.v14, 20)] {
            #expect(GetCapabilitiesRequest(version: version).encoded(context: .unnegotiated(version)).count == size)
            #expect(GetCapabilitiesRequest.expectedSize(version) == size)
            #expect(CapabilitiesResponse(version: version, ctExponent: 0, flags: []).encoded(context: .unnegotiated(version)).count
                    == (version >= .v12 ? 20 : 12))
        }
    }

    @Test("NEGOTIATE_ALGORITHMS Length covers every field; a wrong Length is refused")
    func negotiateLength() throws {
        let request = NegotiateAlgorithmsRequest(version: .v12, baseAsym: .ecdsaP384, baseHash: .sha384,
                                                 structures: [AlgorithmStructure(type: .dhe, supported: 0x10)])
        var bytes = request.encoded(context: .unnegotiated(.v12))
        #expect(bytes.count == 36)
        #expect(bytes[4] == 36 && bytes[5] == 0)
        #expect(bytes[2] == 1)
        bytes[4] = 40
        #expect(throws: WireError.self) { try NegotiateAlgorithmsRequest(decoding: bytes, context: .unnegotiated(.v12)) }
    }

    @Test("1.0 NEGOTIATE_ALGORITHMS / ALGORITHMS carry no AlgStructures")
    func noStructuresAt10() throws {
        let request = NegotiateAlgorithmsRequest(version: .v10, baseAsym: .ecdsaP256, baseHash: .sha256)
        let bytes = request.encoded(context: .unnegotiated(.v10))
        #expect(bytes.count == 32)
        #expect(try NegotiateAlgorithmsRequest(decoding: bytes, context: .unnegotiated(.v10)).structures.isEmpty)
        // Structures set on a 1.0 value are neither sent nor counted in Length.
        let structures = [AlgorithmStructure(type: .dhe, supported: 0x10)]
        let withStructures = NegotiateAlgorithmsRequest(version: .v10, baseAsym: .ecdsaP256, baseHash: .sha256, structures: structures)
        #expect(try NegotiateAlgorithmsRequest(decoding: withStructures.encoded(context: .unnegotiated(.v10)), context: .unnegotiated(.v10))
                .declaredLength == 32)
        let algorithms = AlgorithmsResponse(version: .v10, measurementSpecification: .dmtf, otherParams: [], measurementHash: [],
                                            baseAsym: .ecdsaP256, baseHash: .sha256, structures: structures)
        #expect(throws: Never.self) { try AlgorithmsResponse(decoding: algorithms.encoded(context: .unnegotiated(.v10)), context: .unnegotiated(.v10)) }
    }

    @Test("a measurement block: index, spec, size, DMTF type/size/value")
    func measurementBlock() throws {
        let block = MeasurementBlock(index: 5, valueType: .firmwareConfiguration, isRawBitStream: true, value: [0xAA, 0xBB])
        #expect(block.encoded == [0x05, 0x01, 0x05, 0x00, 0x83, 0x02, 0x00, 0xAA, 0xBB])
        #expect(block.dmtfMeasurement == [0x83, 0x02, 0x00, 0xAA, 0xBB])
        var reader = WireReader(block.encoded)
        #expect(try MeasurementBlock(decoding: &reader) == block)
        #expect(reader.isAtEnd)
        // MeasurementSize larger than the DMTF value inside it.
        var inconsistent = WireReader([0x05, 0x01, 0x06, 0x00, 0x83, 0x02, 0x00, 0xAA, 0xBB, 0x00])
        #expect(throws: WireError.self) { try MeasurementBlock(decoding: &inconsistent) }
        for length in 0..<block.encoded.count {
            var truncated = WireReader(Array(block.encoded.prefix(length)))
            #expect(throws: WireError.self) { try MeasurementBlock(decoding: &truncated) }
        }
    }

    @Test("certificate chain format: build, parse, Length check")
    func chainFormat() throws {
        let rootHash = [UInt8](repeating: 0x77, count: 32)
        let chain = CertificateChainFormat.build(rootHash: rootHash, certificatesDER: [0x30, 0x00, 0x30, 0x00])
        #expect(Array(chain.prefix(4)) == [40, 0, 0, 0])
        let parsed = try CertificateChainFormat.parse(chain, hashSize: 32)
        #expect(parsed.rootHash == rootHash)
        #expect(parsed.certificatesDER == [0x30, 0x00, 0x30, 0x00])
        #expect(throws: WireError.self) { try CertificateChainFormat.parse(Array(chain.dropLast()), hashSize: 32) }
        #expect(throws: WireError.self) { try CertificateChainFormat.parse([0x04, 0x00, 0x00], hashSize: 32) }
    }

    @Test("ResponseNotReady extended data")
    func notReady() {
        let error = ErrorResponse.responseNotReady(version: .v12, rdExponent: 4, requestCode: .challenge, token: 9, rdtm: 1)
        #expect(error.encoded(context: .unnegotiated(.v12)) == [0x12, 0x7F, 0x42, 0x00, 0x04, 0x83, 0x09, 0x01])
    }

    @Test("unknown request codes survive decoding")
    func openCodes() throws {
        let header = try MessageHeader(peeking: [0x12, 0x99, 0x01, 0x02])
        #expect(RequestCode(rawValue: header.code).description == "REQUEST_0x99")
        #expect(RequestCode.getMeasurements.description == "GET_MEASUREMENTS")
        #expect(ErrorCode(rawValue: 0x42).description == "ResponseNotReady")
    }
}

@Suite("Wire primitives")
struct PrimitiveTests {
    @Test("little-endian readers and writers agree")
    func endianness() throws {
        var out: [UInt8] = []
        out.appendU8(0x01)
        out.appendU16(0x0302)
        out.appendU24(0x06_0504)
        out.appendU32(0x0A09_0807)
        #expect(out == Array(1...10))
        var reader = WireReader(out)
        #expect(try reader.readU8("a") == 0x01)
        #expect(try reader.readU16("b") == 0x0302)
        #expect(try reader.readU24("c") == 0x06_0504)
        #expect(try reader.readU32("d") == 0x0A09_0807)
        #expect(reader.isAtEnd)
        #expect(throws: WireError.truncated(field: "e", needed: 1, available: 0)) { try reader.readU8("e") }
    }

    @Test("versions parse and order")
    func versions() {
        #expect(SPDMVersion(string: "1.2") == .v12)
        #expect(SPDMVersion(string: "13") == .v13)
        #expect(SPDMVersion(string: "2.0") == nil)
        #expect(SPDMVersion(string: "1.5") == nil)
        #expect(SPDMVersion.v10 < .v14)
        #expect(SPDMVersion(versionNumberEntry: 0x1200) == .v12)
        #expect(SPDMVersion.v13.versionNumberEntry == 0x1300)
    }

    @Test("capability names round trip")
    func capabilityNames() {
        let flags: CapabilityFlags = [.cert, .chal, .measWithSignature, .keyEx]
        #expect(CapabilityFlags(names: flags.names) == flags)
        #expect(CapabilityFlags(names: ["NOPE"]) == nil)
    }
}

@Suite("Chunk PDU layouts")
struct ChunkLayoutTests {
    @Test("CHUNK_SEND: 16-bit ChunkSeqNo and Reserved before 1.4, 32-bit from 1.4; LargeMessageSize only in chunk 0")
    func chunkSend() {
        let first = ChunkSendRequest(version: .v12, handle: 3, sequenceNumber: 0, largeMessageSize: 0x0102_0304, chunk: [0xAA, 0xBB])
        #expect(first.encoded(context: .unnegotiated(.v12))
                == [0x12, 0x85, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x03, 0x02, 0x01, 0xAA, 0xBB])
        let later = ChunkSendRequest(version: .v14, handle: 3, lastChunk: true, sequenceNumber: 0x0001_0000, chunk: [0xCC])
        #expect(later.encoded(context: .unnegotiated(.v14))
                == [0x14, 0x85, 0x01, 0x03, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xCC])
        #expect(ChunkSendRequest.size(chunkSize: 26, first: true) == 42)
        #expect(ChunkSendRequest.size(chunkSize: 30, first: false) == 42)
    }

    @Test("CHUNK_SEND_ACK, CHUNK_GET and CHUNK_RESPONSE bytes")
    func others() throws {
        #expect(ChunkSendAckResponse(version: .v13, handle: 9, sequenceNumber: 0x0102).encoded(context: .unnegotiated(.v13))
                == [0x13, 0x05, 0x00, 0x09, 0x02, 0x01])
        #expect(ChunkSendAckResponse(version: .v14, handle: 9, earlyErrorDetected: true, sequenceNumber: 1,
                                     responseToLargeRequest: [0x14, 0x7F, 0x01, 0x00]).encoded(context: .unnegotiated(.v14))
                == [0x14, 0x05, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x14, 0x7F, 0x01, 0x00])
        #expect(ChunkGetRequest(version: .v12, handle: 1, sequenceNumber: 5).encoded(context: .unnegotiated(.v12))
                == [0x12, 0x86, 0x00, 0x01, 0x05, 0x00])
        #expect(ChunkGetRequest(version: .v14, handle: 1, sequenceNumber: 5).encoded(context: .unnegotiated(.v14))
                == [0x14, 0x86, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00])
        #expect(ChunkResponse(version: .v13, handle: 1, lastChunk: true, sequenceNumber: 2, chunk: [7]).encoded(context: .unnegotiated(.v13))
                == [0x13, 0x06, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07])
        // Padding after SPDMchunk (PCI-DOE aligns to dwords) is not part of the chunk.
        let padded = ChunkResponse(version: .v13, handle: 1, sequenceNumber: 2, chunk: [7]).encoded(context: .unnegotiated(.v13)) + [0, 0, 0]
        #expect(try ChunkResponse(decoding: padded, context: .unnegotiated(.v13)).chunk == [7])
        // A ChunkSize beyond the message does not decode.
        var short = ChunkResponse(version: .v13, handle: 1, sequenceNumber: 2, chunk: [7, 8]).encoded(context: .unnegotiated(.v13))
        short.removeLast()
        #expect(throws: WireError.self) { try ChunkResponse(decoding: short, context: .unnegotiated(.v13)) }
    }

    @Test("chunk counts: the first chunk also carries LargeMessageSize")
    func chunkCount() {
        #expect(LargeMessage.chunkCount(messageSize: 26, transferSize: 42) == 1)
        #expect(LargeMessage.chunkCount(messageSize: 27, transferSize: 42) == 2)
        #expect(LargeMessage.chunkCount(messageSize: 56, transferSize: 42) == 2)
        #expect(LargeMessage.chunkCount(messageSize: 57, transferSize: 42) == 3)
        #expect(LargeMessage.chunkCount(messageSize: 0, transferSize: 42) == 0)
    }
}

@Suite("GET_CERTIFICATE / CERTIFICATE 1.4 LargeCertChain")
struct LargeCertChainLayoutTests {
    @Test("Param1 bit 7, zero 16-bit fields, then the 32-bit ones")
    func layout() throws {
        #expect(GetCertificateRequest(version: .v14, slotID: 1, large: .init(offset: 0x0001_0203, length: 0x10)).encoded(context: .unnegotiated(.v14))
                == [0x14, 0x82, 0x81, 0x00, 0, 0, 0, 0, 0x03, 0x02, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00])
        #expect(CertificateResponse(version: .v14, slotID: 1, largeRemainderLength: 0x0001_0000, portion: [9]).encoded(context: .unnegotiated(.v14))
                == [0x14, 0x02, 0x81, 0x00, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 9])
        // Before 1.4 bit 7 of Param1 is not LargeCertChain: the 8-byte form decodes.
        let old = try GetCertificateRequest(decoding: [0x13, 0x82, 0x81, 0x00, 0x10, 0, 0x20, 0], context: .unnegotiated(.v13))
        #expect(old.large == nil && old.slotID == 1 && old.offset == 0x10 && old.length == 0x20)
    }
}
