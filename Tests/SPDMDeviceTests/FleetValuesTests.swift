import Foundation
import SPDMDevice
import SPDMResponder
import Testing

/// Per-device measurement values and PSKs in fleet templates (FleetValues, DeviceVariant,
/// ValueTableFile): expressions, variants by share, and the table file.
@Suite("Fleet templates: per-device measurement values and PSKs")
struct FleetValuesTests {
    let directory = TemporaryDirectory()

    /// A `count` fleet with a firmware version (index 2), an SVN (index 3) and one PSK; `extra` goes
    /// at the device level, `after` after the tables.
    static func fleet(count: Int, version: String = "fw 2.1.0", hint: String = "cstr:TestPskHint", extra: String = "",
                      after: String = "") -> String {
        """
        [[device]]
        name = "gpu{i:04}"
        count = \(count)
        tcp = "127.0.0.1:0"
        identity = "shared"
        capabilities = ["CERT", "CHAL", "MEAS_SIG", "ENCRYPT", "MAC", "PSK"]
        \(extra)
        [[device.slot]]
        generate = { algorithm = "ECDSA_P256" }
        [[device.measurement]]
        index = 2
        type = "version"
        value = "\(version)"
        [[device.measurement]]
        index = 3
        type = "svn"
        value = "hex:05"
        [[device.psk]]
        hint = "\(hint)"
        key = "hex:0102030405060708"
        \(after)
        """
    }

    func value(_ device: DeviceDefinition, _ index: UInt8) -> String {
        String(decoding: device.responder.measurements.entry(index)?.value ?? [], as: UTF8.self)
    }

    func firstHint(_ device: DeviceDefinition) -> String {
        String(decoding: device.psk.entries.first?.hint ?? [], as: UTF8.self)
    }

