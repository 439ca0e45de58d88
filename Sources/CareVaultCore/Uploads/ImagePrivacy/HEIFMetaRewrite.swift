extension HEIFMetadataScrubber {
    /// A HEIF `meta` box rewritten at the same size without its metadata and thumbnail items, and the
    /// file ranges the kept items' data occupy.
    struct MetaRewrite {
        /// The new `meta` box, exactly as long as the old one.
        private(set) var bytes: [UInt8] = []
        private(set) var removed: Set<String> = []
        /// Where the kept items' bytes are in the file (construction method 0).
        private(set) var fileRanges: [Range<Int>] = []

        private let meta: [UInt8]
        private let fields: BinaryFields
        private var items: [Item] = []
        private var locations: [Location] = []
        private var references: [Reference] = []
        private var primary: Int?

        init(_ meta: [UInt8], fileSize: Int) throws {
            self.meta = meta
            fields = BinaryFields(meta)
            let metaBox = try readBoxHeader(fields, base: 0, limit: meta.count)
            let childrenStart = metaBox.headerSize + 4  // a full box: version and flags
            let children = try HEIFMetadataScrubber.children(of: meta, from: childrenStart, to: meta.count)
            for child in children {
                switch child.type {
                case "pitm": primary = try fields.u8(child.payload.lowerBound) == 0 ? fields.u16(child.payload.lowerBound + 4) : fields.u32(child.payload.lowerBound + 4)
                case "iinf": try readItems(child)
                case "iloc": try readLocations(child)
                case "iref": try readReferences(child)
                default: break
                }
            }
            guard let primary, items.contains(where: { $0.id == primary && HEIFMetadataScrubber.imageItemTypes.contains($0.type) }) else {
                throw ImageMetadataStripper.Failure.malformed
            }
            let dropped = droppedItems(primary: primary)

            var rewritten = Array(meta[0..<childrenStart])
            for child in children {
                switch child.type {
                case "hdlr", "pitm", "dinf", "grpl": rewritten += meta[child.start..<child.end]
                case "iinf": rewritten += try rebuildItems(child, dropping: dropped)
                case "iloc": rewritten += try rebuildLocations(child, dropping: dropped)
                case "iref": rewritten += try rebuildReferences(child, dropping: dropped)
                case "iprp": rewritten += try rebuildProperties(child, dropping: dropped)
                case "idat": rewritten += idatKeepingOnly(child, dropping: dropped)
                default: removed.insert("extra data")
                }
            }
            let padding = meta.count - rewritten.count
            guard padding == 0 || padding >= 8 else { throw ImageMetadataStripper.Failure.malformed }
            if padding >= 8 { rewritten += HEIFMetadataScrubber.box("free", [UInt8](repeating: 0, count: padding - 8)) }
            bytes = rewritten

            for location in locations where !dropped.contains(location.id) && location.constructionMethod == 0 && location.dataReferenceIndex == 0 {
                for extent in location.extents {
                    guard let range = Self.range(extent, within: fileSize) else { throw ImageMetadataStripper.Failure.malformed }
                    fileRanges.append(range)
                }
            }
        }

        /// Metadata items, thumbnails, and whatever only those use (a thumbnail grid's tiles, say).
        private mutating func droppedItems(primary: Int) -> Set<Int> {
            var dropped: Set<Int> = []
            for item in items where !HEIFMetadataScrubber.imageItemTypes.contains(item.type) {
                dropped.insert(item.id)
                removed.insert(item.type == "Exif" ? "EXIF" : item.contentType.lowercased().contains("xmp") || item.contentType.contains("rdf") ? "XMP" : "extra data")
            }
            for reference in references where reference.type == "thmb" && reference.from != primary {
                dropped.insert(reference.from)
                removed.insert("thumbnail")
            }
            // Who each item describes and who uses it, looked up once: the loop below runs once per
            // item dropped, so filtering every reference inside it was cubic in a hostile file.
            var describesByItem: [Int: [Int]] = [:], usedByItem: [Int: [Int]] = [:]
            for reference in references {
                if ["auxl", "thmb", "cdsc", "prem"].contains(reference.type) { describesByItem[reference.from, default: []] += reference.to }
                if reference.type == "dimg" { for to in reference.to { usedByItem[to, default: []].append(reference.from) } }
            }
            var changed = true
            while changed {
                changed = false
                for item in items where item.id != primary && !dropped.contains(item.id) {
                    let describes = describesByItem[item.id] ?? []
                    let usedBy = usedByItem[item.id] ?? []
                    if (!describes.isEmpty && describes.allSatisfy(dropped.contains)) || (!usedBy.isEmpty && usedBy.allSatisfy(dropped.contains)) {
                        dropped.insert(item.id)
                        changed = true
                    }
                }
            }
            return dropped
        }

        /// An extent as a range of a file or `idat` of `size` bytes (length 0: to the end); nil if it does not fit.
        static func range(_ extent: (offset: Int, length: Int), within size: Int) -> Range<Int>? {
            guard extent.offset >= 0, extent.offset <= size, extent.length <= size - extent.offset else { return nil }
            return extent.offset..<(extent.length == 0 ? size : extent.offset + extent.length)
        }

        // MARK: iinf

        private mutating func readItems(_ box: Box) throws {
            let version = try fields.u8(box.payload.lowerBound)
            let start = box.payload.lowerBound + 4 + (version == 0 ? 2 : 4)
            for entry in try HEIFMetadataScrubber.children(of: meta, from: start, to: box.end) where entry.type == "infe" {
                guard items.count < HEIFMetadataScrubber.maxItems else { throw ImageMetadataStripper.Failure.malformed }
                let at = entry.payload.lowerBound
                let infeVersion = try fields.u8(at)
                guard infeVersion >= 2 else {  // not an image item in HEIF's sense
                    items.append(Item(id: try fields.u16(at + 4), type: "", contentType: "", raw: Array(meta[entry.start..<entry.end])))
                    continue
                }
                let idSize = infeVersion == 2 ? 2 : 4
                let id = try fields.uint(at: at + 4, size: idSize)
                let type = try fields.fourCC(at + 4 + idSize + 2)
                var contentType = ""
                if type == "mime" {
                    let (_, afterName) = try fields.cString(at + 4 + idSize + 6)
                    contentType = try fields.cString(afterName).0
                }
                items.append(Item(id: id, type: type, contentType: contentType, raw: Array(meta[entry.start..<entry.end])))
            }
        }

        private func rebuildItems(_ box: Box, dropping dropped: Set<Int>) throws -> [UInt8] {
            let version = try fields.u8(box.payload.lowerBound)
            let keptItems = items.filter { !dropped.contains($0.id) }
            var payload = Array(meta[box.payload.lowerBound..<(box.payload.lowerBound + 4)])
            payload.appendBigEndian(keptItems.count, size: version == 0 ? 2 : 4)
            for item in keptItems { payload += item.raw }
            return HEIFMetadataScrubber.box("iinf", payload)
        }

        // MARK: iloc

        private mutating func readLocations(_ box: Box) throws {
            let at = box.payload.lowerBound
            let version = try fields.u8(at)
            let sizes = try fields.u8(at + 4), moreSizes = try fields.u8(at + 5)
            let offsetSize = sizes >> 4, lengthSize = sizes & 0xF, baseOffsetSize = moreSizes >> 4
            let indexSize = version == 1 || version == 2 ? moreSizes & 0xF : 0
            let count = version < 2 ? try fields.u16(at + 6) : try fields.u32(at + 6)
            guard count <= HEIFMetadataScrubber.maxItems else { throw ImageMetadataStripper.Failure.malformed }
            var position = at + 6 + (version < 2 ? 2 : 4)
            // Extents of zero-byte fields take no room, so their number is bounded by count, not by the box's size.
            var extentsRead = 0
            for _ in 0..<count {
                let start = position
                let id = try fields.uint(at: position, size: version < 2 ? 2 : 4)
                position += version < 2 ? 2 : 4
                var method = 0
                if version == 1 || version == 2 { method = try fields.u16(position) & 0xF; position += 2 }
                let dataReference = try fields.u16(position)
                let base = try fields.uint(at: position + 2, size: baseOffsetSize)
                let extentCount = try fields.u16(position + 2 + baseOffsetSize)
                position += 4 + baseOffsetSize
                var extents: [(offset: Int, length: Int)] = []
                extentsRead += extentCount
                guard extentsRead <= HEIFMetadataScrubber.maxExtents else { throw ImageMetadataStripper.Failure.malformed }
                for _ in 0..<extentCount {
                    position += indexSize
                    let offset = try fields.uint(at: position, size: offsetSize)
                    let length = try fields.uint(at: position + offsetSize, size: lengthSize)
                    position += offsetSize + lengthSize
                    let (start, overflow) = base.addingReportingOverflow(offset)
                    guard !overflow else { throw ImageMetadataStripper.Failure.malformed }
                    extents.append((start, length))
                }
                guard position <= box.end else { throw ImageMetadataStripper.Failure.malformed }
                locations.append(Location(id: id, constructionMethod: method, dataReferenceIndex: dataReference, extents: extents,
                                          raw: Array(meta[start..<position])))
            }
        }

        private func rebuildLocations(_ box: Box, dropping dropped: Set<Int>) throws -> [UInt8] {
            let at = box.payload.lowerBound
            let version = try fields.u8(at)
            let keptLocations = locations.filter { !dropped.contains($0.id) }
            var payload = Array(meta[at..<(at + 6)])
            payload.appendBigEndian(keptLocations.count, size: version < 2 ? 2 : 4)
            for location in keptLocations { payload += location.raw }
            return HEIFMetadataScrubber.box("iloc", payload)
        }

        // MARK: iref

        private mutating func readReferences(_ box: Box) throws {
            let idSize = try fields.u8(box.payload.lowerBound) == 0 ? 2 : 4
            for entry in try HEIFMetadataScrubber.children(of: meta, from: box.payload.lowerBound + 4, to: box.end) {
                let at = entry.payload.lowerBound
                let from = try fields.uint(at: at, size: idSize)
                let count = try fields.u16(at + idSize)
                let to = try (0..<count).map { try fields.uint(at: at + idSize + 2 + $0 * idSize, size: idSize) }
                guard references.count < HEIFMetadataScrubber.maxItems else { throw ImageMetadataStripper.Failure.malformed }
                references.append(Reference(type: entry.type, from: from, to: to))
            }
        }

        private func rebuildReferences(_ box: Box, dropping dropped: Set<Int>) throws -> [UInt8] {
            let idSize = try fields.u8(box.payload.lowerBound) == 0 ? 2 : 4
            var payload = Array(meta[box.payload.lowerBound..<(box.payload.lowerBound + 4)])
            for reference in references where !dropped.contains(reference.from) {
                let to = reference.to.filter { !dropped.contains($0) }
                guard !to.isEmpty else { continue }
                var entry: [UInt8] = []
                entry.appendBigEndian(reference.from, size: idSize)
                entry.appendBigEndian(to.count, size: 2)
                for id in to { entry.appendBigEndian(id, size: idSize) }
                payload += HEIFMetadataScrubber.box(reference.type, entry)
            }
            return HEIFMetadataScrubber.box("iref", payload)
        }

        // MARK: iprp

        /// Properties keep their places (ipma refers to them by index); those not needed to draw a
        /// kept image become empty `free` boxes. Associations of dropped items go.
        private mutating func rebuildProperties(_ box: Box, dropping dropped: Set<Int>) throws -> [UInt8] {
            let children = try HEIFMetadataScrubber.children(of: meta, from: box.payload.lowerBound, to: box.end)
            var associations: [Box: [[UInt8]]] = [:]
            var used: Set<Int> = []
            for child in children where child.type == "ipma" {
                let (entries, indices) = try keptAssociations(child, dropping: dropped)
                associations[child] = entries
                used.formUnion(indices)
            }
            var payload: [UInt8] = []
            for child in children {
                switch child.type {
                case "ipco":
                    var properties: [UInt8] = []
                    for (index, property) in try HEIFMetadataScrubber.children(of: meta, from: child.payload.lowerBound, to: child.end).enumerated() {
                        if HEIFMetadataScrubber.keptProperties.contains(property.type) {
                            properties += used.contains(index + 1) ? Array(meta[property.start..<property.end]) : HEIFMetadataScrubber.box("free", [])
                        } else {
                            properties += HEIFMetadataScrubber.box("free", [])
                            removed.insert(property.type == "udes" ? "text" : "extra data")
                        }
                    }
                    payload += HEIFMetadataScrubber.box("ipco", properties)
                case "ipma":
                    var entries = Array(meta[child.payload.lowerBound..<(child.payload.lowerBound + 4)])
                    entries.appendBigEndian(associations[child]?.count ?? 0, size: 4)
                    for entry in associations[child] ?? [] { entries += entry }
                    payload += HEIFMetadataScrubber.box("ipma", entries)
                default:
                    removed.insert("extra data")
                }
            }
            return HEIFMetadataScrubber.box("iprp", payload)
        }

        /// The kept items' entries of an `ipma` box as stored, and the (1-based) property indices they use.
        private func keptAssociations(_ box: Box, dropping dropped: Set<Int>) throws -> (entries: [[UInt8]], indices: Set<Int>) {
            let at = box.payload.lowerBound
            let version = try fields.u8(at)
            let wideIndex = try fields.u8(at + 3) & 1 == 1
            let idSize = version < 1 ? 2 : 4
            let count = try fields.u32(at + 4)
            var position = at + 8
            var kept: [[UInt8]] = []
            var indices: Set<Int> = []
            for _ in 0..<count {
                let start = position
                let id = try fields.uint(at: position, size: idSize)
                let associationCount = try fields.u8(position + idSize)
                position += idSize + 1
                var itemIndices: [Int] = []
                for _ in 0..<associationCount {
                    itemIndices.append(wideIndex ? try fields.u16(position) & 0x7FFF : try fields.u8(position) & 0x7F)
                    position += wideIndex ? 2 : 1
                }
                guard position <= box.end else { throw ImageMetadataStripper.Failure.malformed }
                if !dropped.contains(id) {
                    kept.append(Array(meta[start..<position]))
                    indices.formUnion(itemIndices)
                }
            }
            return (kept, indices)
        }

        // MARK: idat

        /// `idat` with every byte no kept item uses (construction method 1) zeroed; nothing if none uses it.
        private func idatKeepingOnly(_ box: Box, dropping dropped: Set<Int>) -> [UInt8] {
            var out = Array(meta[box.start..<box.end])
            let payloadStart = box.payload.lowerBound - box.start
            let size = box.payload.count
            let used = locations.filter { !dropped.contains($0.id) && $0.constructionMethod == 1 }.flatMap { location in
                location.extents.compactMap { Self.range($0, within: size) }
            }
            guard !used.isEmpty else { return [] }
            for gap in ImageEdits.complement(of: used, in: size) {
                out.replaceSubrange((payloadStart + gap.lowerBound)..<(payloadStart + gap.upperBound), with: repeatElement(0, count: gap.count))
            }
            return out
        }
    }
}
