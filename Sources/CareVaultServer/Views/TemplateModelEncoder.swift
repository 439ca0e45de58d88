/// Turns a page model into the nested dictionaries and arrays the templates read, through the
/// model's compiler-written `Encodable` conformance.
///
/// swift-mustache reads a struct's values through a fresh `Mirror` (and a linear search of its
/// children) for every key it looks up, at every level of the context stack; a dictionary gives the
/// same answers. Reflecting the model once into dictionaries still cost a tenth of a results page's
/// CPU (a `Mirror` resolves every field's type by its mangled name); the synthesized `encode(to:)`
/// visits the same stored properties with none of that. A nil optional is left out (synthesized code
/// skips it), so a lookup falls through to the enclosing context exactly as with the struct itself.
enum TemplateModelEncoder {
    /// The model as dictionaries, arrays, strings, flags and numbers.
    static func encode<T: Encodable>(_ value: T) -> Any {
        if let leaf = leaf(value) { return leaf }
        let encoder = ValueEncoder()
        // Our models encode nothing that can fail; a model that did would show as an empty value.
        try? value.encode(to: encoder)
        return encoder.storage.result
    }

    /// A string, flag or number as itself; nil for anything else.
    private static func leaf<T>(_ value: T) -> Any? {
        switch value {
        case let string as String: string
        case let bool as Bool: bool
        case let int as Int: int
        case let double as Double: double
        default: nil
        }
    }

    /// What one value encoded to. Containers asked for with `nestedContainer` or `superEncoder`
    /// (which synthesized code never uses) are kept apart as placeholders and filled in at the end.
    final class Storage {
        var value: Any?
        var members: [String: Any]?
        var memberPlaceholders: [String: Storage] = [:]
        var elements: [Any]?
        var elementPlaceholders: [(index: Int, storage: Storage)] = []

        var result: Any {
            if var members {
                for (key, placeholder) in memberPlaceholders { members[key] = placeholder.result }
                return members
            }
            if var elements {
                for (index, placeholder) in elementPlaceholders { elements[index] = placeholder.result }
                return elements
            }
            return value ?? ""
        }
    }

    struct ValueEncoder: Encoder {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(storage: Storage = Storage()) { self.storage = storage }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if storage.members == nil { storage.members = [:] }
            return KeyedEncodingContainer(KeyedContainer<Key>(storage: storage))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if storage.elements == nil { storage.elements = [] }
            return UnkeyedContainer(storage: storage)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(storage: storage) }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        private func set(_ value: Any, _ key: Key) { storage.members![key.stringValue] = value }

        mutating func encodeNil(forKey key: Key) {}
        mutating func encode(_ value: Bool, forKey key: Key) { set(value, key) }
        mutating func encode(_ value: String, forKey key: Key) { set(value, key) }
        mutating func encode(_ value: Double, forKey key: Key) { set(value, key) }
        mutating func encode(_ value: Float, forKey key: Key) { set(Double(value), key) }
        mutating func encode(_ value: Int, forKey key: Key) { set(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: Int16, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: Int32, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: Int64, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) { set(Int(value), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) { set(Int(value), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) { set(TemplateModelEncoder.encode(value), key) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            ValueEncoder(storage: placeholder(key)).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            ValueEncoder(storage: placeholder(key)).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(storage: placeholder(named: "super")) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(storage: placeholder(key)) }

        private func placeholder(_ key: Key) -> Storage { placeholder(named: key.stringValue) }
        private func placeholder(named name: String) -> Storage {
            let nested = Storage()
            storage.memberPlaceholders[name] = nested
            return nested
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        var count: Int { storage.elements!.count }

        private func append(_ value: Any) { storage.elements!.append(value) }

        mutating func encodeNil() { append(Optional<Any>.none as Any) }
        mutating func encode(_ value: Bool) { append(value) }
        mutating func encode(_ value: String) { append(value) }
        mutating func encode(_ value: Double) { append(value) }
        mutating func encode(_ value: Float) { append(Double(value)) }
        mutating func encode(_ value: Int) { append(value) }
        mutating func encode(_ value: Int8) { append(Int(value)) }
        mutating func encode(_ value: Int16) { append(Int(value)) }
        mutating func encode(_ value: Int32) { append(Int(value)) }
        mutating func encode(_ value: Int64) { append(Int(value)) }
        mutating func encode(_ value: UInt) { append(Int(value)) }
        mutating func encode(_ value: UInt8) { append(Int(value)) }
        mutating func encode(_ value: UInt16) { append(Int(value)) }
        mutating func encode(_ value: UInt32) { append(Int(value)) }
        mutating func encode(_ value: UInt64) { append(Int(value)) }
        mutating func encode<T: Encodable>(_ value: T) { append(TemplateModelEncoder.encode(value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            ValueEncoder(storage: placeholder()).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { ValueEncoder(storage: placeholder()).unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { ValueEncoder(storage: placeholder()) }

        private func placeholder() -> Storage {
            let nested = Storage()
            storage.elementPlaceholders.append((storage.elements!.count, nested))
            append("")
            return nested
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() { storage.value = nil }
        mutating func encode(_ value: Bool) { storage.value = value }
        mutating func encode(_ value: String) { storage.value = value }
        mutating func encode(_ value: Double) { storage.value = value }
        mutating func encode(_ value: Float) { storage.value = Double(value) }
        mutating func encode(_ value: Int) { storage.value = value }
        mutating func encode(_ value: Int8) { storage.value = Int(value) }
        mutating func encode(_ value: Int16) { storage.value = Int(value) }
        mutating func encode(_ value: Int32) { storage.value = Int(value) }
        mutating func encode(_ value: Int64) { storage.value = Int(value) }
        mutating func encode(_ value: UInt) { storage.value = Int(value) }
        mutating func encode(_ value: UInt8) { storage.value = Int(value) }
        mutating func encode(_ value: UInt16) { storage.value = Int(value) }
        mutating func encode(_ value: UInt32) { storage.value = Int(value) }
        mutating func encode(_ value: UInt64) { storage.value = Int(value) }
        mutating func encode<T: Encodable>(_ value: T) { storage.value = TemplateModelEncoder.encode(value) }
    }
}
