import Foundation

/// The parts of a peer Open311 server's JSON replies that the outbox forwarder reads, apart from the HTTP client so
/// that `Fuzz/run forms` can compile this file into its harness.
enum Open311Reply {
    /// The peer's id of a request just created: `service_request_id` (or, while it is still queued, `token`) of the
    /// first object of the reply's array (or of the reply's object), a string or a number.
    static func remoteId(in data: Data) -> String? {
        guard let any = try? JSONSerialization.jsonObject(with: data),
              let first = (any as? [[String: Any]])?.first ?? (any as? [String: Any]) else { return nil }
        for k in ["service_request_id", "token"] {
            if let s = first[k] as? String, !s.isEmpty { return s }
            if let n = first[k] as? NSNumber { return n.stringValue }
        }
        return nil
    }

    /// The `service_request_id` and `status` of each request of a `GET requests.json` reply (entries without both
    /// are left out), or `nil` when the reply is not a JSON array of objects.
    static func statuses(in data: Data) -> [(id: String, status: String)]? {
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
        return list.compactMap { entry in
            let id = (entry["service_request_id"] as? String) ?? (entry["service_request_id"] as? NSNumber)?.stringValue
            guard let id, let status = entry["status"] as? String else { return nil }
            return (id, status)
        }
    }
}
