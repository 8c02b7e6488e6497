import NIOConcurrencyHelpers
import SPDMResponder
import SPDMWire

/// One connection's side of its device's provisioning commits: the `ProvisioningCommit` its
/// responder calls before an acknowledging response leaves (ResponderConnection's commit point).
///
/// Concurrency: a request is handled on the provisioned state the connection last took from the
/// runtime (`adopted`). Its commit is a compare-and-swap on the device's revision
/// (`DeviceRuntime.commitProvisioned`): when another connection of the device committed first,
/// this change was validated against a state that no longer exists, so it is refused with
/// ERROR(Busy) — nothing persisted, the connection as it was — and the connection takes the new
/// state before its next request; the requester retries (libspdm retries on Busy) and its request
/// is handled on the current state. Merging whole-state snapshots instead would lose the other
/// connection's change (last writer wins), and merging per slot could combine changes no serial
/// order produces (a chain installed for a key pair another request just erased).
final class ProvisioningCommitter: Sendable {
    private let runtime: DeviceRuntime
    /// The device revision this connection's provisioned state is; its next commit is based on it.
    private let base: NIOLockedValueBox<UInt64>

    init(runtime: DeviceRuntime, revision: UInt64) {
        self.runtime = runtime
        self.base = NIOLockedValueBox(revision)
    }

    /// The connection took the device's provisioned state at `revision` (at accept, on refresh).
    func adopted(_ revision: UInt64) {
        base.withLockedValue { $0 = revision }
    }

    /// The closure handed to the connection's responder.
    var commit: ProvisioningCommit {
        { [self] _, state in try self.commit(state) }
    }

    func commit(_ state: ProvisionedState) throws {
        do {
            try runtime.commitProvisioned(state, basedOn: base.withLockedValue { $0 })
            adopted(state.revision)
        } catch .stale(let basedOn, let current) {
            throw ResponderError(.busy, "another connection of the device changed its provisioning (revision \(basedOn) -> \(current)); retry")
        } catch .notPersisted(let error) {
            throw error
        }
    }
}
