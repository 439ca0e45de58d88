/// Helpers shared by the fuzz targets: deterministic chunking derived from the input, and checks
/// that crash (so libFuzzer records the input) when an invariant the code promises does not hold.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `FUZZ_VERBOSE=1 .build-fuzz/release/FuzzX seed-file…` says what the code made of each input, to
/// check that a seed goes deep (is accepted) rather than being refused at once.
public let verbose = getenv("FUZZ_VERBOSE") != nil

/// Prints `message` when ``verbose``.
public func note(_ message: @autoclosure () -> String) {
    if verbose { print(message()) }
}

/// The input as an array (libFuzzer's buffer is only valid during the call).
public func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with `message` when `condition` is false: libFuzzer saves the input as a crash.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant violated: \(message())") }
}

/// A small deterministic generator (SplitMix64), seeded from the input so a crash replays exactly.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a over the bytes: a seed that changes with every mutation of the input.
public func seed(of bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}

/// Where to cut `bytes` into the chunks a network read might deliver: sizes from one byte to all of
/// it, mostly small and awkward (1, 2, 3, 7, 13…) so that every structure gets split somewhere.
/// Chosen from the input's own hash, so the same input always streams the same way.
public func chunks(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var random = SplitMix(seed: seed(of: bytes))
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    while start < bytes.count {
        let size: Int
        switch random.next() % 8 {
        case 0: size = 1
        case 1: size = 2
        case 2: size = 3
        case 3: size = 7
        case 4: size = 13
        case 5: size = 64
        case 6: size = 1 + Int(random.next() % 4096)
        default: size = bytes.count  // the rest at once
        }
        let end = min(bytes.count, start + size)
        result.append(bytes[start..<end])
        start = end
    }
    return result
}
