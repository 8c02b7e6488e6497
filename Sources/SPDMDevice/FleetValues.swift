import Foundation
import SPDMResponder
import SPDMWire

/// The per-device values of a fleet template (`count = N`): measurement values and pre-shared keys
/// that differ between the fleet's devices. For device i, in this order:
///
/// 1. the template's own text, where `{...}` expressions of i (DeviceTemplate) may appear:
///    `value = "hex:0102{i:04}"`, `hint = "cstr:node{i}"`; a measurement value may be a list the
///    devices take in turn (`value = ["fw 2.1", "fw 2.0"]`: device i gets element i % 2);
/// 2. replaced by its `[[device.variant]]`'s text when the device falls in a variant (DeviceVariant);
/// 3. replaced by its row in the `values` table file (ValueTableFile), the most specific;
///
/// then expanded for i and checked by the same rules as the template's own values.
struct FleetValues {
    /// A value's text and where it was written (for error messages).
    struct Text {
        var text: String
        var table: ConfigTable
        var key: String
        /// Where a value table cell came from ("values.csv:12"), added to its errors.
        var origin: String? = nil
    }

    private struct MeasurementText {
        var index: UInt8
        var type: DMTFMeasurementType
        /// One text, or a list that devices take in turn (device i: element i % count).
        var values: [Text]

        func value(forDevice index: Int) -> Text { values[index % values.count] }
    }

    private let measurements: [MeasurementText]
    private let psks: [PSKLoader.Text]
    private let variants: [DeviceVariant]
    private let valueTable: ValueTableFile?
    private let template: ConfigTable

    /// Whether any device's values differ from the template's as loaded; if not, `apply` is not needed.
    let varies: Bool

    init(_ table: ConfigTable, names: [String], context: LoadContext) throws {
        template = table
        measurements = try table.tableArray("measurement").compactMap { entry in
            guard let index = try entry.int("index", in: 1...254), let typeName = try entry.string("type"),
                  let texts = try (try? entry.stringArray("value")) ?? entry.string("value").map({ [$0] }), !texts.isEmpty else { return nil }
            return MeasurementText(index: UInt8(index), type: try entry.named("type", typeName, in: DMTFMeasurementType.named),
                                   values: texts.enumerated().map { Text(text: $1, table: entry, key: texts.count > 1 ? "value[\($0)]" : "value") })
        }
        let pskTexts = try PSKLoader().texts(table.tableArray("psk"))
        psks = pskTexts
        let indices = Set(measurements.map(\.index))
        variants = try DeviceVariant.load(table.tableArray("variant"), measurementIndices: indices)
        valueTable = try table.string("values").map {
            try ValueTableFile(path: resolve($0, against: context.baseDirectory), names: names,
                               measurementIndices: indices, pskCount: pskTexts.count, table: table)
        }
        let templated = measurements.contains { $0.values.count > 1 || DeviceTemplate.isTemplate($0.values[0].text) }
            || psks.contains(where: \.isTemplate)
        varies = templated || !variants.isEmpty || valueTable != nil
    }

    /// Gives `responder` device `index` (named `name`)'s measurement values and pre-shared keys;
    /// returns its PSK store.
    func apply(index: Int, name: String, to responder: inout ResponderDevice) throws -> PSKStore {
        let variant = variants.first { $0.contains(deviceIndex: index) }
        let row = valueTable?.rows[index]
        func cell(_ column: ValueTableFile.Column) -> Text? {
            guard let row, let text = row.values[column], let valueTable else { return nil }
            return Text(text: text, table: template, key: "values", origin: "\(valueTable.path):\(row.line)")
        }
        for measurement in measurements {
            let text = cell(.measurement(measurement.index)) ?? variant?.measurements[measurement.index] ?? measurement.value(forDevice: index)
            let value = try located(text) {
                try MeasurementLoader.value(try expand(text, index: index, name: name), for: measurement.type, in: text.table, key: text.key)
            }
            guard let position = responder.measurements.entries.firstIndex(where: { $0.index == measurement.index }) else { continue }
            responder.measurements.entries[position].value = value
        }
        var texts = variant?.psks ?? psks
        var origins: [String] = []
        for k in texts.indices {
            let hintCell = cell(.pskHint(k)), keyCell = cell(.pskKey(k))
            origins += [hintCell?.origin, keyCell?.origin].compactMap { $0 }
            let table = texts[k].table
            let key = keyCell ?? Text(text: texts[k].key, table: table, key: "key")
            let hint = hintCell ?? texts[k].hint.map { Text(text: $0, table: table, key: "hint") }
            texts[k].key = try expand(key, index: index, name: name)
            texts[k].hint = try hint.map { try expand($0, index: index, name: name) }
        }
        let store = try located(Text(text: "", table: template, key: "psk", origin: origins.first)) { try PSKLoader().store(texts) }
        responder.sessionSettings.psks = store.entries.map { SessionSettings.PSK(hint: $0.hint, key: $0.key) }
        return store
    }

    /// What device `index` takes from the value table file, in a stable order, for its fingerprint
    /// (so a reload after the file changed reloads exactly the devices whose rows changed); "" if nothing.
    func tableRowText(index: Int) -> String {
        guard let row = valueTable?.rows[index] else { return "" }
        return row.values.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n")
    }

    /// `body`'s config errors with the value table's file and line added, when the text came from there.
    private func located<T>(_ text: Text, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as ConfigError {
            if let origin = text.origin { error.message += " (\(origin))" }
            throw error
        }
    }

    /// `text` expanded for device `index`: its `{...}` expressions evaluated and `{name}` replaced.
    private func expand(_ text: Text, index: Int, name: String) throws -> String {
        guard DeviceTemplate.isTemplate(text.text) else { return text.text }
        do {
            return try DeviceTemplate.expand(text.text, index: index).replacingOccurrences(of: "{name}", with: name)
        } catch let failure as DeviceTemplate.Failure {
            var error = text.table.error(text.key, "\(failure.description) (device \(name))")
            if let origin = text.origin { error.message += " (\(origin))" }
            throw error
        }
    }
}
