import CareVaultCore
import Hummingbird

/// The session and pre-session cookies. With an https public URL they are `Secure` and carry the
/// `__Host-` prefix (bound to this host, path `/`).
struct SessionCookie: Sendable {
    let secure: Bool

    var sessionName: String { secure ? "__Host-cv_session" : "cv_session" }
    var preSessionName: String { secure ? "__Host-cv_pre" : "cv_pre" }

    func session(_ token: SecretToken) -> Cookie {
        Cookie(name: sessionName, value: token.value, maxAge: Int(SessionService.absoluteTimeout), path: "/",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    func clearedSession() -> Cookie {
        Cookie(name: sessionName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A share recipient's session (no account): at most ``ShareLink/sessionMinutes`` long.
    var shareName: String { secure ? "__Host-cv_share" : "cv_share" }

    func share(_ value: String) -> Cookie {
        Cookie(name: shareName, value: value, maxAge: ShareLink.sessionMinutes * 60, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func clearedShare() -> Cookie {
        Cookie(name: shareName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func preSession(_ value: String) -> Cookie {
        Cookie(name: preSessionName, value: value, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
