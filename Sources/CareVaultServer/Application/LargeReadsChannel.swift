import HummingbirdCore
import Logging
import NIOCore

/// An HTTP/1 connection that reads up to 256 KiB from its socket at a time (NIO's default stops at
/// 64 KiB).
///
/// Why: an upload's body reaches the request task one read at a time, and each read is a hand-off
/// between NIO's event loop and the task (a futex wake-up on both sides). With 64 KiB reads those
/// hand-offs were ~10 % of a 100 MB upload's CPU. Not more than 256 KiB: the request body's stream
/// buffers up to ten reads before it pushes back, so 1 MiB reads let one upload hold ~17 MiB (256 KiB:
/// ~6 MiB, and no more CPU). The buffer grows only while reads fill it and shrinks again, so idle
/// connections and small requests keep small buffers.
struct LargeReadsChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    static var allocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 * 1024)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.setOption(ChannelOptions.recvAllocator, value: Self.allocator).flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with ``LargeReadsChannel``'s socket reads.
    static var http1LargeReads: HTTPServerBuilder {
        HTTPServerBuilder { responder in LargeReadsChannel(base: HTTP1Channel(responder: responder)) }
    }
}
