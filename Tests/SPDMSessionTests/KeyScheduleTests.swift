import Testing
import SPDMCrypto
import SPDMSession
import SPDMWire

/// Expected values computed independently with Python `cryptography` (HMAC/HKDFExpand, SHA-384)
/// from the DSP0274 formulas: DHE secret = 00..2f, TH1 = 0x11 x 48, TH2 = 0x22 x 48, SPDM 1.2.
@Suite("Key schedule")
struct KeyScheduleTests {
    let schedule = KeySchedule(hash: .sha384, aead: .aes256GCM, version: .v12)
    let dhe = [UInt8](0..<48)
    let th1 = [UInt8](repeating: 0x11, count: 48)
    let th2 = [UInt8](repeating: 0x22, count: 48)

    @Test("BinConcat carries the version label")
    func binConcat() {
        #expect(schedule.binConcat(length: 48, label: "derived") == [48, 0] + Array("spdm1.2 derived".utf8))
        #expect(KeySchedule(hash: .sha256, aead: .aes128GCM, version: .v11).binConcat(length: 12, label: "iv")
                == [12, 0] + Array("spdm1.1 iv".utf8))
    }

    @Test("handshake and data secrets, keys, finished key, export master, key update")
    func knownAnswers() {
        let hs = schedule.handshakeSecret(dheSecret: dhe)
        #expect(hs.spdmHex == "360732e7447a7e51164ebc696c02061ead7f37c94691c4c830c8bb5ccc75ad69aa72ba3bc5d8112486c6d0c5c6b9e0be")
        let req = schedule.requestHandshakeSecret(hs, th1: th1)
        #expect(req.spdmHex == "70076ced1e9b40e6de963b7ee93509d0ecbe311cddcac365d2c161316802d09f4e2f0cd88406afac67f32e0d3f31afe4")
        #expect(schedule.responseHandshakeSecret(hs, th1: th1).spdmHex
                == "9f7d296db61a531f099932652f69a32e53cefb77aa1f69ea626bb1ba56e8b06cd485f87b4dc41007a8e8ff4710101efa")
        #expect(schedule.finishedKey(req).spdmHex
                == "958798ca8d918ccaecf2dabd1eca7433a58987e86fa8b593ae23fdd6045cc1cf236a7f0c4d74aa6c51ab96c24b933a56")
        let keys = schedule.trafficKeys(req)
        #expect(keys.key.spdmHex == "99b7831e1f5166dacc1b93738299014ef707f8b8ecfe9ee1c147197557e22fbc")
        #expect(keys.iv.spdmHex == "a48e60493378f0ab5d709405")
        let master = schedule.masterSecret(hs)
        let requestData = schedule.requestDataSecret(master, th2: th2)
        #expect(requestData.spdmHex == "77966064c36c4f643d3b11561a3fbf7a1961aff1dd2d12ea2ea2d9aac10a8a06937ad5f783045ba08c0d1f987f5d0b87")
        #expect(schedule.responseDataSecret(master, th2: th2).spdmHex
                == "9b9cdf67b9daf09c361ebe1261d0fec4b69777852aecdfdfb4d3657b7d913222abbf8ba07189035edfa5f9f8b632ff4c")
        #expect(schedule.exportMasterSecret(master, th2: th2).spdmHex
                == "31f8f38c85ce7abfcd2c28225fd05386e8ce7949897e52a016a44e560df509f6c9885c3555b82e1f9530b623396a4010")
        #expect(schedule.updatedSecret(requestData).spdmHex
                == "7d00ddc54a6fd5cdc977c94acf7a9f642cb44ee0f3256327f4ff8c0667d6545589317749edac5c36bb0e0d2a91ef01f7")
    }

    @Test("PSK handshake secret: salt 0xFF..FF from 1.3, zeros before")
    func pskSalt() {
        let psk = Array("TestPskData".utf8) + [0]
        #expect(KeySchedule(hash: .sha384, aead: .aes256GCM, version: .v13).handshakeSecret(psk: psk).spdmHex
                == "83597efed2289c01c4e62677d1665e269a220aee9247b15b2ca72bda07a3ebfc770600487c3358224034f02d627ca97e")
        #expect(KeySchedule(hash: .sha384, aead: .aes256GCM, version: .v12).handshakeSecret(psk: psk)
                == HKDF.extract(.sha384, salt: [UInt8](repeating: 0, count: 48), inputKeyMaterial: psk))
    }

    @Test("nonce = IV xor sequence number, little-endian into the first 8 bytes")
    func nonce() {
        let keys = TrafficKeys(secret: [], key: [], iv: [UInt8](repeating: 0xF0, count: 12))
        #expect(keys.nonce(0x0102).spdmHex == "f2f1f0f0f0f0f0f0f0f0f0f0")
    }
}

@Suite("Secured message records")
struct SecuredMessageTests {
    func pair(encrypt: Bool) -> (SessionSecrets, SessionSecrets) {
        let schedule = KeySchedule(hash: .sha256, aead: .aes256GCM, version: .v13)
        let th1 = [UInt8](repeating: 3, count: 32)
        return (SessionSecrets(schedule: schedule, role: .requester, encrypt: encrypt, dheSecret: [1, 2, 3], th1Hash: th1),
                SessionSecrets(schedule: schedule, role: .responder, encrypt: encrypt, dheSecret: [1, 2, 3], th1Hash: th1))
    }