    @Test("expressions of i and {name} in measurement values and PSK hints give every device its own")
    func expressions() throws {
        let config = try directory.loadConfig(Self.fleet(count: 3, version: "fw 2.{i % 2}.{i:03}", hint: "cstr:{name}"))
        #expect(config.devices.map { value($0, 2) } == ["fw 2.0.000", "fw 2.1.001", "fw 2.0.002"])
        #expect(config.devices.map { firstHint($0) } == ["gpu0000\0", "gpu0001\0", "gpu0002\0"])
        // The session settings the responder answers PSK_EXCHANGE from carry the same hints.
        #expect(config.devices[1].responder.sessionSettings.psks.map(\.hint) == [Array("gpu0001".utf8) + [0]])
        // An expression in a hex value: the SVN of device i is i.
        let svn = try directory.loadConfig(Self.fleet(count: 12, after: "").replacingOccurrences(of: "hex:05", with: "hex:{i:02}"))
        #expect(svn.devices[11].responder.measurements.entry(3)?.value == [0x11])
        // A list of values: device i takes element i % count.
        let list = try directory.loadConfig(Self.fleet(count: 5).replacingOccurrences(of: #"value = "fw 2.1.0""#, with: #"value = ["fw 2.1.0", "fw 2.0.{i}"]"#))
        #expect(list.devices.map { value($0, 2) } == ["fw 2.1.0", "fw 2.0.1", "fw 2.1.0", "fw 2.0.3", "fw 2.1.0"])
    }

    @Test("a variant with share 3 takes exactly 3 of every hundred devices, firmware and SVN together")
    func variantShare() throws {
        let variant = """
        [[device.variant]]
        name = "older firmware"
        share = 3
        [[device.variant.measurement]]
        index = 2
        value = "fw 1.9.4"
        [[device.variant.measurement]]
        index = 3
        value = "hex:04"
        [[device.variant]]
        name = "release candidate"
        share = 10
        [[device.variant.measurement]]
        index = 2
        value = "fw 2.2.0-rc{i % 3}"
        """
        let config = try directory.loadConfig(Self.fleet(count: 1000, after: variant))
        let old = config.devices.filter { value($0, 2) == "fw 1.9.4" }
        #expect(old.count == 30)
        #expect(old.allSatisfy { $0.responder.measurements.entry(3)?.value == [0x04] })
        #expect(old.prefix(3).map(\.name) == ["gpu0000", "gpu0001", "gpu0002"])
        #expect(config.devices.filter { value($0, 2).hasPrefix("fw 2.2.0-rc") }.count == 100)
        #expect(value(config.devices[3], 2) == "fw 2.2.0-rc0")
        let current = config.devices.filter { value($0, 2) == "fw 2.1.0" }
        #expect(current.count == 870)
        #expect(current.allSatisfy { $0.responder.measurements.entry(3)?.value == [0x05] })
    }

    @Test("the table file gives named or indexed devices their own values, over variants; the fingerprint follows the row")
    func tableFile() throws {
        let csv = """
        # device,measurement value overrides
        device,measurement.2,psk.0.hint,psk.0.key
        gpu0001,"fw 3.0.0, patched",cstr:special,
        2,,,hex:{i:02}ff
        """
        try csv.write(toFile: directory.path + "/values.csv", atomically: true, encoding: .utf8)
        let text = Self.fleet(count: 4, extra: #"values = "values.csv""#,
                              after: "[[device.variant]]\nshare = 50\n[[device.variant.measurement]]\nindex = 2\nvalue = \"fw 1.0\"")
        let config = try directory.loadConfig(text)
        #expect(config.devices.map { value($0, 2) } == ["fw 1.0", "fw 3.0.0, patched", "fw 1.0", "fw 1.0"])
        #expect(firstHint(config.devices[1]) == "special\0")
        #expect(config.devices[2].psk.entries.first?.key == [0x02, 0xFF])
        #expect(config.devices[0].psk.entries.first?.key == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(config.devices[0].fingerprint == config.devices[3].fingerprint)
        #expect(config.devices[1].fingerprint != config.devices[0].fingerprint)
        // Changing one row changes that device's fingerprint only (a reload reloads that device).
        try csv.replacingOccurrences(of: "patched", with: "hotfix").write(toFile: directory.path + "/values.csv", atomically: true, encoding: .utf8)
        let reloaded = try directory.loadConfig(text)
        #expect(reloaded.devices[1].fingerprint != config.devices[1].fingerprint)
        #expect(reloaded.devices[2].fingerprint == config.devices[2].fingerprint)
    }

    @Test("bad variants, table files and values are one message naming file, device, key (and the table's line)")
    func errors() throws {
        func message(_ text: String, csv: String? = nil) -> String {
            if let csv { try? csv.write(toFile: directory.path + "/values.csv", atomically: true, encoding: .utf8) }
            do {
                _ = try directory.loadConfig(text)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        let tableFleet = Self.fleet(count: 4, extra: #"values = "values.csv""#)
        let cases: [(String, String)] = [
            (message(Self.fleet(count: 2, version: "fw {i / 0}")),
             "test.toml: device 'gpu{i:04}': key 'measurement[0].value': 'fw {i / 0}': division by zero (device gpu0000)"),
            (message(Self.fleet(count: 2, after: "[[device.variant]]\nshare = 60\n[[device.variant.measurement]]\nindex = 2\nvalue = \"a\"\n[[device.variant]]\nshare = 50\n[[device.variant.measurement]]\nindex = 2\nvalue = \"b\"")),
             "key 'variant[1].share': the variants' shares add up to 110%, more than 100%"),
            (message(Self.fleet(count: 2, after: "[[device.variant]]\nshare = 5\n[[device.variant.measurement]]\nindex = 9\nvalue = \"a\"")),
             "key 'variant[0].measurement[0].index': the template defines no measurement 9"),
            (message(Self.fleet(count: 2, after: "[[device.variant]]\nshare = 5")), "changes nothing"),
            (message(tableFleet, csv: "device,measurement.7\n"), "key 'values': \(directory.path)/values.csv:1: column 'measurement.7': the template defines no measurement 7"),
            (message(tableFleet, csv: "device,measurement.2\ngpu0009,x\n"), "values.csv:2: no device 'gpu0009' in this template"),
            (message(tableFleet, csv: "device,measurement.2\n1,x\n1,y\n"), "values.csv:3: device 'gpu0001' already has a row (line 2)"),
            (message(tableFleet, csv: "device,measurement.3\n1,hex:zz\n"), "key 'values': 'hex:zz' is not valid hex after 'hex:' (\(directory.path)/values.csv:2)"),
            (message(tableFleet, csv: "device,colour\n"), "unknown column 'colour'"),
            (message(tableFleet, csv: "device,measurement.2\n1,\"open\n"), "values.csv:2: a quoted field without its closing quote"),
        ]
        for (actual, expected) in cases {
            #expect(actual.contains(expected), "\(actual)")
        }
    }
}
