import Foundation

/// A short, plain name for a browser from its user agent ("Firefox on Linux").
enum DeviceName {
    static func describe(userAgent: String?) -> String {
        guard let ua = userAgent, !ua.isEmpty else { return "Unknown device" }
        let browser = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("python", "Script")]
            .first { ua.contains($0.0) }?.1 ?? "Browser"
        let system = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux")]
            .first { ua.contains($0.0) }?.1
        return system.map { "\(browser) on \($0)" } ?? browser
    }
}
