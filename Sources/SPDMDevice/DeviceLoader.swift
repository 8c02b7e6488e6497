import Foundation
import SPDMCrypto
import SPDMResponder
import SPDMTransport
import SPDMWire
import TOMLKit

/// Turns one `[[device]]` table into device definitions: one, or `count` of them when the table is a
/// fleet template: `{i}` and expressions of it (`{i:04}`, `{i % 4}`, `{20000 + i / 10}`; see
/// DeviceTemplate) in the name, the TCP address, the Unix socket path and the capture path give each
/// device its own; a TCP port without an expression counts up from the one given.
struct DeviceLoader {
    let context: LoadContext

    static let keys: Set<String> = [
        "name", "count", "transport", "tcp", "unix", "unix_mode", "versions", "capabilities", "ct_exponent",
        "data_transfer_size", "max_spdm_msg_size", "certificate_portion", "algorithms", "slot", "measurement",
        "psk", "faults", "fault", "log_level", "heartbeat_period", "max_sessions", "pldm_tid", "mut_auth", "trusted_requester_roots",
        "max_connections", "capture", "key_pair", "supported_slots", "identity",
        "measurement_log", "endpoint_identifier",
        "vendor_defined",
        "variant", "values",
        "public_key", "requester_public_key",
    ]

    /// `firstIndex`: the index of the table's first device among all the config's devices (sharding).
    func load(_ raw: ConfigTable, firstIndex: Int = 0) throws -> [DeviceDefinition] {
        let templateName = try raw.requiredString("name")
        let table = raw.withDevice(templateName)
        try table.allowOnly(Self.keys)
        let count = try table.int("count", in: 1...100_000) ?? 1
        if count > 1 && !DeviceTemplate.isTemplate(templateName) {
            throw table.error("name", "a device with count = \(count) needs '{i}' in its name")
        }
        let fingerprint = Digest.hash(.sha256, Array(raw.table.convert().utf8)).spdmHex
        // Everything but the names, listeners and (per-device) identities is shared by the fleet's
        // devices; load it once.
        let names = try (0..<count).map { try expand(templateName, index: $0, table, "name") }
        let ownIdentities = try loadIdentityMode(table) && count > 1
        let served = (0..<count).filter { context.serves(firstIndex + $0) }
        // With identities of their own, the template's shared part is loaded as its first served device.
        let shared = try loadShared(table, identityName: ownIdentities ? names[served.first ?? 0] : templateName)
        let capture = try loadCapture(table, transport: shared.transport, count: count)
        if ownIdentities { try FleetIdentities(context: context).prepare(table, names: served.map { names[$0] }) }
        let values = try FleetValues(table, names: names, context: context)
        let servedSet = Set(served)
        return try (0..<count).map { index in
            let name = names[index]
            let row = values.tableRowText(index: index)
            let listeners = try loadListeners(table, index: index)
            var responder = shared.responder
            responder.name = name
            let psk = values.varies ? try values.apply(index: index, name: name, to: &responder) : shared.psk
            if ownIdentities && servedSet.contains(index) {
                let keyPairs = try KeyPairLoader(context: context).load(table.tableArray("key_pair"), deviceName: name)
                let slots = try SlotLoader(context: context).load(table.tableArray("slot"), deviceName: name, keyPairs: keyPairs)
                responder.replaceIdentity(slots: slots, keyPairs: keyPairs.isEmpty ? nil : keyPairs)
            }
            return DeviceDefinition(name: name, transport: shared.transport, listeners: listeners, responder: responder,
                                    psk: psk, logLevel: shared.logLevel, maxConnections: shared.maxConnections,
                                    fingerprint: row.isEmpty ? fingerprint : fingerprint + "+" + Digest.hash(.sha256, Array(row.utf8)).spdmHex,
                                    faults: shared.faults,
                                    capture: try capture.map { try expand($0, index: index, table, "capture")
                                        .replacingOccurrences(of: "{name}", with: name) })
        }
    }

    private struct Shared {
        var transport: TransportType
        var responder: ResponderDevice
        var psk: PSKStore
        var logLevel: String?
        var maxConnections: Int?
        var faults: [FaultRule]
    }

