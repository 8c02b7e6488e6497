import Foundation
import SPDMDevice
import SPDMFuzzMain
import SPDMFuzzSupport

/// Fleet templates on hostile input: the `{...}` expression evaluator (names, ports, paths, values)
/// and a fleet's value table file (`values = "...csv"`) read the way the config loader reads it.
///
/// Input: the first line is a template text, the rest a value table. Properties: the evaluator only
/// throws `DeviceTemplate.Failure` and leaves no `{` but `{name}` behind; loading the fleet with the
/// table only throws `ConfigError`, never traps; what loads gives every device a non-empty value.
@_cdecl("FuzzFleetTemplate_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzFleetTemplate)
}

private let scratch: String = {
    let path = NSTemporaryDirectory() + "fuzz-fleet-template-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// Four devices without certificates (nothing to generate per input), one measurement and one PSK
/// the table can change.
private let fleet = """
[[device]]
name = "dev{i}"
count = 4
tcp = "127.0.0.1:0"
capabilities = ["MEAS_NO_SIG", "PSK", "ENCRYPT", "MAC"]
values = "values.csv"
[[device.measurement]]
index = 2
type = "version"
value = "fw {i}"
[[device.psk]]
hint = "hint{i}"
key = "hex:0102030405060708"
"""

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFleetTemplate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput(data, size).bytes, as: UTF8.self)
    let firstLine = text.prefix { $0 != "\n" }
    for index in [0, 7, 99_999] {
        do {
            let expanded = try DeviceTemplate.expand(String(firstLine), index: index)
            fuzzCheck(!expanded.replacingOccurrences(of: "{name}", with: "").contains("{"),
                      "'\(firstLine)' expanded to '\(expanded)' with a '{' left")
        } catch is DeviceTemplate.Failure {
        } catch {
            fuzzCheck(false, "DeviceTemplate threw \(error)")
        }
    }
    let table = String(text.dropFirst(firstLine.count).dropFirst())
    guard (try? table.write(toFile: scratch + "/values.csv", atomically: false, encoding: .utf8)) != nil else { return 0 }
    do {
        let config = try ConfigLoader(stateDirectoryOverride: scratch + "/state", runtimeDirectoryOverride: scratch + "/run")
            .load(text: fleet, source: "fuzz.toml", baseDirectory: scratch)
        for device in config.devices {
            fuzzCheck(device.responder.measurements.entry(2)?.value.isEmpty == false, "\(device.name) has an empty measurement 2")
        }
    } catch is ConfigError {
    } catch {
        fuzzCheck(false, "the config loader threw \(error)")
    }
    return 0
}
