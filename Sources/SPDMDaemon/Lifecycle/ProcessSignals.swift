import Dispatch
import Foundation

/// SIGHUP (reload), caught from the moment this is created so an early one cannot end the process.
final class HangupSignal: @unchecked Sendable {
    private let source: DispatchSourceSignal
    let signals: AsyncStream<Void>

    init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        signals = stream
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "spdm-fleetd.sighup"))
        source.setEventHandler { continuation.yield() }
        source.resume()
    }

    deinit { source.cancel() }
}

/// SIGINT and SIGTERM, caught from the moment this is created (before any listener is bound, so a
/// supervisor's early SIGTERM is never lost); `wait()` resolves with the first one's name.
final class ShutdownSignal: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.stream = stream
        let queue = DispatchQueue(label: "spdm-fleetd.signals")
        sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
    }

    func wait() async -> String {
        for await name in stream { return name }
        return "end of signal stream"
    }

    deinit { sources.forEach { $0.cancel() } }
}