    /// `identityName`: the device name the generated keys and leaves are kept under.
    private func loadShared(_ table: ConfigTable, identityName: String) throws -> Shared {
        let name = identityName
        let transportName = try table.string("transport") ?? "mctp"
        guard let transport = TransportType(name: transportName) else {
            throw table.error("transport", "unknown transport '\(transportName)' (expected mctp, pci-doe, tcp or none)")
        }
        let versions = try loadVersions(table)
        let capabilities = try loadCapabilities(table)
        let keyPairs = try KeyPairLoader(context: context).load(table.tableArray("key_pair"), deviceName: name)
        let slots = try SlotLoader(context: context).load(table.tableArray("slot"), deviceName: name, keyPairs: keyPairs)
        let supportedSlots = try loadSupportedSlots(table, slots: slots)
        let rawPublicKey = try PublicKeyLoader(context: context).loadDeviceKey(table, deviceName: name)
        try PublicKeyLoader.validate(capabilities: capabilities, hasKey: rawPublicKey != nil, table)
        let algorithms = try AlgorithmLoader().load(table.subtable("algorithms"), slots: slots, device: table, rawPublicKey: rawPublicKey)
        let measurements = try MeasurementLoader().load(table.tableArray("measurement"), log: table.tableArray("measurement_log"))
        let faults = try FaultRuleLoader().load(notReady: table.subtable("faults"), rules: table.tableArray("fault"))
        // PSKs whose texts vary per device are filled in by FleetValues.
        let pskTexts = try PSKLoader().texts(table.tableArray("psk"))
        let psk = pskTexts.contains(where: \.isTemplate) ? PSKStore() : try PSKLoader().store(pskTexts)
        let signing = capabilities.intersection([.chal, .measWithSignature, .keyEx, .endpointInfoWithSignature])
        if !signing.isEmpty && slots.isEmpty && rawPublicKey == nil {
            throw table.error("slot", "capabilities \(signing.names) need at least one [[device.slot]] (or a [device.public_key])")
        }
        if capabilities.contains(.cert) && slots.isEmpty {
            throw table.error("slot", "CERT capability needs at least one [[device.slot]]")
        }
        if !capabilities.intersection(.measurementsAny).isEmpty && measurements.entries.isEmpty {
            throw table.error("measurement", "a MEAS capability needs at least one [[device.measurement]]")
        }
        try validateEndpointInfoAndLog(table, capabilities: capabilities, measurements: measurements,
                                       rawBitStreamOnly: algorithms.measurementRawOnly)
        let (dataTransferSize, maxMessage) = try loadMessageSizes(table, capabilities: capabilities, versions: versions)
        var responder = ResponderDevice(
            name: name, versions: versions, capabilities: capabilities,
            ctExponent: UInt8(try table.int("ct_exponent", in: 0...31) ?? 14),
            dataTransferSize: UInt32(dataTransferSize), maxSPDMMessageSize: UInt32(maxMessage),
            hashPreference: algorithms.hash, asymPreference: algorithms.asym,
            measurementHashPreference: algorithms.measurementHash, measurementRawBitStreamOnly: algorithms.measurementRawOnly,
            dhePreference: algorithms.dhe, aeadPreference: algorithms.aead, requesterAsymPreference: algorithms.requesterAsym,
            slots: slots, keyPairs: keyPairs.isEmpty ? nil : keyPairs, supportedSlotMask: supportedSlots, measurements: measurements,
            certificatePortionLimit: try table.int("certificate_portion", in: 16...65_535) ?? 1024)
        responder.sessionSettings.heartbeatPeriod = UInt8(try table.int("heartbeat_period", in: 0...255) ?? 0)
        responder.sessionSettings.maxSessions = try table.int("max_sessions", in: 1...64) ?? 4
        responder.sessionSettings.pldmTID = UInt8(try table.int("pldm_tid", in: 0...255) ?? 1)
        responder.sessionSettings.psks = psk.entries.map { SessionSettings.PSK(hint: $0.hint, key: $0.key) }
        responder.endpointIdentifiers = try EndpointInfoLoader().load(table.tableArray("endpoint_identifier"))
        responder.vendorDefined = try VendorDefinedLoader().load(table.tableArray("vendor_defined"))
        responder.pqcAsymPreference = algorithms.pqcAsym
        responder.requesterPQCAsymPreference = algorithms.requesterPQCAsym
        responder.kemPreference = algorithms.kem
        responder.pqcFirst = algorithms.pqcFirst
        if algorithms.offersPostQuantum && !versions.contains(.v14) {
            throw table.error("algorithms", "ML-DSA and ML-KEM are SPDM 1.4 algorithms: add \"1.4\" to versions")
        }
        responder.mutualAuth = try loadMutualAuth(table, capabilities: capabilities,
                                                  requesterAsym: algorithms.requesterAsym.map { .classic($0) }
                                                      + algorithms.requesterPQCAsym.map { .pqc($0) })
        responder.rawPublicKeyIdentity = rawPublicKey
        responder.mutualAuth.requesterPublicKey = try PublicKeyLoader(context: context).loadRequesterKey(table)
        let logLevel = try table.string("log_level").map { try LogLevels.validate($0, table, "log_level") }
        let maxConnections = try table.int("max_connections", in: 1...1_000_000)
        return Shared(transport: transport, responder: responder, psk: psk, logLevel: logLevel, maxConnections: maxConnections,
                      faults: faults)
    }

