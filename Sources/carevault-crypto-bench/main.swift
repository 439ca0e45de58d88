// The crypto ceiling for the upload benchmark (scripts/bench --suite uploads): how fast this machine
// encrypts (AES-256-GCM, CareVault's chunked blob format) and hashes (SHA-256) the same bytes an
// upload carries, in CPU-seconds, so upload throughput can be compared with it in the same run.
// Usage: carevault-crypto-bench MEGABYTES [FOLDER]  → prints "crypto_mb_per_cpu_s <the faster of swift-crypto
// directly and CareVault's BlobEncryptor>",
// "blob_encryptor_mb_per_cpu_s <CareVault's BlobEncryptor>" and, with FOLDER, "stored_mb_per_cpu_s
// <BlobEncryptor's output stored by LocalBlobStore under FOLDER>": what storing costs without HTTP
// (best of three each).
import CareVaultCore
import CareVaultStore
import Crypto
import Foundation

let megabytes = Int(CommandLine.arguments.dropFirst().first ?? "100") ?? 100
var bytes = [UInt8](repeating: 0, count: 1 << 20)
for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
let masterKey = MasterKey(key: SymmetricKey(size: .bits256))

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Best of three, in MB per CPU-second.
func measure(_ body: () throws -> Void) rethrows -> Double {
    var best = 0.0
    for _ in 0..<3 {
        let start = cpuSeconds()
        try body()
        best = max(best, Double(megabytes) / (cpuSeconds() - start))
    }
    return best
}

// swift-crypto directly: AES-256-GCM over 64 KiB chunks and SHA-256 over the same bytes, each chunk
// sealed from where it lies with a counter nonce. (With swift-crypto's default random nonce every
// chunk cost a system call, and this "ceiling" ran slower than CareVault's own format below.)
let key = SymmetricKey(size: .bits256)
let raw = try measure {
    var hasher = SHA256()
    var sealed = 0
    var counter: UInt64 = 0
    try bytes.withUnsafeBytes { all in
        for _ in 0..<megabytes {
            for offset in stride(from: 0, to: all.count, by: 65_536) {
                let chunk = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + 65_536)])
                hasher.update(bufferPointer: chunk)
                counter += 1
                let nonce = try AES.GCM.Nonce(data: [0, 0, 0, 0] + withUnsafeBytes(of: counter.bigEndian, Array.init))
                sealed += try AES.GCM.seal(chunk, using: key, nonce: nonce).ciphertext.count
            }
        }
    }
    precondition(sealed == megabytes << 20 && Array(hasher.finalize()).count == 32)
}
// CareVault's own streaming format (what an upload actually runs).
let ours = try measure {
    var encryptor = try BlobEncryptor(masterKey: masterKey, blobID: UUID().uuidString.lowercased())
    var sealed = 0
    var out: [UInt8] = []
    for _ in 0..<megabytes {
        for offset in stride(from: 0, to: bytes.count, by: 65_536) {
            try encryptor.update(bytes[offset..<(offset + 65_536)], appendingTo: &out)
            sealed += out.count
            out.removeAll(keepingCapacity: true)
        }
    }
    sealed += try encryptor.finish().bytes.count
    precondition(sealed > megabytes << 20)
}
// The ceiling is the faster of the two: both do the same AES-256-GCM and SHA-256 work on the same bytes.
print("crypto_mb_per_cpu_s \(max(raw, ours))")
print("blob_encryptor_mb_per_cpu_s \(ours)")

// The same, stored by LocalBlobStore on the server's disk (direct writes, synced, renamed into place):
// the limit for an upload once the kernel's part of storing it is counted too. Off the main actor, as
// an upload runs: awaiting the store from top-level code would switch threads twice per chunk.
nonisolated func storedLimit(folder: String, bytes: [UInt8], masterKey: MasterKey, megabytes: Int) async throws -> Double {
    let store = LocalBlobStore(root: URL(fileURLWithPath: folder).appendingPathComponent("crypto-bench-\(UUID().uuidString)"))
    defer { try? FileManager.default.removeItem(at: store.root) }
    var best = 0.0
    for _ in 0..<3 {
        let start = cpuSeconds()
        let id = UUID().uuidString.lowercased()
        let writer = try await store.create(id: id)
        var encryptor = try BlobEncryptor(masterKey: masterKey, blobID: id)
        var out: [UInt8] = []
        for _ in 0..<megabytes {
            for offset in stride(from: 0, to: bytes.count, by: 65_536) {
                try encryptor.update(bytes[offset..<(offset + 65_536)], appendingTo: &out)
                try await writer.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try await writer.write(try encryptor.finish().bytes)
        try await writer.commit()
        best = max(best, Double(megabytes) / (cpuSeconds() - start))
        try await store.delete(id: id)
    }
    return best
}

if let folder = CommandLine.arguments.dropFirst(2).first {
    let (bytes, masterKey, megabytes) = (bytes, masterKey, megabytes)
    let stored = try await Task.detached { try await storedLimit(folder: folder, bytes: bytes, masterKey: masterKey, megabytes: megabytes) }.value
    print("stored_mb_per_cpu_s \(stored)")
}
