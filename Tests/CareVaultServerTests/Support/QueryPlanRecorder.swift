import Logging
import NIOCore
import SQLKit
import Synchronization

/// Runs each statement after asking SQLite how it plans it (`EXPLAIN QUERY PLAN`), keeping the plan.
final class QueryPlanRecorder: SQLDatabase, Sendable {
    private let base: any SQLDatabase
    private let steps = Mutex<[String]>([])
    init(_ base: any SQLDatabase) { self.base = base }

    var plan: [String] { steps.withLock { $0 } }
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    private struct Explain: SQLExpression {
        let query: any SQLExpression
        func serialize(to serializer: inout SQLSerializer) {
            serializer.write("EXPLAIN QUERY PLAN ")
            query.serialize(to: &serializer)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: Explain(query: query)) { row in
            let detail = (try? row.decode(column: "detail", as: String.self)) ?? "?"
            self.steps.withLock { $0.append(detail) }
        }
        try await base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }
}
