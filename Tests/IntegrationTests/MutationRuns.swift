import SPDMTestSupport
import SPDMWire

/// How the test mutates one device: requests in the clear after negotiation (and their transport
/// envelope), requests sealed in a session, deliveries for the device's own encapsulated KEY_UPDATE,
/// and corrupted secured records (mutual authentication: MutualAuthMutations.swift). Every request
/// either gets a reply frame or its connection closed; a closed connection is reopened and
/// renegotiated and the run goes on; a request with neither within the timeout is recorded as a hang.
extension MutationTarget {
    static let vcaCodes: Set<UInt8> = [RequestCode.getVersion.rawValue, RequestCode.getCapabilities.rawValue,
                                       RequestCode.negotiateAlgorithms.rawValue]

    /// The seed of one template's random mutations: the run's seed, the template's place and the device.
    static func seed(_ base: UInt64, template index: Int, device: Int) -> UInt64 {
        base ^ UInt64(index) << 16 ^ UInt64(device) << 40
    }

    /// Each template as it is, in the clear: the names of those answered with something other than ERROR
    /// (the mutations start from valid requests).
    func acceptedTemplates(_ templates: [RequestTemplate]) throws -> [String] {
        var accepted: [String] = []
        for template in templates {
            if template.setup.isEmpty { try negotiate(retrievingCertificate: false) }
            for setup in template.setup { try deliverInTheClear(setup, "\(template.name) setup") }
            if case .plain(let reply) = send(.spdm(template.bytes)), reply.count >= 2, reply[1] != ResponseCode.error.rawValue {
                accepted.append(template.name)
            }
        }
        isNegotiated = false
        return accepted
    }

    /// Each template as it is, sealed in a session of `kind`: the names of those answered inside the
    /// session with something other than ERROR. KEY_UPDATE and END_SESSION change the session, so a new
    /// one follows them.
    func acceptedTemplatesInSession(_ kind: MutationSessionKind, _ templates: [RequestTemplate]) throws -> [String] {
        var accepted: [String] = []
        for template in templates {
            if session == nil { try reopenSession(kind) }
            if let reply = try sendInSession(template.bytes).opened, reply.count >= 2, reply[1] != ResponseCode.error.rawValue {
                accepted.append(template.name)
            }
            if [RequestCode.keyUpdate.rawValue, RequestCode.endSession.rawValue].contains(template.code) { abandonSession() }
        }
        return accepted
    }

    /// Each template's mutations in the clear, from the state the template needs: negotiated, or
    /// after its setup requests (GET_VERSION before GET_CAPABILITIES, ...).
    func mutateInTheClear(_ templates: [RequestTemplate], seed: UInt64, device: Int) throws {
        for (index, template) in templates.enumerated() {
            for mutation in RequestMutations.all(of: template, seed: Self.seed(seed, template: index, device: device)) {
                if !isNegotiated, template.setup.isEmpty, template.code != RequestCode.getVersion.rawValue {
                    try negotiate(retrievingCertificate: false)
                }
                for setup in template.setup { try deliverInTheClear(setup, "\(template.name) setup before \(mutation.description)") }
                try deliverInTheClear(mutation.bytes, "\(template.name) \(mutation.description)")
                if !template.setup.isEmpty || (mutation.bytes.count >= 2 && Self.vcaCodes.contains(mutation.bytes[1])) {
                    isNegotiated = false
                }
            }
        }
    }

    private func deliverInTheClear(_ request: [UInt8], _ what: String) throws {
        try deliver(payload: binding.encode(.spdm(request)), "\(what): \(request.hexString)")
    }

    private func deliver(payload: [UInt8], _ what: String) throws {
        switch send(payload: payload) {
        case .closed: try reconnect(after: what)
        case .timedOut: try recordHang(what)
        default: break
        }
    }

    /// The transport envelope of a valid GET_DIGESTS mutated (MCTP message type; PCI-DOE VendorID,
    /// DataObjectType, Length in dwords), down to an empty payload: the binding's decoder, and the
    /// daemon closing a connection whose frame it cannot take.
    func mutateTransportEnvelope(seed: UInt64) throws {
        guard let version else { return }
        let payload = binding.encode(.spdm(RequestTemplates.header(version, RequestCode.getDigests.rawValue, 0, 0)))
        let fields: [TemplateField] = binding.type == .pciDOE
            ? [TemplateField(name: "VendorID", offset: 0, width: 2), .length("Length", offset: 4, width: 4)] : []
        let template = RequestTemplate(name: "\(binding.type) envelope of GET_DIGESTS", bytes: payload, fields: fields)
        for mutation in RequestMutations.all(of: template, seed: seed) {
            if !isNegotiated { try negotiate(retrievingCertificate: false) }
            try deliver(payload: mutation.bytes, "\(template.name) \(mutation.description): \(mutation.bytes.hexString)")
            isNegotiated = false
        }
    }

