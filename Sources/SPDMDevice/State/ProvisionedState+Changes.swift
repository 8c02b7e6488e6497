import SPDMResponder

extension ProvisionedState {
    /// One line per difference from `old`, for the log of a committed change and the control API's
    /// answer to a device reset, such as "slot 2: chain installed (key pair 0, model 1, 1432 bytes)"
    /// or "pending reset: key pair 1 settings".
    public func changes(from old: ProvisionedState) -> [String] {
        var lines = Self.differences(installed: installedChains, erased: erasedSlots, keyPairs: keyPairs,
                                     oldInstalled: old.installedChains, oldErased: old.erasedSlots, oldKeyPairs: old.keyPairs, prefix: "")
        lines += Self.differences(installed: pendingReset.installedChains, erased: pendingReset.erasedSlots, keyPairs: pendingReset.keyPairs,
                                  oldInstalled: old.pendingReset.installedChains, oldErased: old.pendingReset.erasedSlots,
                                  oldKeyPairs: old.pendingReset.keyPairs, prefix: "pending reset: ")
        let tags = Set(pendingReset.csrRequests.keys).union(old.pendingReset.csrRequests.keys).sorted()
        for tag in tags where pendingReset.csrRequests[tag] != old.pendingReset.csrRequests[tag] {
            switch pendingReset.csrRequests[tag] {
            case nil: lines.append("CSR tag \(tag): collected")
            case let request? where request.ready: lines.append("CSR tag \(tag): ready (key pair \(request.keyPairID))")
            case let request?: lines.append("CSR tag \(tag): waiting for a device reset (key pair \(request.keyPairID))")
            }
        }
        return lines
    }

    private static func differences(installed: [UInt8: InstalledChain], erased: Set<UInt8>, keyPairs: [UInt8: KeyPairSettings],
                                    oldInstalled: [UInt8: InstalledChain], oldErased: Set<UInt8>, oldKeyPairs: [UInt8: KeyPairSettings],
                                    prefix: String) -> [String] {
        var lines: [String] = []
        for slot in Set(installed.keys).union(oldInstalled.keys).sorted() where installed[slot] != oldInstalled[slot] {
            if let chain = installed[slot] {
                lines.append("\(prefix)slot \(slot): chain installed (key pair \(chain.keyPairID), model \(chain.certificateModel), "
                             + "\(chain.certificatesDER.count) bytes)")
            } else {
                lines.append("\(prefix)slot \(slot): " + (prefix.isEmpty ? "installed chain removed" : "chain no longer waiting"))
            }
        }
        for slot in erased.symmetricDifference(oldErased).sorted() {
            lines.append(erased.contains(slot) ? "\(prefix)slot \(slot): erased"
                         : "\(prefix)slot \(slot): " + (prefix.isEmpty ? "no longer erased" : "erase no longer waiting"))
        }
        for id in Set(keyPairs.keys).union(oldKeyPairs.keys).sorted() where keyPairs[id] != oldKeyPairs[id] {
            if let settings = keyPairs[id] {
                lines.append("\(prefix)key pair \(id): usage 0x\(hex(settings.keyUsage, 4)), asym 0x\(hex(settings.asymAlgorithm, 8)), "
                             + "pqc 0x\(hex(settings.pqcAsymAlgorithm, 8)), slots 0x\(hex(settings.associatedSlotMask, 2))"
                             + (settings.erased ? ", erased" : ""))
            } else {
                lines.append("\(prefix)key pair \(id): " + (prefix.isEmpty ? "settings removed" : "settings no longer waiting"))
            }
        }
        return lines
    }

    private static func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
