import CareVaultStore
import Foundation
import ServiceLifecycle

/// Upkeep that runs at start-up and then every hour while the server runs: erases the bytes of
/// deleted uploads past their retention period, deletes sessions that ended (otherwise every
/// sign-in ever made would stay in the sessions table), reminds patients of proxy access that ends
/// within 30 days, and tells patients who turned 18 (and their parents) that the parents' access ended.
struct Housekeeping: Service {
    let env: AppEnvironment
    static let interval: Duration = .seconds(3600)

    /// One round; a failing task is logged (without data) and does not stop the other.
    func runOnce(now: Date = Date()) async {
        do { try await UploadRetention(env: env).sweep(now: now) } catch {
            env.logger.error("erasing deleted uploads failed", metadata: ["error": "\(type(of: error))"])
        }
        do { try await env.sessions.purgeEnded(at: now) } catch {
            env.logger.error("deleting ended sessions failed", metadata: ["error": "\(type(of: error))"])
        }
        do { try await ShareOpeningService(env: env).purgeEndedSessions(at: now) } catch {
            env.logger.error("deleting ended share sessions failed", metadata: ["error": "\(type(of: error))"])
        }
        do { try await ProxyReminders(env: env).sweep(now: now) } catch {
            env.logger.error("proxy reminders failed", metadata: ["error": "\(type(of: error))"])
        }
        do { try await ProxyComingOfAge(env: env).sweep(now: now) } catch {
            env.logger.error("coming-of-age notices failed", metadata: ["error": "\(type(of: error))"])
        }
    }

    func run() async throws {
        while true {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) } } catch { return }
            await runOnce()
        }
    }
}