    /// Each template's mutations sealed in a session of `kind`; a new connection and session whenever
    /// the reply does not open in the session (it ended, its keys moved on, or the connection closed).
    func mutateInSession(_ kind: MutationSessionKind, _ templates: [RequestTemplate], seed: UInt64, device: Int) throws {
        for (index, template) in templates.enumerated() {
            for mutation in RequestMutations.all(of: template, seed: Self.seed(seed, template: index, device: device)) {
                if session == nil { try reopenSession(kind) }
                let what = "in a \(kind.rawValue) session: \(template.name) \(mutation.description): \(mutation.bytes.hexString)"
                switch try sendInSession(mutation.bytes).reply {
                case .timedOut: try recordHang(what)
                case .closed: try reconnect(after: what)
                default: break
                }
            }
        }
    }

    /// DELIVER_ENCAPSULATED_RESPONSE mutated while the device waits for the KEY_UPDATE_ACK of its own
    /// KEY_UPDATE (the encapsulated flow of a session): each mutation of the first valid delivery is
    /// carried over onto the fresh delivery of a newly armed flow (its request id and tag).
    func mutateEncapsulatedResponses(_ kind: MutationSessionKind, seed: UInt64) throws {
        if session == nil { try reopenSession(kind) }
        guard let first = try armedEncapsulatedKeyUpdateDelivery() else {
            throw TestSupportError("\(name): OOB_ENCAP_KEY_UPDATE and GET_ENCAPSULATED_REQUEST did not start the encapsulated KEY_UPDATE")
        }
        // Unmutated, it is acknowledged under the device's next response key (then a new session follows).
        guard try acknowledgeEncapsulatedKeyUpdate(first)[1] == ResponseCode.encapsulatedResponseAck.rawValue else {
            throw TestSupportError("\(name): the valid KEY_UPDATE_ACK delivery \(first.hexString) was not acknowledged")
        }
        abandonSession()
        let template = RequestTemplate(name: "DELIVER_ENCAPSULATED_RESPONSE (KEY_UPDATE_ACK)", bytes: first)
        var delivery: [UInt8]?
        for mutation in RequestMutations.all(of: template, seed: seed) {
            if delivery == nil {
                if session == nil { try reopenSession(kind) }
                delivery = try armedEncapsulatedKeyUpdateDelivery()
            }
            guard let valid = delivery else {
                abandonSession()
                continue
            }
            delivery = nil
            let bytes = RequestMutations.rebase(mutation.bytes, from: first, onto: valid)
            let what = "in a \(kind.rawValue) session with an encapsulated KEY_UPDATE outstanding: \(mutation.description): \(bytes.hexString)"
            switch try sendInSession(bytes).reply {
            case .timedOut: try recordHang(what)
            case .closed: try reconnect(after: what)
            default: break
            }
        }
    }

    /// Corrupted DSP0277 records: each corruption is applied to a freshly sealed HEARTBEAT of a fresh
    /// session, and the session is replaced after it (the responder drops or refuses the record).
    func corruptRecords(_ kind: MutationSessionKind, seed: UInt64) throws {
        var index = 0
        while true {
            if session == nil { try reopenSession(kind) }
            guard let version else { return }
            let record = try sealedRecord(RequestTemplates.header(version, RequestCode.heartbeat.rawValue, 0, 0))
            let corruptions = RequestMutations.recordCorruptions(record, sequenceNumberSize: binding.type == .mctp ? 2 : 0, seed: seed)
            guard index < corruptions.count else { return }
            let corruption = corruptions[index]
            index += 1
            let what = "a corrupted \(kind.rawValue) record, \(corruption.description): \(corruption.bytes.hexString)"
            switch send(.securedSPDM(corruption.bytes)) {
            case .timedOut: try recordHang(what)
            case .closed: try reconnect(after: what)
            default: break
            }
            abandonSession()
        }
    }
}