    @Test("MCTP layout, round trip both ways, counters per direction", arguments: [true, false])
    func roundTrip(encrypt: Bool) throws {
        var (requester, responder) = pair(encrypt: encrypt)
        let id: UInt32 = 0xFFFE_FFFF
        for round in 0..<3 {
            let record = try requester.seal(sessionID: id, [0x05, 0x13, 0xE8, 0, 0], format: .mctp, padding: [9, 9, 9])
            #expect(Array(record.prefix(6)) == [0xFF, 0xFF, 0xFE, 0xFF, UInt8(round), 0])
            let length = Int(record[6]) | Int(record[7]) << 8
            #expect(length == record.count - 8)
            if !encrypt { #expect(Array(record[8..<13]) == [0x05, 0x13, 0xE8, 0, 0]) }
            #expect(try responder.open(record, format: .mctp) == [0x05, 0x13, 0xE8, 0, 0])
            let reply = try responder.seal(sessionID: id, [0x05, 0x13, 0x68, 0, 0], format: .mctp)
            #expect(try requester.open(reply, format: .mctp) == [0x05, 0x13, 0x68, 0, 0])
        }
        // PCI-DOE: no sequence number on the wire.
        let doe = try requester.seal(sessionID: id, [0x13, 0xE8, 0, 0], format: .pciDOE)
        #expect(try responder.open(doe, format: .pciDOE) == [0x13, 0xE8, 0, 0])
    }

    @Test("a forged, replayed or reordered record is dropped and counted")
    func tampering() throws {
        var (requester, responder) = pair(encrypt: true)
        let first = try requester.seal(sessionID: 1, [0x05, 1, 2, 3], format: .mctp)
        let second = try requester.seal(sessionID: 1, [0x05, 4, 5, 6], format: .mctp)
        #expect(throws: SecuredMessageError.sequenceNumberMismatch) { try responder.open(second, format: .mctp) }
        var forged = first
        forged[forged.count - 1] ^= 0x80
        #expect(throws: SecuredMessageError.authenticationFailed) { try responder.open(forged, format: .mctp) }
        #expect(try responder.open(first, format: .mctp) == [0x05, 1, 2, 3])
        #expect(throws: SecuredMessageError.sequenceNumberMismatch) { try responder.open(first, format: .mctp) }
        #expect(responder.droppedRecords == 3)
        #expect(try responder.open(second, format: .mctp) == [0x05, 4, 5, 6])
    }

    /// Found by FuzzSecuredRecord: sealing more than the u16 Length field holds trapped on the
    /// UInt16 conversion. Encrypted: 2 + data + padding + 16 <= 65535; MAC-only: data + 16 <= 65535.
    @Test("a record too large for its Length field is refused, the largest one seals", arguments: [true, false])
    func recordTooLarge(encrypt: Bool) throws {
        var (requester, responder) = pair(encrypt: encrypt)
        let largest = encrypt ? 65535 - 16 - 2 - 3 : 65535 - 16
        #expect(throws: SecuredMessageError.recordTooLarge(bytes: 65536)) {
            try requester.seal(sessionID: 1, [UInt8](repeating: 7, count: largest + 1), format: .mctp, padding: [9, 9, 9])
        }
        let record = try requester.seal(sessionID: 1, [UInt8](repeating: 7, count: largest), format: .mctp, padding: [9, 9, 9])
        #expect(Array(record[6..<8]) == [0xFF, 0xFF])
        #expect(record.count == 8 + 65535)
        // The refused record used no sequence number.
        #expect(try responder.open(record, format: .mctp) == [UInt8](repeating: 7, count: largest))
    }

    @Test("key update moves one direction and restarts its sequence number")
    func keyUpdate() throws {
        var (requester, responder) = pair(encrypt: true)
        requester.establish(th2Hash: [UInt8](repeating: 4, count: 32))
        responder.establish(th2Hash: [UInt8](repeating: 4, count: 32))
        _ = try responder.open(try requester.seal(sessionID: 1, [1], format: .mctp), format: .mctp)
        requester.updateKeys(request: true, response: false)
        let record = try requester.seal(sessionID: 1, [2], format: .mctp)
        #expect(throws: SecuredMessageError.self) { try responder.open(record, format: .mctp) }
        responder.updateKeys(request: true, response: false)
        #expect(try responder.open(record, format: .mctp) == [2])
        #expect(try requester.open(try responder.seal(sessionID: 1, [3], format: .mctp), format: .mctp) == [3])
    }

    @Test("secured message version opaque data in both formats")
    func opaqueData() throws {
        // The reference requester's KEY_EXCHANGE opaque data at 1.2+ (capture-default.txt).
        let request = [UInt8](spdmHex: "0100000000000900010103001000110012000000")!
        #expect(try SecuredMessageOpaqueData.requestedVersions(request, spdmVersion: .v13) == [0x1000, 0x1100, 0x1200])
        #expect(SecuredMessageOpaqueData.choose(requested: [0x1000, 0x1100, 0x1200]) == 0x1200)
        // ... and the reference responder's selection.
        #expect(SecuredMessageOpaqueData.versionSelection(0x1200, spdmVersion: .v13).spdmHex == "010000000000040001000012")
        let v11 = SecuredMessageOpaqueData.supportedVersionList(spdmVersion: .v11)
        #expect(Array(v11.prefix(8)) == [0x46, 0x54, 0x4D, 0x44, 1, 1, 0, 0])
        #expect(try SecuredMessageOpaqueData.requestedVersions(v11, spdmVersion: .v11) == [0x1000, 0x1100, 0x1200])
        let selection = SecuredMessageOpaqueData.versionSelection(0x1100, spdmVersion: .v11)
        #expect(selection.count == 16)
        #expect(try SecuredMessageOpaqueData.selectedVersion(selection, spdmVersion: .v11) == 0x1100)
    }
}