    /// `mut_auth` and `trusted_requester_roots`. The builtin CA directories of the requester
    /// algorithms are created here: their requester chains are the provisioned ones (mut_auth =
    /// "key_exchange"), and the reference requester takes its identity from them. Without
    /// `trusted_requester_roots` every builtin root (<state>/ca/*/ca.cert.der) is trusted.
    private func loadMutualAuth(_ table: ConfigTable, capabilities: CapabilityFlags,
                                requesterAsym: [SigningAlgorithm]) throws -> MutualAuthSettings {
        let name = try table.string("mut_auth") ?? "none"
        guard let mode = MutualAuthSettings.Mode(rawValue: name) else {
            throw table.error("mut_auth", "unknown mode '\(name)' (expected \(MutualAuthSettings.Mode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let rootPaths = try table.stringArray("trusted_requester_roots")
        if mode == .none { return MutualAuthSettings() }
        guard capabilities.contains(.mutAuth) else { throw table.error("mut_auth", "mut_auth = \"\(name)\" needs the MUT_AUTH capability") }
        if mode != .keyExchange && !capabilities.contains(.encap) {
            throw table.error("mut_auth", "mut_auth = \"\(name)\" needs the ENCAP capability")
        }
        if mode == .basic ? !capabilities.contains(.chal) : !capabilities.contains(.keyEx) {
            throw table.error("mut_auth", "mut_auth = \"\(name)\" needs the \(mode == .basic ? "CHAL" : "KEY_EX") capability")
        }
        var chains: [SigningAlgorithm: [UInt8]] = [:]
        for algorithm in requesterAsym {
            let authority: CertificateAuthority
            do {
                authority = try CertificateAuthority.builtin(stateDirectory: context.stateDirectory, algorithm: algorithm)
            } catch {
                throw table.error("mut_auth", "builtin CA for \(algorithm): \(error)")
            }
            if let bundle = StateDirectory.read(authority.directory + "/bundle_requester.certchain.der") { chains[algorithm] = bundle }
        }
        var roots: [Certificate] = []
        if let rootPaths {
            for path in rootPaths {
                roots += try SlotLoader(context: context).readCertificates(resolve(path, against: context.baseDirectory), table,
                                                                           "trusted_requester_roots")
            }
        } else {
            let base = CertificateAuthority.builtinDirectory(stateDirectory: context.stateDirectory)
            for directory in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() {
                if let der = StateDirectory.read(base + "/" + directory + "/ca.cert.der"), let root = try? Certificate(der: der) {
                    roots.append(root)
                }
            }
        }
        guard !roots.isEmpty else { throw table.error("trusted_requester_roots", "no trusted requester root") }
        return MutualAuthSettings(mode: mode, trustedRoots: roots, provisionedRequesterChains: chains)
    }

    /// `data_transfer_size` and `max_spdm_msg_size` (DSP0274 1.2+ GET_CAPABILITIES / CAPABILITIES): the
    /// largest message the device receives in one piece, at least MinDataTransferSize (42), and the
    /// largest it reassembles from CHUNK_SEND, equal to it unless CHUNK is set. The device also
    /// sends nothing larger than data_transfer_size in one piece when chunking is negotiated.
    private func loadMessageSizes(_ table: ConfigTable, capabilities: CapabilityFlags,
                                  versions: [SPDMVersion]) throws -> (dataTransferSize: Int, maxMessage: Int) {
        let limits = LargeMessage.minimumDataTransferSize...0x00FF_FFFF
        if let value = table.table["data_transfer_size"]?.int, value < LargeMessage.minimumDataTransferSize {
            throw table.error("data_transfer_size", "\(value) is below \(LargeMessage.minimumDataTransferSize), the smallest the specification allows (MinDataTransferSize)")
        }
        let dataTransferSize = try table.int("data_transfer_size", in: limits) ?? 4096
        let maxMessage = try table.int("max_spdm_msg_size", in: limits) ?? dataTransferSize
        guard maxMessage >= dataTransferSize else {
            throw table.error("max_spdm_msg_size", "\(maxMessage) is below data_transfer_size (\(dataTransferSize)); it must be at least that")
        }
        if !capabilities.contains(.chunk) && maxMessage != dataTransferSize {
            throw table.error("max_spdm_msg_size", "must equal data_transfer_size (\(dataTransferSize)) unless the CHUNK capability is set")
        }
        if capabilities.contains(.chunk) && !versions.contains(where: { $0 >= .v12 }) {
            throw table.error("capabilities", "CHUNK needs SPDM 1.2 or later in versions")
        }
        if capabilities.contains(.largeResponse) && !versions.contains(.v14) {
            throw table.error("capabilities", "LARGE_RESP needs SPDM 1.4 in versions")
        }
        return (dataTransferSize, maxMessage)
    }

    private func loadVersions(_ table: ConfigTable) throws -> [SPDMVersion] {
        let names = try table.stringArray("versions") ?? ["1.0", "1.1", "1.2", "1.3"]
        guard !names.isEmpty else { throw table.error("versions", "at least one version is required") }
        return try names.map { name in
            guard let version = SPDMVersion(string: name) else {
                throw table.error("versions", "unknown version '\(name)' (expected 1.0, 1.1, 1.2, 1.3 or 1.4)")
            }
            return version
        }
    }

    /// `supported_slots`: slots that may hold a chain though the config puts none there (SET_CERTIFICATE
    /// fills them; DIGESTS SupportedSlotMask at 1.3+). The slots with a chain are always supported.
    private func loadSupportedSlots(_ table: ConfigTable, slots: [CertificateSlot]) throws -> UInt8? {
        guard table.has("supported_slots") else { return nil }
        guard let values = table.table["supported_slots"]?.array else { throw table.error("supported_slots", "must be an array of slot ids 0-7") }
        var mask: UInt8 = 0
        for value in values {
            guard let id = value.int, (0...7).contains(id) else { throw table.error("supported_slots", "must be an array of slot ids 0-7") }
            mask |= 1 << UInt8(id)
        }
        return mask
    }

    static let defaultCapabilities = ["CERT", "CHAL", "MEAS_SIG", "MEAS_FRESH"]

    /// The provisioning capabilities only make sense together (DSP0274 Tables "Responder flag
    /// fields" 1.2-1.4; the same combinations libspdm's requester refuses).
    private func validateProvisioningCapabilities(_ flags: CapabilityFlags, _ table: ConfigTable) throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw table.error("capabilities", message) }
        }
        try require(flags.contains(.cert) || flags.intersection([.aliasCert, .setCert]).isEmpty, "ALIAS_CERT and SET_CERT need CERT")
        try require(!flags.contains(.csr) || flags.contains(.setCert), "CSR needs SET_CERT")
        try require(!flags.contains(.certInstallReset) || !flags.intersection([.csr, .setCert]).isEmpty, "CERT_INSTALL_RESET needs CSR or SET_CERT")
        try require(!flags.isSuperset(of: [.multiKeyOnly, .multiKeyNegotiated]), "MULTI_KEY_ONLY and MULTI_KEY_NEG exclude each other")
        if !flags.intersection([.multiKeyOnly, .multiKeyNegotiated]).isEmpty {
            try require(flags.isSuperset(of: [.getKeyPairInfo, .cert]), "MULTI_KEY_ONLY / MULTI_KEY_NEG need GET_KEY_PAIR_INFO and CERT")
        }
        try require(!flags.contains(.pubKeyID) || flags.intersection([.multiKeyOnly, .multiKeyNegotiated, .getKeyPairInfo, .setKeyPairInfo]).isEmpty,
                    "PUB_KEY_ID excludes MULTI_KEY_* and the KEY_PAIR_INFO capabilities")
        try require(!flags.contains(.setKeyPairReset) || flags.contains(.setKeyPairInfo), "SET_KEY_PAIR_RESET needs SET_KEY_PAIR_INFO")
        try require(!flags.contains(.setKeyPairInfo) || flags.contains(.getKeyPairInfo), "SET_KEY_PAIR_INFO needs GET_KEY_PAIR_INFO")
    }

    /// EP_INFO_CAP is one two-bit field; signing it needs a slot. MEL_CAP needs measurements with a
    /// digest (not raw bit streams only) and a hash_extend measurement for the log to extend.
    private func validateEndpointInfoAndLog(_ table: ConfigTable, capabilities: CapabilityFlags, measurements: MeasurementTable,
                                            rawBitStreamOnly: Bool) throws {
        if capabilities.isSuperset(of: [.endpointInfoNoSignature, .endpointInfoWithSignature]) {
            throw table.error("capabilities", "EP_INFO_NO_SIG and EP_INFO_SIG exclude each other")
        }
        if !measurements.log.isEmpty && measurements.extendIndex == nil {
            throw table.error("measurement_log", "the log needs a [[device.measurement]] of type \"hash_extend\" to extend")
        }
        guard capabilities.contains(.mel) else { return }
        if capabilities.intersection(.measurementsAny).isEmpty || rawBitStreamOnly {
            throw table.error("capabilities", "MEL needs MEAS_NO_SIG or MEAS_SIG with a measurement hash (not RAW_BIT_STREAM_ONLY)")
        }
        if measurements.extendIndex == nil {
            throw table.error("measurement", "MEL needs a [[device.measurement]] of type \"hash_extend\" (the log's extension)")
        }
    }

    private func loadCapabilities(_ table: ConfigTable) throws -> CapabilityFlags {
        let names = try table.stringArray("capabilities") ?? Self.defaultCapabilities
        var flags: CapabilityFlags = []
        for name in names {
            guard let flag = CapabilityFlags(names: [name]) else {
                throw table.error("capabilities", "unknown capability '\(name)' (expected one of: \(CapabilityFlags.namedFlags.map(\.0).joined(separator: ", ")))")
            }
            flags.formUnion(flag)
        }
        if flags.isSuperset(of: CapabilityFlags.measurementsAny) {
            throw table.error("capabilities", "MEAS_NO_SIG and MEAS_SIG exclude each other")
        }
        if flags.isSuperset(of: CapabilityFlags.pskAny) {
            throw table.error("capabilities", "PSK and PSK_WITH_CONTEXT exclude each other")
        }
        try validateProvisioningCapabilities(flags, table)
        return flags
    }

    /// `identity`: "per-device" (the default: each device of a `count` template has its own keys and
    /// leaf certificates, FleetIdentities) or "shared" (one identity for the whole template, for load
    /// tests that want it). True for per-device.
    private func loadIdentityMode(_ table: ConfigTable) throws -> Bool {
        switch try table.string("identity") ?? "per-device" {
        case "per-device": return true
        case "shared": return false
        case let other: throw table.error("identity", "expected \"per-device\" or \"shared\", got '\(other)'")
        }
    }

    /// `capture = "captures/{name}.pcap"`: the device's frames into a pcap file from startup (resolved
    /// against the config's directory; a fleet template needs {i} or {name} so its devices do not share one file).
    private func loadCapture(_ table: ConfigTable, transport: TransportType, count: Int) throws -> String? {
        guard let path = try table.string("capture") else { return nil }
        guard transport == .mctp || transport == .pciDOE else {
            throw table.error("capture", "a \(transport) device cannot be captured: pcap has link types for MCTP and PCI-DOE only")
        }
        if count > 1 && !DeviceTemplate.isTemplate(path) {
            throw table.error("capture", "a device with count = \(count) needs '{i}' or '{name}' in its capture path")
        }
        return resolve(path, against: context.baseDirectory)
    }

    /// `text` expanded for device `index`, a failure named by `key`.
    private func expand(_ text: String, index: Int, _ table: ConfigTable, _ key: String) throws -> String {
        do {
            return try DeviceTemplate.expand(text, index: index)
        } catch let failure as DeviceTemplate.Failure {
            throw table.error(key, failure.description)
        }
    }

    private func loadListeners(_ table: ConfigTable, index: Int) throws -> [ListenerAddress] {
        var listeners: [ListenerAddress] = []
        if let template = try table.string("tcp") {
            // A port with an expression is the device's own; a plain one counts up with the index.
            let counted = !DeviceTemplate.isTemplate(template)
            let tcp = try expand(template, index: index, table, "tcp")
            guard let colon = tcp.lastIndex(of: ":"), let port = Int(tcp[tcp.index(after: colon)...]), (0...65_535).contains(port) else {
                throw table.error("tcp", "expected \"host:port\", got '\(tcp)'")
            }
            var host = String(tcp[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let offset = counted ? index : 0
            guard port + offset <= 65_535 else { throw table.error("tcp", "port \(port) + \(offset) is beyond 65535") }
            listeners.append(.tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port + offset))
        }
        if let unix = try table.string("unix") {
            let modeText = try table.string("unix_mode") ?? "0600"
            guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
                throw table.error("unix_mode", "expected an octal mode such as \"0660\", got '\(modeText)'")
            }
            let path = resolve(try expand(unix, index: index, table, "unix"), against: context.runtimeDirectory)
            listeners.append(.unix(path: path, mode: mode))
        }
        guard !listeners.isEmpty else { throw table.error("tcp", "a device needs a tcp = \"host:port\" or a unix = \"path\" listener") }
        return listeners
    }
}
