import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's persistent state: generated keys and certificates, the builtin CA, and what devices
/// acknowledged. Writes are atomic (write to a temporary file, fsync, rename, fsync the directory),
/// so a crash or kill -9 leaves the old or the new file, never a torn one.
public enum StateDirectory {
    /// $STATE_DIRECTORY (systemd's StateDirectory=), else $XDG_STATE_HOME/spdm-fleetd,
    /// else ~/.local/state/spdm-fleetd.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let systemd = environment["STATE_DIRECTORY"], !systemd.isEmpty {
            return String(systemd.split(separator: ":").first ?? Substring(systemd))
        }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/spdm-fleetd" }
        let home = environment["HOME"] ?? "/var/lib"
        return home + "/.local/state/spdm-fleetd"
    }

    /// $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=), else $XDG_RUNTIME_DIR/spdm-fleetd,
    /// else /tmp/spdm-fleetd-<uid>: where relative Unix socket paths are placed.
    public static func defaultRuntimePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let systemd = environment["RUNTIME_DIRECTORY"], !systemd.isEmpty {
            return String(systemd.split(separator: ":").first ?? Substring(systemd))
        }
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty { return xdg + "/spdm-fleetd" }
        return "/tmp/spdm-fleetd-\(getuid())"
    }

    public static func ensureDirectory(_ path: String, mode: Int = 0o700) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: mode])
    }

    /// Atomically replaces `path` with `bytes`, readable only by the owner when `secret`: written
    /// to `<path>.tmp-<pid>`, fsync'd, renamed over `path`, then the directory fsync'd. A failure
    /// removes the temporary file and leaves `path` as it was. `durable: false` skips both fsyncs,
    /// for files whose loss in a crash costs nothing but work (a crash may then leave the old file,
    /// the new one, or an empty one).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, secret: Bool = false, durable: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try ensureDirectory(directory)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0o600 : 0o644)
        guard fd >= 0 else { throw StateError(path: temporary, operation: "open", errno: errno) }
        func fail(_ operation: String, _ code: Int32, on failedPath: String) -> StateError {
            unlink(temporary)
            return StateError(path: failedPath, operation: operation, errno: code)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw fail("write", code, on: temporary)
            }
            written += result
        }
        guard !durable || fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw fail("fsync", code, on: temporary)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw fail("rename", errno, on: path) }
        if durable { syncDirectory(directory) }
    }

    /// Every file written under `path` so far is on disk when this returns: sync(2) (Linux waits
    /// for the writes; syncfs(2), which would flush only that file system, is not in Swift's Glibc
    /// module), then an fsync(2) of `path` itself, whose result is reported. nil on success.
    public static func syncFileSystem(_ path: String) -> StateError? {
        sync()
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return StateError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : StateError(path: path, operation: "fsync", errno: errno)
    }

    /// fsync(2) of a directory, so a rename or unlink in it is on disk too.
    public static func syncDirectory(_ directory: String) {
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Runs `body` holding an exclusive flock(2) on `path` (created if missing), so daemons that
    /// share a state directory never generate the same material at the same time.
    public static func withExclusiveLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        try ensureDirectory((path as NSString).deletingLastPathComponent)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StateError(path: path, operation: "flock", errno: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The whole file, nil when it cannot be opened or read (POSIX calls: a fleet start reads
    /// thousands of small files, and FileManager's detour through Data costs more than the read).
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096))) }
            let (result, code) = bytes.withUnsafeMutableBytes { raw in
                let result = Glibc.read(fd, raw.baseAddress! + filled, raw.count - filled)
                return (result, errno)
            }
            if result < 0 {
                if code == EINTR { continue }
                return nil
            }
            if result == 0 { break }
            filled += result
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

}

public struct StateError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
