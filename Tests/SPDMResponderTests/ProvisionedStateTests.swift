import Foundation
import SPDMWire
import Testing
@testable import SPDMResponder

/// The provisioning state's pure parts: the device reset, and the commit point's answers when the
/// commit fails.
@Suite("Provisioned state: device reset and commit point")
struct ProvisionedStateTests {
    @Test("a device reset applies every pending change: chains, erases, key pairs; CSR requests become ready")
    func resetAppliesPending() {
        let before = ProvisionedSamples.everyField
        let after = before.applyingReset()
        #expect(after.installedChains[2] == before.pendingReset.installedChains[2])
        #expect(after.installedChains[1] == before.installedChains[1] && after.installedChains[7] == before.installedChains[7])
        #expect(after.erasedSlots == [3, 4, 5])
        #expect(after.keyPairs[1] == before.pendingReset.keyPairs[1] && after.keyPairs[2] == before.keyPairs[2] && after.keyPairs[9]?.erased == true)
        #expect(after.pendingReset.installedChains.isEmpty && after.pendingReset.erasedSlots.isEmpty && after.pendingReset.keyPairs.isEmpty)
        #expect(after.pendingReset.csrRequests.count == 2 && after.pendingReset.csrRequests.values.allSatisfy(\.ready))
        #expect(after.pendingReset.csrRequests[1]?.opaqueData == [1, 2, 3, 4])
        #expect(after.revision == before.revision + 1)
        // A second reset has nothing left to do.
        #expect(after.applyingReset() == after)
    }

    @Test("a pending erase empties an installed slot; a pending chain un-erases a slot; both on one slot: the chain")
    func resetSlotInteractions() {
        let chain = ProvisionedSamples.chain(TestChains.p256)
        let state = ProvisionedState(installedChains: [1: chain], erasedSlots: [2],
                                     pendingReset: PendingReset(installedChains: [2: chain, 3: chain], erasedSlots: [1, 3]), revision: 5)
        let after = state.applyingReset()
        #expect(after.installedChains.keys.sorted() == [2, 3])
        #expect(after.erasedSlots == [1])
        #expect(after.revision == 6)
    }

    @Test("nothing pending: the reset changes nothing, not even the revision")
    func resetWithNothingPending() {
        let state = ProvisionedState(erasedSlots: [4], revision: 9)
        #expect(state.applyingReset() == state)
        #expect(ProvisionedState().applyingReset() == ProvisionedState())
    }

    static let change = ProvisionedState(erasedSlots: [1], revision: 1)

    @Test("the commit point commits a changed revision once, with the device's name, before the connection adopts it")
    func commitCalled() throws {
        let commits = Commits()
        var connection = ResponderConnection(device: Fixtures.device(), random: FixedRandom()) { name, state in
            commits.append(name, state)
        }
        let response = try connection.committing(in: nil) { next -> Dispatched in
            next.updateProvisioned(Self.change)
            return Dispatched(response: [0x12, 0x2E, 0, 0])
        }
        #expect(response.response == [0x12, 0x2E, 0, 0])
        #expect(commits.all.map(\.0) == [connection.device.name])
        #expect(commits.all.map(\.1) == [Self.change])
        #expect(connection.device.provisioned == Self.change)
        // Same revision: nothing to commit.
        _ = try connection.committing(in: nil) { _ in Dispatched(response: []) }
        #expect(commits.all.count == 1)
    }

    @Test("a commit that throws Busy is answered Busy, any other failure Unspecified; the connection stays as it was")
    func commitFailures() {
        for (thrown, expected) in [(ResponderError(.busy, "another connection committed first") as any Error, ErrorCode.busy),
                                   (DiskFull() as any Error, ErrorCode.unspecified)] {
            var connection = ResponderConnection(device: Fixtures.device(), random: FixedRandom()) { _, _ in throw thrown }
            do {
                _ = try connection.committing(in: nil) { next -> Dispatched in
                    next.updateProvisioned(Self.change)
                    return Dispatched(response: [])
                }
                Issue.record("the commit's failure did not reach the requester")
            } catch let error as ResponderError {
                #expect(error.code == expected)
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(connection.device.provisioned == ProvisionedState())
        }
    }

    private struct DiskFull: Error {}

    /// What the commit closure was called with.
    private final class Commits: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [(String, ProvisionedState)] = []
        func append(_ name: String, _ state: ProvisionedState) { lock.withLock { calls.append((name, state)) } }
        var all: [(String, ProvisionedState)] { lock.withLock { calls } }
    }
}
